//! Configuration at its extremes: `serve` refuses to start and `doctor` fails, both
//! naming the variable, where the server used to start and then panic at every sign-in,
//! expire every session at once, or let a value into the cookie's attributes.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use healing_space::config::SecretKey;

use crate::common::*;
use crate::production_env;

/// Variables set one at a time on an otherwise good production configuration.
const EXTREMES: &[(&str, &str)] = &[
    // The 64-bit maximum: every sign-in panicked adding it to the retention period.
    ("SESSION_MAX_LIFETIME_SECONDS", "18446744073709551615"),
    // 10^16 s overflows the milliseconds of an expiry: every session expired at once.
    ("SESSION_MAX_LIFETIME_SECONDS", "10000000000000000"),
    ("SESSION_IDLE_TIMEOUT_SECONDS", "10000000000000000"),
    ("SESSION_IDLE_TIMEOUT_SECONDS", "0"),
    ("SESSION_RETENTION_DAYS", "1000000000000000"),
    ("SESSION_PURGE_INTERVAL_SECONDS", "0"),
    ("SESSION_COOKIE_DOMAIN", "care.example.org; SameSite=None"),
    ("SESSION_COOKIE_DOMAIN", "elsewhere.example.net"),
    ("LOGIN_MAX_FAILURES", "-1"),
    ("LOGIN_FAILURE_WINDOW_SECONDS", "99999999999"),
    ("AUTH_RATE_LIMIT_PER_MINUTE", "0"),
    ("MAX_BODY_BYTES", "1"),
    ("REQUEST_TIMEOUT_SECONDS", "18446744073709551616"),
    ("SHUTDOWN_GRACE_SECONDS", "one minute"),
    ("PORT", "70000"),
    ("HOST", "example.org"),
    ("TRUST_PROXY", "perhaps"),
    ("DEBUG", "perhaps"),
    ("PUBLIC_URL", "https://care.example.org/app"),
    ("PUBLIC_URL", "http://care.example.org"),
    ("DATABASE_URL", "sqlite://"),
    (
        "CRISIS_RESOURCES",
        "{\"message\": \"Call 112\", \"resources\": []}",
    ),
    ("SECRET_KEY_NEXT", "too-short"),
    ("SECRET_KEY_NEXT", KEY_A),
    ("SECRET_KEY_FALLBACKS", KEY_A),
    ("METRICS_TOKEN", "too-short"),
    // A scraper must never hold the signing key.
    ("METRICS_TOKEN", KEY_A),
    ("LOG_FORMAT", "xml"),
];

#[tokio::test]
async fn serve_refuses_every_extreme_naming_the_variable() {
    let db = TestDb::new().await;
    for (name, value) in EXTREMES {
        let env = with(production_env(&db, Some(KEY_A)), name, Some(value));
        let stderr = serve_expecting_refusal(&env, &db);
        assert!(stderr.contains(name), "{name}={value}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one message: {stderr}");
        assert!(!stderr.contains(KEY_A), "the key itself is never printed");
    }
}

#[tokio::test]
async fn doctor_fails_every_extreme_naming_the_variable() {
    let db = TestDb::new().await;
    for (name, value) in EXTREMES {
        let env = with(production_env(&db, Some(KEY_A)), name, Some(value));
        let output = run_binary(&["doctor"], &env, db.dir());
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(!output.status.success(), "{name}={value}: {stdout}");
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("FAIL") && l.contains(name)),
            "{name}={value}: {stdout}"
        );
        assert!(!stdout.contains(KEY_A), "the key itself is never printed");
    }
}

#[tokio::test]
async fn production_needs_an_https_public_url() {
    let db = TestDb::new().await;
    let env = with(production_env(&db, Some(KEY_A)), "PUBLIC_URL", None);
    let stderr = serve_expecting_refusal(&env, &db);
    assert!(stderr.contains("PUBLIC_URL is not set"), "{stderr}");
    assert!(stderr.contains("https://"), "{stderr}");
}

#[tokio::test]
async fn doctor_lists_every_problem_at_once() {
    let db = TestDb::new().await;
    let mut env = with(production_env(&db, Some("short")), "PUBLIC_URL", None);
    env.push(("SESSION_MAX_LIFETIME_SECONDS", "18446744073709551615"));
    env.push(("SESSION_COOKIE_DOMAIN", "care.example.org; SameSite=None"));
    let output = run_binary(&["doctor"], &env, db.dir());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let failed: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
    for name in [
        "SECRET_KEY",
        "PUBLIC_URL",
        "SESSION_MAX_LIFETIME_SECONDS",
        "SESSION_COOKIE_DOMAIN",
    ] {
        assert!(failed.iter().any(|l| l.contains(name)), "{name}: {stdout}");
    }
    assert!(stdout.contains("database connection"), "{stdout}");
}

#[tokio::test]
async fn doctor_reports_a_staged_key_by_its_fingerprint_only() {
    let db = TestDb::new().await;
    let mut env = production_env(&db, Some(KEY_A));
    env.push(("SECRET_KEY_NEXT", KEY_B));
    let output = run_binary(&["doctor"], &env, db.dir());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    let staged = stdout
        .lines()
        .find(|l| l.contains("SECRET_KEY_NEXT"))
        .unwrap_or_else(|| panic!("a line for the staged key: {stdout}"));
    assert!(staged.starts_with("PASS"), "{staged}");
    let fingerprint = SecretKey::parse(KEY_B).unwrap().fingerprint();
    assert!(staged.contains(&fingerprint), "{staged}");
    assert!(
        !stdout.contains(KEY_B) && !stdout.contains(KEY_A),
        "{stdout}"
    );
}

/// `env` with `name` set to `value`, or removed.
fn with<'a>(
    mut env: Vec<(&'a str, &'a str)>,
    name: &'a str,
    value: Option<&'a str>,
) -> Vec<(&'a str, &'a str)> {
    env.retain(|(n, _)| *n != name);
    env.extend(value.map(|v| (name, v)));
    env
}

/// Runs `serve` and expects it to exit with the configuration status (2), returning
/// what it printed. A server that starts listening instead is stopped and the test fails,
/// so no wait is needed to tell a refusal from a start.
fn serve_expecting_refusal(env: &[(&str, &str)], db: &TestDb) -> String {
    let mut child = Command::new(BINARY)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .current_dir(db.dir())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start healing-space");
    let mut printed = String::new();
    for line in BufReader::new(child.stderr.take().unwrap())
        .lines()
        .map_while(Result::ok)
    {
        if line.contains("Healing Space is listening") {
            let _ = child.kill();
            let _ = child.wait();
            panic!("it started instead of refusing ({env:?}):\n{printed}{line}");
        }
        printed.push_str(&line);
        printed.push('\n');
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2), "{printed}");
    printed
}
