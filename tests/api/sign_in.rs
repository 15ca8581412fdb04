//! What guards signing in and every change: CSRF tokens and origins, account locks,
//! per-address limits, answers that give nothing away, and the audit trail.

use std::time::Duration;

use crate::common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn csrf_tokens_and_origins_are_checked_and_a_failure_keeps_the_session() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let client = patient(&server, "careful.cara").await;
    let token = client.csrf().unwrap();

    client.set_csrf(None);
    client
        .post("/api/auth/sessions/revoke-others", json!({}))
        .await
        .expect_error(403, "csrf_failed");
    client.set_csrf(Some("forged-token"));
    client
        .post("/api/auth/sessions/revoke-others", json!({}))
        .await
        .expect_error(403, "csrf_failed");
    client.set_csrf(Some(&token));
    let foreign = client
        .with_csrf(client.request(reqwest::Method::POST, "/api/auth/sessions/revoke-others"))
        .header("origin", "https://evil.example")
        .json(&json!({}));
    client.send(foreign).await.expect_error(403, "csrf_failed");
    let foreign_referer = client
        .with_csrf(client.request(reqwest::Method::POST, "/api/auth/sessions/revoke-others"))
        .header("referer", "https://evil.example/page")
        .json(&json!({}));
    client
        .send(foreign_referer)
        .await
        .expect_error(403, "csrf_failed");
    // The session is still valid and the right token works, also from our own origin.
    client.get("/api/auth/me").await.expect(200);
    let own = client
        .with_csrf(client.request(reqwest::Method::POST, "/api/auth/sessions/revoke-others"))
        .header("origin", server.base())
        .json(&json!({}));
    client.send(own).await.expect(200);

    // Sign-in and registration from another site are refused too.
    let anonymous = Client::new(&server);
    let login = anonymous
        .request(reqwest::Method::POST, "/api/auth/login")
        .header("origin", "https://evil.example")
        .json(&json!({ "username": "careful.cara", "password": PASSWORD }));
    anonymous.send(login).await.expect_error(403, "csrf_failed");
    let register = anonymous
        .request(reqwest::Method::POST, "/api/auth/register")
        .header("origin", "https://evil.example")
        .json(&json!({ "username": "evil.eve", "password": PASSWORD }));
    anonymous
        .send(register)
        .await
        .expect_error(403, "csrf_failed");
}

#[tokio::test(flavor = "multi_thread")]
async fn public_url_decides_which_origin_is_ours() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[("PUBLIC_URL", "https://care.example.org")]).await;
    let anonymous = Client::new(&server);
    let ours = anonymous
        .request(reqwest::Method::POST, "/api/auth/register")
        .header("origin", "https://care.example.org")
        .json(&json!({ "username": "origin.otto", "password": PASSWORD }));
    anonymous.send(ours).await.expect(201);
    let local = anonymous
        .request(reqwest::Method::POST, "/api/auth/login")
        .header("origin", server.base())
        .json(&json!({ "username": "origin.otto", "password": PASSWORD }));
    anonymous.send(local).await.expect_error(403, "csrf_failed");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lock_lifts_when_the_window_passes() {
    let db = TestDb::new().await;
    let server = App::start(
        &db,
        &[
            ("LOGIN_MAX_FAILURES", "2"),
            ("LOGIN_FAILURE_WINDOW_SECONDS", "2"),
        ],
    )
    .await;
    patient(&server, "patient.pat").await;
    for _ in 0..2 {
        Client::new(&server)
            .login("patient.pat", "wrong password")
            .await
            .expect_error(401, "invalid_credentials");
    }
    Client::new(&server)
        .login("patient.pat", PASSWORD)
        .await
        .expect_error(429, "too_many_attempts");
    tokio::time::sleep(Duration::from_millis(2300)).await;
    Client::new(&server)
        .login("patient.pat", PASSWORD)
        .await
        .expect(200);
}

#[tokio::test(flavor = "multi_thread")]
async fn too_many_attempts_from_one_address_are_refused() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[("AUTH_RATE_LIMIT_PER_MINUTE", "3")]).await;
    let client = Client::new(&server);
    for n in 0..3 {
        client
            .login(&format!("nobody{n}"), "whatever password")
            .await
            .expect_error(401, "invalid_credentials");
    }
    let reply = client
        .register("one.too.many", json!({}))
        .await
        .expect_error(429, "too_many_requests");
    assert!(reply.header("retry-after").parse::<u64>().unwrap() >= 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_users_and_wrong_passwords_look_the_same() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    patient(&server, "real.rob").await;
    let wrong = Client::new(&server)
        .login("real.rob", "not the password")
        .await;
    let unknown = Client::new(&server)
        .login("imaginary.ian", "not the password")
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!((wrong.status, &wrong.body), (unknown.status, &unknown.body));
    assert_eq!(
        wrong.header("content-length"),
        unknown.header("content-length")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_and_out_are_audited_without_secrets() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let client = patient(&server, "audited.ada").await;
    client.post("/api/auth/logout", json!({})).await.expect(200);
    Client::new(&server)
        .login("audited.ada", "wrong password")
        .await;
    let mut conn = db.connect().await;
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT event, detail FROM audit_log ORDER BY id")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let events: Vec<&str> = rows.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(events, ["account_created", "signed_out", "sign_in_failed"]);
    assert!(rows
        .iter()
        .all(|(_, detail)| !detail.contains("wrong password") && !detail.contains(PASSWORD)));
}

#[tokio::test(flavor = "multi_thread")]
async fn guesses_sent_in_parallel_do_not_slip_under_the_lock() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    patient(&server, "parallel.pia").await;
    let guesses: Vec<_> = (0..20)
        .map(|n| {
            let client = Client::new(&server);
            tokio::spawn(async move {
                client
                    .login("parallel.pia", &format!("guess number {n}"))
                    .await
                    .status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for guess in guesses {
        statuses.push(guess.await.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        checked <= 10,
        "at most ten guesses were checked: {statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 20 - checked);
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM login_failures").await,
        checked as i64
    );
}
