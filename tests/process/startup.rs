//! Starting the process: a configuration that fails closed, the development key, and
//! the one line an operator can compare across instances.

use crate::common::*;
use crate::{production_env, SEED_EXAMPLE_KEY};

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
