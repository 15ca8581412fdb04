//! A SQLite database the process cannot write: `serve` and `doctor` refuse it at start,
//! naming the file, rather than start and answer every write with an error.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// How long `serve` may take to refuse; one that is still running by then has started.
const REFUSES_WITHIN: Duration = Duration::from_secs(20);

#[tokio::test]
async fn serve_and_doctor_refuse_a_database_file_they_cannot_write() {
    let db = TestDb::new().await;
    let folder = db.dir().join("store");
    let file = folder.join("healing-space.db");
    let url = format!("sqlite://{}", file.display());
    let migrated = run_binary(&["migrate"], &[("DATABASE_URL", &url)], db.dir());
    assert!(migrated.status.success(), "{migrated:?}");

    let read_only_file = match ReadOnlyBind::new(&file) {
        Ok(bind) => bind,
        Err(why) => {
            eprintln!("skipped: this test makes a file read-only with a bind mount: {why}");
            return;
        }
    };
    assert_refused(&db, &file);
    drop(read_only_file);

    let _read_only_folder = ReadOnlyBind::new(&folder).expect("a read-only folder");
    assert_refused(&db, &file);
    assert_refused(&db, &folder.join("new.db"));
}

/// `serve` exits with an error and `doctor` fails its database check, each naming `file`.
#[track_caller]
fn assert_refused(db: &TestDb, file: &Path) {
    let url = format!("sqlite://{}", file.display());
    let named = file.display().to_string();
    let data_dir = db.dir().join("data").display().to_string();
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("DATA_DIR", data_dir.as_str()),
        ("SECRET_KEY", KEY_A),
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
    ];
    let serve = run_until_exit(&["serve", "--dev"], &env, db.dir());
    let stderr = String::from_utf8_lossy(&serve.stderr);
    assert_eq!(serve.status.code(), Some(1), "serve on {named}: {stderr}");
    assert!(stderr.contains(&named), "serve names the file: {stderr}");
    assert!(
        stderr.contains("cannot be written"),
        "and says why: {stderr}"
    );
    assert!(!stderr.contains("listening"), "it never listened: {stderr}");

    let doctor = run_binary(&["doctor", "--dev"], &env, db.dir());
    let stdout = String::from_utf8_lossy(&doctor.stdout);
    assert_eq!(doctor.status.code(), Some(1), "doctor on {named}: {stdout}");
    let line = stdout
        .lines()
        .find(|line| line.contains("database connection"))
        .unwrap_or_default();
    assert!(line.starts_with("FAIL"), "{stdout}");
    assert!(line.contains(&named), "doctor names the file: {stdout}");
}

/// Runs the binary until it exits; one still running after `REFUSES_WITHIN` is killed,
/// and the test fails.
fn run_until_exit(args: &[&str], env: &[(&str, &str)], dir: &Path) -> Output {
    let mut child = Command::new(BINARY)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run healing-space");
    let started = Instant::now();
    while child.try_wait().expect("wait for healing-space").is_none() {
        if started.elapsed() > REFUSES_WITHIN {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "`healing-space {}` was still running after {REFUSES_WITHIN:?}: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}
