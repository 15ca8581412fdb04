//! Bad input on every feature route: a 4xx with the field named, never a 500, and
//! nothing stored. On the real process because it reads the server's log: no 500 was
//! logged either.

use crate::common::*;
use serde_json::{json, Value};

#[track_caller]
fn expect_field(reply: Reply, status: u16, field: &str) {
    assert_eq!(
        (reply.status, reply.field()),
        (status, field),
        "{}",
        reply.body
    );
    assert!(!reply.body["error"]["message"]
        .as_str()
        .unwrap_or("")
        .is_empty());
}

#[tokio::test]
async fn bad_input_names_the_field_and_stores_nothing() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let (patient, admin) = (&world.patient_a, &world.admin);
    let conversation = patient
        .post(
            "/api/messages/send",
            json!({ "recipient": "dr.in", "content": "first" }),
        )
        .await
        .expect(201)
        .body["conversation_id"]
        .as_i64()
        .unwrap();
    let messages_before = db.scalar_i64("SELECT COUNT(*) FROM messages").await;

    let send = "/api/messages/send";
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({ "recipient": "dr.in" }), 422, "content"),
        (
            json!({ "recipient": "dr.in", "content": "   " }),
            422,
            "content",
        ),
        (
            json!({ "recipient": "dr.in", "content": "x".repeat(10_001) }),
            422,
            "content",
        ),
        (
            json!({ "recipient": "dr.in", "content": 42 }),
            422,
            "content",
        ),
        (
            json!({ "recipient": "dr.in", "content": "hi", "subject": "s".repeat(201) }),
            422,
            "subject",
        ),
        (
            json!({ "recipient": "dr.in", "conversation_id": conversation, "content": "hi" }),
            422,
            "recipient",
        ),
        (json!({ "content": "hi" }), 422, "recipient"),
        (
            json!({ "conversation_id": "seven", "content": "hi" }),
            422,
            "conversation_id",
        ),
        (
            json!({ "recipient": ["dr.in"], "content": "hi" }),
            422,
            "recipient",
        ),
    ];
    for (body, status, field) in cases {
        expect_field(patient.post(send, body).await, status, field);
    }
    let long_key = patient
        .with_csrf(patient.request(reqwest::Method::POST, send))
        .header("Idempotency-Key", "k".repeat(300))
        .json(&json!({ "recipient": "dr.in", "content": "hi" }));
    expect_field(patient.send(long_key).await, 422, "Idempotency-Key");
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM messages").await,
        messages_before
    );

    for (query, field) in [
        ("page=0", "page"),
        ("limit=1000", "limit"),
        ("limit=abc", "limit"),
        ("unread_only=maybe", "unread_only"),
        ("page=-3", "page"),
    ] {
        expect_field(
            patient.get(&format!("/api/messages/inbox?{query}")).await,
            422,
            field,
        );
    }
    expect_field(
        patient.get("/api/messages/sent?limit=0").await,
        422,
        "limit",
    );
    let c = format!("/api/messages/conversations/{conversation}");
    expect_field(patient.get(&format!("{c}?before=-1")).await, 422, "before");
    expect_field(patient.get(&format!("{c}?limit=500")).await, 422, "limit");
    expect_field(
        patient.get(&format!("{c}?before=soon")).await,
        422,
        "before",
    );
    patient
        .get("/api/messages/conversations/abc")
        .await
        .expect_error(404, "not_found");
    patient
        .get("/api/messages/conversations/99999999999999999999999")
        .await
        .expect_error(404, "not_found");
    patient
        .post("/api/messages/conversations/9999/read", json!({}))
        .await
        .expect_error(404, "not_found");
    patient
        .delete("/api/messages/not-a-number")
        .await
        .expect_error(404, "not_found");

    let mood: Vec<(Value, &str)> = vec![
        (json!({}), "score"),
        (json!({ "score": 0 }), "score"),
        (json!({ "score": 11 }), "score"),
        (json!({ "score": 5.5 }), "score"),
        (json!({ "score": "5" }), "score"),
        (json!({ "score": 5, "sleep_hours": 25 }), "sleep_hours"),
        (json!({ "score": 5, "sleep_hours": -1 }), "sleep_hours"),
        (json!({ "score": 5, "sleep_hours": "eight" }), "sleep_hours"),
        (json!({ "score": 5, "note": "n".repeat(2001) }), "note"),
    ];
    for (body, field) in mood {
        expect_field(patient.post("/api/mood", body).await, 422, field);
    }
    assert_eq!(db.scalar_i64("SELECT COUNT(*) FROM mood_entries").await, 0);
    for query in ["days=0", "days=366", "days=abc"] {
        expect_field(
            patient.get(&format!("/api/mood/history?{query}")).await,
            422,
            "days",
        );
    }
    expect_field(
        world
            .dr_in
            .get("/api/clinician/patients/patient.a/mood?days=9999")
            .await,
        422,
        "days",
    );

    let feedback: Vec<(Value, &str)> = vec![
        (json!({ "message": "hi" }), "category"),
        (json!({ "category": "praise", "message": "hi" }), "category"),
        (json!({ "category": "bug" }), "message"),
        (json!({ "category": "bug", "message": "" }), "message"),
        (
            json!({ "category": "bug", "message": "m".repeat(5001) }),
            "message",
        ),
    ];
    for (body, field) in feedback {
        expect_field(patient.post("/api/feedback", body).await, 422, field);
    }
    assert_eq!(db.scalar_i64("SELECT COUNT(*) FROM feedback").await, 0);
    let id = patient
        .post(
            "/api/feedback",
            json!({ "category": "bug", "message": "ok" }),
        )
        .await
        .expect(201)
        .body["feedback"]["id"]
        .as_i64()
        .unwrap();
    expect_field(
        admin
            .patch(
                &format!("/api/admin/feedback/{id}"),
                json!({ "status": "done" }),
            )
            .await,
        422,
        "status",
    );
    expect_field(
        admin
            .patch(&format!("/api/admin/feedback/{id}"), json!({}))
            .await,
        422,
        "status",
    );
    expect_field(
        admin
            .patch(
                &format!("/api/admin/feedback/{id}"),
                json!({ "status": "resolved", "admin_note": "n".repeat(2001) }),
            )
            .await,
        422,
        "admin_note",
    );
    admin
        .patch(
            "/api/admin/feedback/424242",
            json!({ "status": "resolved" }),
        )
        .await
        .expect_error(404, "not_found");
    expect_field(
        admin.get("/api/admin/feedback?status=lost").await,
        422,
        "status",
    );

    expect_field(
        admin.get("/api/admin/users?role=superuser").await,
        422,
        "role",
    );
    expect_field(
        admin
            .get(&format!("/api/admin/users?q={}", "q".repeat(101)))
            .await,
        422,
        "q",
    );
    expect_field(admin.get("/api/admin/users?page=zero").await, 422, "page");
    expect_field(
        admin.get("/api/admin/audit?user=nobody.here").await,
        422,
        "user",
    );
    admin
        .post("/api/admin/users/nobody.here/disable", json!({}))
        .await
        .expect_error(404, "not_found");
    admin
        .post("/api/admin/users/Bad%20Name!/enable", json!({}))
        .await
        .expect_error(404, "not_found");

    expect_field(
        patient.post("/api/care-team/requests", json!({})).await,
        422,
        "clinician",
    );
    expect_field(
        patient
            .post(
                "/api/care-team/requests",
                json!({ "clinician": "nobody.here" }),
            )
            .await,
        422,
        "clinician",
    );
    expect_field(
        patient
            .post("/api/care-team/requests", json!({ "clinician": 7 }))
            .await,
        422,
        "clinician",
    );
    patient
        .delete("/api/care-team/nobody.here")
        .await
        .expect_error(404, "not_found");
    world
        .dr_in
        .post("/api/clinician/requests/abc/approve", json!({}))
        .await
        .expect_error(404, "not_found");
    world
        .dr_in
        .post("/api/clinician/requests/999999/decline", json!({}))
        .await
        .expect_error(404, "not_found");

    let not_json = patient
        .with_csrf(patient.request(reqwest::Method::POST, "/api/mood"))
        .header("content-type", "text/plain")
        .body("score=5");
    patient
        .send(not_json)
        .await
        .expect_error(415, "unsupported_media_type");
    let broken = patient
        .with_csrf(patient.request(reqwest::Method::POST, "/api/feedback"))
        .header("content-type", "application/json")
        .body("{\"category\":");
    patient
        .send(broken)
        .await
        .expect_error(400, "malformed_json");
    assert!(
        !server.logs().contains("request failed"),
        "no 500 was logged"
    );
}
