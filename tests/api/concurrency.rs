//! Many people writing at once, and a database connection lost under a running server:
//! every write that was answered is stored exactly once, and reads carry on.

use crate::common::*;
use futures_util::future::join_all;
use serde_json::json;

/// Patient A's first message to dr.in; its conversation.
async fn first_message(patient: &Client) -> i64 {
    let first = patient
        .post(
            "/api/messages/send",
            json!({ "recipient": "dr.in", "content": "Hello" }),
        )
        .await
        .expect(201);
    first.body["conversation_id"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_sends_are_each_stored_once_and_counted() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let patient = &world.patient_a;
    let conversation = first_message(patient).await;

    // 30 different messages, and 6 retries of one more, all at the same moment. Writes
    // that arrive together share commits, and a retry that collides with the first
    // attempt inside such a group must still find it. Meanwhile the clinician reads the
    // inbox 24 times: more reads and writes at once than the pool has connections.
    let distinct = (0..30).map(|n| {
        patient.post(
            "/api/messages/send",
            json!({ "conversation_id": conversation, "content": format!("Message {n}") }),
        )
    });
    let retried = (0..6).map(|_| {
        let request = patient
            .with_csrf(patient.request(reqwest::Method::POST, "/api/messages/send"))
            .header("Idempotency-Key", "the-same-one")
            .json(&json!({ "conversation_id": conversation, "content": "Once only" }));
        patient.send(request)
    });
    let inbox_reads = (0..24).map(|_| world.dr_in.get("/api/messages/inbox"));
    let (distinct, retried, inbox_reads) =
        tokio::join!(join_all(distinct), join_all(retried), join_all(inbox_reads));
    for inbox in inbox_reads {
        let inbox = inbox.expect(200);
        assert_eq!(
            inbox.body["conversations"][0]["other"]["username"],
            "patient.a"
        );
        let unread = inbox.body["total_unread"].as_i64().unwrap();
        assert!((1..=32).contains(&unread), "{unread}");
    }

    let mut ids: Vec<i64> = distinct
        .into_iter()
        .map(|reply| reply.expect(201).body["message_id"].as_i64().unwrap())
        .collect();
    let retried: Vec<i64> = retried
        .into_iter()
        .map(|reply| reply.expect(201).body["message_id"].as_i64().unwrap())
        .collect();
    assert!(
        retried.iter().all(|id| *id == retried[0]),
        "every retry answers the first message: {retried:?}"
    );
    ids.push(retried[0]);
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 31, "31 distinct messages were answered");

    assert_eq!(db.scalar_i64("SELECT COUNT(*) FROM messages").await, 32);
    let unread = world
        .dr_in
        .get("/api/messages/unread-count")
        .await
        .expect(200);
    assert_eq!(unread.body["total_unread"], 32);
    let page = world
        .dr_in
        .get(&format!(
            "/api/messages/conversations/{conversation}?limit=100"
        ))
        .await
        .expect(200);
    let shown = page.body["messages"].as_array().unwrap();
    assert_eq!(shown.len(), 32);
    assert!(shown.iter().filter(|m| m["content"] == "Once only").count() == 1);
}

/// Both members writing at once, one replying in the conversation and the other writing
/// to them by name (which goes into the same conversation), while both keep marking it
/// read (which moves their member rows about in a small table): none is lost to a
/// deadlock.
#[tokio::test(flavor = "multi_thread")]
async fn both_members_writing_at_once_are_all_stored() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let (patient, clinician) = (&world.patient_a, &world.dr_in);
    let conversation = first_message(patient).await;

    let replies = (0..15).map(|n| {
        patient.post(
            "/api/messages/send",
            json!({ "conversation_id": conversation, "content": format!("Reply {n}") }),
        )
    });
    let by_name = (0..15).map(|n| {
        clinician.post(
            "/api/messages/send",
            json!({ "recipient": "patient.a", "content": format!("Note {n}") }),
        )
    });
    let read_path = format!("/api/messages/conversations/{conversation}/read");
    let read_marks = (0..20).map(|n| {
        let reader = if n % 2 == 0 { patient } else { clinician };
        reader.post(&read_path, json!({}))
    });
    let (replies, by_name, read_marks) =
        tokio::join!(join_all(replies), join_all(by_name), join_all(read_marks));
    for reply in replies.into_iter().chain(by_name) {
        assert_eq!(reply.expect(201).body["conversation_id"], conversation);
    }
    for mark in read_marks {
        mark.expect(200);
    }
    let page = clinician
        .get(&format!(
            "/api/messages/conversations/{conversation}?limit=100"
        ))
        .await
        .expect(200);
    assert_eq!(page.body["messages"].as_array().unwrap().len(), 31);
    assert_eq!(db.scalar_i64("SELECT COUNT(*) FROM messages").await, 31);
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_carry_on_when_postgres_drops_the_servers_connections() {
    let db = TestDb::new().await;
    if !db.is_postgres() {
        eprintln!("PostgreSQL only: an embedded SQLite connection cannot be dropped");
        return;
    }
    let server = App::start(&db, &[]).await;
    let patient = patient(&server, "patient.a").await;
    patient.get("/api/auth/me").await.expect(200);

    // What a failover or a database restart does to a running server's pool.
    let killed = db
        .scalar_i64(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .await;
    assert!(killed > 0, "the server had connections to drop");
    for _ in 0..100 {
        let left = db
            .scalar_i64(
                "SELECT COUNT(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
            .await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // The server's log is in this test's output should it fail.
    let me = patient.get("/api/auth/me").await.expect(200);
    assert_eq!(me.body["user"]["username"], "patient.a");
    patient.get("/api/home/data").await.expect(200);
    patient
        .post("/api/mood", json!({ "score": 7 }))
        .await
        .expect(201);
}

#[tokio::test(flavor = "multi_thread")]
async fn simultaneous_requests_each_get_their_own_session() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let mut people = Vec::new();
    for n in 0..8 {
        people.push((
            format!("person.{n}"),
            patient(&server, &format!("person.{n}")).await,
        ));
    }
    let signed_out = patient(&server, "signed.out").await;
    signed_out.get("/api/auth/me").await.expect(200);
    let elsewhere = Client::new(&server);
    elsewhere.login("signed.out", PASSWORD).await.expect(200);
    elsewhere
        .post("/api/auth/sessions/revoke-others", json!({}))
        .await
        .expect(200);

    // On PostgreSQL, lookups that arrive together share one query: each must still get
    // exactly its own session, including the same session asked for several times at
    // once, and an ended one its reason.
    let asks = people.iter().flat_map(|(name, client)| {
        (0..4).map(move |_| async move { (name.clone(), client.get("/api/auth/me").await) })
    });
    let ended = (0..4).map(|_| signed_out.get("/api/auth/me"));
    let (answers, ended) = tokio::join!(join_all(asks), join_all(ended));
    assert_eq!(answers.len(), 32);
    for (name, reply) in answers {
        let reply = reply.expect(200);
        assert_eq!(reply.body["user"]["username"], name.as_str());
    }
    // The first refusal clears the cookie, so requests that leave after it carry none.
    let codes: Vec<String> = ended
        .into_iter()
        .map(|reply| reply.expect(401).code().to_owned())
        .collect();
    assert!(
        codes.iter().any(|code| code == "session_revoked"),
        "{codes:?}"
    );
    assert!(
        codes
            .iter()
            .all(|code| code == "session_revoked" || code == "not_authenticated"),
        "{codes:?}"
    );
}
