//! Passkey edge cases: a ceremony finished twice at once, the per-address limit on
//! starting a sign-in, and an erased account's passkeys.

use super::*;
use healing_space::accounts::password::Hasher;
use healing_space::storage::Database;

#[tokio::test(flavor = "multi_thread")]
async fn two_finishes_of_one_ceremony_sign_in_once() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let at = Localhost(&server);
    let alex = signed_in_patient(&at, "alex").await;
    let mut phone = Authenticator::new(&server);
    add_passkey(&alex, &mut phone, json!("Phone"))
        .await
        .expect(201);
    let (ceremony, options) = start_sign_in(&Client::new(&at)).await;
    let credential = phone.get(&options, 0);
    let (first, second) = (Client::new(&at), Client::new(&at));
    let (a, b) = tokio::join!(
        finish_sign_in(&first, &ceremony, &credential),
        finish_sign_in(&second, &ceremony, &credential)
    );
    let mut outcomes = vec![
        (a.status, a.code().to_owned()),
        (b.status, b.code().to_owned()),
    ];
    outcomes.sort();
    assert_eq!(
        outcomes,
        vec![
            (200, String::new()),
            (400, "passkey_ceremony_expired".to_owned())
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn starting_a_sign_in_is_limited_per_address_like_a_password_sign_in() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[("AUTH_RATE_LIMIT_PER_MINUTE", "3")]).await;
    let at = Localhost(&server);
    let client = Client::new(&at);
    for _ in 0..3 {
        start_sign_in(&client).await;
    }
    let refused = client
        .post("/api/auth/passkeys/sign-in/start", json!({}))
        .await
        .expect_error(429, "too_many_requests");
    assert!(!refused.header("retry-after").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_erased_account_keeps_no_passkey() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let at = Localhost(&server);
    let alex = signed_in_patient(&at, "alex").await;
    let mut phone = Authenticator::new(&server);
    add_passkey(&alex, &mut phone, json!("Phone"))
        .await
        .expect(201);
    alex.post("/api/me/close", json!({ "password": PASSWORD }))
        .await
        .expect(200);
    let day_ms: i64 = 24 * 60 * 60 * 1000;
    db.execute(&format!(
        "UPDATE users SET closed_at = closed_at - {} WHERE username = 'alex'",
        31 * day_ms
    ))
    .await;
    let database = Database::connect(&server.settings().database)
        .await
        .unwrap();
    let done =
        healing_space::closing::erase_due(&database, &Hasher::new(), &server.settings().closing)
            .await
            .unwrap();
    assert_eq!(done.erased, 1);
    assert_eq!(db.scalar_i64("SELECT COUNT(*) FROM passkeys").await, 0);
    sign_in(&Client::new(&at), &mut phone, 0)
        .await
        .expect_error(401, "passkey_not_accepted");
}
