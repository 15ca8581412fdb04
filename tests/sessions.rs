//! The heart of Healing Space: sessions survive restarts, several instances and key
//! rotation, end only when they should, and every 401 says why.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use sha2::Digest;

const KEY_C: &str = "test-key-C-a1b2c3d4e5f6-g7h8i9j0k-lmnopqrstuvw";

/// The session token from a reply's Set-Cookie header.
fn session_cookie(reply: &Reply) -> String {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("hs_session="))
        .and_then(|rest| rest.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// A request with a hand-written cookie and no cookie store.
async fn get_with_cookie(server: &Server, path: &str, cookie: &str) -> Reply {
    let client = Client::new(server);
    client
        .send(
            client
                .request(reqwest::Method::GET, path)
                .header("cookie", format!("hs_session={cookie}")),
        )
        .await
}

#[tokio::test]
async fn a_session_survives_a_restart_without_signing_in_again() {
    let db = TestDb::new().await;
    let mut server = Server::start(&db, &[]).await;
    let client = patient(&server, "restart.rita").await;
    let before = client.get("/api/auth/me").await.expect(200);

    server.restart(&[]).await;
    let after = client.get("/api/auth/me").await.expect(200);
    assert_eq!(after.body["session_id"], before.body["session_id"]);
    assert_eq!(after.body["user"]["username"], "restart.rita");
    client
        .post("/api/auth/sessions/revoke-others", json!({}))
        .await
        .expect(200);
}

#[tokio::test]
async fn two_instances_share_sessions_and_sign_outs() {
    let db = TestDb::new().await;
    let first = Server::start(&db, &[]).await;
    let second = Server::start(&db, &[]).await;
    let on_first = Client::new(&first);
    let token = session_cookie(&on_first.register("twin.tom", json!({})).await.expect(201));
    let on_second = on_first.on(&second);
    let me = on_second.get("/api/auth/me").await.expect(200);
    assert_eq!(me.body["user"]["username"], "twin.tom");

    on_first
        .post("/api/auth/logout", json!({}))
        .await
        .expect(200);
    // Another tab of the same browser, still holding the cookie, reaches the other instance.
    let refused = get_with_cookie(&second, "/api/auth/me", &token)
        .await
        .expect_error(401, "session_revoked");
    assert_eq!(refused.body["error"]["reason"], "signed_out");
}

#[tokio::test]
async fn key_rotation_keeps_sessions_and_honours_fallback_keys() {
    let db = TestDb::new().await;
    let mut server = Server::start(&db, &[]).await;
    let client = patient(&server, "rotating.rosa").await;
    let old_token = client.csrf().unwrap();

    server
        .restart(&[
            ("SECRET_KEY", Some(KEY_B)),
            ("SECRET_KEY_FALLBACKS", Some(KEY_A)),
        ])
        .await;
    client.get("/api/auth/me").await.expect(200);
    client.set_csrf(Some(&old_token));
    client
        .post("/api/auth/sessions/revoke-others", json!({}))
        .await
        .expect(200);

    server
        .restart(&[("SECRET_KEY", Some(KEY_C)), ("SECRET_KEY_FALLBACKS", None)])
        .await;
    client.set_csrf(Some(&old_token));
    client
        .post("/api/auth/sessions/revoke-others", json!({}))
        .await
        .expect_error(403, "csrf_failed");
    let me = client.get("/api/auth/me").await.expect(200);
    let fresh = me.body["csrf_token"].as_str().unwrap();
    assert_ne!(fresh, old_token);
    client
        .post("/api/auth/sessions/revoke-others", json!({}))
        .await
        .expect(200);
}

#[tokio::test]
async fn idle_sessions_expire_and_say_so() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[("SESSION_IDLE_TIMEOUT_SECONDS", "2")]).await;
    let client = patient(&server, "idle.ivan").await;
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let reply = client
        .get("/api/auth/me")
        .await
        .expect_error(401, "session_expired");
    assert_eq!(reply.body["error"]["reason"], "idle");
    assert!(reply.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("2 seconds without activity"));
    assert!(
        reply.header("set-cookie").contains("Max-Age=0"),
        "the cookie is cleared"
    );
}

#[tokio::test]
async fn activity_keeps_a_session_alive_past_the_idle_timeout() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[("SESSION_IDLE_TIMEOUT_SECONDS", "4")]).await;
    let client = patient(&server, "busy.bea").await;
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        client.get("/api/auth/me").await.expect(200);
    }
}

#[tokio::test]
async fn sessions_end_at_their_absolute_lifetime_whatever_the_activity() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[("SESSION_MAX_LIFETIME_SECONDS", "3")]).await;
    let client = patient(&server, "long.lena").await;
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(800)).await;
        client.get("/api/auth/me").await.expect(200);
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let reply = client
        .get("/api/auth/me")
        .await
        .expect_error(401, "session_expired");
    assert_eq!(reply.body["error"]["reason"], "absolute");
    // The status endpoint answers without a 401.
    let status = client.get("/api/auth/status").await.expect(200);
    assert_eq!(status.body["authenticated"], false);
}

#[tokio::test]
async fn status_never_answers_401() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
    let anonymous = Client::new(&server)
        .get("/api/auth/status")
        .await
        .expect(200);
    assert_eq!(anonymous.body["authenticated"], false);
    assert_eq!(anonymous.body["reason"], "not_authenticated");
    let client = patient(&server, "status.sam").await;
    let signed_in = client.get("/api/auth/status").await.expect(200);
    assert_eq!(signed_in.body["authenticated"], true);
    assert_eq!(signed_in.body["user"]["username"], "status.sam");
    client.post("/api/auth/logout", json!({})).await.expect(200);
    let unknown = get_with_cookie(&server, "/api/auth/status", "not-a-real-token")
        .await
        .expect(200);
    assert_eq!(unknown.body["reason"], "session_unknown");
}

#[tokio::test]
async fn every_401_has_its_code() {
    let db = TestDb::new().await;
    let server = Server::start(
        &db,
        &[
            ("SESSION_RETENTION_DAYS", "0"),
            ("SESSION_PURGE_INTERVAL_SECONDS", "1"),
        ],
    )
    .await;

    Client::new(&server)
        .get("/api/auth/me")
        .await
        .expect_error(401, "not_authenticated");
    get_with_cookie(&server, "/api/auth/me", "never-issued-by-anyone")
        .await
        .expect_error(401, "session_unknown");

    let client = patient(&server, "codes.cleo").await;
    let reply = client.get("/api/auth/me").await.expect(200);
    let session_id = reply.body["session_id"].as_str().unwrap().to_owned();
    db.execute("UPDATE users SET disabled_at = 1 WHERE username = 'codes.cleo'")
        .await;
    client
        .get("/api/auth/me")
        .await
        .expect_error(401, "account_disabled");
    db.execute("UPDATE users SET disabled_at = NULL WHERE username = 'codes.cleo'")
        .await;

    let signing_out = Client::new(&server);
    let login = signing_out.login("codes.cleo", PASSWORD).await.expect(200);
    let token = session_cookie(&login);
    signing_out
        .post("/api/auth/logout", json!({}))
        .await
        .expect(200);
    // Ended sessions are forgotten after the retention period (zero days here).
    tokio::time::sleep(Duration::from_millis(2500)).await;
    get_with_cookie(&server, "/api/auth/me", &token)
        .await
        .expect_error(401, "session_unknown");
    let remaining = db
        .scalar_i64(&format!(
            "SELECT COUNT(*) FROM sessions WHERE id = '{session_id}'"
        ))
        .await;
    assert_eq!(remaining, 1, "the live session is kept");
    assert!(
        server.logs().contains("code=\"session_unknown\""),
        "401s are logged with their code"
    );
}

#[tokio::test]
async fn a_revoked_session_keeps_saying_why_until_purged() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
    let client = patient(&server, "revoked.ray").await;
    let token = session_cookie(&client.login("revoked.ray", PASSWORD).await.expect(200));
    client.post("/api/auth/logout", json!({})).await.expect(200);
    for _ in 0..2 {
        let reply = get_with_cookie(&server, "/api/auth/me", &token)
            .await
            .expect_error(401, "session_revoked");
        assert_eq!(reply.body["error"]["reason"], "signed_out");
        // Not ending anything itself, the answer leaves the browser's cookie alone: it may
        // already belong to a newer sign-in.
        assert!(reply.header("set-cookie").is_empty());
    }
}

#[tokio::test]
async fn the_database_keeps_only_a_hash_of_each_token() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
    let client = Client::new(&server);
    let reply = client.register("hashed.hana", json!({})).await.expect(201);
    let token = session_cookie(&reply);
    assert!(token.len() >= 43);
    let expected = hex::encode(sha2::Sha256::digest(token.as_bytes()));
    let mut conn = db.connect().await;
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(stored, vec![expected]);
}

#[tokio::test]
async fn a_cookie_set_before_sign_in_never_becomes_a_session() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
    patient(&server, "fixed.fay").await;
    let planted = "attacker-chosen-token-value-0123456789abcdef";
    let victim = Client::new(&server);
    let reply = victim
        .send(
            victim
                .request(reqwest::Method::POST, "/api/auth/login")
                .header("cookie", format!("hs_session={planted}"))
                .json(&json!({ "username": "fixed.fay", "password": PASSWORD })),
        )
        .await
        .expect(200);
    assert_ne!(session_cookie(&reply), planted);
    get_with_cookie(&server, "/api/auth/me", planted)
        .await
        .expect_error(401, "session_unknown");

    // Signing in again in the same browser closes the older session.
    let older = session_cookie(&reply);
    let again = victim.login("fixed.fay", PASSWORD).await.expect(200);
    assert_ne!(session_cookie(&again), older);
    let reply = get_with_cookie(&server, "/api/auth/me", &older)
        .await
        .expect_error(401, "session_revoked");
    assert_eq!(reply.body["error"]["reason"], "signed_in_again");
}

#[tokio::test]
async fn people_list_and_end_their_sessions() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
    let laptop = patient(&server, "devices.dan").await;
    let phone = Client::new(&server);
    phone.login("devices.dan", PASSWORD).await.expect(200);
    let tablet = Client::new(&server);
    tablet.login("devices.dan", PASSWORD).await.expect(200);

    let listed = laptop.get("/api/auth/sessions").await.expect(200);
    let sessions = listed.body["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 3);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    let phone_id = phone.get("/api/auth/me").await.body["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(sessions
        .iter()
        .any(|s| s["id"] == phone_id.as_str() && s["current"] == false));
    assert!(sessions[0]["created_at"].as_str().unwrap().ends_with('Z'));

    laptop
        .delete(&format!("/api/auth/sessions/{phone_id}"))
        .await
        .expect(200);
    let ended = phone
        .get("/api/auth/me")
        .await
        .expect_error(401, "session_revoked");
    assert_eq!(ended.body["error"]["reason"], "signed_out_elsewhere");
    laptop
        .delete(&format!("/api/auth/sessions/{phone_id}"))
        .await
        .expect_error(404, "not_found");

    let other_person = patient(&server, "other.olga").await;
    let laptop_id = laptop.get("/api/auth/me").await.body["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    other_person
        .delete(&format!("/api/auth/sessions/{laptop_id}"))
        .await
        .expect_error(404, "not_found");
    laptop.get("/api/auth/me").await.expect(200);

    let reply = laptop
        .post("/api/auth/sessions/revoke-others", json!({}))
        .await
        .expect(200);
    assert_eq!(reply.body["ended"], 1);
    tablet
        .get("/api/auth/me")
        .await
        .expect_error(401, "session_revoked");
    let listed = laptop.get("/api/auth/sessions").await.expect(200);
    assert_eq!(listed.body["sessions"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions_and_renews_this_one() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
    let here = Client::new(&server);
    let old_token = session_cookie(&here.register("changing.chen", json!({})).await.expect(201));
    let elsewhere = Client::new(&server);
    elsewhere.login("changing.chen", PASSWORD).await.expect(200);

    let wrong = here
        .post("/api/auth/change-password", json!({ "current_password": "not my password", "new_password": "a brand new password" }))
        .await
        .expect_error(403, "wrong_password");
    assert_eq!(wrong.field(), "current_password");

    let reply = here
        .post(
            "/api/auth/change-password",
            json!({ "current_password": PASSWORD, "new_password": "a brand new password" }),
        )
        .await
        .expect(200);
    assert_eq!(reply.body["other_sessions_ended"], 1);
    let new_token = session_cookie(&reply);
    assert_ne!(new_token, old_token);
    here.get("/api/auth/me").await.expect(200);
    here.post("/api/auth/sessions/revoke-others", json!({}))
        .await
        .expect(200);
    let ended = elsewhere
        .get("/api/auth/me")
        .await
        .expect_error(401, "session_revoked");
    assert_eq!(ended.body["error"]["reason"], "password_changed");
    get_with_cookie(&server, "/api/auth/me", &old_token)
        .await
        .expect_error(401, "session_unknown");

    Client::new(&server)
        .login("changing.chen", PASSWORD)
        .await
        .expect_error(401, "invalid_credentials");
    Client::new(&server)
        .login("changing.chen", "a brand new password")
        .await
        .expect(200);
}

#[tokio::test]
async fn csrf_tokens_and_origins_are_checked_and_a_failure_keeps_the_session() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
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

#[tokio::test]
async fn public_url_decides_which_origin_is_ours() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[("PUBLIC_URL", "https://care.example.org")]).await;
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

#[tokio::test]
async fn repeated_failures_lock_an_account_on_every_instance() {
    let db = TestDb::new().await;
    let first = Server::start(&db, &[]).await;
    let second = Server::start(&db, &[]).await;
    patient(&first, "locked.lou").await;
    for attempt in 0..10 {
        let server = if attempt % 2 == 0 { &first } else { &second };
        Client::new(server)
            .login("locked.lou", "wrong password")
            .await
            .expect_error(401, "invalid_credentials");
    }
    for server in [&first, &second] {
        let reply = Client::new(server)
            .login("locked.lou", PASSWORD)
            .await
            .expect_error(429, "too_many_attempts");
        let retry_after: u64 = reply.header("retry-after").parse().unwrap();
        assert!(
            (800..=900).contains(&retry_after),
            "about 15 minutes: {retry_after}"
        );
    }
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM login_failures").await,
        10
    );
    // Another account is not affected.
    patient(&first, "free.fran").await;
    Client::new(&second)
        .login("free.fran", PASSWORD)
        .await
        .expect(200);
}

#[tokio::test]
async fn the_lock_lifts_when_the_window_passes() {
    let db = TestDb::new().await;
    let server = Server::start(
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

#[tokio::test]
async fn too_many_attempts_from_one_address_are_refused() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[("AUTH_RATE_LIMIT_PER_MINUTE", "3")]).await;
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

#[tokio::test]
async fn unknown_users_and_wrong_passwords_look_the_same() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
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

#[tokio::test]
async fn sign_in_and_out_are_audited_without_secrets() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
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

#[tokio::test]
async fn approval_gives_the_clinician_a_new_token_without_signing_them_out() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
    let admin = admin(&server, &db, "root").await;
    let clinician = Client::new(&server);
    let before = session_cookie(
        &clinician
            .register("dr.new", json!({ "role": "clinician" }))
            .await
            .expect(201),
    );
    clinician.get("/api/auth/me").await.expect(200);
    admin
        .post("/api/admin/users/dr.new/approve", json!({}))
        .await
        .expect(200);

    let renewed = clinician.get("/api/clinician/patients").await.expect(200);
    let after = session_cookie(&renewed);
    assert_ne!(after, before);
    let expected = hex::encode(sha2::Sha256::digest(after.as_bytes()));
    let stored = db
        .scalar_i64(&format!(
            "SELECT COUNT(*) FROM sessions WHERE token_hash = '{expected}'"
        ))
        .await;
    assert_eq!(stored, 1);
    let again = clinician.get("/api/auth/me").await.expect(200);
    assert!(again.header("set-cookie").is_empty(), "renewed once only");
    // A request that left with the old token moments ago is still answered.
    get_with_cookie(&server, "/api/auth/me", &before)
        .await
        .expect(200);
}

#[tokio::test]
async fn guesses_sent_in_parallel_do_not_slip_under_the_lock() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
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
