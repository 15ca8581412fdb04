//! The HTTP conventions: health and readiness, JSON errors with the right status,
//! security headers and request ids, production's HSTS and cookie, and the web app served
//! beside the API.

use crate::common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn health_and_readiness() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let client = Client::new(&server);
    let health = client.get("/api/health").await.expect(200);
    assert_eq!(health.body["status"], "ok");
    assert_eq!(health.body["version"], env!("CARGO_PKG_VERSION"));
    let ready = client.get("/api/ready").await.expect(200);
    assert_eq!(ready.body["status"], "ready");

    // A schema this binary does not recognise is not ready.
    db.execute("DELETE FROM _sqlx_migrations").await;
    let not_ready = client.get("/api/ready").await.expect(503);
    assert_eq!(not_ready.body["status"], "unavailable");
    assert_eq!(not_ready.body["error"]["code"], "not_ready");
    assert_eq!(
        not_ready.body["key_fingerprint"],
        ready.body["key_fingerprint"]
    );
    assert_eq!(
        client.get("/api/health").await.status,
        200,
        "liveness does not touch the database"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn readiness_fails_when_postgresql_goes_away() {
    let db = TestDb::new().await;
    if !db.is_postgres() {
        return;
    }
    let server = App::start(&db, &[]).await;
    let client = Client::new(&server);
    client.get("/api/ready").await.expect(200);
    let admin_url = std::env::var("TEST_POSTGRES_URL").unwrap();
    let name = db.url.rsplit('/').next().unwrap().to_owned();
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url)
        .await
        .unwrap();
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .unwrap();
    let reply = client.get("/api/ready").await.expect(503);
    assert_eq!(reply.body["error"]["code"], "not_ready");
    assert_eq!(reply.body["database"], "postgres");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_error_is_json_with_the_right_status() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[("MAX_BODY_BYTES", "1024")]).await;
    let client = Client::new(&server);
    client
        .get("/api/no/such/route")
        .await
        .expect_error(404, "not_found");
    client
        .request(reqwest::Method::DELETE, "/api/health")
        .send()
        .await
        .unwrap();
    let wrong_method = client
        .send(client.request(reqwest::Method::DELETE, "/api/health"))
        .await;
    wrong_method.expect_error(405, "method_not_allowed");
    let big = json!({ "username": "x".repeat(4096), "password": "y" });
    client
        .post("/api/auth/login", big)
        .await
        .expect_error(413, "payload_too_large");
    let malformed = client
        .send(
            client
                .request(reqwest::Method::POST, "/api/auth/login")
                .header("content-type", "application/json")
                .body("{\"username\":"),
        )
        .await;
    malformed.expect_error(400, "malformed_json");
    let not_json = client
        .send(
            client
                .request(reqwest::Method::POST, "/api/auth/login")
                .header("content-type", "text/plain")
                .body("hello"),
        )
        .await;
    not_json.expect_error(415, "unsupported_media_type");
    let missing = client
        .post("/api/auth/login", json!({ "username": "someone" }))
        .await
        .expect_error(422, "validation_failed");
    assert_eq!(missing.field(), "password");
    let wrong_type = client
        .post("/api/auth/login", json!({ "username": 5, "password": "x" }))
        .await
        .expect_error(422, "validation_failed");
    assert_eq!(wrong_type.field(), "username");
    assert_eq!(wrong_type.header("content-type"), "application/json");
}

#[tokio::test(flavor = "multi_thread")]
async fn responses_carry_security_headers_and_a_request_id() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let client = Client::new(&server);
    let reply = client.get("/api/health").await;
    assert_eq!(reply.header("x-content-type-options"), "nosniff");
    assert_eq!(reply.header("x-frame-options"), "DENY");
    assert_eq!(reply.header("referrer-policy"), "same-origin");
    assert_eq!(reply.header("cache-control"), "no-store");
    let csp = reply.header("content-security-policy");
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(reply.header("x-request-id").len(), 36, "a generated id");
    assert!(
        reply.header("strict-transport-security").is_empty(),
        "no HSTS over development http"
    );
    let echoed = client
        .send(
            client
                .request(reqwest::Method::GET, "/api/health")
                .header("x-request-id", "trace-me-42"),
        )
        .await;
    assert_eq!(echoed.header("x-request-id"), "trace-me-42");
}

#[tokio::test(flavor = "multi_thread")]
async fn production_mode_sends_hsts_and_a_host_prefixed_secure_cookie() {
    let db = TestDb::new().await;
    let mut env = std::collections::BTreeMap::new();
    for (name, value) in [
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
        ("SECRET_KEY", KEY_A),
        ("PUBLIC_URL", "https://care.example.org"),
        ("RUST_LOG", "info"),
    ] {
        env.insert(name.to_owned(), value.to_owned());
    }
    env.insert("DATABASE_URL".into(), db.url.clone());
    let server = App::start_with(env, &[]).await;
    let client = Client::new(&server);
    let reply = client.register("prod.user", json!({})).await.expect(201);
    assert!(reply
        .header("strict-transport-security")
        .contains("max-age="));
    let cookie = reply.header("set-cookie");
    assert!(cookie.starts_with("__Host-hs_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_web_app_is_served_outside_the_api() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let client = Client::new(&server);
    for path in ["/", "/messages/12", "/settings"] {
        let page = client.get(path).await.expect(200);
        assert!(
            page.header("content-type").starts_with("text/html"),
            "{path}"
        );
        assert!(page.body.as_str().unwrap().contains("<html"), "{path}");
        let csp = page.header("content-security-policy");
        assert!(
            csp.contains("default-src 'self'")
                && !csp.contains("unsafe-inline")
                && !csp.contains("unsafe-eval")
        );
    }
    // Neither a file nor a screen: the app's own "not found" page, not JSON.
    let missing = client.get("/no-such-file.js").await.expect(404);
    assert!(missing.header("content-type").starts_with("text/html"));
    assert!(missing.body.as_str().unwrap().contains("<html"));
    client
        .get("/api/no-such-route")
        .await
        .expect_error(404, "not_found");
    client
        .post("/", json!({}))
        .await
        .expect_error(405, "method_not_allowed");
}
