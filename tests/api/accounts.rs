//! Registration, sign-in and bad input on every account endpoint: a clear 4xx that
//! names the field, never a 500, and nothing half-stored.

use crate::common::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread")]
async fn registration_signs_the_new_person_in() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let client = Client::new(&server);
    let reply = client
        .register(
            "New.Nora",
            json!({ "display_name": "  Nora N  ", "email": "nora@example.org" }),
        )
        .await
        .expect(201);
    assert_eq!(reply.body["user"]["username"], "new.nora");
    assert_eq!(reply.body["user"]["display_name"], "Nora N");
    assert_eq!(reply.body["user"]["email"], "nora@example.org");
    assert_eq!(reply.body["role"], "patient");
    assert_eq!(reply.body["user"]["status"], "active");
    let me = client.get("/api/auth/me").await.expect(200);
    assert_eq!(me.body["user"]["username"], "new.nora");
    assert_eq!(me.body["csrf_token"], reply.body["csrf_token"]);
    let hash: String = {
        let mut conn = db.connect().await;
        sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'new.nora'")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    };
    assert!(hash.starts_with("$argon2id$"), "{hash}");
}

#[tokio::test(flavor = "multi_thread")]
async fn clinicians_start_pending_and_patients_can_ask_to_join_an_approved_one() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let clinician = Client::new(&server);
    let reply = clinician
        .register("dr.kim", json!({ "role": "clinician" }))
        .await
        .expect(201);
    assert_eq!(reply.body["role"], "clinician");
    assert_eq!(reply.body["user"]["status"], "pending");

    let early = Client::new(&server)
        .register("early.ed", json!({ "clinician": "dr.kim" }))
        .await
        .expect_error(422, "validation_failed");
    assert_eq!(early.field(), "clinician");
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM users WHERE username = 'early.ed'")
            .await,
        0,
        "nothing half-stored"
    );

    db.execute("UPDATE users SET approved_at = 1 WHERE username = 'dr.kim'")
        .await;
    Client::new(&server)
        .register("asking.amy", json!({ "clinician": "Dr.Kim" }))
        .await
        .expect(201);
    let pending = db
        .scalar_i64(
            "SELECT COUNT(*) FROM care_team_links l JOIN users p ON p.id = l.patient_id JOIN users c ON c.id = l.clinician_id \
             WHERE p.username = 'asking.amy' AND c.username = 'dr.kim' AND l.status = 'pending'",
        )
        .await;
    assert_eq!(pending, 1);
}

async fn expect_field(client: &Client, path: &str, body: Value, status: u16, field: &str) {
    let reply = client.post(path, body.clone()).await;
    assert_eq!(reply.status, status, "{path} {body}: {}", reply.body);
    assert_eq!(reply.field(), field, "{path} {body}: {}", reply.body);
    assert!(!reply.body["error"]["message"]
        .as_str()
        .unwrap_or("")
        .is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_registrations_name_the_field() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    patient(&server, "taken.tia").await;
    let client = Client::new(&server);
    let path = "/api/auth/register";
    let good = |overrides: Value| {
        let mut body = json!({ "username": "fresh.fred", "password": PASSWORD });
        body.as_object_mut()
            .unwrap()
            .extend(overrides.as_object().unwrap().clone());
        body
    };
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({ "password": PASSWORD }), 422, "username"),
        (json!({ "username": "fresh.fred" }), 422, "password"),
        (good(json!({ "username": 42 })), 422, "username"),
        (good(json!({ "username": "ab" })), 422, "username"),
        (good(json!({ "username": "x".repeat(33) })), 422, "username"),
        (good(json!({ "username": "bad name!" })), 422, "username"),
        (good(json!({ "username": "TAKEN.Tia" })), 409, "username"),
        (good(json!({ "password": "short" })), 422, "password"),
        (
            good(json!({ "password": "p".repeat(257) })),
            422,
            "password",
        ),
        (
            good(json!({ "password": ["not", "a", "string"] })),
            422,
            "password",
        ),
        (good(json!({ "display_name": "" })), 422, "display_name"),
        (
            good(json!({ "display_name": "n".repeat(81) })),
            422,
            "display_name",
        ),
        (good(json!({ "email": "not-an-email" })), 422, "email"),
        (good(json!({ "role": "admin" })), 422, "role"),
        (
            good(json!({ "clinician": "no.such.doctor" })),
            422,
            "clinician",
        ),
        (
            good(json!({ "role": "clinician", "clinician": "taken.tia" })),
            422,
            "clinician",
        ),
    ];
    for (body, status, field) in cases {
        expect_field(&client, path, body, status, field).await;
    }
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM users").await,
        1,
        "no bad registration stored anything"
    );
    client.post(path, good(json!({}))).await.expect(201);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_sign_ins_and_password_changes_name_the_field() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let client = patient(&server, "input.ines").await;
    let anonymous = Client::new(&server);
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({ "password": PASSWORD }), 422, "username"),
        (json!({ "username": "input.ines" }), 422, "password"),
        (
            json!({ "username": "", "password": PASSWORD }),
            422,
            "username",
        ),
        (
            json!({ "username": "input.ines", "password": "p".repeat(300) }),
            422,
            "password",
        ),
        (
            json!({ "username": "u".repeat(100), "password": PASSWORD }),
            422,
            "username",
        ),
        (
            json!({ "username": true, "password": PASSWORD }),
            422,
            "username",
        ),
    ];
    for (body, status, field) in cases {
        expect_field(&anonymous, "/api/auth/login", body, status, field).await;
    }

    let path = "/api/auth/change-password";
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({ "current_password": PASSWORD }), 422, "new_password"),
        (
            json!({ "new_password": "long enough password" }),
            422,
            "current_password",
        ),
        (
            json!({ "current_password": PASSWORD, "new_password": "short" }),
            422,
            "new_password",
        ),
        (
            json!({ "current_password": PASSWORD, "new_password": 12345678 }),
            422,
            "new_password",
        ),
    ];
    for (body, status, field) in cases {
        expect_field(&client, path, body, status, field).await;
    }
    client.get("/api/auth/me").await.expect(200);
    Client::new(&server)
        .login("input.ines", PASSWORD)
        .await
        .expect(200);

    let odd_body = client
        .send(
            client
                .with_csrf(client.request(reqwest::Method::POST, "/api/auth/change-password"))
                .header("content-type", "application/json")
                .body("[1,2,3]"),
        )
        .await;
    assert_eq!(odd_body.status, 422, "{}", odd_body.body);
    let not_found = client
        .delete("/api/auth/sessions/%00%ff-not-a-session")
        .await;
    not_found.expect_error(404, "not_found");
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_out_callers_get_401_on_every_account_route() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let client = Client::new(&server);
    for path in ["/api/auth/me", "/api/auth/sessions"] {
        client
            .get(path)
            .await
            .expect_error(401, "not_authenticated");
    }
    for path in [
        "/api/auth/logout",
        "/api/auth/change-password",
        "/api/auth/sessions/revoke-others",
    ] {
        client
            .post(path, json!({}))
            .await
            .expect_error(401, "not_authenticated");
    }
    client
        .delete("/api/auth/sessions/abc")
        .await
        .expect_error(401, "not_authenticated");
}
