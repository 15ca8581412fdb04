//! The inbox: ordered by the latest message, paged, filtered (unread, archived) and
//! counted; archiving, and hiding a message for oneself.

use crate::common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn the_inbox_orders_pages_filters_and_counts() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let doctor = &world.dr_in;
    let mut patients = vec![world.patient_a.clone()];
    for name in ["patient.c", "patient.d"] {
        patients.push(patient_of(&server, doctor, name, "dr.in").await);
    }
    for (n, patient) in patients.iter().enumerate() {
        for m in 0..=n {
            patient
                .post(
                    "/api/messages/send",
                    json!({ "recipient": "dr.in", "content": format!("from {n}, number {m}") }),
                )
                .await
                .expect(201);
        }
    }
    let long = "x".repeat(150);
    patients[0]
        .post(
            "/api/messages/send",
            json!({ "recipient": "dr.in", "content": long }),
        )
        .await
        .expect(201);

    let first = doctor.get("/api/messages/inbox?limit=2").await.expect(200);
    assert_eq!(first.body["total"], 3);
    assert_eq!(first.body["total_unread"], 1 + 2 + 3 + 1);
    assert_eq!(first.body["has_more"], true);
    let others: Vec<&str> = first.body["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["other"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(others, ["patient.a", "patient.d"], "most recent first");
    assert_eq!(first.body["conversations"][0]["unread_count"], 2);
    let preview = first.body["conversations"][0]["last_message"]["preview"]
        .as_str()
        .unwrap();
    assert_eq!(preview.chars().count(), 100);
    let second = doctor
        .get("/api/messages/inbox?limit=2&page=2")
        .await
        .expect(200);
    assert_eq!(
        second.body["conversations"][0]["other"]["username"],
        "patient.c"
    );
    assert_eq!(second.body["conversations"][0]["unread_count"], 2);
    assert_eq!(second.body["has_more"], false);
    // A page past the end is empty, and still counts.
    let beyond = doctor
        .get("/api/messages/inbox?limit=2&page=5")
        .await
        .expect(200);
    assert_eq!(beyond.body["conversations"], json!([]));
    assert_eq!(beyond.body["total"], 3);
    assert_eq!(beyond.body["total_unread"], 1 + 2 + 3 + 1);

    let d_conversation = first.body["conversations"][1]["id"].as_i64().unwrap();
    doctor
        .post(
            &format!("/api/messages/conversations/{d_conversation}/read"),
            json!({}),
        )
        .await
        .expect(200);
    let unread = doctor
        .get("/api/messages/inbox?unread_only=true")
        .await
        .expect(200);
    assert_eq!(unread.body["total"], 2);
    assert_eq!(unread.body["total_unread"], 4);

    doctor
        .post(
            &format!("/api/messages/conversations/{d_conversation}/archive"),
            json!({}),
        )
        .await
        .expect(200);
    let inbox = doctor.get("/api/messages/inbox").await.expect(200);
    assert_eq!(inbox.body["total"], 2);
    let archived = doctor
        .get("/api/messages/inbox?archived=true")
        .await
        .expect(200);
    assert_eq!(archived.body["conversations"][0]["id"], d_conversation);
    assert_eq!(archived.body["conversations"][0]["archived"], true);
    patients[2]
        .post(
            "/api/messages/send",
            json!({ "conversation_id": d_conversation, "content": "are you there?" }),
        )
        .await
        .expect(201);
    let back = doctor.get("/api/messages/inbox").await.expect(200);
    assert_eq!(
        back.body["total"], 3,
        "a new message brings it back from the archive"
    );
    assert_eq!(back.body["conversations"][0]["id"], d_conversation);
    assert_eq!(back.body["conversations"][0]["unread_count"], 1);
    // For the one who wrote, writing counts as having read.
    let writer = patients[2].get("/api/messages/inbox").await.expect(200);
    assert_eq!(writer.body["conversations"][0]["unread_count"], 0);
    assert_eq!(writer.body["total_unread"], 0);

    // Hiding an unread message hides it for me only and no longer counts it.
    let a_conversation = back.body["conversations"][1]["id"].as_i64().unwrap();
    let thread = doctor
        .get(&format!("/api/messages/conversations/{a_conversation}"))
        .await
        .expect(200);
    let newest = thread.body["messages"].as_array().unwrap().last().unwrap()["id"]
        .as_i64()
        .unwrap();
    doctor
        .delete(&format!("/api/messages/{newest}"))
        .await
        .expect(200);
    let after = doctor
        .get(&format!("/api/messages/conversations/{a_conversation}"))
        .await
        .expect(200);
    assert!(after.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["id"] != newest));
    let inbox = doctor.get("/api/messages/inbox").await.expect(200);
    let entry = inbox.body["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == a_conversation)
        .unwrap()
        .clone();
    assert_eq!(entry["unread_count"], 1);
    assert_eq!(entry["last_message"]["preview"], "from 0, number 0");
    let theirs = patients[0]
        .get(&format!("/api/messages/conversations/{a_conversation}"))
        .await
        .expect(200);
    assert!(theirs.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["id"] == newest));
    let their_inbox = patients[0].get("/api/messages/inbox").await.expect(200);
    assert_eq!(
        their_inbox.body["conversations"][0]["last_message"]["preview"],
        format!("{}…", "x".repeat(99)),
        "hidden for me only"
    );
    doctor
        .delete(&format!("/api/messages/{newest}"))
        .await
        .expect(200);
    let inbox = doctor.get("/api/messages/inbox").await.expect(200);
    assert_eq!(
        inbox.body["total_unread"],
        back.body["total_unread"].as_i64().unwrap() - 1,
        "hiding again changes nothing"
    );
}
