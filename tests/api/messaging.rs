//! Messaging by value: conversations page back in order, a retried send is stored once,
//! and only the people someone may write to can be written to.

use crate::common::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread")]
async fn conversations_page_back_in_order() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let mut conversation_id = None;
    for n in 1..=7 {
        let body = match conversation_id {
            None => json!({ "recipient": "dr.in", "content": format!("message {n}") }),
            Some(id) => json!({ "conversation_id": id, "content": format!("message {n}") }),
        };
        conversation_id = Some(
            world
                .patient_a
                .post("/api/messages/send", body)
                .await
                .expect(201)
                .body["conversation_id"]
                .as_i64()
                .unwrap(),
        );
    }
    let id = conversation_id.unwrap();
    let page = |before: Option<i64>| {
        let path = match before {
            Some(b) => format!("/api/messages/conversations/{id}?limit=3&before={b}"),
            None => format!("/api/messages/conversations/{id}?limit=3"),
        };
        let client = world.dr_in.clone();
        async move { client.get(&path).await.expect(200) }
    };
    let contents = |reply: &Reply| -> Vec<String> {
        reply.body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["content"].as_str().unwrap().to_owned())
            .collect()
    };
    let newest = page(None).await;
    assert_eq!(contents(&newest), ["message 5", "message 6", "message 7"]);
    assert_eq!(newest.body["has_more"], true);
    let middle = page(newest.body["next_before"].as_i64()).await;
    assert_eq!(contents(&middle), ["message 2", "message 3", "message 4"]);
    let oldest = page(middle.body["next_before"].as_i64()).await;
    assert_eq!(contents(&oldest), ["message 1"]);
    assert_eq!(oldest.body["has_more"], false);
    assert_eq!(oldest.body["next_before"], Value::Null);
    assert_eq!(
        world.dr_in.get("/api/messages/unread-count").await.body["total_unread"],
        7
    );

    // Sent messages, newest first, with the recipient.
    let sent = world
        .patient_a
        .get("/api/messages/sent?limit=2")
        .await
        .expect(200);
    assert_eq!(sent.body["messages"][0]["content"], "message 7");
    assert_eq!(sent.body["messages"][1]["content"], "message 6");
    assert_eq!(sent.body["messages"][0]["recipient"]["username"], "dr.in");
    assert_eq!(sent.body["has_more"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retried_send_with_the_same_key_stores_one_message() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let patient = &world.patient_a;
    let send = |key: &'static str| {
        let request = patient
            .with_csrf(patient.request(reqwest::Method::POST, "/api/messages/send"))
            .header("Idempotency-Key", key)
            .json(&json!({ "recipient": "dr.in", "content": "Only once, please" }));
        patient.send(request)
    };
    let first = send("retry-1").await.expect(201);
    let again = send("retry-1").await.expect(201);
    assert_eq!(first.body, again.body);
    assert_eq!(db.scalar_i64("SELECT COUNT(*) FROM messages").await, 1);
    let other = send("retry-2").await.expect(201);
    assert_ne!(other.body["message_id"], first.body["message_id"]);
    assert_eq!(db.scalar_i64("SELECT COUNT(*) FROM messages").await, 2);
    assert_eq!(
        world.dr_in.get("/api/messages/unread-count").await.body["total_unread"],
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn only_allowed_people_can_be_messaged() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    for (client, recipient) in [
        (&world.patient_b, "dr.in"),
        (&world.patient_a, "dr.out"),
        (&world.patient_a, "patient.b"),
        (&world.patient_a, "no.such.person"),
        (&world.patient_a, "patient.a"),
        (&world.dr_pending, "patient.a"),
        (&world.dr_out, "patient.a"),
    ] {
        let reply = client
            .post(
                "/api/messages/send",
                json!({ "recipient": recipient, "content": "hi" }),
            )
            .await;
        let reply = reply.expect_error(403, "recipient_not_allowed");
        assert_eq!(reply.field(), "recipient");
    }
    world
        .dr_out
        .post(
            "/api/messages/send",
            json!({ "recipient": "dr.in", "content": "colleague" }),
        )
        .await
        .expect(201);
    world
        .admin
        .post(
            "/api/messages/send",
            json!({ "recipient": "patient.b", "content": "support here" }),
        )
        .await
        .expect(201);
    let recipients = world
        .dr_pending
        .get("/api/messages/recipients")
        .await
        .expect(200);
    assert_eq!(recipients.body["recipients"], json!([]));

    // Leaving the care team ends the right to write, but not to read what was said.
    let sent = world
        .patient_a
        .post(
            "/api/messages/send",
            json!({ "recipient": "dr.in", "content": "before" }),
        )
        .await
        .expect(201);
    let id = sent.body["conversation_id"].as_i64().unwrap();
    world
        .patient_a
        .delete("/api/care-team/dr.in")
        .await
        .expect(200);
    world
        .patient_a
        .post(
            "/api/messages/send",
            json!({ "conversation_id": id, "content": "after" }),
        )
        .await
        .expect_error(403, "recipient_not_allowed");
    world
        .patient_a
        .get(&format!("/api/messages/conversations/{id}"))
        .await
        .expect(200);
    assert_eq!(
        world.dr_in.get("/api/clinician/patients").await.body["patients"],
        json!([])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn each_role_is_offered_exactly_the_people_it_may_message() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let offered = |client: &Client| {
        let client = client.clone();
        async move {
            let reply = client.get("/api/messages/recipients").await.expect(200);
            usernames(&reply.body["recipients"], "username")
        }
    };
    // The care team first, then the other approved clinicians; administrators are
    // reached through support (tests/api/support.rs), never offered.
    assert_eq!(offered(&world.patient_a).await, ["dr.in"]);
    assert!(offered(&world.patient_b).await.is_empty());
    assert_eq!(offered(&world.dr_in).await, ["patient.a", "dr.out"]);
    assert_eq!(offered(&world.dr_out).await, ["dr.in"]);
    assert!(offered(&world.dr_pending).await.is_empty());
    // Support may write to everyone, whatever their state, but a disabled account.
    assert_eq!(
        offered(&world.admin).await,
        ["patient.a", "patient.b", "dr.in", "dr.out", "dr.pending"]
    );
    world
        .admin
        .post("/api/admin/users/patient.b/disable", json!({}))
        .await
        .expect(200);
    assert_eq!(
        offered(&world.admin).await,
        ["patient.a", "dr.in", "dr.out", "dr.pending"]
    );
}
