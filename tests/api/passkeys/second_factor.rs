//! A passkey with two-step sign-in: it signs in without the code, because it is two
//! factors by itself (the device that holds it, and the PIN or fingerprint that unlocks
//! it, which the server requires); it stays after an administrator resets the person's
//! two-step sign-in, which is for a lost authenticator app.

use super::*;
use crate::two_factor::{code, turn_on};

#[tokio::test(flavor = "multi_thread")]
async fn a_passkey_signs_in_someone_with_two_step_sign_in_without_the_code() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let at = Localhost(&server);
    let alex = signed_in_patient(&at, "alex").await;
    let (secret, _) = turn_on(&alex).await;
    let mut phone = Authenticator::new(&server);
    add_passkey(&alex, &mut phone, json!("Phone"))
        .await
        .expect(201);

    // The password alone opens only the second step.
    let by_password = Client::new(&at);
    let answer = by_password.login("alex", PASSWORD).await.expect(200).body;
    assert_eq!(answer["status"], "two_factor_required", "{answer}");
    by_password.get("/api/auth/me").await.expect(401);

    // The passkey is a whole sign-in.
    let by_passkey = Client::new(&at);
    let signed_in = sign_in(&by_passkey, &mut phone, 0).await.expect(200).body;
    assert_eq!(signed_in["user"]["username"], "alex", "{signed_in}");
    let me = by_passkey.get("/api/auth/me").await.expect(200).body;
    assert_eq!(me["user"]["username"], "alex");

    // A fresh code (the one set-up took cannot be used twice) still finishes the
    // password sign-in.
    by_password
        .post("/api/auth/2fa/verify", json!({ "code": code(&secret, 30) }))
        .await
        .expect(200);
}

/// Finishes the enrolment a password sign-in was sent to; the client is then signed in.
async fn enrol(client: &Client) {
    let setup = client
        .post("/api/auth/2fa/totp/setup", json!({}))
        .await
        .expect(200)
        .body;
    let secret = setup["secret"].as_str().unwrap();
    let done = client
        .post(
            "/api/auth/2fa/totp/confirm",
            json!({ "code": code(secret, 0) }),
        )
        .await
        .expect(200)
        .body;
    client.set_csrf(done["signed_in"]["csrf_token"].as_str());
}

/// A password sign-in by someone who must set up two-step sign-in first.
async fn sent_to_enrolment(at: &Localhost<'_>, username: &str) -> Client {
    let client = Client::new(at);
    let answer = client.login(username, PASSWORD).await.expect(200).body;
    assert_eq!(
        answer["status"], "two_factor_enrolment_required",
        "{answer}"
    );
    client
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_who_must_use_two_step_sign_in_still_sign_in_with_a_passkey_after_a_reset() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[("REQUIRE_2FA", "clinician,admin")]).await;
    let at = Localhost(&server);
    create_admin(&db, "root");
    let root = sent_to_enrolment(&at, "root").await;
    enrol(&root).await;
    Client::new(&at)
        .register("dr.lee", json!({ "role": "clinician" }))
        .await
        .expect(201);
    root.post("/api/admin/users/dr.lee/approve", json!({}))
        .await
        .expect(200);
    let laptop = sent_to_enrolment(&at, "dr.lee").await;
    enrol(&laptop).await;
    let mut phone = Authenticator::new(&server);
    add_passkey(&laptop, &mut phone, json!("Phone"))
        .await
        .expect(201);

    // dr.lee lost the authenticator app: the administrator resets two-step sign-in. The
    // password leads to enrolment again; the passkey, two factors by itself, signs in.
    root.post("/api/admin/users/dr.lee/2fa/reset", json!({}))
        .await
        .expect(200);
    sent_to_enrolment(&at, "dr.lee").await;
    let by_passkey = Client::new(&at);
    let signed_in = sign_in(&by_passkey, &mut phone, 0).await.expect(200).body;
    assert_eq!(signed_in["user"]["username"], "dr.lee", "{signed_in}");
    assert_eq!(signed_in["user"]["role"], "clinician");
    by_passkey.get("/api/auth/me").await.expect(200);
}
