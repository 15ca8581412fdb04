//! Sessions across processes: they survive a restart, are shared by several instances,
//! outlive a key rotation, and every 401 is logged with its code.

use std::time::Duration;

use crate::common::*;
use serde_json::json;

const KEY_C: &str = "test-key-C-a1b2c3d4e5f6-g7h8i9j0k-lmnopqrstuvw";

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
    // Ended sessions are forgotten after the retention period (zero days here), by the
    // housekeeping that runs every second.
    for attempt in 1.. {
        let reply = get_with_cookie(&server, "/api/auth/me", &token).await;
        if reply.code() == "session_unknown" || attempt == 100 {
            reply.expect_error(401, "session_unknown");
            break;
        }
        reply.expect_error(401, "session_revoked");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let remaining = db
        .scalar_i64(&format!(
            "SELECT COUNT(*) FROM sessions WHERE id = '{session_id}'"
        ))
        .await;
    assert_eq!(remaining, 1, "the live session is kept");
    // 401s are logged with their code.
    server
        .logs_once(|logs| logs.contains("code=\"session_unknown\""))
        .await;
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
