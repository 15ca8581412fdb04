//! Bad input of every kind to the passkey routes: each refusal names its field, and
//! none is a server error.

use super::*;

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_named_and_never_a_server_error() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let at = Localhost(&server);
    let alex = signed_in_patient(&at, "alex").await;
    let mut phone = Authenticator::new(&server);

    // The name: one line, at most 60 characters; without one, the browser's.
    for (name, why) in [
        (json!("x".repeat(61)), "60 characters"),
        (json!("two\nlines"), "line breaks"),
        (json!(42), "string"),
    ] {
        let refused = add_passkey(&alex, &mut phone, name)
            .await
            .expect_error(422, "validation_failed");
        assert_eq!(refused.field(), "name");
        assert!(
            refused.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(why),
            "{}",
            refused.body
        );
    }
    let unnamed = add_passkey(&alex, &mut phone, Value::Null)
        .await
        .expect(201);
    assert!(!unnamed.body["name"].as_str().unwrap().is_empty());

    let started = alex
        .post("/api/auth/passkeys/register/start", json!({}))
        .await
        .expect(200);
    let ceremony = started.body["ceremony"].clone();
    let good = phone.create(&started.body["options"]);
    let finish = |body: Value| {
        let alex = alex.clone();
        async move { alex.post("/api/auth/passkeys/register/finish", body).await }
    };
    // Not JSON, or not the shape of a credential: named, 400 or 422.
    let request = alex
        .with_csrf(alex.request(reqwest::Method::POST, "/api/auth/passkeys/register/finish"))
        .header("Content-Type", "application/json")
        .body("{ not json");
    alex.send(request).await.expect_error(400, "malformed_json");
    finish(json!({ "ceremony": ceremony }))
        .await
        .expect_error(422, "validation_failed");
    for (credential, field) in [
        (json!("a string"), "credential"),
        (json!({}), "credential"),
        (
            {
                let mut bad = good.clone();
                bad["response"]["clientDataJSON"] = json!("***not base64***");
                bad
            },
            "credential.response.clientDataJSON",
        ),
        (
            {
                let mut bad = good.clone();
                bad["rawId"] = json!(17);
                bad
            },
            "credential.rawId",
        ),
    ] {
        let refused = finish(json!({ "ceremony": ceremony, "credential": credential }))
            .await
            .expect_error(422, "validation_failed");
        assert!(
            refused.field().starts_with(field),
            "{field}: {}",
            refused.body
        );
    }
    // Well-formed but forged: bytes that are no attestation, then the real one too late.
    let mut forged = good.clone();
    forged["response"]["attestationObject"] = json!("AAAA");
    finish(json!({ "ceremony": ceremony, "credential": forged }))
        .await
        .expect_error(400, "passkey_not_accepted");
    finish(json!({ "ceremony": ceremony, "credential": good }))
        .await
        .expect_error(400, "passkey_ceremony_expired");
    finish(json!({ "ceremony": "made-up", "credential": good }))
        .await
        .expect_error(400, "passkey_ceremony_expired");

    // Signing in: an unknown ceremony, then forged and unknown credentials.
    add_passkey(&alex, &mut phone, json!("Phone"))
        .await
        .expect(201);
    let stranger = Client::new(&at);
    let (_, options) = start_sign_in(&stranger).await;
    let real = phone.get(&options, phone.credentials.len() - 1);
    finish_sign_in(&stranger, "made-up", &real)
        .await
        .expect_error(400, "passkey_ceremony_expired");
    let (ceremony, _) = start_sign_in(&stranger).await;
    let mut forged = serde_json::to_value(&real).unwrap();
    forged["response"]["signature"] = json!("AAAA");
    let refused = stranger
        .post(
            "/api/auth/passkeys/sign-in/finish",
            json!({ "ceremony": ceremony, "credential": forged }),
        )
        .await
        .expect_error(401, "passkey_not_accepted");
    assert_eq!(refused.field(), "credential");
    let (ceremony, _) = start_sign_in(&stranger).await;
    let mut unknown = serde_json::to_value(&real).unwrap();
    unknown["id"] = json!("AAAAAAAA");
    unknown["rawId"] = json!("AAAAAAAA");
    stranger
        .post(
            "/api/auth/passkeys/sign-in/finish",
            json!({ "ceremony": ceremony, "credential": unknown }),
        )
        .await
        .expect_error(401, "passkey_not_accepted");
    let (ceremony, _) = start_sign_in(&stranger).await;
    let mut no_handle = serde_json::to_value(&real).unwrap();
    no_handle["response"]["userHandle"] = Value::Null;
    stranger
        .post(
            "/api/auth/passkeys/sign-in/finish",
            json!({ "ceremony": ceremony, "credential": no_handle }),
        )
        .await
        .expect_error(401, "passkey_not_accepted");
    for body in [
        json!({ "ceremony": 5, "credential": real }),
        json!({ "credential": real }),
        json!({ "ceremony": "x", "credential": [1, 2] }),
    ] {
        let refused = stranger
            .post("/api/auth/passkeys/sign-in/finish", body)
            .await
            .expect_error(422, "validation_failed");
        assert!(!refused.field().is_empty(), "{}", refused.body);
    }
    stranger
        .get("/api/auth/me")
        .await
        .expect_error(401, "not_authenticated");
}
