//! Failing infrastructure: PostgreSQL going down and coming back, and SQLite on a disk
//! that fills up. Meanwhile every request answers 503 with a code that says which (and
//! `Retry-After`), never 500, and `/api/ready` says so; when the database is back, service
//! resumes by itself.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::*;

/// How soon after PostgreSQL accepts connections again every kind of request must
/// succeed: no backoff may keep the app away from a database that is back.
const RECOVERY_WITHIN: Duration = Duration::from_secs(1);

#[tokio::test(flavor = "multi_thread")]
async fn a_postgres_outage_answers_503_everywhere_and_service_resumes_when_it_returns() {
    if std::env::var("TEST_POSTGRES_URL").map_or(true, |url| url.is_empty()) {
        eprintln!(
            "skipped: the PostgreSQL outage test runs when TEST_POSTGRES_URL is set \
             (it starts and stops a PostgreSQL server of its own)"
        );
        return;
    }
    let mut postgres = ThrowawayPostgres::start().expect("a PostgreSQL server of our own");
    let db = TestDb::new().await;
    let server = App::start(&db, &[("DATABASE_URL", &postgres.url())]).await;
    let patient = patient(&server, "patient.outage").await;
    for (what, reply, ok) in each_kind(&server, &patient, 0).await {
        assert_eq!(reply.status, ok, "{what} before the outage: {}", reply.body);
    }

    tokio::task::block_in_place(|| postgres.stop()).expect("stop PostgreSQL");
    for round in 1..=2 {
        for (what, reply, _) in each_kind(&server, &patient, round).await {
            assert_eq!(
                (reply.status, reply.code()),
                (503, "database_unavailable"),
                "{what} during the outage: {}",
                reply.body
            );
            assert_eq!(reply.header("retry-after"), "1", "{what}");
        }
    }

    tokio::task::block_in_place(|| postgres.start_again()).expect("start PostgreSQL");
    let back = Instant::now();
    let mut check_ins_saved = 1;
    let mut round = 3;
    loop {
        // A round takes its time (an argon2 sign-in and a registration): what counts is
        // when its requests were sent, not when the last of them answered.
        let round_began = back.elapsed();
        let replies = each_kind(&server, &patient, round).await;
        check_ins_saved += replies
            .iter()
            .filter(|(what, reply, _)| *what == "POST /api/mood" && reply.status == 201)
            .count();
        let failing: Vec<_> = replies
            .iter()
            .filter(|(_, r, ok)| r.status != *ok)
            .collect();
        if failing.is_empty() {
            eprintln!(
                "every kind of request succeeded {:?} after PostgreSQL was back",
                back.elapsed()
            );
            break;
        }
        for (what, reply, _) in &failing {
            assert_eq!(
                reply.code(),
                "database_unavailable",
                "{what}: {}",
                reply.body
            );
        }
        assert!(
            round_began < RECOVERY_WITHIN,
            "a round begun {round_began:?} after PostgreSQL was back still failed: {failing:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
        round += 1;
    }
    let entries = patient.get("/api/mood/history?days=30").await.expect(200);
    let stored = entries.body["entries"].as_array().unwrap().len();
    assert_eq!(
        stored, check_ins_saved,
        "every check-in answered 201 is kept, and none answered 503"
    );
}

/// One request of every kind, with the status it answers while the database is up:
/// signed-in reads and writes, sign-in, registration, and readiness. `round` keeps new
/// usernames apart.
async fn each_kind(
    server: &App,
    patient: &Client,
    round: usize,
) -> Vec<(&'static str, Reply, u16)> {
    let mood = json!({ "score": 5 });
    let feedback = json!({ "category": "bug", "message": "Saved?" });
    vec![
        ("GET /api/auth/me", patient.get("/api/auth/me").await, 200),
        (
            "GET /api/home/data",
            patient.get("/api/home/data").await,
            200,
        ),
        (
            "GET /api/messages/inbox",
            patient.get("/api/messages/inbox").await,
            200,
        ),
        ("POST /api/mood", patient.post("/api/mood", mood).await, 201),
        (
            "POST /api/feedback",
            patient.post("/api/feedback", feedback).await,
            201,
        ),
        (
            "POST /api/auth/login",
            Client::new(server).login("patient.outage", PASSWORD).await,
            200,
        ),
        (
            "POST /api/auth/register",
            Client::new(server)
                .register(&format!("patient.round{round}"), json!({}))
                .await,
            201,
        ),
        (
            "GET /api/ready",
            Client::new(server).get("/api/ready").await,
            200,
        ),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_answers_503_storage_unavailable_and_readiness_follows_it() {
    let disk = match SmallDisk::mount("8m") {
        Ok(disk) => disk,
        Err(why) => {
            eprintln!("skipped: the full-disk test needs a small filesystem of its own: {why}");
            return;
        }
    };
    let db = TestDb::new().await;
    let url = format!("sqlite://{}/healing-space.db", disk.path().display());
    let server = App::start(&db, &[("DATABASE_URL", &url)]).await;
    let patient = patient(&server, "patient.full").await;
    patient
        .post("/api/mood", json!({ "score": 5 }))
        .await
        .expect(201);

    empty_the_write_ahead_log(&url).await;
    let filler = disk.fill();
    let refused = patient.post("/api/mood", json!({ "score": 6 })).await;
    let refused = refused.expect_error(503, "storage_unavailable");

    assert!(
        !refused.header("retry-after").is_empty(),
        "Retry-After is set"
    );
    let together = (1..=6).map(|score| patient.post("/api/mood", json!({ "score": score })));
    for reply in futures_util::future::join_all(together).await {
        reply.expect_error(503, "storage_unavailable");
    }
    let ready = Client::new(&server).get("/api/ready").await;
    let ready = ready.expect_error(503, "storage_unavailable");
    assert!(
        !ready.header("retry-after").is_empty(),
        "Retry-After is set"
    );
    let read = patient.get("/api/mood/history?days=30").await.expect(200);
    assert_eq!(
        read.body["entries"].as_array().unwrap().len(),
        1,
        "reads go on"
    );

    filler.free();
    Client::new(&server).get("/api/ready").await.expect(200);
    patient
        .post("/api/mood", json!({ "score": 7 }))
        .await
        .expect(201);
    Client::new(&server).get("/api/ready").await.expect(200);
    let history = patient.get("/api/mood/history?days=30").await.expect(200);
    let scores: Vec<i64> = history.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["score"].as_i64().unwrap())
        .collect();
    assert_eq!(
        scores,
        [7, 5],
        "nothing refused was saved, nothing saved was lost"
    );
}

/// Copies the write-ahead log into the database file and empties it, so that the next
/// write needs space the log does not already have.
async fn empty_the_write_ahead_log(url: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
    let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(busy, 0, "the checkpoint ran to the end");
    conn.close().await.unwrap();
}
