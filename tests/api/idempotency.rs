//! Idempotent sends: a retry under the same `Idempotency-Key` gets the first message back
//! (also when the retries race), and the key reused for a different message is refused.

use crate::common::*;
use serde_json::{json, Value};

fn send_with_key(client: &Client, key: &str, body: &Value) -> reqwest::RequestBuilder {
    client
        .with_csrf(client.request(reqwest::Method::POST, "/api/messages/send"))
        .header("Idempotency-Key", key)
        .json(body)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_reused_for_a_different_message_is_refused() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let patient = &world.patient_a;
    let send = |key: &str, body: Value| patient.send(send_with_key(patient, key, &body));

    let first = json!({ "recipient": "dr.in", "subject": "Sleep", "content": "Can we talk?" });
    let sent = send("key-1", first.clone()).await.expect(201);
    let conversation_id = sent.body["conversation_id"].as_i64().unwrap();
    // Retries, as typed again (the case of the username, spaces around the text).
    let retried =
        json!({ "recipient": "Dr.In", "subject": " Sleep ", "content": "Can we talk?  " });
    assert_eq!(send("key-1", retried).await.expect(201).body, sent.body);

    for different in [
        json!({ "recipient": "dr.in", "subject": "Sleep", "content": "Something else" }),
        json!({ "recipient": "dr.out", "subject": "Sleep", "content": "Can we talk?" }),
        json!({ "recipient": "dr.in", "subject": "Mood", "content": "Can we talk?" }),
        json!({ "recipient": "dr.in", "content": "Can we talk?" }),
        json!({ "conversation_id": conversation_id, "content": "Can we talk?" }),
    ] {
        let reply = send("key-1", different.clone()).await;
        let reply = reply.expect_error(422, "idempotency_key_reused");
        assert_eq!(reply.field(), "Idempotency-Key", "{different}");
    }

    // Replies into a conversation are told apart the same way.
    let reply = json!({ "conversation_id": conversation_id, "content": "A reply" });
    let replied = send("key-2", reply.clone()).await.expect(201);
    assert_eq!(send("key-2", reply).await.expect(201).body, replied.body);
    let other_reply = json!({ "conversation_id": conversation_id, "content": "Another" });
    send("key-2", other_reply)
        .await
        .expect_error(422, "idempotency_key_reused");

    assert_eq!(db.scalar_i64("SELECT COUNT(*) FROM messages").await, 2);
    let unread = world.dr_in.get("/api/messages/unread-count").await;
    assert_eq!(unread.body["total_unread"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn identical_retries_racing_each_other_store_one_message() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let patient = &world.patient_a;

    let first = json!({ "recipient": "dr.in", "content": "Racing" });
    let racing = |key: &'static str, body: Value| {
        let requests = (0..8).map(|_| patient.send(send_with_key(patient, key, &body)));
        futures_util::future::join_all(requests.collect::<Vec<_>>())
    };
    let replies = racing("race-1", first).await;
    let conversation_id = replies[0].body["conversation_id"].as_i64().unwrap();
    for reply in &replies {
        assert_eq!(reply.status, 201, "body: {}", reply.body);
        assert_eq!(reply.body, replies[0].body);
    }
    // A reply: on PostgreSQL its check and writes are one statement of their own.
    let reply = json!({ "conversation_id": conversation_id, "content": "Racing again" });
    let replies = racing("race-2", reply).await;
    for reply in &replies {
        assert_eq!(reply.status, 201, "body: {}", reply.body);
        assert_eq!(reply.body, replies[0].body);
    }
    assert_eq!(db.scalar_i64("SELECT COUNT(*) FROM messages").await, 2);
    let unread = world.dr_in.get("/api/messages/unread-count").await;
    assert_eq!(unread.body["total_unread"], 2);
}
