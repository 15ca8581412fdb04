//! Closing an account: with the password, every session ends and says why, others see a
//! "Former member", an administrator can reopen it during the grace period, then its
//! personal details are erased while clinical records stay, until the retention period
//! deletes everything.

use crate::common::*;
use crate::measures::phq9;
use healing_space::accounts::password::Hasher;
use healing_space::storage::Database;
use serde_json::json;

async fn close(client: &Client, password: &str) -> Reply {
    client
        .post("/api/me/close", json!({ "password": password }))
        .await
}

/// The purge task's erasure, run now against the test's database.
async fn erase_due(server: &App) -> healing_space::closing::Erased {
    let db = Database::connect(&server.settings().database)
        .await
        .unwrap();
    healing_space::closing::erase_due(&db, &Hasher::new(), &server.settings().closing)
        .await
        .unwrap()
}

/// A count, with `ID` in the SQL standing for the account's id.
async fn count(db: &TestDb, id: i64, sql: &str) -> i64 {
    db.scalar_i64(&sql.replace("ID", &id.to_string())).await
}

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

#[tokio::test(flavor = "multi_thread")]
async fn closing_ends_every_session_and_says_why_and_others_see_a_former_member() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let a = &world.patient_a;
    a.post(
        "/api/messages/send",
        json!({ "recipient": "dr.in", "content": "thank you" }),
    )
    .await
    .expect(201);
    let phone = Client::new(&server);
    phone.login("patient.a", PASSWORD).await.expect(200);
    let refused = close(a, "not my password")
        .await
        .expect_error(403, "wrong_password");
    assert_eq!(refused.field(), "password");
    a.get("/api/auth/me").await.expect(200);

    let closed = close(a, PASSWORD).await.expect(200);
    assert_eq!(closed.body["closed"], true);
    assert!(closed.header("set-cookie").contains("Max-Age=0"));
    // This browser's cookie is cleared; another device learns why it was signed out.
    a.get("/api/auth/me")
        .await
        .expect_error(401, "not_authenticated");
    phone
        .get("/api/auth/me")
        .await
        .expect_error(401, "account_closed");
    // Sign-in says so only to someone with the right password.
    Client::new(&server)
        .login("patient.a", "a wrong password")
        .await
        .expect_error(401, "invalid_credentials");
    Client::new(&server)
        .login("patient.a", PASSWORD)
        .await
        .expect_error(401, "account_closed");
    let inbox = world
        .dr_in
        .get("/api/messages/inbox")
        .await
        .expect(200)
        .body;
    let conversation = &inbox["conversations"][0];
    assert_eq!(
        conversation["other"]["display_name"], "Former member",
        "{inbox}"
    );
    let id = conversation["id"].as_i64().unwrap();
    let page = world
        .dr_in
        .get(&format!("/api/messages/conversations/{id}"))
        .await
        .expect(200)
        .body;
    assert_eq!(
        page["conversation"]["other"]["display_name"],
        "Former member"
    );
    assert_eq!(page["messages"][0]["content"], "thank you");
    assert_eq!(page["conversation"]["can_reply"], false);
    let audit = world
        .admin
        .get("/api/admin/audit?limit=20")
        .await
        .body
        .to_string();
    assert!(audit.contains("account_closed"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_reopens_a_closed_account_during_the_grace_period() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    close(&world.patient_a, PASSWORD).await.expect(200);
    let users = world
        .admin
        .get("/api/admin/users?q=patient.a")
        .await
        .expect(200)
        .body;
    assert!(users.to_string().contains("\"closed\""), "{users}");
    world
        .admin
        .post("/api/admin/users/patient.a/enable", json!({}))
        .await
        .expect_error(409, "account_closed");
    world
        .admin
        .post("/api/admin/users/patient.b/reopen", json!({}))
        .await
        .expect_error(409, "not_closed");
    let reopened = world
        .admin
        .post("/api/admin/users/patient.a/reopen", json!({}))
        .await
        .expect(200)
        .body;
    assert_eq!(reopened["user"]["status"], "active", "{reopened}");
    let audited = db
        .scalar_i64(
            "SELECT COUNT(*) FROM audit_log a JOIN users s ON s.id = a.subject_id \
             JOIN users r ON r.id = a.actor_id WHERE a.event = 'account_reopened' \
             AND s.username = 'patient.a' AND r.role = 'admin'",
        )
        .await;
    assert_eq!(audited, 1, "reopening is audited, by the administrator");
    Client::new(&server)
        .login("patient.a", PASSWORD)
        .await
        .expect(200);
    // Past the grace period there is nothing to reopen.
    close(&world.patient_b, PASSWORD).await.expect(200);
    db.execute(&format!(
        "UPDATE users SET closed_at = closed_at - {} WHERE username = 'patient.b'",
        31 * DAY_MS
    ))
    .await;
    world
        .admin
        .post("/api/admin/users/patient.b/reopen", json!({}))
        .await
        .expect_error(409, "account_erased");
}

#[tokio::test(flavor = "multi_thread")]
async fn after_the_grace_period_details_are_erased_and_clinical_records_kept_until_retention() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let a = &world.patient_a;
    a.post("/api/measures/phq9/responses", phq9([1; 8], 0))
        .await
        .expect(201);
    a.patch("/api/me", json!({ "email": "a@example.test" }))
        .await
        .expect(200);
    a.post(
        "/api/feedback",
        json!({ "category": "other", "message": "mine" }),
    )
    .await
    .expect(201);
    close(a, PASSWORD).await.expect(200);
    assert_eq!(
        erase_due(&server).await,
        Default::default(),
        "within the grace period"
    );

    db.execute(&format!(
        "UPDATE users SET closed_at = closed_at - {} WHERE username = 'patient.a'",
        31 * DAY_MS
    ))
    .await;
    let done = erase_due(&server).await;
    assert_eq!((done.erased, done.deleted), (1, 0));
    let id = db
        .scalar_i64("SELECT id FROM users WHERE erased_at IS NOT NULL")
        .await;
    assert_eq!(count(&db, id, "SELECT COUNT(*) FROM users WHERE id = ID AND username = 'former:ID' AND email IS NULL AND display_name = 'Former member'").await, 1);
    assert_eq!(
        count(&db, id, "SELECT COUNT(*) FROM feedback WHERE user_id = ID").await,
        0
    );
    assert_eq!(
        count(&db, id, "SELECT COUNT(*) FROM sessions WHERE user_id = ID").await,
        0
    );
    assert_eq!(
        count(
            &db,
            id,
            "SELECT COUNT(*) FROM measure_responses WHERE user_id = ID"
        )
        .await,
        1
    );
    // Nobody signs in as the erased account, under either name.
    for name in ["patient.a".to_owned(), format!("former:{id}")] {
        Client::new(&server)
            .login(&name, PASSWORD)
            .await
            .expect(401);
    }
    assert_eq!(erase_due(&server).await, Default::default(), "erased once");
    let audited = |event: &'static str| {
        let sql =
            format!("SELECT COUNT(*) FROM audit_log WHERE event = '{event}' AND subject_id = {id}");
        let db = &db;
        async move { db.scalar_i64(&sql).await }
    };
    assert_eq!(audited("account_erased").await, 1);

    db.execute(&format!(
        "UPDATE users SET closed_at = closed_at - {} WHERE id = {id}",
        7300 * DAY_MS
    ))
    .await;
    assert_eq!(erase_due(&server).await.deleted, 1);
    assert_eq!(
        count(
            &db,
            id,
            "SELECT COUNT(*) FROM measure_responses WHERE user_id = ID"
        )
        .await,
        0
    );
    assert_eq!(
        count(&db, id, "SELECT COUNT(*) FROM users WHERE id = ID").await,
        0
    );
    assert_eq!(audited("account_deleted").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_only_administrator_cannot_close_their_account() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let admin = admin(&server, &db, "admin").await;
    close(&admin, PASSWORD)
        .await
        .expect_error(409, "cannot_disable_self");
    admin.get("/api/auth/me").await.expect(200);
}

async fn closed_export(who: &str, password: &str, server: &App) -> Reply {
    Client::new(server)
        .post(
            "/api/auth/closed-account/export",
            json!({ "username": who, "password": password }),
        )
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_owner_of_a_closed_account_downloads_its_data_until_erasure() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let alex = patient(&server, "alex").await;
    alex.post("/api/mood", json!({ "score": 2, "note": "a hard week" }))
        .await
        .expect(201);
    closed_export("alex", PASSWORD, &server)
        .await
        .expect_error(409, "not_closed");
    close(&alex, PASSWORD).await.expect(200);
    // Signing in is refused, and says so; the export takes the password instead.
    Client::new(&server)
        .login("alex", PASSWORD)
        .await
        .expect_error(401, "account_closed");
    closed_export("alex", "not my password", &server)
        .await
        .expect_error(401, "invalid_credentials");
    let export = closed_export("ALEX ", PASSWORD, &server).await.expect(200);
    assert!(export
        .header("content-disposition")
        .contains("healing-space-alex.json"));
    assert_eq!(export.body["profile"]["username"], "alex");
    assert_eq!(export.body["profile"]["status"], "closed");
    let mood = export.body["mood_check_ins"].as_array().unwrap();
    assert_eq!(mood.len(), 1);
    assert_eq!(mood[0]["note"], "a hard week");
    let audited = db
        .scalar_i64("SELECT COUNT(*) FROM audit_log WHERE event = 'closed_account_exported'")
        .await;
    assert_eq!(audited, 1);

    // After the grace period the details are erased: nothing answers to the name.
    db.execute(&format!(
        "UPDATE users SET closed_at = closed_at - {} WHERE username = 'alex'",
        31 * DAY_MS
    ))
    .await;
    assert_eq!(erase_due(&server).await.erased, 1);
    closed_export("alex", PASSWORD, &server)
        .await
        .expect_error(401, "invalid_credentials");
}
