//! Another person's data is a 404, whatever the id: an intruder who walks every id sees
//! nothing of anyone else's conversations, messages, mood or feedback.

use crate::common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn no_id_reaches_another_persons_conversations_messages_mood_or_feedback() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    world
        .patient_a
        .post(
            "/api/messages/send",
            json!({ "recipient": "dr.in", "content": "secret one" }),
        )
        .await
        .expect(201);
    world
        .patient_a
        .post(
            "/api/messages/send",
            json!({ "recipient": "dr.in", "subject": "Another", "content": "secret two" }),
        )
        .await
        .expect(201);
    world
        .dr_out
        .post(
            "/api/messages/send",
            json!({ "recipient": "dr.in", "content": "colleagues only" }),
        )
        .await
        .expect(201);
    world
        .patient_a
        .post("/api/mood", json!({ "score": 2, "note": "a hard day" }))
        .await
        .expect(201);
    world
        .patient_a
        .post(
            "/api/feedback",
            json!({ "category": "content", "message": "my feedback" }),
        )
        .await
        .expect(201);
    let intruder = &world.patient_b;
    let max_id = db
        .scalar_i64("SELECT COALESCE(MAX(id), 0) FROM messages")
        .await
        + 2;
    for id in 0..=max_id {
        intruder
            .get(&format!("/api/messages/conversations/{id}"))
            .await
            .expect_error(404, "not_found");
        intruder
            .post(&format!("/api/messages/conversations/{id}/read"), json!({}))
            .await
            .expect_error(404, "not_found");
        intruder
            .post(
                "/api/messages/send",
                json!({ "conversation_id": id, "content": "let me in" }),
            )
            .await
            .expect_error(404, "not_found");
        intruder
            .delete(&format!("/api/messages/{id}"))
            .await
            .expect_error(404, "not_found");
        world
            .admin
            .get(&format!("/api/messages/conversations/{id}"))
            .await
            .expect_error(404, "not_found");
    }
    for path in [
        "/api/messages/inbox",
        "/api/messages/sent",
        "/api/mood/history",
        "/api/feedback",
        "/api/me/export",
        "/api/home/data",
    ] {
        let text = intruder.get(path).await.expect(200).body.to_string();
        for secret in [
            "secret one",
            "secret two",
            "colleagues only",
            "a hard day",
            "my feedback",
        ] {
            assert!(!text.contains(secret), "{secret} leaked through {path}");
        }
    }
    world
        .dr_out
        .get("/api/clinician/patients/patient.a/mood")
        .await
        .expect_error(404, "not_found");
    world
        .dr_in
        .get("/api/clinician/patients/dr.out/mood")
        .await
        .expect_error(404, "not_found");
    world
        .dr_in
        .get("/api/clinician/patients/nobody.at.all/mood")
        .await
        .expect_error(404, "not_found");
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM messages").await,
        3,
        "no message was written by the intruder"
    );
}
