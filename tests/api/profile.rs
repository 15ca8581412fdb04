//! My name and address (`PATCH /api/me`), and the address check: a link mailed through a
//! real SMTP server, enough without a session, and a verified address belonging to one
//! account. Without an SMTP server, development writes mail to `data/outbox/`.

use crate::common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_new_address_is_unverified_until_its_link_is_followed() {
    let db = TestDb::new().await;
    let mail = MailServer::start();
    let server = App::start(&db, &mail.env()).await;
    let robin = patient(&server, "robin").await;
    let changed = robin
        .patch(
            "/api/me",
            json!({ "display_name": "Robin  Gray", "email": "robin@example.test" }),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(changed["user"]["display_name"], "Robin Gray");
    assert_eq!(changed["user"]["email"], "robin@example.test");
    assert_eq!(changed["user"]["email_verified"], false);
    assert_eq!(changed["verification_mailed"], true);
    let mails = mail.wait_for("robin@example.test", 1).await;
    assert_eq!(
        mails[0].subject(),
        "Confirm your email address for Healing Space"
    );
    let token = mails[0].link_token("/verify-email");
    // The token is enough, with a session or without.
    let verified = Client::new(&server)
        .post("/api/me/email/verify", json!({ "token": token }))
        .await
        .expect(200)
        .body;
    assert_eq!(verified["username"], "robin");
    assert_eq!(verified["email_verified"], true);
    assert_eq!(
        robin.get("/api/auth/me").await.body["user"]["email_verified"],
        true
    );
    robin
        .post("/api/me/email/verify", json!({ "token": token }))
        .await
        .expect_error(400, "link_used");
    // Leaving the address out keeps it; a new one must be checked again; null removes it.
    let kept = robin
        .patch("/api/me", json!({ "display_name": "Robin" }))
        .await
        .expect(200)
        .body;
    assert_eq!(kept["user"]["email_verified"], true);
    assert_eq!(kept["verification_mailed"], false);
    let moved = robin
        .patch("/api/me", json!({ "email": "new@example.test" }))
        .await
        .expect(200)
        .body;
    assert_eq!(moved["user"]["email_verified"], false);
    let removed = robin
        .patch("/api/me", json!({ "email": null }))
        .await
        .expect(200)
        .body;
    assert_eq!(removed["user"]["email"], serde_json::Value::Null);
    // The link to the address that was replaced no longer verifies anything.
    let stale = mail.wait_for("new@example.test", 1).await[0].link_token("/verify-email");
    robin
        .post("/api/me/email/verify", json!({ "token": stale }))
        .await
        .expect_error(409, "link_used");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_changes_are_refused_by_field_and_change_nothing() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let robin = patient(&server, "robin").await;
    for (body, field) in [
        (json!({ "email": "not an address" }), "email"),
        (json!({ "display_name": "" }), "display_name"),
        (json!({ "display_name": "Dr Robin" }), "display_name"),
        (json!({ "display_name": "a\u{202e}b" }), "display_name"),
        (json!({ "role": "admin" }), "role"),
    ] {
        let reply = robin
            .patch("/api/me", body.clone())
            .await
            .expect_error(422, "validation_failed");
        assert_eq!(reply.field(), field, "{body}: {}", reply.body);
    }
    let me = robin.get("/api/auth/me").await.expect(200).body;
    assert_eq!(me["user"]["display_name"], "robin (test)");
    assert_eq!(me["user"]["role"], "patient");
    Client::new(&server)
        .patch("/api/me", json!({}))
        .await
        .expect(401);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_verified_address_belongs_to_one_account() {
    let db = TestDb::new().await;
    let mail = MailServer::start();
    let server = App::start(&db, &mail.env()).await;
    for name in ["first", "second"] {
        Client::new(&server)
            .register(name, json!({ "email": "shared@example.test" }))
            .await
            .expect(201);
    }
    let mails = mail.wait_for("shared@example.test", 2).await;
    let token_of = |name: &str| {
        mails
            .iter()
            .find(|m| m.text.contains(&format!("({name})")))
            .unwrap()
            .link_token("/verify-email")
    };
    let anyone = Client::new(&server);
    anyone
        .post(
            "/api/me/email/verify",
            json!({ "token": token_of("first") }),
        )
        .await
        .expect(200);
    let taken = anyone
        .post(
            "/api/me/email/verify",
            json!({ "token": token_of("second") }),
        )
        .await
        .expect_error(409, "already_exists");
    assert_eq!(taken.field(), "email");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_an_smtp_server_development_writes_mail_to_the_outbox() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    Client::new(&server)
        .register("kim", json!({ "email": "kim@example.test" }))
        .await
        .expect(201);
    let outbox = db.dir().join("data").join("outbox");
    let mut found = None;
    for _ in 0..100 {
        let written = std::fs::read_dir(&outbox)
            .ok()
            .and_then(|mut d| d.next())
            .and_then(|entry| std::fs::read_to_string(entry.ok()?.path()).ok());
        // The file exists a moment before its content is all there.
        if written.as_ref().is_some_and(|eml| eml.ends_with("\r\n")) {
            found = written;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let eml = found.expect("a mail in data/outbox");
    assert!(eml.contains("kim@example.test"), "{eml}");
    assert!(
        // Quoted-printable may write the link's `=` as `=3D`, so the token's name is checked.
        eml.contains("/verify-email#token"),
        "{eml}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_confirmation_link_can_be_sent_again_three_at_a_time() {
    let db = TestDb::new().await;
    let mail = MailServer::start();
    let server = App::start(&db, &mail.env()).await;
    let kim = Client::new(&server);
    kim.register("kim", json!({ "email": "kim@example.test" }))
        .await
        .expect(201);
    mail.wait_for("kim@example.test", 1).await;
    for sent in 2..=3 {
        let reply = kim
            .post("/api/me/email/resend", json!({}))
            .await
            .expect(202);
        assert_eq!(reply.body["email"], "kim@example.test");
        mail.wait_for("kim@example.test", sent).await;
    }
    kim.post("/api/me/email/resend", json!({}))
        .await
        .expect_error(429, "too_many_requests");
    let newest = mail.to("kim@example.test")[2].link_token("/verify-email");
    kim.post("/api/me/email/verify", json!({ "token": newest }))
        .await
        .expect(200);
    kim.post("/api/me/email/resend", json!({}))
        .await
        .expect_error(409, "not_pending");
    patient(&server, "no.address")
        .await
        .post("/api/me/email/resend", json!({}))
        .await
        .expect_error(409, "not_pending");
}

#[tokio::test(flavor = "multi_thread")]
async fn resending_many_times_at_once_still_mails_at_most_three_links() {
    let db = TestDb::new().await;
    let mail = MailServer::start();
    let server = App::start(&db, &mail.env()).await;
    let kim = Client::new(&server);
    kim.register("kim", json!({ "email": "kim@example.test" }))
        .await
        .expect(201);
    mail.wait_for("kim@example.test", 1).await;
    let resends = (0..10).map(|_| kim.post("/api/me/email/resend", json!({})));
    let statuses: Vec<u16> = futures_util::future::join_all(resends)
        .await
        .iter()
        .map(|reply| reply.status)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 202).count(),
        2,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        8,
        "{statuses:?}"
    );
    mail.wait_for("kim@example.test", 3).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(mail.to("kim@example.test").len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn changing_the_address_over_and_over_mails_at_most_three_links() {
    let db = TestDb::new().await;
    let mail = MailServer::start();
    let server = App::start(&db, &mail.env()).await;
    let robin = patient(&server, "robin").await;
    let mut mailed = Vec::new();
    for n in 1..=5 {
        let address = format!("target{n}@example.test");
        let reply = robin
            .patch("/api/me", json!({ "email": address }))
            .await
            .expect(200);
        mailed.push(reply.body["verification_mailed"].as_bool().unwrap());
    }
    assert_eq!(mailed, [true, true, true, false, false]);
    mail.wait_for("target3@example.test", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        mail.to("target4@example.test").is_empty() && mail.to("target5@example.test").is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn preferences_change_one_at_a_time_and_are_checked() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let alex = patient(&server, "alex").await;
    let sam = patient(&server, "sam").await;
    let defaults = alex.get("/api/me/preferences").await.expect(200).body;
    assert_eq!(defaults, json!({ "message_emails": true }));

    let changed = alex
        .patch(
            "/api/me",
            json!({ "preferences": { "message_emails": false } }),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(changed["preferences"], json!({ "message_emails": false }));
    assert_eq!(
        changed["user"]["display_name"], "alex (test)",
        "the rest stays"
    );
    let stored = alex.get("/api/me/preferences").await.expect(200).body;
    assert_eq!(stored, json!({ "message_emails": false }));
    // Someone else's are their own.
    let theirs = sam.get("/api/me/preferences").await.expect(200).body;
    assert_eq!(theirs, json!({ "message_emails": true }));
    // A name change leaves preferences as they are, and says what they are.
    let renamed = alex
        .patch("/api/me", json!({ "display_name": "Alex B" }))
        .await
        .expect(200)
        .body;
    assert_eq!(renamed["preferences"], json!({ "message_emails": false }));

    for bad in [
        json!({ "preferences": { "message_emails": "no" } }),
        json!({ "preferences": { "dark_mode": true } }),
        json!({ "preferences": [] }),
    ] {
        let refused = alex.patch("/api/me", bad.clone()).await.expect(422);
        assert!(
            refused.field().starts_with("preferences"),
            "{bad}: {}",
            refused.body
        );
    }
    let unchanged = alex.get("/api/me/preferences").await.expect(200).body;
    assert_eq!(unchanged, json!({ "message_emails": false }));
}
