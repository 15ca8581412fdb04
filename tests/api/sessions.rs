//! Sessions end only when they should (idle, absolute lifetime, sign-out, another
//! device, a new password), every 401 says why, and the database keeps only token hashes.

use std::time::Duration;

use crate::common::*;
use serde_json::json;
use sha2::Digest;

#[tokio::test(flavor = "multi_thread")]
async fn idle_sessions_expire_and_say_so() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[("SESSION_IDLE_TIMEOUT_SECONDS", "2")]).await;
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

#[tokio::test(flavor = "multi_thread")]
async fn activity_keeps_a_session_alive_past_the_idle_timeout() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[("SESSION_IDLE_TIMEOUT_SECONDS", "4")]).await;
    let client = patient(&server, "busy.bea").await;
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        client.get("/api/auth/me").await.expect(200);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_end_at_their_absolute_lifetime_whatever_the_activity() {
    let db = TestDb::new().await;
    // Six seconds: three requests in the first 2.4 leave a slow machine room to spare.
    let server = App::start(&db, &[("SESSION_MAX_LIFETIME_SECONDS", "6")]).await;
    let client = patient(&server, "long.lena").await;
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(800)).await;
        client.get("/api/auth/me").await.expect(200);
    }
    tokio::time::sleep(Duration::from_millis(4000)).await;
    let reply = client
        .get("/api/auth/me")
        .await
        .expect_error(401, "session_expired");
    assert_eq!(reply.body["error"]["reason"], "absolute");
    // The status endpoint answers without a 401.
    let status = client.get("/api/auth/status").await.expect(200);
    assert_eq!(status.body["authenticated"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn status_never_answers_401() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
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

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_session_keeps_saying_why_until_purged() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
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

#[tokio::test(flavor = "multi_thread")]
async fn the_database_keeps_only_a_hash_of_each_token() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
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

#[tokio::test(flavor = "multi_thread")]
async fn a_cookie_set_before_sign_in_never_becomes_a_session() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
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

#[tokio::test(flavor = "multi_thread")]
async fn people_list_and_end_their_sessions() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
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

#[tokio::test(flavor = "multi_thread")]
async fn changing_the_password_ends_the_other_sessions_and_renews_this_one() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
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

#[tokio::test(flavor = "multi_thread")]
async fn approval_gives_the_clinician_a_new_token_without_signing_them_out() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
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

#[tokio::test(flavor = "multi_thread")]
async fn devices_show_their_network_and_take_a_name_of_their_owners_only() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let laptop = patient(&server, "devices.dee").await;
    let phone = Client::new(&server);
    phone.login("devices.dee", PASSWORD).await.expect(200);
    let phone_id = phone.get("/api/auth/me").await.body["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/auth/sessions/{phone_id}");
    let named = laptop
        .patch(&path, json!({ "name": "  Kitchen phone " }))
        .await
        .expect(200);
    assert_eq!(named.body["name"], "Kitchen phone");
    let listed = laptop.get("/api/auth/sessions").await.expect(200).body;
    let phone_row = listed["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == phone_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(phone_row["name"], "Kitchen phone");
    // Loopback, shortened to its network: never the whole address.
    assert_eq!(phone_row["address"], "127.0.0.x");
    for (body, field) in [
        (json!({ "name": "x".repeat(61) }), "name"),
        (json!({ "name": "tab\there" }), "name"),
        (json!({ "colour": "red" }), "colour"),
    ] {
        let reply = laptop
            .patch(&path, body)
            .await
            .expect_error(422, "validation_failed");
        assert_eq!(reply.field(), field);
    }
    laptop
        .patch(&path, json!({ "name": null }))
        .await
        .expect(200);
    // Someone else's device is nobody's to name.
    let other = patient(&server, "devices.eve").await;
    other
        .patch(&path, json!({ "name": "Mine now" }))
        .await
        .expect_error(404, "not_found");
    let listed = laptop.get("/api/auth/sessions").await.expect(200).body;
    assert!(listed.to_string().contains("\"name\":null"), "{listed}");
}
