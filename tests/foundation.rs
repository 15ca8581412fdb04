//! The foundation: configuration that fails closed, the commands, the database, and the
//! HTTP conventions, all through the real binary.

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use common::*;
use serde_json::{json, Value};

const SEED_EXAMPLE_KEY: &str = "VyuBxj_oO69TcSj81wguirrLsK3f7F9JioFrGeSTHqI";

fn production_env<'a>(db: &'a TestDb, key: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    let mut env = vec![("DATABASE_URL", db.url.as_str()), ("PORT", "0")];
    if let Some(key) = key {
        env.push(("SECRET_KEY", key));
    }
    env
}

#[tokio::test]
async fn production_refuses_to_start_without_a_strong_key() {
    let db = TestDb::new().await;
    let repeated = "x".repeat(64);
    for key in [
        None,
        Some("too-short-key"),
        Some(repeated.as_str()),
        Some(SEED_EXAMPLE_KEY),
    ] {
        let output = run_binary(&["serve"], &production_env(&db, key), db.dir());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "key {key:?}: {stderr}");
        assert!(
            stderr.contains("SECRET_KEY"),
            "names the variable: {stderr}"
        );
        assert!(
            stderr.contains("healing-space secret generate"),
            "shows the command: {stderr}"
        );
        assert!(!stderr.contains("listening"), "it never listened: {stderr}");
        if let Some(key) = key {
            assert!(!stderr.contains(key), "the key itself is never printed");
        }
        assert_eq!(stderr.lines().count(), 1, "one message: {stderr}");
    }
}

#[tokio::test]
async fn a_fallback_equal_to_the_key_is_refused() {
    let db = TestDb::new().await;
    let mut env = production_env(&db, Some(KEY_A));
    env.push(("SECRET_KEY_FALLBACKS", KEY_A));
    let output = run_binary(&["serve"], &env, db.dir());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("SECRET_KEY_FALLBACKS"), "{stderr}");
}

#[tokio::test]
async fn development_mode_refuses_a_public_address() {
    let db = TestDb::new().await;
    let output = run_binary(
        &["serve", "--dev"],
        &[("DATABASE_URL", &db.url), ("HOST", "0.0.0.0")],
        db.dir(),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("HOST"));
}

#[tokio::test]
async fn development_mode_generates_a_key_once_and_keeps_it() {
    let db = TestDb::new().await;
    let mut server = Server::start(&db, &[]).await;
    server.env.remove("SECRET_KEY");
    server.restart(&[]).await;
    assert!(server.logs().contains("signing key generated and saved"));
    let first = Client::new(&server).get("/api/ready").await.expect(200);
    let key_file = db.dir().join("data/secret_key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert!(
        !server.logs().contains(key.trim()),
        "the key is never logged"
    );

    server.restart(&[]).await;
    let second = Client::new(&server).get("/api/ready").await.expect(200);
    assert_eq!(
        first.body["key_fingerprint"],
        second.body["key_fingerprint"]
    );
    assert_eq!(first.body["key_fingerprint"].as_str().unwrap().len(), 16);
    assert!(server.logs().contains("signing key loaded"));
}

#[tokio::test]
async fn startup_logs_one_line_an_operator_can_compare() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[("SECRET_KEY_FALLBACKS", KEY_B)]).await;
    let ready = Client::new(&server).get("/api/ready").await.expect(200);
    let logs = server.logs();
    let line = logs
        .lines()
        .find(|l| l.contains("Healing Space is listening"))
        .unwrap();
    let fingerprint = ready.body["key_fingerprint"].as_str().unwrap();
    assert!(
        line.contains(&format!("key_fingerprint={fingerprint}")),
        "{line}"
    );
    assert!(line.contains("mode=\"development\""), "{line}");
    assert!(line.contains("fallback_keys=1"), "{line}");
    let kind = if db.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    assert!(line.contains(&format!("database=\"{kind}\"")), "{line}");
    assert_eq!(ready.body["database"], kind);
    assert!(!logs.contains(KEY_A) && !logs.contains(KEY_B));
    assert!(!logs.contains(&db.url), "the database URL is never logged");
}

#[tokio::test]
async fn doctor_fails_on_bad_configurations_and_passes_on_a_good_one() {
    let db = TestDb::new().await;
    let repeated = "y".repeat(48);
    for key in [
        None,
        Some("short"),
        Some(repeated.as_str()),
        Some(SEED_EXAMPLE_KEY),
    ] {
        let output = run_binary(&["doctor"], &production_env(&db, key), db.dir());
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(!output.status.success(), "{stdout}");
        let line = stdout.lines().find(|l| l.contains("SECRET_KEY")).unwrap();
        assert!(line.starts_with("FAIL"), "{line}");
        assert!(line.contains("healing-space secret generate"), "{line}");
        if let Some(key) = key {
            assert!(!stdout.contains(key));
        }
    }
    let good = run_binary(&["doctor"], &production_env(&db, Some(KEY_A)), db.dir());
    let stdout = String::from_utf8_lossy(&good.stdout);
    assert!(good.status.success(), "{stdout}");
    assert!(
        stdout
            .lines()
            .all(|l| l.starts_with("PASS") || l.starts_with("WARN")),
        "{stdout}"
    );
    assert!(stdout.contains("database connection"));
    assert!(!stdout.contains(KEY_A));

    let json_output = run_binary(
        &["doctor", "--json"],
        &production_env(&db, Some("short")),
        db.dir(),
    );
    assert!(!json_output.status.success());
    let report: Value = serde_json::from_slice(&json_output.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let key_check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "SECRET_KEY")
        .unwrap();
    assert_eq!(key_check["status"], "FAIL");
}

#[tokio::test]
async fn doctor_reports_an_unreachable_database() {
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("SECRET_KEY", KEY_A),
        ("DATABASE_URL", "postgres://nobody:hunter2@127.0.0.1:1/none"),
    ];
    let output = run_binary(&["doctor"], &env, dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success());
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("FAIL") && l.contains("database connection")),
        "{stdout}"
    );
    assert!(!stdout.contains("hunter2"), "credentials are never printed");
}

#[tokio::test]
async fn secret_generate_prints_only_a_fresh_key() {
    let dir = tempfile::tempdir().unwrap();
    let first = run_binary(&["secret", "generate"], &[], dir.path());
    let second = run_binary(&["secret", "generate"], &[], dir.path());
    let key = String::from_utf8(first.stdout).unwrap();
    assert!(first.status.success());
    assert_eq!(key.lines().count(), 1);
    let key = key.trim();
    assert!(key.len() >= 43, "32 bytes or more");
    assert!(
        key.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "URL-safe base64: {key}"
    );
    assert_ne!(key, String::from_utf8(second.stdout).unwrap().trim());
    let db = TestDb::new().await;
    let accepted = run_binary(&["doctor"], &production_env(&db, Some(key)), db.dir());
    assert!(
        accepted.status.success(),
        "{}",
        String::from_utf8_lossy(&accepted.stdout)
    );
}

#[tokio::test]
async fn migrate_and_admin_create_prepare_a_database() {
    let db = TestDb::new().await;
    let output = run_binary(&["migrate"], &[("DATABASE_URL", &db.url)], db.dir());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(db.scalar_i64("SELECT COUNT(*) FROM users").await, 0);

    let mut child = std::process::Command::new(BINARY)
        .args(["admin", "create", "--username", "Root.Admin"])
        .env_clear()
        .env("DATABASE_URL", &db.url)
        .current_dir(db.dir())
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a strong admin password\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("a strong admin password"));

    let server = Server::start(&db, &[]).await;
    let client = Client::new(&server);
    let reply = client
        .login("root.admin", "a strong admin password")
        .await
        .expect(200);
    assert_eq!(reply.body["role"], "admin");
    assert_eq!(reply.body["user"]["username"], "root.admin");
}

#[tokio::test]
async fn health_and_readiness() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
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

#[tokio::test]
async fn readiness_fails_when_postgresql_goes_away() {
    let db = TestDb::new().await;
    if !db.is_postgres() {
        return;
    }
    let server = Server::start(&db, &[]).await;
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

#[tokio::test]
async fn every_error_is_json_with_the_right_status() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[("MAX_BODY_BYTES", "1024")]).await;
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

#[tokio::test]
async fn responses_carry_security_headers_and_a_request_id() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
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

#[tokio::test]
async fn production_mode_sends_hsts_and_a_host_prefixed_secure_cookie() {
    let db = TestDb::new().await;
    let mut env = std::collections::BTreeMap::new();
    for (name, value) in [
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
        ("SECRET_KEY", KEY_A),
        ("RUST_LOG", "info"),
    ] {
        env.insert(name.to_owned(), value.to_owned());
    }
    env.insert("DATABASE_URL".into(), db.url.clone());
    let server = Server::start_with(env, &[]).await;
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

#[tokio::test]
async fn sigterm_lets_a_request_in_flight_finish_then_exits_cleanly() {
    let db = TestDb::new().await;
    let mut server = Server::start(&db, &[]).await;
    let body = br#"{"username":"nobody.here","password":"not the password"}"#;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let head = format!(
        "POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let status = {
        let pid = server.pid();
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid as i32),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap();
        std::thread::sleep(Duration::from_millis(500));
        // Still finishing the request: new connections are refused, the old one is served.
        stream.write_all(&body[10..]).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
        assert!(answer.contains("invalid_credentials"), "{answer}");
        server.stop_waiting().await
    };
    assert!(status.success(), "exit status {status:?}");
    assert!(started.elapsed() < Duration::from_secs(15));
    assert!(server.logs().contains("shutting down"));
}

#[tokio::test]
async fn the_web_app_is_served_outside_the_api() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
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
    client
        .get("/no-such-file.js")
        .await
        .expect_error(404, "not_found");
    client
        .get("/api/no-such-route")
        .await
        .expect_error(404, "not_found");
    client
        .post("/", json!({}))
        .await
        .expect_error(405, "method_not_allowed");
}

/// A database made by the release before migration 0006 (which moved when a conversation
/// last had a message from the conversation into its two member rows, and on PostgreSQL
/// made the sender's membership a message's foreign key): after `migrate`, existing
/// conversations keep their order in the inbox, a new message moves one to the top, and
/// deleting an account still deletes the messages it sent and nothing else.
#[tokio::test]
async fn migrating_an_older_database_keeps_its_inbox_order() {
    let db = TestDb::new().await;
    apply_migrations_up_to(&db, 5).await;
    let hash = healing_space::accounts::password::Hasher::new()
        .hash(secrecy::SecretString::from(PASSWORD.to_owned()))
        .await
        .unwrap();
    for sql in [
        format!(
            "INSERT INTO users (id, username, display_name, role, password_hash, approved_at, created_at) \
             VALUES (1, 'dr.old', 'Dr Old', 'clinician', '{hash}', 1, 1), \
             (2, 'pat.one', 'Pat One', 'patient', '{hash}', NULL, 1), \
             (3, 'pat.two', 'Pat Two', 'patient', '{hash}', NULL, 1)"
        ),
        "INSERT INTO care_team_links (patient_id, clinician_id, status, requested_at, decided_at) \
         VALUES (2, 1, 'approved', 1, 1), (3, 1, 'approved', 1, 1)"
            .into(),
        "INSERT INTO conversations (id, subject, created_at, last_message_at) \
         VALUES (1, NULL, 10, 2000), (2, 'Older', 5, 1000)"
            .into(),
        "INSERT INTO conversation_members (conversation_id, user_id) VALUES (1, 1), (1, 2), (2, 1), (2, 3)"
            .into(),
        "INSERT INTO messages (conversation_id, sender_id, content, sent_at) \
         VALUES (2, 3, 'From two', 1000), (1, 2, 'From one', 2000)"
            .into(),
    ] {
        db.execute(&sql).await;
    }

    let output = run_binary(&["migrate"], &[("DATABASE_URL", &db.url)], db.dir());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let server = Server::start(&db, &[]).await;
    let clinician = Client::new(&server);
    clinician.login("dr.old", PASSWORD).await.expect(200);
    let inbox_order = || async {
        let inbox = clinician.get("/api/messages/inbox").await.expect(200);
        inbox.body["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["other"]["username"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(inbox_order().await, ["pat.one", "pat.two"]);

    clinician
        .post(
            "/api/messages/send",
            json!({ "conversation_id": 2, "content": "Still there?" }),
        )
        .await
        .expect(201);
    assert_eq!(inbox_order().await, ["pat.two", "pat.one"]);

    if db.is_postgres() {
        let mut conn = db.connect().await;
        let outsider = sqlx::query(
            "INSERT INTO messages (conversation_id, sender_id, content, sent_at) \
             VALUES (1, 3, 'Not my conversation', 3000)",
        )
        .execute(&mut conn)
        .await
        .expect_err("a message's sender is a member");
        let code = outsider.as_database_error().and_then(|e| e.code());
        assert_eq!(code.as_deref(), Some("23503"), "{outsider}");
    }
    db.execute("DELETE FROM users WHERE id = 3").await;
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM messages WHERE sender_id = 3")
            .await,
        0
    );
    assert_eq!(db.scalar_i64("SELECT COUNT(*) FROM messages").await, 2);
    assert_eq!(inbox_order().await, ["pat.one"]);
}

/// Applies this repository's migrations up to `version` only, as an older release did.
async fn apply_migrations_up_to(db: &TestDb, version: u32) {
    let kind = if db.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(kind);
    let older = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let number: u32 = name.split('_').next().unwrap().parse().unwrap();
        if number <= version {
            std::fs::copy(&path, older.path().join(&name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(older.path()).await.unwrap();
    if db.is_postgres() {
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
            .await
            .unwrap();
        migrator.run(&mut conn).await.unwrap();
    } else {
        let url = format!("{}?mode=rwc", db.url);
        let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
            .await
            .unwrap();
        migrator.run(&mut conn).await.unwrap();
    }
}
