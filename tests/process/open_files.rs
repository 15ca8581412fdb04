//! The open-file limit: raised to the hard limit at start-up, and a `MAX_CONNECTIONS`
//! that cannot fit under it refused by name. The binary runs under `sh`, whose `ulimit`
//! sets the limits it starts with.

use std::process::{Command, Output, Stdio};

use crate::common::*;

/// Seconds after which the binary is stopped (by coreutils' `timeout`), in case it
/// serves where it should have refused to start.
const STOPPED_AFTER: u32 = 30;

/// `healing-space ARGS` after `limit` (arguments to `ulimit`), in development mode on
/// this test's database, with `extra` variables.
fn run_with_open_file_limit(
    db: &TestDb,
    limit: &str,
    args: &[&str],
    extra: &[(&str, &str)],
) -> Output {
    let script = format!("ulimit {limit} && exec timeout {STOPPED_AFTER} \"$0\" \"$@\"");
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(BINARY)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(development_env(db))
        .envs(extra.iter().copied())
        .current_dir(db.dir())
        .stdin(Stdio::null())
        .output()
        .expect("run healing-space under sh")
}

#[tokio::test]
async fn a_connection_cap_over_the_open_file_limit_is_refused_by_name() {
    let db = TestDb::new().await;
    let output =
        run_with_open_file_limit(&db, "-n 1024", &["serve"], &[("MAX_CONNECTIONS", "2000")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("MAX_CONNECTIONS is 2000"), "{stderr}");
    assert!(stderr.contains("only 1024"), "{stderr}");
    assert!(!stderr.contains("listening"), "it never listened: {stderr}");
}

#[tokio::test]
async fn the_open_file_limit_is_raised_to_the_hard_limit() {
    let db = TestDb::new().await;
    let (_, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap();
    // 1,000 connections do not fit under a soft limit of 300, but do under the hard one.
    let output = run_with_open_file_limit(
        &db,
        "-S -n 300",
        &["doctor", "--json"],
        &[("MAX_CONNECTIONS", "1000")],
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("doctor --json: {}", String::from_utf8_lossy(&output.stdout)));
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|check| check["name"] == "MAX_CONNECTIONS")
        .unwrap_or_else(|| panic!("no MAX_CONNECTIONS check: {report}"));
    assert_eq!(check["status"], "PASS", "{check}");
    let message = check["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("open-file limit {hard}")),
        "{message}"
    );
}
