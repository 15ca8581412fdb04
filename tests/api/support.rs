//! "Contact support": the one way people reach the administrators. Support lands in the
//! administrator's inbox and is answered there; no one is offered an administrator as a
//! recipient, or may start a conversation with one directly.

use crate::common::*;
use serde_json::json;

/// A patient with no care team contacts support; the administrator finds it in their
/// inbox and replies; the two carry on in that conversation, and a new subject starts
/// another one.
#[tokio::test(flavor = "multi_thread")]
async fn contacting_support_reaches_an_administrator_end_to_end() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let (patient, admin) = (&world.patient_b, &world.admin);

    let sent = patient
        .post(
            "/api/support",
            json!({ "subject": "My account", "content": "I cannot find my clinician." }),
        )
        .await
        .expect(201);
    let conversation = sent.body["conversation_id"].as_i64().unwrap();
    assert!(sent.body["message_id"].as_i64().is_some());
    assert!(sent.body["sent_at"].as_str().unwrap().ends_with('Z'));

    let inbox = admin.get("/api/messages/inbox").await.expect(200);
    assert_eq!(inbox.body["total_unread"], 1);
    let entry = &inbox.body["conversations"][0];
    assert_eq!(entry["id"], conversation);
    assert_eq!(entry["subject"], "My account");
    assert_eq!(entry["other"]["username"], "patient.b");
    assert_eq!(entry["unread_count"], 1);
    assert_eq!(
        entry["last_message"]["preview"],
        "I cannot find my clinician."
    );

    let thread = admin
        .get(&format!("/api/messages/conversations/{conversation}"))
        .await
        .expect(200);
    assert_eq!(thread.body["conversation"]["can_reply"], true);
    admin
        .post(
            "/api/messages/send",
            json!({ "conversation_id": conversation, "content": "Search for them on Home." }),
        )
        .await
        .expect(201);

    // The patient reads the answer and replies where support wrote.
    let thread = patient
        .get(&format!("/api/messages/conversations/{conversation}"))
        .await
        .expect(200);
    assert_eq!(thread.body["conversation"]["other"]["username"], "admin");
    assert_eq!(thread.body["conversation"]["other"]["role"], "admin");
    assert_eq!(thread.body["conversation"]["can_reply"], true);
    assert_eq!(
        thread.body["messages"][1]["content"],
        "Search for them on Home."
    );
    patient
        .post(
            "/api/messages/send",
            json!({ "conversation_id": conversation, "content": "Found them, thanks." }),
        )
        .await
        .expect(201);

    // Support without a subject continues that conversation; a new subject starts one.
    let again = patient
        .post("/api/support", json!({ "content": "One more thing." }))
        .await
        .expect(201);
    assert_eq!(again.body["conversation_id"], conversation);
    let other = patient
        .post(
            "/api/support",
            json!({ "subject": "Exporting", "content": "How do I export my data?" }),
        )
        .await
        .expect(201);
    assert_ne!(other.body["conversation_id"], conversation);
    let inbox = admin.get("/api/messages/inbox").await.expect(200);
    assert_eq!(inbox.body["total"], 2);
    assert_eq!(inbox.body["total_unread"], 3);

    // A retried send with the same Idempotency-Key is stored once.
    let send_once = || {
        let request = patient
            .with_csrf(patient.request(reqwest::Method::POST, "/api/support"))
            .header("Idempotency-Key", "support-retry-1")
            .json(&json!({ "content": "Sent twice, stored once." }));
        patient.send(request)
    };
    let first = send_once().await.expect(201);
    let retry = send_once().await.expect(201);
    assert_eq!(first.body["message_id"], retry.body["message_id"]);
    assert_eq!(first.body["conversation_id"], retry.body["conversation_id"]);

    // A clinician awaiting approval, who may message no one, can still reach support.
    world
        .dr_pending
        .post("/api/support", json!({ "content": "When am I approved?" }))
        .await
        .expect(201);
    let inbox = admin.get("/api/messages/inbox").await.expect(200);
    assert_eq!(
        inbox.body["conversations"][0]["other"]["username"],
        "dr.pending"
    );
}

/// The administrator is reached through support only: not offered, not written to
/// directly, even once the two have a support conversation.
#[tokio::test(flavor = "multi_thread")]
async fn a_patient_cannot_message_an_administrator_directly() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    for client in [&world.patient_a, &world.dr_in, &world.dr_pending] {
        let recipients = client.get("/api/messages/recipients").await.expect(200);
        assert!(
            !usernames(&recipients.body["recipients"], "username").contains(&"admin".into()),
            "{}",
            recipients.body
        );
        for body in [
            json!({ "recipient": "admin", "content": "hello" }),
            json!({ "recipient": "admin", "subject": "New", "content": "hello" }),
        ] {
            let refused = client
                .post("/api/messages/send", body)
                .await
                .expect_error(403, "recipient_not_allowed");
            assert_eq!(refused.field(), "recipient");
        }
    }
    world
        .patient_a
        .post("/api/support", json!({ "content": "through support" }))
        .await
        .expect(201);
    world
        .patient_a
        .post(
            "/api/messages/send",
            json!({ "recipient": "admin", "content": "and now directly?" }),
        )
        .await
        .expect_error(403, "recipient_not_allowed");
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM messages").await,
        1,
        "only the message through support was stored"
    );
}

/// Support refuses what it cannot deliver, by name: bad fields, administrators (who are
/// support themselves), and a service with no administrator yet.
#[tokio::test(flavor = "multi_thread")]
async fn support_says_why_it_cannot_take_a_message() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let lonely = patient(&server, "first.patient").await;
    let reply = lonely
        .post("/api/support", json!({ "content": "Is anyone there?" }))
        .await
        .expect_error(503, "support_unavailable");
    assert!(reply.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no administrator"));

    let admin = admin(&server, &db, "admin").await;
    for (body, field) in [
        (json!({ "content": "   " }), "content"),
        (json!({ "content": "x".repeat(10_001) }), "content"),
        (
            json!({ "subject": "s".repeat(201), "content": "hi" }),
            "subject",
        ),
    ] {
        let refused = lonely
            .post("/api/support", body)
            .await
            .expect_error(422, "validation_failed");
        assert_eq!(refused.field(), field);
    }
    admin
        .post("/api/support", json!({ "content": "me too?" }))
        .await
        .expect_error(403, "forbidden");
    assert_eq!(db.scalar_i64("SELECT COUNT(*) FROM messages").await, 0);
    lonely
        .post("/api/support", json!({ "content": "Is anyone there now?" }))
        .await
        .expect(201);
}
