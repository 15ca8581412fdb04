//! Lock-outs an attacker cannot cause (device cookies): failures from clients the account
//! never signed in from lock out only such clients, however many addresses they come
//! from; a browser the owner signed in with keeps working, counts its own failures alone,
//! and a signed-in owner can always change the password.

use crate::common::*;
use serde_json::json;

const MAX_FAILURES: &str = "5";

async fn server(db: &TestDb) -> App {
    App::start(
        db,
        &[("LOGIN_MAX_FAILURES", MAX_FAILURES), ("TRUST_PROXY", "1")],
    )
    .await
}

/// A browser that has signed in to the account, and signed out again.
async fn owners_device(server: &App, username: &str) -> Client {
    let device = Client::new(server);
    let reply = device.login(username, PASSWORD).await.expect(200);
    let cookies = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    let cookie = cookies
        .iter()
        .find(|c| c.starts_with("hs_device_"))
        .expect("a device cookie");
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Path=/api/auth"),
        "{cookie}"
    );
    device.post("/api/auth/logout", json!({})).await.expect(200);
    device
}

/// Wrong guesses from a different address each time, as a botnet would send them.
async fn guess_from_many_addresses(server: &App, username: &str, guesses: usize) -> Vec<u16> {
    let mut statuses = Vec::new();
    for n in 0..guesses {
        let attacker = Client::new(server);
        let request = attacker
            .request(reqwest::Method::POST, "/api/auth/login")
            .header("X-Forwarded-For", format!("203.0.113.{}", n % 250 + 1))
            .json(&json!({ "username": username, "password": format!("guess {n}") }));
        statuses.push(attacker.send(request).await.status);
    }
    statuses
}

#[tokio::test(flavor = "multi_thread")]
async fn an_attack_from_many_addresses_does_not_stop_the_owner_on_their_device() {
    let db = TestDb::new().await;
    let server = server(&db).await;
    patient(&server, "alex").await;
    let device = owners_device(&server, "alex").await;
    let statuses = guess_from_many_addresses(&server, "alex", 12).await;
    assert_eq!(&statuses[..5], &[401; 5]);
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    // A client the account never signed in from is locked out, with the way back named.
    let new_device = Client::new(&server)
        .login("alex", PASSWORD)
        .await
        .expect_error(429, "too_many_attempts");
    assert!(new_device.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Forgot password?"));
    // The owner's own browser signs in with the right password.
    device.login("alex", PASSWORD).await.expect(200);
    device.get("/api/auth/me").await.expect(200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_known_device_counts_its_own_failures_alone() {
    let db = TestDb::new().await;
    let server = server(&db).await;
    patient(&server, "alex").await;
    let phone = owners_device(&server, "alex").await;
    let laptop = owners_device(&server, "alex").await;
    for _ in 0..5 {
        phone.login("alex", "a wrong password").await.expect(401);
    }
    phone
        .login("alex", PASSWORD)
        .await
        .expect_error(429, "too_many_attempts");
    laptop.login("alex", PASSWORD).await.expect(200);
    Client::new(&server)
        .login("alex", PASSWORD)
        .await
        .expect(200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_cookie_opens_nothing_for_another_account() {
    let db = TestDb::new().await;
    let server = server(&db).await;
    patient(&server, "alex").await;
    patient(&server, "sam").await;
    // Sam's browser has a device cookie, for Sam: for Alex it is an unknown client.
    let sams = owners_device(&server, "sam").await;
    guess_from_many_addresses(&server, "alex", 6).await;
    sams.login("alex", PASSWORD)
        .await
        .expect_error(429, "too_many_attempts");
    // A forged cookie is no device either.
    let forged = Client::new(&server);
    let request = forged
        .request(reqwest::Method::POST, "/api/auth/login")
        .header("Cookie", "hs_device=abc.def")
        .json(&json!({ "username": "alex", "password": PASSWORD }));
    assert_eq!(forged.send(request).await.status, 429);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lock_out_never_stops_a_signed_in_owner_changing_the_password() {
    let db = TestDb::new().await;
    let server = server(&db).await;
    let owner = patient(&server, "alex").await;
    guess_from_many_addresses(&server, "alex", 6).await;
    Client::new(&server)
        .login("alex", PASSWORD)
        .await
        .expect(429);
    owner
        .post(
            "/api/auth/change-password",
            json!({ "current_password": PASSWORD, "new_password": "violet tractor orbit" }),
        )
        .await
        .expect(200);
    // The session's own wrong guesses are limited, for that session only.
    for _ in 0..5 {
        owner
            .post(
                "/api/auth/change-password",
                json!({ "current_password": "not it at all", "new_password": "another long passphrase" }),
            )
            .await
            .expect_error(403, "wrong_password");
    }
    let locked = owner
        .post(
            "/api/auth/change-password",
            json!({ "current_password": "violet tractor orbit", "new_password": "another long passphrase" }),
        )
        .await
        .expect_error(429, "too_many_attempts");
    let message = locked.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("wrong passwords in this session"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_two_people_share_stays_known_to_both() {
    let db = TestDb::new().await;
    let server = server(&db).await;
    patient(&server, "alex").await;
    patient(&server, "sam").await;
    let family_laptop = Client::new(&server);
    for username in ["alex", "sam"] {
        family_laptop.login(username, PASSWORD).await.expect(200);
        family_laptop
            .post("/api/auth/logout", json!({}))
            .await
            .expect(200);
    }
    for username in ["alex", "sam"] {
        let statuses = guess_from_many_addresses(&server, username, 7).await;
        assert_eq!(statuses[6], 429, "{username} is locked for new clients");
    }
    // Sam signed in last, and alex's cookie is still there: both sign in.
    for username in ["alex", "sam"] {
        let signed_in = family_laptop.login(username, PASSWORD).await.expect(200);
        assert_eq!(signed_in.body["user"]["username"], username);
        family_laptop
            .post("/api/auth/logout", json!({}))
            .await
            .expect(200);
    }
}
