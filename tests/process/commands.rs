//! The command line: `doctor`, `secret generate`, `migrate` and `admin create`, and an
//! older release's database migrated forward.

use std::io::Write;

use crate::common::*;
use crate::{production_env, SEED_EXAMPLE_KEY};
use serde_json::{json, Value};

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
    let two_factor = |stdout: &str| {
        stdout
            .lines()
            .find(|l| l.contains("REQUIRE_2FA"))
            .unwrap()
            .to_owned()
    };
    let line = two_factor(&stdout);
    assert!(line.starts_with("PASS"), "{line}");
    assert!(
        line.contains("clinician,admin must sign in with a second factor"),
        "{line}"
    );
    // Turning it off is allowed (trials), never quietly.
    let mut trial = production_env(&db, Some(KEY_A));
    trial.push(("REQUIRE_2FA", "none"));
    let output = run_binary(&["doctor"], &trial, db.dir());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    let line = two_factor(&stdout);
    assert!(line.starts_with("WARN"), "{line}");
    assert!(line.contains("password alone"), "{line}");
    trial.pop();
    trial.push(("REQUIRE_2FA", "clinician,nurses"));
    let output = run_binary(&["doctor"], &trial, db.dir());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(two_factor(&stdout).starts_with("FAIL"), "{stdout}");

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
        // The clinician hid the one message of conversation 2.
        "INSERT INTO hidden_messages (message_id, user_id) VALUES (1, 1)".into(),
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
    // Migration 0011 filled in the newest message each member can see.
    let inbox = clinician.get("/api/messages/inbox").await.expect(200);
    let last = |n: usize| inbox.body["conversations"][n]["last_message"].clone();
    assert_eq!(last(0)["preview"], "From one");
    assert_eq!(last(0)["sender"], "pat.one");
    assert_eq!(last(1), Value::Null, "hidden by the clinician");
    assert_eq!(inbox.body["conversations"][1]["subject"], "Older");
    let pat_two = Client::new(&server);
    pat_two.login("pat.two", PASSWORD).await.expect(200);
    let theirs = pat_two.get("/api/messages/inbox").await.expect(200);
    assert_eq!(
        theirs.body["conversations"][0]["last_message"]["preview"],
        "From two"
    );

    clinician
        .post(
            "/api/messages/send",
            json!({ "conversation_id": 2, "content": "Still there?" }),
        )
        .await
        .expect(201);
    assert_eq!(inbox_order().await, ["pat.two", "pat.one"]);
    let inbox = clinician.get("/api/messages/inbox").await.expect(200);
    assert_eq!(
        inbox.body["conversations"][0]["last_message"]["preview"],
        "Still there?"
    );

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

    // A conversation started by an instance of the release before 0011, during a rolling
    // deploy, has none of the member columns 0011 added: the inbox still shows it whole.
    for sql in [
        "INSERT INTO conversations (id, subject, created_at) VALUES (3, 'Started by an old instance', 3000)",
        "INSERT INTO conversation_members (conversation_id, user_id, last_message_at) \
         VALUES (3, 1, 3000), (3, 2, 3000)",
    ] {
        db.execute(sql).await;
    }
    assert_eq!(inbox_order().await, ["pat.one", "pat.one"]);
    let inbox = clinician.get("/api/messages/inbox").await.expect(200);
    assert_eq!(
        inbox.body["conversations"][0]["subject"],
        "Started by an old instance"
    );
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

#[tokio::test]
async fn doctor_checks_the_mail_server_and_never_shows_its_password() {
    let db = TestDb::new().await;
    let doctor = |extra: &[(&str, &str)]| {
        let mut env = production_env(&db, Some(KEY_A));
        env.extend_from_slice(extra);
        let output = run_binary(&["doctor"], &env, db.dir());
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let line = stdout
            .lines()
            .find(|l| l.contains("SMTP_URL"))
            .unwrap_or_else(|| panic!("no SMTP_URL line: {stdout}"))
            .to_owned();
        (output.status.success(), line)
    };
    let (passed, line) = doctor(&[]);
    assert!(passed && line.starts_with("WARN"), "{line}");
    assert!(line.contains("no mail is sent"), "{line}");

    let from = ("MAIL_FROM", "Clinic <no-reply@clinic.test>");
    let mail = MailServer::start();
    let (passed, line) = doctor(&[("SMTP_URL", &mail.url), from]);
    assert!(passed && line.starts_with("PASS"), "{line}");
    // This server takes no sign-in: credentials it cannot take fail, and stay unshown.
    let with_password = format!("smtp://relay:s3cret-pass@{}", &mail.url[7..]);
    let (passed, line) = doctor(&[("SMTP_URL", &with_password), from]);
    assert!(!passed && line.starts_with("FAIL"), "{line}");
    assert!(
        !line.contains("s3cret-pass") && !line.contains("relay:"),
        "{line}"
    );

    // Nothing listens on the port a closed listener had.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let dead = format!("smtp://relay:s3cret-pass@{closed}");
    let (passed, line) = doctor(&[("SMTP_URL", &dead), from]);
    assert!(!passed && line.starts_with("FAIL"), "{line}");
    assert!(!line.contains("s3cret-pass"), "{line}");
}
