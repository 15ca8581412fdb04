//! The test harness: a fresh database per test (SQLite, or PostgreSQL when
//! `TEST_POSTGRES_URL` is set), the server started inside the test process ([`App`]) or as
//! the real `healing-space` process ([`Server`]), and a cookie-keeping HTTP client that
//! sends the CSRF token like the web app does.
//!
//! For several instances behind a load balancer: a signed-in person whose requests go
//! round-robin and pass over an instance that is down ([`Balanced`]).
//!
//! For failing infrastructure: a PostgreSQL server a test may stop and start
//! ([`ThrowawayPostgres`]), a small disk to fill and read-only mounts ([`mounts`]).
//!
//! Tests start the app in this process; only tests about the process itself (restarts,
//! signals, several instances, the command line, refusals to start, its log) start the
//! binary. Both are started with the same environment ([`development_env`]).
#![allow(dead_code)]

pub mod app;
pub mod balanced;
pub mod client;
pub mod db;
pub mod mail;
pub mod mounts;
pub mod people;
pub mod plain_get;
pub mod process;
pub mod raw;
pub mod throwaway_postgres;

use std::collections::BTreeMap;

pub use app::App;
// Only the tests of faults use it, so not every test binary does.
#[allow(unused_imports)]
pub use balanced::*;
pub use client::*;
pub use db::*;
// Only the tests of mail use it, so not every test binary does.
#[allow(unused_imports)]
pub use mail::*;
pub use people::*;
// Only the API tests of caching and compression use it.
#[allow(unused_imports)]
pub use plain_get::*;
pub use process::*;
// Only the tests of failing infrastructure use these, so not every test binary does.
#[allow(unused_imports)]
pub use mounts::*;
#[allow(unused_imports)]
pub use throwaway_postgres::*;

pub const PASSWORD: &str = "correct horse battery";
pub const KEY_A: &str = "test-key-A-0123456789-abcdefghijklmnopqrstuvwxyz";
pub const KEY_B: &str = "test-key-B-9876543210-ZYXWVUTSRQPONMLKJIHGFEDCBA";

/// Development mode on loopback, a free port, `KEY_A`, a generous per-address limit, and
/// this test's database and data folder.
pub fn development_env(db: &TestDb) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for (name, value) in [
        ("DEBUG", "1"),
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
        ("SECRET_KEY", KEY_A),
        ("AUTH_RATE_LIMIT_PER_MINUTE", "1000"),
    ] {
        env.insert(name.to_owned(), value.to_owned());
    }
    env.insert("DATABASE_URL".into(), db.url.clone());
    env.insert(
        "DATA_DIR".into(),
        db.dir().join("data").display().to_string(),
    );
    env
}

impl App {
    /// [`development_env`] with `extra`, in this process.
    pub async fn start(db: &TestDb, extra: &[(&str, &str)]) -> App {
        App::start_with(development_env(db), extra).await
    }

    pub async fn start_with(mut env: BTreeMap<String, String>, extra: &[(&str, &str)]) -> App {
        for (name, value) in extra {
            env.insert((*name).to_owned(), (*value).to_owned());
        }
        log_to_test_output();
        App::spawn(env).await.expect("the server starts")
    }
}

/// The in-process servers log into the output of the test they run for (the runtime's
/// threads inherit the test's output capture), shown when it fails or with `--nocapture`.
/// One subscriber for the whole test binary, with the binary's default filter.
fn log_to_test_output() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn")
        });
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .with_ansi(false)
            .try_init();
    });
}
