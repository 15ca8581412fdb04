//! Input as a hostile client sends it: control and invisible characters in every kind of
//! text field (refused alike on both databases, naming the field), and JSON bodies with
//! something after the value.

use crate::common::*;
use serde_json::{json, Value};

/// A 422 `validation_failed` that names `field`.
#[track_caller]
fn refused(reply: Reply, field: &str) {
    let reply = reply.expect_error(422, "validation_failed");
    assert_eq!(reply.field(), field, "body: {}", reply.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_nul_in_any_text_field_is_refused_naming_the_field() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let nul = "before\u{0}after";

    // Signing in needs no account.
    let anonymous = Client::new(&server);
    refused(anonymous.login(nul, PASSWORD).await, "username");
    refused(
        anonymous
            .register("nul.nina", json!({ "display_name": nul }))
            .await,
        "display_name",
    );
    refused(
        anonymous
            .register("nul.nina", json!({ "email": "nul\u{0}@example.org" }))
            .await,
        "email",
    );

    let to_dr_in = |field: &str, text: &str| {
        let mut body = json!({ "recipient": "dr.in", "content": "Hello" });
        body[field] = json!(text);
        body
    };
    for field in ["content", "subject"] {
        let reply = world
            .patient_a
            .post("/api/messages/send", to_dr_in(field, nul))
            .await;
        refused(reply, field);
    }
    let mood = json!({ "score": 5, "note": nul });
    refused(world.patient_a.post("/api/mood", mood).await, "note");
    let feedback = json!({ "category": "bug", "message": nul });
    refused(
        world.patient_a.post("/api/feedback", feedback).await,
        "message",
    );
    let reply = world.admin.get("/api/admin/users?q=a%00b").await;
    refused(reply, "q");

    let feedback = json!({ "category": "bug", "message": "Fine" });
    let sent = world.patient_a.post("/api/feedback", feedback).await;
    let id = sent.expect(201).body["feedback"]["id"].as_i64().unwrap();
    let triage = json!({ "status": "resolved", "admin_note": nul });
    let reply = world
        .admin
        .patch(&format!("/api/admin/feedback/{id}"), triage)
        .await;
    refused(reply, "admin_note");

    // A session id in the path is looked up only when it could be one.
    world
        .patient_a
        .delete("/api/auth/sessions/a%00b")
        .await
        .expect_error(404, "not_found");

    for table in ["messages", "mood_entries"] {
        let count = db
            .scalar_i64(&format!("SELECT COUNT(*) FROM {table}"))
            .await;
        assert_eq!(count, 0, "nothing was stored in {table}");
    }
    let notes = "SELECT COUNT(*) FROM feedback WHERE admin_note IS NOT NULL";
    assert_eq!(db.scalar_i64(notes).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn invisible_characters_and_line_breaks_are_refused_where_they_do_not_belong() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let send = |body: Value| world.patient_a.post("/api/messages/send", body);

    let right_to_left_override = "Please open invoice\u{202E}fdp.exe";
    let zero_width_space = "Hel\u{200B}lo";
    for content in [right_to_left_override, zero_width_space, "bell\u{7}"] {
        let body = json!({ "recipient": "dr.in", "content": content });
        refused(send(body).await, "content");
    }
    for subject in ["Two\nlines", "A\ttab", "Hidden\u{200B}"] {
        let body = json!({ "recipient": "dr.in", "subject": subject, "content": "Hi" });
        refused(send(body).await, "subject");
    }
    let reply = world.admin.get("/api/admin/users?q=a%0Ab").await;
    refused(reply, "q");

    // Messages and notes keep their lines, tabs and the joiners emoji need.
    let multi_line = "Dear Dr In,\n\n\tthank you ❤\u{FE0F}\u{200D}🩹\nPat";
    let body = json!({ "recipient": "dr.in", "subject": "Thanks", "content": multi_line });
    let sent = send(body).await.expect(201);
    let id = sent.body["conversation_id"].as_i64().unwrap();
    let page = world
        .dr_in
        .get(&format!("/api/messages/conversations/{id}"))
        .await
        .expect(200);
    assert_eq!(page.body["messages"][0]["content"], multi_line);
    let note = "Slept badly.\nBetter after a walk.";
    let mood = json!({ "score": 6, "note": note });
    let entry = world.patient_a.post("/api/mood", mood).await.expect(201);
    assert_eq!(entry.body["entry"]["note"], note);
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_may_follow_the_json_body() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    patient(&server, "trailing.tess").await;
    let anonymous = Client::new(&server);
    let login = |body: &'static str| {
        anonymous
            .request(reqwest::Method::POST, "/api/auth/login")
            .header("content-type", "application/json")
            .body(body)
    };
    let credentials = r#"{"username": "trailing.tess", "password": "correct horse battery"}"#;
    for body in [
        r#"{"username": "trailing.tess", "password": "correct horse battery"} garbage"#,
        r#"{"username": "trailing.tess", "password": "correct horse battery"}{}"#,
        r#"{"username": "trailing.tess", "password": "correct horse battery"} 1"#,
    ] {
        let reply = anonymous.send(login(body)).await;
        reply.expect_error(400, "malformed_json");
    }
    assert_eq!(anonymous.csrf(), None, "none of them signed in");
    anonymous.send(login(credentials)).await.expect(200);
}
