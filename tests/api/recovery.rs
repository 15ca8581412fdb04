//! A way back for someone who forgot their password, through a real SMTP server: the
//! address check, the mailed reset link (single-use, 30 minutes, at most 3 at a time, the
//! same answer for any name), what a reset does to sessions and lock-outs, the
//! administrator's link for people without email, and the development outbox.

use std::time::Duration;

use crate::common::*;
use serde_json::{json, Value};

const ALEX: &str = "alex@example.test";
const NEW_PASSWORD: &str = "a brand new passphrase";

/// A patient with an address, verified through the link mailed at registration.
async fn verified_patient(server: &App, mail: &MailServer, username: &str, email: &str) -> Client {
    let client = Client::new(server);
    client
        .register(username, json!({ "email": email }))
        .await
        .expect(201);
    let token = mail.wait_for(email, 1).await[0].link_token("/verify-email");
    let verified = Client::new(server)
        .post("/api/me/email/verify", json!({ "token": token }))
        .await
        .expect(200);
    assert_eq!(verified.body["email_verified"], true);
    client
}

async fn ask_for_reset(client: &Client, who: &str) -> Value {
    client
        .post(
            "/api/auth/password-reset",
            json!({ "username_or_email": who }),
        )
        .await
        .expect(202)
        .body
}

async fn complete(client: &Client, token: &str, password: &str) -> Reply {
    client
        .post(
            "/api/auth/password-reset/complete",
            json!({ "token": token, "new_password": password }),
        )
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forgotten_password_is_reset_by_a_mailed_link() {
    let db = TestDb::new().await;
    let mail = MailServer::start();
    let server = App::start(&db, &mail.env()).await;
    let alex = verified_patient(&server, &mail, "alex", ALEX).await;
    let me = alex.get("/api/auth/me").await.expect(200).body;
    assert_eq!(me["user"]["email_verified"], true, "{me}");
    let other_device = Client::new(&server);
    other_device.login("alex", PASSWORD).await.expect(200);

    let stranger = Client::new(&server);
    ask_for_reset(&stranger, "ALEX@Example.test").await;
    let mails = mail.wait_for(ALEX, 2).await;
    assert_eq!(mails[1].subject(), "Reset your Healing Space password");
    let token = mails[1].link_token("/reset-password");
    assert!(mails[1]
        .text
        .contains(&format!("{}/reset-password#token=", server.base())));

    let done = complete(&stranger, &token, NEW_PASSWORD).await.expect(200);
    assert_eq!(done.body["username"], "alex");
    // Every session ends, and says why.
    for client in [&alex, &other_device] {
        let refused = client.get("/api/auth/me").await.expect(401);
        assert_eq!(
            refused.body["error"]["reason"], "password_changed",
            "{}",
            refused.body
        );
    }
    Client::new(&server)
        .login("alex", PASSWORD)
        .await
        .expect(401);
    Client::new(&server)
        .login("alex", NEW_PASSWORD)
        .await
        .expect(200);
    // The owner hears of it, and the link worked once.
    let notice = mail.wait_for(ALEX, 3).await;
    assert_eq!(
        notice[2].subject(),
        "Your Healing Space password was changed"
    );
    complete(&stranger, &token, "yet another passphrase")
        .await
        .expect_error(400, "link_used");
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM audit_log WHERE event = 'password_reset'")
            .await,
        1
    );
    // Only a hash of the token is stored.
    let stored = db
        .scalar_i64(&format!(
            "SELECT COUNT(*) FROM link_tokens WHERE token_hash = '{token}'"
        ))
        .await;
    assert_eq!(stored, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_answer_is_the_same_for_anyone_and_only_a_verified_address_gets_mail() {
    let db = TestDb::new().await;
    let mail = MailServer::start();
    let server = App::start(&db, &mail.env()).await;
    verified_patient(&server, &mail, "alex", ALEX).await;
    let unverified = Client::new(&server);
    unverified
        .register("sam", json!({ "email": "sam@example.test" }))
        .await
        .expect(201);
    mail.wait_for("sam@example.test", 1).await;
    let stranger = Client::new(&server);
    let answers = [
        ask_for_reset(&stranger, "alex").await,
        ask_for_reset(&stranger, "nobody.here").await,
        ask_for_reset(&stranger, "nobody@example.test").await,
        ask_for_reset(&stranger, "sam").await,
        ask_for_reset(&stranger, "sam@example.test").await,
    ];
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    mail.wait_for(ALEX, 2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        mail.to("sam@example.test").len(),
        1,
        "only the address check"
    );
    assert!(mail.to("nobody@example.test").is_empty());
}

/// Many requests at once for one account: each counts the live links and stores one in
/// the same transaction, so they cannot all see fewer than three.
#[tokio::test(flavor = "multi_thread")]
async fn parallel_requests_still_make_at_most_three_links() {
    let db = TestDb::new().await;
    let mail = MailServer::start();
    let server = App::start(&db, &mail.env()).await;
    verified_patient(&server, &mail, "alex", ALEX).await;
    let stranger = Client::new(&server);
    let asks = (0..20).map(|_| ask_for_reset(&stranger, "alex"));
    futures_util::future::join_all(asks).await;
    mail.wait_for(ALEX, 1 + 3).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        mail.to(ALEX).len(),
        1 + 3,
        "the address check and three links"
    );
    let live = db
        .scalar_i64("SELECT COUNT(*) FROM link_tokens WHERE purpose = 'password_reset'")
        .await;
    assert_eq!(live, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn at_most_three_reset_links_are_alive_at_once() {
    let db = TestDb::new().await;
    let mail = MailServer::start();
    let server = App::start(&db, &mail.env()).await;
    verified_patient(&server, &mail, "alex", ALEX).await;
    let stranger = Client::new(&server);
    for _ in 0..3 {
        // One at a time, so that each request sees the links before it. (Counted first:
        // the mail may be in before the test runs again.)
        let sent = mail.to(ALEX).len();
        ask_for_reset(&stranger, "alex").await;
        mail.wait_for(ALEX, sent + 1).await;
    }
    for _ in 0..3 {
        ask_for_reset(&stranger, "alex").await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(mail.to(ALEX).len(), 1 + 3);
    // Using one voids the others.
    let mails = mail.to(ALEX);
    complete(
        &stranger,
        &mails[1].link_token("/reset-password"),
        NEW_PASSWORD,
    )
    .await
    .expect(200);
    complete(
        &stranger,
        &mails[2].link_token("/reset-password"),
        "another passphrase",
    )
    .await
    .expect_error(400, "link_used");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_expired_and_weak_are_each_refused_and_change_nothing() {
    let db = TestDb::new().await;
    let mail = MailServer::start();
    let server = App::start(&db, &mail.env()).await;
    verified_patient(&server, &mail, "alex", ALEX).await;
    let stranger = Client::new(&server);
    complete(&stranger, "not-a-token", NEW_PASSWORD)
        .await
        .expect_error(400, "link_unknown");
    ask_for_reset(&stranger, "alex").await;
    let token = mail.wait_for(ALEX, 2).await[1].link_token("/reset-password");
    let weak = complete(&stranger, &token, "short")
        .await
        .expect_error(422, "validation_failed");
    assert_eq!(weak.field(), "new_password");
    // A refused password leaves the link usable; time passing does not.
    db.execute("UPDATE link_tokens SET expires_at = 1 WHERE purpose = 'password_reset'")
        .await;
    complete(&stranger, &token, NEW_PASSWORD)
        .await
        .expect_error(400, "link_expired");
    Client::new(&server)
        .login("alex", PASSWORD)
        .await
        .expect(200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reset_lifts_a_lock_out_caused_by_someone_else() {
    let db = TestDb::new().await;
    let mail = MailServer::start();
    let server = App::start(&db, &mail.env()).await;
    verified_patient(&server, &mail, "alex", ALEX).await;
    let attacker = Client::new(&server);
    for _ in 0..12 {
        attacker.login("alex", "a wrong guess").await;
    }
    Client::new(&server)
        .login("alex", PASSWORD)
        .await
        .expect(429);
    ask_for_reset(&attacker, "alex").await;
    let token = mail.wait_for(ALEX, 2).await[1].link_token("/reset-password");
    let owner = Client::new(&server);
    complete(&owner, &token, NEW_PASSWORD).await.expect(200);
    Client::new(&server)
        .login("alex", NEW_PASSWORD)
        .await
        .expect(200);
    // The attacker keeps guessing: new clients are locked out again, but the browser
    // that used the link is now one of Alex's own.
    for _ in 0..12 {
        attacker.login("alex", "another wrong guess").await;
    }
    Client::new(&server)
        .login("alex", NEW_PASSWORD)
        .await
        .expect_error(429, "too_many_attempts");
    owner.login("alex", NEW_PASSWORD).await.expect(200);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_makes_a_link_for_someone_without_email_and_never_sees_the_password() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let admin = admin(&server, &db, "admin").await;
    patient(&server, "no.email").await;
    let made = admin
        .post("/api/admin/users/no.email/reset-link", json!({}))
        .await
        .expect(201)
        .body;
    let url = made["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/reset-password#token=", server.base())),
        "{url}"
    );
    assert!(made["expires_at"].as_str().unwrap().ends_with('Z'));
    let token = url.split("#token=").nth(1).unwrap();
    complete(&Client::new(&server), token, NEW_PASSWORD)
        .await
        .expect(200);
    Client::new(&server)
        .login("no.email", NEW_PASSWORD)
        .await
        .expect(200);
    let audit = admin
        .get("/api/admin/audit?limit=20")
        .await
        .expect(200)
        .body
        .to_string();
    assert!(audit.contains("reset_link_created") && audit.contains("password_reset"));
    assert!(!audit.contains(token));
    admin
        .post("/api/admin/users/nobody.at.all/reset-link", json!({}))
        .await
        .expect_error(404, "not_found");
    // Nobody else gets a way into an account its owner can recover, an administrator's,
    // or one nobody may use.
    patient(&server, "has.mail").await;
    db.execute("UPDATE users SET email = 'has@example.test', email_verified_at = 1 WHERE username = 'has.mail'")
        .await;
    patient(&server, "disabled.one").await;
    admin
        .post("/api/admin/users/disabled.one/disable", json!({}))
        .await
        .expect(200);
    crate::common::admin(&server, &db, "admin.two").await;
    for name in ["has.mail", "disabled.one", "admin.two"] {
        admin
            .post(&format!("/api/admin/users/{name}/reset-link"), json!({}))
            .await
            .expect_error(409, "reset_link_refused");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_production_server_without_mail_says_so_and_points_to_a_reset_link() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[("DEBUG", "0"), ("PUBLIC_URL", "http://127.0.0.1")]).await;
    for who in ["someone", "someone@example.test"] {
        let reply = Client::new(&server)
            .post(
                "/api/auth/password-reset",
                json!({ "username_or_email": who }),
            )
            .await
            .expect_error(503, "mail_unavailable");
        assert!(reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("reset link"));
    }
    // An address can be added, and the person is told that no link went out.
    let alex = patient(&server, "alex").await;
    let changed = alex
        .patch("/api/me", json!({ "email": "alex@example.test" }))
        .await
        .expect(200)
        .body;
    assert_eq!(changed["verification_mailed"], false, "{changed}");
    assert_eq!(changed["user"]["email_verified"], false, "{changed}");
    let resent = alex
        .post("/api/me/email/resend", json!({}))
        .await
        .expect_error(503, "mail_unavailable");
    assert!(resent.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("sends no mail"));
}
