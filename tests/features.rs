//! Healing Space itself, through the real server: the seed document's flow, care teams,
//! messaging by value (paging, ordering, unread counts, read marks), idempotent sends,
//! mood, feedback, administration and the data export.

mod common;

use common::*;
use serde_json::{json, Value};

fn usernames(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

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
        ["dr.in", "admin"]
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

#[tokio::test]
async fn conversations_page_back_in_order() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
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

#[tokio::test]
async fn the_inbox_orders_pages_filters_and_counts() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
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

#[tokio::test]
async fn a_retried_send_with_the_same_key_stores_one_message() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
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

#[tokio::test]
async fn only_allowed_people_can_be_messaged() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
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
        .dr_pending
        .post(
            "/api/messages/send",
            json!({ "recipient": "admin", "content": "when am I approved?" }),
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
    assert_eq!(
        usernames(&recipients.body["recipients"], "username"),
        ["admin"]
    );

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

#[tokio::test]
async fn care_team_requests_are_approved_declined_and_left() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let patient = &world.patient_b;
    let clinicians = patient.get("/api/clinicians").await.expect(200);
    assert_eq!(
        usernames(&clinicians.body["clinicians"], "username"),
        ["dr.in", "dr.out"]
    );
    let asked = patient
        .post("/api/care-team/requests", json!({ "clinician": "dr.out" }))
        .await
        .expect(201);
    assert_eq!(asked.body["request"]["clinician"]["username"], "dr.out");
    patient
        .post("/api/care-team/requests", json!({ "clinician": "dr.out" }))
        .await
        .expect_error(409, "already_exists");
    patient
        .post(
            "/api/care-team/requests",
            json!({ "clinician": "dr.pending" }),
        )
        .await
        .expect_error(422, "validation_failed");
    let team = patient.get("/api/care-team").await.expect(200);
    assert_eq!(team.body["clinicians"], json!([]));
    assert_eq!(team.body["pending"][0]["clinician"]["username"], "dr.out");
    let home = patient.get("/api/home/data").await.expect(200);
    assert_eq!(home.body["care_team"], json!([]));
    assert_eq!(
        home.body["pending_care_team_requests"][0]["clinician"]["username"],
        "dr.out"
    );
    assert_eq!(home.body["unread_messages"], 0);
    let home = world.dr_out.get("/api/home/data").await.expect(200);
    assert_eq!(
        home.body["clinician"],
        json!({ "approved": true, "patient_count": 0, "pending_requests": 1 })
    );

    let requests = world
        .dr_out
        .get("/api/clinician/requests")
        .await
        .expect(200);
    let id = requests.body["requests"][0]["id"].as_i64().unwrap();
    assert_eq!(
        requests.body["requests"][0]["patient"]["username"],
        "patient.b"
    );
    world
        .dr_in
        .post(&format!("/api/clinician/requests/{id}/approve"), json!({}))
        .await
        .expect_error(404, "not_found");
    world
        .dr_out
        .post(&format!("/api/clinician/requests/{id}/decline"), json!({}))
        .await
        .expect(200);
    assert_eq!(
        patient.get("/api/care-team").await.body["pending"],
        json!([])
    );
    world
        .dr_out
        .post(&format!("/api/clinician/requests/{id}/approve"), json!({}))
        .await
        .expect_error(404, "not_found");

    patient
        .post("/api/care-team/requests", json!({ "clinician": "dr.out" }))
        .await
        .expect(201);
    let id = world.dr_out.get("/api/clinician/requests").await.body["requests"][0]["id"]
        .as_i64()
        .unwrap();
    world
        .dr_out
        .post(&format!("/api/clinician/requests/{id}/approve"), json!({}))
        .await
        .expect(200);
    let team = patient.get("/api/care-team").await.expect(200);
    assert_eq!(team.body["clinicians"][0]["username"], "dr.out");
    let home = world.dr_out.get("/api/home/data").await.expect(200);
    assert_eq!(home.body["clinician"]["patient_count"], 1);
    assert_eq!(home.body["clinician"]["pending_requests"], 0);
    let home = patient.get("/api/home/data").await.expect(200);
    assert_eq!(home.body["care_team"][0]["username"], "dr.out");
    assert_eq!(home.body["pending_care_team_requests"], json!([]));
    let sent = patient
        .post(
            "/api/messages/send",
            json!({ "recipient": "dr.out", "content": "Hello" }),
        )
        .await
        .expect(201);
    let conversation = format!(
        "/api/messages/conversations/{}",
        sent.body["conversation_id"]
    );
    for person in [patient, &world.dr_out] {
        let page = person.get(&conversation).await.expect(200);
        assert_eq!(page.body["conversation"]["can_reply"], true);
    }
    world
        .dr_out
        .post(
            "/api/messages/send",
            json!({ "conversation_id": sent.body["conversation_id"], "content": "Hi" }),
        )
        .await
        .expect(201);

    patient.delete("/api/care-team/dr.out").await.expect(200);
    patient
        .delete("/api/care-team/dr.out")
        .await
        .expect_error(404, "not_found");
    assert_eq!(
        world.dr_out.get("/api/clinician/patients").await.body["patients"],
        json!([])
    );
    // The conversation stays readable, but neither side can reply any more.
    for person in [patient, &world.dr_out] {
        let page = person.get(&conversation).await.expect(200);
        assert_eq!(page.body["conversation"]["can_reply"], false);
        assert_eq!(page.body["messages"].as_array().unwrap().len(), 2);
        person
            .post(
                "/api/messages/send",
                json!({ "conversation_id": sent.body["conversation_id"], "content": "Still there?" }),
            )
            .await
            .expect_error(403, "recipient_not_allowed");
    }
    let page = patient.get(&conversation).await.expect(200);
    assert_eq!(page.body["messages"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn mood_check_ins_make_history_averages_and_streaks() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let patient = &world.patient_a;
    let fresh = patient.get("/api/home/data").await.expect(200);
    assert_eq!(
        fresh.body["mood"],
        json!({ "latest": null, "checked_in_today": false, "streak_days": 0 })
    );
    for (score, note) in [(4, None), (6, Some("better")), (8, Some("  a good day  "))] {
        let mut body = json!({ "score": score, "sleep_hours": 7.5 });
        if let Some(note) = note {
            body["note"] = json!(note);
        }
        let reply = patient.post("/api/mood", body).await.expect(201);
        assert_eq!(reply.body["entry"]["score"], score);
    }
    let day = 24 * 60 * 60 * 1000_i64;
    let now = chrono::Utc::now().timestamp_millis();
    let user_id = db
        .scalar_i64("SELECT id FROM users WHERE username = 'patient.a'")
        .await;
    for days_ago in [1, 2, 4] {
        db.execute(&format!(
            "INSERT INTO mood_entries (user_id, score, recorded_at) VALUES ({user_id}, 2, {})",
            now - days_ago * day
        ))
        .await;
    }
    let history = patient.get("/api/mood/history?days=30").await.expect(200);
    let entries = history.body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 6);
    assert_eq!(entries[0]["score"], 8);
    assert_eq!(entries[0]["note"], "a good day");
    assert_eq!(entries[0]["sleep_hours"], 7.5);
    let daily = history.body["daily"].as_array().unwrap();
    let today = daily.last().unwrap();
    assert_eq!(today["average"], 6.0);
    assert_eq!(today["count"], 3);
    assert_eq!(daily.len(), 4);
    assert_eq!(
        patient.get("/api/mood/history?days=3").await.body["entries"]
            .as_array()
            .unwrap()
            .len(),
        5
    );

    let home = patient.get("/api/home/data").await.expect(200);
    assert_eq!(home.body["mood"]["latest"]["score"], 8);
    assert_eq!(home.body["mood"]["latest"]["note"], "a good day");
    assert_eq!(home.body["mood"]["checked_in_today"], true);
    assert_eq!(home.body["mood"]["streak_days"], 3);

    let seen = world
        .dr_in
        .get("/api/clinician/patients/patient.a/mood?days=7")
        .await
        .expect(200);
    assert_eq!(seen.body["patient"]["username"], "patient.a");
    assert_eq!(seen.body["entries"].as_array().unwrap().len(), 6);
    let patients = world.dr_in.get("/api/clinician/patients").await.expect(200);
    assert_eq!(patients.body["patients"][0]["latest_mood"]["score"], 8);
    world
        .dr_out
        .get("/api/clinician/patients/patient.a/mood")
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn feedback_is_sent_triaged_and_seen_with_its_status() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let sent = world
        .patient_a
        .post(
            "/api/feedback",
            json!({ "category": "feature", "message": "  A dark theme, please  " }),
        )
        .await
        .expect(201);
    assert_eq!(sent.body["feedback"]["status"], "new");
    assert_eq!(sent.body["feedback"]["message"], "A dark theme, please");
    world
        .patient_b
        .post(
            "/api/feedback",
            json!({ "category": "bug", "message": "The chart is blank" }),
        )
        .await
        .expect(201);
    let id = sent.body["feedback"]["id"].as_i64().unwrap();

    let all = world.admin.get("/api/admin/feedback").await.expect(200);
    assert_eq!(all.body["feedback"].as_array().unwrap().len(), 2);
    assert_eq!(all.body["feedback"][1]["author"]["username"], "patient.a");
    let triaged = world
        .admin
        .patch(
            &format!("/api/admin/feedback/{id}"),
            json!({ "status": "in_progress", "admin_note": "Planned for spring" }),
        )
        .await
        .expect(200);
    assert_eq!(triaged.body["feedback"]["status"], "in_progress");
    let in_progress = world
        .admin
        .get("/api/admin/feedback?status=in_progress")
        .await
        .expect(200);
    assert_eq!(in_progress.body["feedback"].as_array().unwrap().len(), 1);

    let mine = world.patient_a.get("/api/feedback").await.expect(200);
    assert_eq!(
        mine.body["feedback"].as_array().unwrap().len(),
        1,
        "only my own"
    );
    assert_eq!(mine.body["feedback"][0]["status"], "in_progress");
    assert_eq!(mine.body["feedback"][0]["admin_note"], "Planned for spring");
}

#[tokio::test]
async fn administrators_approve_disable_enable_and_sign_people_out() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let admin = &world.admin;
    let clinicians = admin
        .get("/api/admin/users?role=clinician")
        .await
        .expect(200);
    assert_eq!(
        usernames(&clinicians.body["users"], "username"),
        ["dr.in", "dr.out", "dr.pending"]
    );
    assert_eq!(clinicians.body["users"][2]["status"], "pending");
    let found = admin.get("/api/admin/users?q=PATIENT.A").await.expect(200);
    assert_eq!(usernames(&found.body["users"], "username"), ["patient.a"]);
    assert_eq!(
        admin.get("/api/admin/users?q=%25").await.body["total"],
        0,
        "a search for % is literal"
    );
    let paged = admin
        .get("/api/admin/users?limit=2&page=3")
        .await
        .expect(200);
    assert_eq!(paged.body["total"], 6);
    assert_eq!(
        usernames(&paged.body["users"], "username"),
        ["patient.a", "patient.b"]
    );

    world
        .dr_pending
        .get("/api/clinician/patients")
        .await
        .expect_error(403, "clinician_not_approved");
    let old_cookie_session = world.dr_pending.get("/api/auth/me").await.body["session_id"].clone();
    admin
        .post("/api/admin/users/dr.pending/approve", json!({}))
        .await
        .expect(200);
    admin
        .post("/api/admin/users/dr.pending/approve", json!({}))
        .await
        .expect_error(409, "not_pending");
    world
        .dr_pending
        .get("/api/clinician/patients")
        .await
        .expect(200);
    assert_eq!(
        world.dr_pending.get("/api/auth/me").await.body["session_id"],
        old_cookie_session
    );

    let other = Client::new(&server);
    other.login("patient.b", PASSWORD).await.expect(200);
    let support = admin
        .post(
            "/api/messages/send",
            json!({ "recipient": "patient.b", "content": "How can we help?" }),
        )
        .await
        .expect(201);
    let support_id = support.body["conversation_id"].clone();
    let support_page = format!("/api/messages/conversations/{support_id}");
    let disabled = admin
        .post("/api/admin/users/patient.b/disable", json!({}))
        .await
        .expect(200);
    assert_eq!(disabled.body["user"]["status"], "disabled");
    world
        .patient_b
        .get("/api/home/data")
        .await
        .expect_error(401, "account_disabled");
    other
        .get("/api/messages/inbox")
        .await
        .expect_error(401, "account_disabled");
    Client::new(&server)
        .login("patient.b", PASSWORD)
        .await
        .expect_error(401, "account_disabled");
    admin
        .post("/api/admin/users/admin/disable", json!({}))
        .await
        .expect_error(409, "cannot_disable_self");
    // A disabled account cannot be written to, even by support.
    let page = admin.get(&support_page).await.expect(200);
    assert_eq!(page.body["conversation"]["can_reply"], false);
    admin
        .post(
            "/api/messages/send",
            json!({ "conversation_id": support_id, "content": "Still there?" }),
        )
        .await
        .expect_error(403, "recipient_not_allowed");
    admin
        .post("/api/admin/users/patient.b/enable", json!({}))
        .await
        .expect(200);
    assert_eq!(
        admin.get(&support_page).await.body["conversation"]["can_reply"],
        true
    );
    admin
        .post(
            "/api/messages/send",
            json!({ "conversation_id": support_id, "content": "Welcome back." }),
        )
        .await
        .expect(201);
    let page = admin.get(&support_page).await.expect(200);
    let contents: Vec<&str> = page.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, ["How can we help?", "Welcome back."]);
    let reply = other
        .get("/api/messages/inbox")
        .await
        .expect_error(401, "session_revoked");
    assert_eq!(
        reply.body["error"]["reason"], "admin",
        "enabled again: the session was ended by an administrator"
    );
    let back = Client::new(&server);
    back.login("patient.b", PASSWORD).await.expect(200);

    let ended = admin
        .post("/api/admin/users/patient.b/end-sessions", json!({}))
        .await
        .expect(200);
    assert_eq!(ended.body["ended"], 1);
    let reply = back
        .get("/api/home/data")
        .await
        .expect_error(401, "session_revoked");
    assert_eq!(reply.body["error"]["reason"], "admin");

    let audit = admin
        .get("/api/admin/audit?user=patient.b")
        .await
        .expect(200);
    let events: Vec<String> = usernames(&audit.body["entries"], "event");
    for expected in [
        "all_sessions_ended",
        "account_enabled",
        "account_disabled",
        "sign_in_succeeded",
        "account_created",
    ] {
        assert!(
            events.contains(&expected.to_owned()),
            "{expected} in {events:?}"
        );
    }
    assert_eq!(audit.body["entries"][0]["event"], "all_sessions_ended");
    assert_eq!(audit.body["entries"][0]["actor"], "admin");
    let everything = admin
        .get("/api/admin/audit?limit=100")
        .await
        .expect(200)
        .body
        .to_string();
    assert!(everything.contains("clinician_approved") && everything.contains("care_team_approved"));
    assert!(!everything.contains(PASSWORD));
}

#[tokio::test]
async fn people_can_export_everything_stored_about_them() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let patient = &world.patient_a;
    patient
        .post(
            "/api/messages/send",
            json!({ "recipient": "dr.in", "content": "mine to keep" }),
        )
        .await
        .expect(201);
    world
        .dr_in
        .post(
            "/api/messages/send",
            json!({ "recipient": "patient.a", "content": "a reply" }),
        )
        .await
        .expect(201);
    patient
        .post("/api/mood", json!({ "score": 7, "note": "steady" }))
        .await
        .expect(201);
    patient
        .post(
            "/api/feedback",
            json!({ "category": "other", "message": "thank you" }),
        )
        .await
        .expect(201);
    let export = patient.get("/api/me/export").await.expect(200);
    assert!(export.header("content-disposition").contains("attachment"));
    let body = &export.body;
    assert_eq!(body["profile"]["username"], "patient.a");
    assert_eq!(body["care_team"][0]["clinician"], "dr.in");
    let contents: Vec<&str> = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, ["mine to keep", "a reply"]);
    assert_eq!(body["mood_check_ins"][0]["note"], "steady");
    assert_eq!(body["feedback"][0]["message"], "thank you");
    assert!(!body["sessions"].as_array().unwrap().is_empty());
    let text = body.to_string();
    assert!(!text.contains("argon2") && !text.contains("token_hash") && !text.contains(PASSWORD));
}

#[tokio::test]
async fn crisis_resources_come_from_configuration_or_the_default() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
    let patient = patient(&server, "help.hal").await;
    let home = patient.get("/api/home/data").await.expect(200);
    let text = home.body["crisis_resources"].to_string();
    for number in ["999", "111", "116 123", "local emergency number"] {
        assert!(text.contains(number), "{number} in {text}");
    }
    let custom = r#"{"message":"Call 112 in an emergency.","resources":[{"name":"Emergency (EU)","contact":"112","description":"Any EU country"}]}"#;
    let file = db.dir().join("crisis.json");
    std::fs::write(&file, custom).unwrap();
    let other = Server::start(&db, &[("CRISIS_RESOURCES", file.to_str().unwrap())]).await;
    let home = patient.on(&other).get("/api/home/data").await.expect(200);
    assert_eq!(
        home.body["crisis_resources"]["resources"][0]["contact"],
        "112"
    );
    let bad = run_binary(
        &["serve", "--dev"],
        &[
            ("DATABASE_URL", &db.url),
            ("CRISIS_RESOURCES", "{not json"),
            ("PORT", "0"),
        ],
        db.dir(),
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("CRISIS_RESOURCES"));
}
