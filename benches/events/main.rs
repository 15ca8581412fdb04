//! Pushed events (`GET /api/events`, issue 17): how soon a message reaches a stream on
//! another instance, and what open streams cost in memory.
//!
//! Starts the release server binary as processes of their own on a fresh database
//! (PostgreSQL when `TEST_POSTGRES_URL` is set, a database `hs_events_<random>` created on
//! that server and dropped afterwards; and SQLite, one instance on a file), generates
//! people with the scale bench's generator (patients, clinicians, care teams, one
//! conversation per patient), signs them in over HTTP, then:
//!
//! 1. **Delivery.** Instances A and B share the database (on SQLite, B is A: SQLite runs
//!    as one instance and passes its events in process). `EVENTS_STREAMS` patients (1,000)
//!    each hold one stream open on B; the clinicians send `EVENTS_MESSAGES` (400) messages
//!    on A, paced at `EVENTS_RATE` (80) a second in all, each to a patient of theirs. For
//!    each message: the send's latency (request written to answer read), and the delivery
//!    (request written to its `message` event read on B's stream, matched by
//!    `message_id`). Target: delivery p99 at most 3 × send p99.
//! 2. **Memory.** A fresh instance C holds `EVENTS_MEMORY_STREAMS` (10,000) streams, ten
//!    per signed-in patient; its `VmRSS` before and with them open. Target: < 300 MB.
//!
//! `EVENTS_ONLY=postgres` or `sqlite` runs one database. Run with
//! `TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench events`.

use std::time::Duration;

use anyhow::ensure;
use sqlx::AnyPool;

#[path = "../common/mod.rs"]
#[allow(dead_code, unused_imports)]
mod common;
// The scale bench's data set: its shape and its generator (which reads the four
// constants below from this crate).
#[path = "../scale/data.rs"]
#[allow(dead_code)]
mod data;
mod delivery;
mod memory;
mod report;
mod server;
mod sign_in;
mod stream;

use common::{env_number, with_postgres_database};
use data::Shape;
use server::Server;

const PASSWORD: &str = "events bench: correct horse battery staple";
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const MOOD_DAYS: i64 = 3;
const LOREM: &str = "I slept badly again and the mornings are the hardest part of the day. \
     Thank you for the exercises; the breathing one helped on the bus. Could we talk about \
     the medication dose at our next session? Work has been calmer this week and I managed \
     two walks. Please let me know if Thursday still works for you, or suggest another time.";
/// The delivery target: delivery p99 at most this many times the send p99.
const TARGET_RATIO: f64 = 3.0;
const TARGET_MEMORY_MB: f64 = 300.0;

pub struct Config {
    streams: usize,
    messages: usize,
    rate: f64,
    memory_streams: usize,
    only: Option<String>,
}

impl Config {
    fn from_env() -> anyhow::Result<Config> {
        let config = Config {
            streams: env_number("EVENTS_STREAMS", 1_000)?,
            messages: env_number("EVENTS_MESSAGES", 400)?,
            rate: env_number("EVENTS_RATE", 80.0)?,
            memory_streams: env_number("EVENTS_MEMORY_STREAMS", 10_000)?,
            only: std::env::var("EVENTS_ONLY").ok().filter(|v| !v.is_empty()),
        };
        ensure!(config.streams >= 100, "EVENTS_STREAMS is at least 100");
        ensure!(config.messages >= 20, "EVENTS_MESSAGES is at least 20");
        ensure!(config.rate > 0.0, "EVENTS_RATE is above 0");
        Ok(config)
    }

    fn wants(&self, database: &str) -> bool {
        self.only.as_deref().is_none_or(|only| only == database)
    }

    /// Enough people for one stream per signed-in patient and a few clinicians.
    fn shape(&self) -> anyhow::Result<Shape> {
        let users = (self.streams + self.streams / 40 + 20) as i64;
        Shape::new(users, 2 * users)
    }
}

fn main() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    // The bench holds every stream's socket: up to the hard limit of open files.
    let files = rlimit::increase_nofile_limit(u64::MAX)?;
    ensure!(
        files as usize > config.streams + config.memory_streams + 256,
        "this process may open only {files} files; raise the hard limit (ulimit -Hn)"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut results = Vec::new();
        match std::env::var("TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(admin_url) if config.wants("postgres") => {
                let dir = tempfile::tempdir()?;
                let figures = with_postgres_database(&admin_url, "hs_events", false, async |url| {
                    bench(&config, "PostgreSQL", url, dir.path()).await
                })
                .await?;
                results.push(figures);
            }
            Some(_) => {}
            None => println!("(TEST_POSTGRES_URL is not set: PostgreSQL skipped)\n"),
        }
        if config.wants("sqlite") {
            let dir = tempfile::tempdir()?;
            let url = format!("sqlite://{}/events.db", dir.path().display());
            results.push(bench(&config, "SQLite", &url, dir.path()).await?);
        }
        report::print(&config, &results);
        Ok(())
    })
}

pub struct Figures {
    database: &'static str,
    delivery: delivery::Delivery,
    memory: memory::Memory,
    load_average: (String, String),
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

async fn bench(
    config: &Config,
    database: &'static str,
    url: &str,
    data_dir: &std::path::Path,
) -> anyhow::Result<Figures> {
    let load_before = load_average();
    let connections = config.streams + 1_000;
    eprintln!("== {database}: starting A (migrations)");
    let a = Server::start("a", url, data_dir, connections).await?;
    let shape = config.shape()?;
    eprintln!("== {database}: generating {}", shape.describe());
    sqlx::any::install_default_drivers();
    let raw = AnyPool::connect(url).await?;
    let kind = if url.starts_with("sqlite") {
        healing_space::config::DatabaseKind::Sqlite
    } else {
        healing_space::config::DatabaseKind::Postgres
    };
    data::generate(&raw, kind, &shape).await?;
    raw.close().await;
    // SQLite is deployed as one instance, whose events reach its streams in process; two
    // servers on one file would be no deployment of ours.
    let b = match kind {
        healing_space::config::DatabaseKind::Sqlite => None,
        healing_space::config::DatabaseKind::Postgres => {
            eprintln!("== {database}: starting B");
            Some(Server::start("b", url, data_dir, connections).await?)
        }
    };

    let people = sign_in::sign_in(a.addr, &shape, config.streams).await?;
    let delivery = delivery::measure(config, &a, b.as_ref().unwrap_or(&a), &people).await?;
    // The streams just closed: let B record them closed before it stops.
    tokio::time::sleep(Duration::from_secs(2)).await;
    if let Some(b) = b {
        b.stop().await?;
    }
    a.stop().await?;

    eprintln!("== {database}: starting C for the memory measure");
    let c = Server::start(
        "c",
        url,
        data_dir,
        config.memory_streams + config.memory_streams / 10 + 100,
    )
    .await?;
    let memory = memory::measure(config, &c, &people.patients).await?;
    c.stop().await?;
    // Let the last closes settle before the database is dropped.
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok(Figures {
        database,
        delivery,
        memory,
        load_average: (load_before, load_average()),
    })
}
