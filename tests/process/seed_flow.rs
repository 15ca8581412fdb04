//! The seed document's flow, end to end, and again after the server restarts.

use crate::common::*;
use serde_json::json;

#[tokio::test]
async fn the_seed_documents_flow_works_end_to_end_and_after_a_restart() {
    let db = TestDb::new().await;
    let mut server = Server::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let (patient, clinician) = (&world.patient_a, &world.dr_in);

    // The patient signs in afresh, as in the note's "Step 4: Test".
    patient.login("patient.a", PASSWORD).await.expect(200);
    let inbox = patient.get("/api/messages/inbox").await.expect(200);
    assert_eq!(inbox.body["conversations"], json!([]));
    assert_eq!(inbox.body["total_unread"], 0);
    patient.get("/api/home/data").await.expect(200);
    patient.get("/api/feedback").await.expect(200);

    let recipients = patient.get("/api/messages/recipients").await.expect(200);
    assert_eq!(
        usernames(&recipients.body["recipients"], "username"),
        ["dr.in"]
    );
    let sent = patient
        .post("/api/messages/send", json!({ "recipient": "dr.in", "subject": "This week", "content": "Hello, the new routine is helping." }))
        .await
        .expect(201);
    let conversation_id = sent.body["conversation_id"].as_i64().unwrap();
    assert!(sent.body["sent_at"].as_str().unwrap().ends_with('Z'));

    let inbox = clinician.get("/api/messages/inbox").await.expect(200);
    assert_eq!(inbox.body["total_unread"], 1);
    let first = &inbox.body["conversations"][0];
    assert_eq!(first["id"], conversation_id);
    assert_eq!(first["unread_count"], 1);
    assert_eq!(first["subject"], "This week");
    assert_eq!(
        first["other"],
        json!({ "username": "patient.a", "display_name": "patient.a (test)", "role": "patient" })
    );
    assert_eq!(
        first["last_message"]["preview"],
        "Hello, the new routine is helping."
    );
    assert_eq!(first["last_message"]["sender"], "patient.a");
    assert_eq!(first["last_message"]["from_me"], false);
    let patients = clinician.get("/api/clinician/patients").await.expect(200);
    assert_eq!(patients.body["patients"][0]["unread_messages"], 1);

    let opened = clinician
        .get(&format!("/api/messages/conversations/{conversation_id}"))
        .await
        .expect(200);
    assert_eq!(
        opened.body["messages"][0]["content"],
        "Hello, the new routine is helping."
    );
    let read = clinician
        .post(
            &format!("/api/messages/conversations/{conversation_id}/read"),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(read.body["total_unread"], 0);
    clinician
        .post("/api/messages/send", json!({ "conversation_id": conversation_id, "content": "That is good to hear. Keep going." }))
        .await
        .expect(201);

    let check = |reply: Reply| {
        assert_eq!(reply.body["total_unread"], 1);
        assert_eq!(
            reply.body["conversations"][0]["last_message"]["preview"],
            "That is good to hear. Keep going."
        );
        assert_eq!(
            reply.body["conversations"][0]["last_message"]["sender"],
            "dr.in"
        );
    };
    check(patient.get("/api/messages/inbox").await.expect(200));
    let home = patient.get("/api/home/data").await.expect(200);
    assert_eq!(home.body["unread_messages"], 1);
    patient.get("/api/feedback").await.expect(200);

    server.restart(&[]).await;
    check(patient.get("/api/messages/inbox").await.expect(200));
    assert_eq!(
        patient.get("/api/home/data").await.expect(200).body["unread_messages"],
        1
    );
    patient.get("/api/feedback").await.expect(200);
    let thread = patient
        .get(&format!("/api/messages/conversations/{conversation_id}"))
        .await
        .expect(200);
    let contents: Vec<&str> = thread.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        contents,
        [
            "Hello, the new routine is helping.",
            "That is good to hear. Keep going."
        ]
    );
    assert_eq!(thread.body["messages"][0]["from_me"], true);
    clinician.get("/api/messages/inbox").await.expect(200);
}
