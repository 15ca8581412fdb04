//! Messaging at scale: 10,000 people and 1,000,000 messages, 64 concurrent connections.
//!
//! Starts the real server in this process on a fresh database (SQLite always, and
//! PostgreSQL too when `TEST_POSTGRES_URL` is set: a database `hs_scale_<random>` is
//! created on that server and dropped afterwards), then:
//!
//! 1. generates the data set directly in SQL (one big transaction, set-based inserts):
//!    admins, approved clinicians and patients, each patient in one clinician's care
//!    team, one conversation per patient and clinician with alternating messages,
//!    read marks and unread counts, mood check-ins; then `ANALYZE`;
//! 2. prints the query plan of every query the four endpoints run
//!    (`EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL);
//! 3. signs a sample of patients and clinicians in over HTTP;
//! 4. times the store functions behind the endpoints one at a time (no load);
//! 5. load-tests `GET /api/messages/inbox`, `GET /api/messages/conversations/{id}`,
//!    `POST /api/messages/send` and `GET /api/home/data` with 64 keep-alive HTTP/1.1
//!    connections (each endpoint in two segments, ABCD then DCBA) and reports req/s,
//!    p50 and p99 against the target p99 < 20 ms.
//!
//! Sizes: `SCALE_USERS` (10,000), `SCALE_MESSAGES` (1,000,000), `SCALE_SECONDS` (measured
//! seconds per endpoint, 8), `SCALE_SIGNED_IN` (accounts signed in for the load, 256).
//!
//! Run with `cargo bench --bench scale`. The load client is a minimal hand-written
//! HTTP/1.1 client on its own thread, so that it costs as little CPU as possible.
//!
//! The steps are modules: [`data`] (the shape and its generation), [`sign_in`], [`plans`]
//! and [`timings`] (which call the store functions and copy their SQL), [`load`] and
//! [`report`]; this file reads the configuration and runs one database after another.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use healing_space::config::Settings;
use healing_space::sessions;
use healing_space::storage::Database;
use sqlx::AnyPool;

#[path = "../common/mod.rs"]
mod common;
mod data;
mod load;
mod plans;
mod report;
mod sign_in;
mod timings;

use common::{env_number, with_postgres_database, with_server};
use data::{count_rows, generate, Shape};
use load::{run_load, Endpoint, Load};
use plans::print_plans;
use report::print_summary;
use sign_in::sign_in_sample;
use timings::time_queries;

const CONNECTIONS: usize = 64;
const WARM_UP: Duration = Duration::from_secs(1);
const TARGET_P99_MS: f64 = 20.0;
const PASSWORD: &str = "scale bench: correct horse battery staple";
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// Mood check-in days generated per patient (some days are skipped).
const MOOD_DAYS: i64 = 30;
/// Sequential calls per store function in the no-load timings.
const TIMING_ITERATIONS: usize = 200;
const LOREM: &str = "I slept badly again and the mornings are the hardest part of the day. \
     Thank you for the exercises; the breathing one helped on the bus. Could we talk about \
     the medication dose at our next session? Work has been calmer this week and I managed \
     two walks. Please let me know if Thursday still works for you, or suggest another time.";

fn main() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut results = Vec::new();
        if config.wants("sqlite") {
            results.push(bench_sqlite(&config).await?);
        }
        match std::env::var("TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(admin_url) if config.wants("postgres") => {
                results.push(bench_postgres(&config, &admin_url).await?)
            }
            Some(_) => {}
            None => println!("(TEST_POSTGRES_URL is not set: PostgreSQL skipped)\n"),
        }
        print_summary(&config, &mut results);
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Configuration and the shape of the data set

struct Config {
    users: i64,
    messages: i64,
    seconds: f64,
    signed_in: usize,
    /// `SCALE_ONLY=sqlite` or `postgres`: run one database only.
    only: Option<String>,
    /// `SCALE_ENDPOINTS=send,home`: load only these (inbox, conversation, send, home).
    endpoints: Vec<Endpoint>,
    /// `SCALE_KEEP=1`: keep the generated database (SQLite file, PostgreSQL database)
    /// for inspection instead of deleting it, and say where it is.
    keep: bool,
}

impl Config {
    fn from_env() -> anyhow::Result<Config> {
        let config = Config {
            users: env_number("SCALE_USERS", 10_000)?,
            messages: env_number("SCALE_MESSAGES", 1_000_000)?,
            seconds: env_number("SCALE_SECONDS", 8.0)?,
            signed_in: env_number("SCALE_SIGNED_IN", 256)?,
            only: std::env::var("SCALE_ONLY").ok().filter(|v| !v.is_empty()),
            keep: std::env::var("SCALE_KEEP").is_ok_and(|v| v == "1"),
            endpoints: match std::env::var("SCALE_ENDPOINTS") {
                Ok(names) if !names.trim().is_empty() => names
                    .split(',')
                    .map(|name| Endpoint::named(name.trim()))
                    .collect::<anyhow::Result<_>>()?,
                _ => Endpoint::ALL.to_vec(),
            },
        };
        ensure!(config.seconds >= 1.0, "SCALE_SECONDS is at least 1");
        ensure!(config.signed_in >= 4, "SCALE_SIGNED_IN is at least 4");
        Ok(config)
    }

    fn wants(&self, database: &str) -> bool {
        self.only.as_deref().is_none_or(|only| only == database)
    }

    /// Each endpoint is measured in two segments (ABCD then DCBA).
    fn segment(&self) -> Duration {
        Duration::from_secs_f64(self.seconds / 2.0)
    }
}

// ---------------------------------------------------------------------------------------
// Running one database

struct Figures {
    database: &'static str,
    generation_s: f64,
    counts: Vec<(&'static str, i64)>,
    timings: Vec<(String, f64, f64)>,
    loads: Vec<(Endpoint, Load)>,
    /// `/proc/loadavg` (1 minute) before and after the load: how busy the machine was.
    load_average: (String, String),
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

async fn bench_sqlite(config: &Config) -> anyhow::Result<Figures> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/scale.db", dir.path().display());
    let result = bench(config, "sqlite", &url, dir.path()).await;
    if config.keep {
        let kept = dir.keep();
        eprintln!("== kept the SQLite database: {}/scale.db", kept.display());
    }
    result
}

async fn bench_postgres(config: &Config, admin_url: &str) -> anyhow::Result<Figures> {
    let dir = tempfile::tempdir()?;
    with_postgres_database(admin_url, "hs_scale", config.keep, async |url| {
        bench(config, "postgres", url, dir.path()).await
    })
    .await
}

async fn bench(
    config: &Config,
    database: &'static str,
    url: &str,
    data_dir: &std::path::Path,
) -> anyhow::Result<Figures> {
    with_server(database, url, data_dir, async |settings, addr| {
        measure(config, database, settings, addr).await
    })
    .await
}

async fn measure(
    config: &Config,
    database: &'static str,
    settings: &Settings,
    addr: SocketAddr,
) -> anyhow::Result<Figures> {
    let shape = Shape::new(config.users, config.messages)?;
    let db = Database::connect(&settings.database).await?;
    // Generation and plans use sqlx directly: bulk SQL and EXPLAIN, not the app's queries.
    sqlx::any::install_default_drivers();
    let raw = AnyPool::connect(settings.database.expose()).await?;
    let kind = db.kind();
    eprintln!("== {database}: generating {}", shape.describe());
    let started = Instant::now();
    generate(&raw, kind, &shape).await?;
    let generation_s = started.elapsed().as_secs_f64();
    eprintln!("== {database}: generated and analysed in {generation_s:.1} s");
    let counts = count_rows(&raw).await?;

    let accounts = sign_in_sample(addr, &shape, config.signed_in).await?;
    let patient = accounts
        .iter()
        .find(|a| !a.clinician)
        .context("no patient signed in")?;
    let clinician = accounts
        .iter()
        .find(|a| a.clinician)
        .context("no clinician signed in")?;

    println!("\n### {database}: query plans\n");
    print_plans(&raw, kind, &shape, patient, clinician).await?;
    raw.close().await;

    eprintln!("== {database}: timing the store functions one at a time");
    let timings = time_queries(&db, patient, clinician).await?;
    db.close().await;

    let cookie = sessions::cookie::name(settings);
    let accounts = Arc::new(accounts);
    let load_before = load_average();
    let mut loads: Vec<(Endpoint, Load)> = config
        .endpoints
        .iter()
        .map(|e| (*e, Load::default()))
        .collect();
    let order: Vec<Endpoint> = config
        .endpoints
        .iter()
        .chain(config.endpoints.iter().rev())
        .copied()
        .collect();
    for endpoint in order {
        eprintln!(
            "== {database}: {}, {CONNECTIONS} connections, {:.1} s",
            endpoint.label(),
            config.segment().as_secs_f64()
        );
        let load = run_load(
            addr,
            endpoint,
            accounts.clone(),
            cookie.clone(),
            config.segment(),
        )
        .await?;
        ensure!(
            load.errors == 0,
            "{database} {}: {} answers were not {} (first: {})",
            endpoint.label(),
            load.errors,
            endpoint.expected_status(),
            load.first_error.as_deref().unwrap_or("?")
        );
        if let Some((_, total)) = loads.iter_mut().find(|(e, _)| *e == endpoint) {
            total.merge(load);
        }
    }
    Ok(Figures {
        database,
        generation_s,
        counts,
        timings,
        loads,
        load_average: (load_before, load_average()),
    })
}
