//! Two-factor sign-in with TOTP: setting it up with a code from an app, the second step
//! of signing in (its own cookie, which opens nothing else; codes and recovery codes each
//! work once; its own attempt limits), staff who must enrol before any session starts,
//! turning it off, renewing recovery codes, and an administrator's reset.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};

/// The code an authenticator app shows for `secret`, `offset` seconds from now.
pub fn code(secret: &str, offset: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).expect("a base32 secret");
    let totp = totp_rs::Builder::new().with_secret(secret).build().unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let at = u64::try_from(i64::try_from(now).unwrap() + offset).unwrap();
    totp.generate(at).to_string()
}

/// Sets up TOTP for a signed-in person; returns the secret and the recovery codes.
pub async fn turn_on(client: &Client) -> (String, Vec<String>) {
    let setup = client
        .post("/api/auth/2fa/totp/setup", json!({}))
        .await
        .expect(200)
        .body;
    let secret = setup["secret"].as_str().unwrap().to_owned();
    let confirmed = client
        .post(
            "/api/auth/2fa/totp/confirm",
            json!({ "code": code(&secret, 0) }),
        )
        .await
        .expect(200)
        .body;
    let codes = confirmed["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (secret, codes)
}

async fn verify(client: &Client, code: &str) -> Reply {
    client
        .post("/api/auth/2fa/verify", json!({ "code": code }))
        .await
}

async fn delete_with(client: &Client, path: &str, body: Value) -> Reply {
    let request = client
        .with_csrf(client.request(Method::DELETE, path))
        .json(&body);
    client.send(request).await
}

/// A new browser whose password step is done and whose code is still to come.
async fn at_second_step(server: &App, username: &str) -> Client {
    let client = Client::new(server);
    let answer = client.login(username, PASSWORD).await.expect(200).body;
    assert_eq!(answer["status"], "two_factor_required", "{answer}");
    client
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patient_turns_on_totp_and_then_signs_in_with_a_code() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let alex = patient(&server, "alex").await;
    let status = alex.get("/api/auth/2fa").await.expect(200).body;
    assert_eq!(
        status,
        json!({ "totp_enabled": false, "required": false, "recovery_codes_left": 0 })
    );

    let setup = alex
        .post("/api/auth/2fa/totp/setup", json!({}))
        .await
        .expect(200)
        .body;
    let secret = setup["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 32, "160 bits, base32: {setup}");
    let url = setup["otpauth_url"].as_str().unwrap();
    assert!(
        url.starts_with("otpauth://totp/Healing%20Space:alex?"),
        "{url}"
    );
    assert!(url.contains(&format!("secret={secret}")), "{url}");
    let svg = setup["qr_svg"].as_str().unwrap();
    assert!(svg.contains("<svg") && svg.contains("</svg>"), "{svg}");
    // Until a code confirms it, signing in is as before.
    Client::new(&server)
        .login("alex", PASSWORD)
        .await
        .expect(200)
        .body["csrf_token"]
        .as_str()
        .expect("signed in at once");

    let wrong = alex
        .post("/api/auth/2fa/totp/confirm", json!({ "code": "000000" }))
        .await
        .expect_error(422, "validation_failed");
    assert_eq!(wrong.field(), "code");
    // Kept as typed: generated again later, it could be the next 30-second step's code.
    let confirming_code = code(secret, 0);
    let confirmed = alex
        .post(
            "/api/auth/2fa/totp/confirm",
            json!({ "code": confirming_code }),
        )
        .await
        .expect(200)
        .body;
    let recovery: Vec<&str> = confirmed["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(recovery.len(), 10);
    assert!(
        recovery.iter().all(|c| c.len() == 11 && &c[5..6] == "-"),
        "{recovery:?}"
    );
    assert!(confirmed.get("signed_in").is_none(), "already signed in");
    let status = alex.get("/api/auth/2fa").await.expect(200).body;
    assert_eq!(status["totp_enabled"], true);
    assert_eq!(status["recovery_codes_left"], 10);
    // A second setup would replace the factor behind the person's back.
    alex.post("/api/auth/2fa/totp/setup", json!({}))
        .await
        .expect_error(409, "two_factor_already_enabled");

    // The password alone opens nothing: only the second step's cookie is set.
    let phone = Client::new(&server);
    let answer = phone.login("alex", PASSWORD).await.expect(200);
    assert_eq!(answer.body["status"], "two_factor_required");
    assert!(answer.body.get("csrf_token").is_none(), "{}", answer.body);
    let cookies: Vec<&str> = answer
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap())
        .collect();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(cookies[0].starts_with("hs_second_step="), "{cookies:?}");
    assert!(cookies[0].contains("HttpOnly") && cookies[0].contains("Path=/api/auth/2fa"));
    phone
        .get("/api/auth/me")
        .await
        .expect_error(401, "not_authenticated");
    phone
        .get("/api/home/data")
        .await
        .expect_error(401, "not_authenticated");

    let wrong = verify(&phone, "000000")
        .await
        .expect_error(401, "invalid_code");
    assert_eq!(wrong.field(), "code");
    assert!(wrong.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("4 more"));
    // The code that confirmed the factor is used: the app's next one works.
    verify(&phone, &confirming_code)
        .await
        .expect_error(401, "invalid_code");
    let next_code = code(secret, 30);
    let signed_in = verify(&phone, &next_code).await.expect(200).body;
    assert_eq!(signed_in["user"]["username"], "alex");
    let me = phone.get("/api/auth/me").await.expect(200).body;
    assert_eq!(me["user"]["username"], "alex");
    // The step is used up: it opens one session only.
    verify(&phone, &next_code)
        .await
        .expect_error(401, "second_step_missing");

    // A code works once, even on another device within its 30 seconds.
    let laptop = at_second_step(&server, "alex").await;
    verify(&laptop, &next_code)
        .await
        .expect_error(401, "invalid_code");
    // A recovery code works once too, typed any way.
    verify(&laptop, &recovery[0].to_uppercase().replace('-', " "))
        .await
        .expect(200);
    let again = at_second_step(&server, "alex").await;
    verify(&again, recovery[0])
        .await
        .expect_error(401, "invalid_code");
    verify(&again, recovery[1]).await.expect(200);
    let status = alex.get("/api/auth/2fa").await.expect(200).body;
    assert_eq!(status["recovery_codes_left"], 8);

    let signed_in_with = |proof: &str| {
        format!(
            "SELECT COUNT(*) FROM audit_log WHERE event = 'sign_in_succeeded' AND detail = '{proof}'"
        )
    };
    assert_eq!(db.scalar_i64(&signed_in_with("totp")).await, 1);
    assert_eq!(db.scalar_i64(&signed_in_with("recovery code")).await, 2);
    // Recovery codes are kept only as hashes.
    let plain: Vec<String> = recovery
        .iter()
        .flat_map(|c| [format!("'{c}'"), format!("'{}'", c.replace('-', ""))])
        .collect();
    let sql = format!(
        "SELECT COUNT(*) FROM recovery_codes WHERE code_hash IN ({}) OR length(code_hash) <> 64",
        plain.join(", ")
    );
    assert_eq!(db.scalar_i64(&sql).await, 0);
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM recovery_codes").await,
        10
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_browsers_racing_with_one_code_get_one_session() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let alex = patient(&server, "alex").await;
    let (secret, _) = turn_on(&alex).await;
    let (a, b) = (
        at_second_step(&server, "alex").await,
        at_second_step(&server, "alex").await,
    );
    // One step ahead: the code confirming the factor used the current one.
    let next = code(&secret, 30);
    let (first, second) = tokio::join!(verify(&a, &next), verify(&b, &next));
    let mut statuses = [first.status, second.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 401], "{} / {}", first.body, second.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_second_step_has_its_own_attempt_limits() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[("LOGIN_MAX_FAILURES", "7")]).await;
    let alex = patient(&server, "alex").await;
    let (secret, _) = turn_on(&alex).await;
    // Someone who has the password, from a browser alex never used.
    let attacker = at_second_step(&server, "alex").await;
    for left in (1..5).rev() {
        let wrong = verify(&attacker, "111111")
            .await
            .expect_error(401, "invalid_code");
        let message = wrong.body["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains(&format!("{left} more")), "{message}");
    }
    // The fifth wrong code closes the step: back to the password.
    verify(&attacker, "111111")
        .await
        .expect_error(401, "second_step_missing");
    verify(&attacker, &code(&secret, 30))
        .await
        .expect_error(401, "second_step_missing");
    // Across new steps, unknown browsers share one count for the account.
    let again = at_second_step(&server, "alex").await;
    verify(&again, "111111")
        .await
        .expect_error(401, "invalid_code");
    verify(&again, "111111")
        .await
        .expect_error(401, "invalid_code");
    let locked = verify(&again, &code(&secret, 30))
        .await
        .expect_error(429, "too_many_attempts");
    assert!(locked.header("retry-after").parse::<u64>().unwrap() > 0);
    let message = locked.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("wrong codes") && message.contains("recovery codes"),
        "{message}"
    );

    // alex's own browser, which signed in before, is not locked out.
    alex.post("/api/auth/logout", json!({})).await.expect(200);
    let answer = alex.login("alex", PASSWORD).await.expect(200).body;
    assert_eq!(answer["status"], "two_factor_required");
    let signed_in = verify(&alex, &code(&secret, 30)).await.expect(200).body;
    assert_eq!(signed_in["user"]["username"], "alex");
    let failures = db
        .scalar_i64(
            "SELECT COUNT(*) FROM audit_log WHERE event = 'sign_in_failed' AND detail = 'second factor'",
        )
        .await;
    assert_eq!(failures, 7);
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_set_up_a_second_factor_before_any_session_starts() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[("REQUIRE_2FA", "clinician,admin")]).await;
    // `admin create`, then the first sign-in: straight to enrolment.
    let admin_browser = {
        let client = Client::new(&server);
        create_admin(&db, "root");
        let answer = client.login("root", PASSWORD).await.expect(200).body;
        assert_eq!(
            answer["status"], "two_factor_enrolment_required",
            "{answer}"
        );
        assert!(answer.get("csrf_token").is_none());
        client
            .get("/api/admin/users")
            .await
            .expect_error(401, "not_authenticated");
        // The enrolment step is not a code step.
        verify(&client, "123456")
            .await
            .expect_error(401, "second_step_missing");
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
        assert_eq!(done["recovery_codes"].as_array().unwrap().len(), 10);
        assert_eq!(done["signed_in"]["user"]["username"], "root");
        client.set_csrf(done["signed_in"]["csrf_token"].as_str());
        let status = client.get("/api/auth/2fa").await.expect(200).body;
        assert_eq!(status["required"], true);
        assert_eq!(status["totp_enabled"], true);
        client
    };
    // Required means it cannot be turned off.
    delete_with(
        &admin_browser,
        "/api/auth/2fa/totp",
        json!({ "password": PASSWORD }),
    )
    .await
    .expect_error(403, "forbidden");

    // Patients are not asked.
    let alex = patient(&server, "alex").await;
    alex.post("/api/auth/logout", json!({})).await.expect(200);
    alex.login("alex", PASSWORD).await.expect(200).body["csrf_token"]
        .as_str()
        .expect("a patient signs in with a password");

    // A clinician who registers must enrol at the next sign-in; once set up, codes.
    let dr = Client::new(&server);
    dr.register("dr.lee", json!({ "role": "clinician" }))
        .await
        .expect(201);
    admin_browser
        .post("/api/admin/users/dr.lee/approve", json!({}))
        .await
        .expect(200);
    let laptop = Client::new(&server);
    let answer = laptop.login("dr.lee", PASSWORD).await.expect(200).body;
    assert_eq!(answer["status"], "two_factor_enrolment_required");
    let (secret, _) = {
        let setup = laptop
            .post("/api/auth/2fa/totp/setup", json!({}))
            .await
            .expect(200)
            .body;
        let secret = setup["secret"].as_str().unwrap().to_owned();
        let done = laptop
            .post(
                "/api/auth/2fa/totp/confirm",
                json!({ "code": code(&secret, 0) }),
            )
            .await
            .expect(200)
            .body;
        (secret, done)
    };
    let phone = at_second_step(&server, "dr.lee").await;
    verify(&phone, &code(&secret, 30)).await.expect(200);

    // Lost phone and codes: the administrator resets it, and the next sign-in enrols.
    let reset = admin_browser
        .post("/api/admin/users/dr.lee/2fa/reset", json!({}))
        .await
        .expect(200)
        .body;
    assert_eq!(
        reset,
        json!({ "had_two_factor": true, "must_enrol_again": true })
    );
    admin_browser
        .post("/api/admin/users/nobody.here/2fa/reset", json!({}))
        .await
        .expect_error(404, "not_found");
    phone.get("/api/auth/me").await.expect(200);
    let answer = Client::new(&server)
        .login("dr.lee", PASSWORD)
        .await
        .expect(200)
        .body;
    assert_eq!(answer["status"], "two_factor_enrolment_required");
    let audited = db
        .scalar_i64("SELECT COUNT(*) FROM audit_log WHERE event = 'two_factor_reset'")
        .await;
    assert_eq!(audited, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn turning_off_and_renewing_codes_ask_for_the_password() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let alex = patient(&server, "alex").await;
    let (_, old_codes) = turn_on(&alex).await;

    let wrong = alex
        .post(
            "/api/auth/2fa/recovery-codes",
            json!({ "password": "not my password" }),
        )
        .await
        .expect_error(403, "wrong_password");
    assert_eq!(wrong.field(), "password");
    let renewed = alex
        .post(
            "/api/auth/2fa/recovery-codes",
            json!({ "password": PASSWORD }),
        )
        .await
        .expect(200)
        .body;
    let new_codes = renewed["recovery_codes"].as_array().unwrap();
    assert_eq!(new_codes.len(), 10);
    let step = at_second_step(&server, "alex").await;
    verify(&step, &old_codes[0])
        .await
        .expect_error(401, "invalid_code");
    verify(&step, new_codes[0].as_str().unwrap())
        .await
        .expect(200);

    delete_with(&alex, "/api/auth/2fa/totp", json!({ "password": "nope" }))
        .await
        .expect_error(403, "wrong_password");
    let off = delete_with(&alex, "/api/auth/2fa/totp", json!({ "password": PASSWORD }))
        .await
        .expect(200)
        .body;
    assert_eq!(off, json!({ "totp_enabled": false }));
    delete_with(&alex, "/api/auth/2fa/totp", json!({ "password": PASSWORD }))
        .await
        .expect_error(409, "two_factor_not_started");
    let answer = Client::new(&server)
        .login("alex", PASSWORD)
        .await
        .expect(200)
        .body;
    assert_eq!(answer["user"]["username"], "alex", "a password alone again");
    let stored = db.scalar_i64("SELECT COUNT(*) FROM recovery_codes").await;
    assert_eq!(stored, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_second_step_checks_where_requests_come_from_and_what_they_carry() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let alex = patient(&server, "alex").await;
    let (secret, _) = turn_on(&alex).await;
    let step = at_second_step(&server, "alex").await;
    let forged = step
        .request(Method::POST, "/api/auth/2fa/verify")
        .header("Origin", "https://evil.example")
        .json(&json!({ "code": code(&secret, 30) }));
    step.send(forged).await.expect_error(403, "csrf_failed");
    for body in [
        json!({}),
        json!({ "code": 123456 }),
        json!({ "code": null }),
    ] {
        let refused = step
            .post("/api/auth/2fa/verify", body.clone())
            .await
            .expect(422);
        assert_eq!(refused.field(), "code", "{body}");
    }
    let long = "1".repeat(10_000);
    verify(&step, &long).await.expect_error(401, "invalid_code");
    // None of that used up the step's right code.
    verify(&step, &code(&secret, 30)).await.expect(200);
}
