//! What a signed-in request costs compared with one that never touches the database.
//!
//! Starts the real server in this process on a fresh database (SQLite always, and
//! PostgreSQL too when `TEST_POSTGRES_URL` is set), registers one account, then:
//!
//! - times `sessions::lookup` directly (the check every authenticated request makes);
//! - load-tests `GET /api/health` and `GET /api/auth/me` (with the session cookie) over
//!   loopback with 64 keep-alive HTTP/1.1 connections, alternating the two endpoints
//!   (health, me, me, health) so that a noisy machine penalises both alike.
//!
//! Run with `cargo bench --bench sessions`. The load client is a minimal hand-written
//! HTTP/1.1 client so that it costs as little CPU as possible next to the server.
//!
//! On a small shared machine throughput swings with whatever else runs, so on Linux the
//! bench also reports the CPU time this process (server and client together) spent per
//! request, read from `/proc/self/stat`; that figure is far less sensitive to neighbours.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::ensure;
use healing_space::config::Settings;
use healing_space::sessions::{self, Lookup};
use healing_space::storage::{self, Database};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

mod common;
use common::{with_postgres_database, with_server};

const CONNECTIONS: usize = 64;
const WARM_UP: Duration = Duration::from_secs(1);
/// Each endpoint is measured twice for this long (ABBA order), so 5 s each in total.
const SEGMENT: Duration = Duration::from_millis(2500);
const LOOKUP_WARM_UP: usize = 200;
const LOOKUP_ITERATIONS: usize = 2_000;

struct Figures {
    database: &'static str,
    lookup_us: f64,
    select_one_us: f64,
    health: Load,
    me: Load,
}

#[derive(Default)]
struct Load {
    requests: u64,
    errors: u64,
    seconds: f64,
    /// Measured segments merged in (0 for one connection's share of a segment).
    segments: u32,
    /// CPU seconds of this whole process during the measured time; None off Linux.
    cpu_seconds: Option<f64>,
    latencies_us: Vec<u32>,
}

impl Load {
    fn merge(&mut self, other: Load) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.seconds += other.seconds;
        self.cpu_seconds = if self.segments == 0 {
            other.cpu_seconds
        } else {
            self.cpu_seconds.zip(other.cpu_seconds).map(|(a, b)| a + b)
        };
        self.segments += other.segments;
        self.latencies_us.extend(other.latencies_us);
    }

    fn cpu_us_per_request(&self) -> Option<f64> {
        self.cpu_seconds
            .map(|cpu| cpu * 1e6 / self.requests.max(1) as f64)
    }

    fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    fn percentile_ms(&mut self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        self.latencies_us.sort_unstable();
        let rank = ((self.latencies_us.len() as f64 * p).ceil() as usize).max(1) - 1;
        f64::from(self.latencies_us[rank.min(self.latencies_us.len() - 1)]) / 1000.0
    }
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut results = vec![bench_sqlite().await?];
        match std::env::var("TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(admin_url) => results.push(bench_postgres(&admin_url).await?),
            None => println!("(TEST_POSTGRES_URL is not set: PostgreSQL skipped)\n"),
        }
        print_table(&mut results);
        Ok(())
    })
}

async fn bench_sqlite() -> anyhow::Result<Figures> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/bench.db", dir.path().display());
    bench("sqlite", &url, dir.path()).await
}

async fn bench_postgres(admin_url: &str) -> anyhow::Result<Figures> {
    let dir = tempfile::tempdir()?;
    with_postgres_database(admin_url, "hs_bench", false, async |url| {
        bench("postgres", url, dir.path()).await
    })
    .await
}

async fn bench(
    database: &'static str,
    url: &str,
    data_dir: &std::path::Path,
) -> anyhow::Result<Figures> {
    with_server(database, url, data_dir, async |settings, addr| {
        measure(database, settings, addr).await
    })
    .await
}

async fn measure(
    database: &'static str,
    settings: &Settings,
    addr: SocketAddr,
) -> anyhow::Result<Figures> {
    let token = register(addr).await?;

    eprintln!("== {database}: timing sessions::lookup");
    let db = Database::connect(&settings.database).await?;
    let (lookup_us, select_one_us) = time_lookup(&db, settings, &token).await;
    db.close().await;
    let (lookup_us, select_one_us) = (lookup_us?, select_one_us?);

    let host = format!("Host: {addr}\r\nUser-Agent: hs-bench\r\nAccept: */*\r\n");
    let health = format!("GET /api/health HTTP/1.1\r\n{host}\r\n").into_bytes();
    let me = format!(
        "GET /api/auth/me HTTP/1.1\r\n{host}Cookie: {}={token}\r\n\r\n",
        sessions::cookie::name(settings)
    )
    .into_bytes();

    let mut health_load = Load::default();
    let mut me_load = Load::default();
    for (label, request) in [
        ("health", &health),
        ("me", &me),
        ("me", &me),
        ("health", &health),
    ] {
        eprintln!(
            "== {database}: GET {label}, {CONNECTIONS} connections, {:.1} s",
            SEGMENT.as_secs_f64()
        );
        let load = load(addr, request).await?;
        ensure!(
            load.errors == 0,
            "{database} {label}: {} answers were not 200",
            load.errors
        );
        if label == "health" {
            health_load.merge(load);
        } else {
            me_load.merge(load);
        }
    }
    Ok(Figures {
        database,
        lookup_us,
        select_one_us,
        health: health_load,
        me: me_load,
    })
}

/// Registers an account and returns the raw session token from its cookie.
async fn register(addr: SocketAddr) -> anyhow::Result<String> {
    let client = reqwest::Client::new();
    let response = client
        .post(format!("http://{addr}/api/auth/register"))
        .json(&serde_json::json!({
            "username": "bench_user",
            "password": "correct horse battery staple",
            "display_name": "Bench User",
        }))
        .send()
        .await?;
    ensure!(
        response.status() == reqwest::StatusCode::CREATED,
        "registration answered {}",
        response.status()
    );
    let token = common::session_cookie(&response)?;
    let me = client
        .get(format!("http://{addr}/api/auth/me"))
        .header(reqwest::header::COOKIE, format!("hs_session={token}"))
        .send()
        .await?;
    ensure!(
        me.status() == reqwest::StatusCode::OK,
        "/api/auth/me with the new cookie answered {}",
        me.status()
    );
    Ok(token)
}

/// Mean µs of one `sessions::lookup`, and of a bare `SELECT 1` on the same pool for scale.
async fn time_lookup(
    db: &Database,
    settings: &Settings,
    token: &str,
) -> (anyhow::Result<f64>, anyhow::Result<f64>) {
    let lookup = async {
        for _ in 0..LOOKUP_WARM_UP {
            sessions::lookup(db, &settings.sessions, token).await?;
        }
        let start = Instant::now();
        for _ in 0..LOOKUP_ITERATIONS {
            let outcome = sessions::lookup(db, &settings.sessions, token).await?;
            ensure!(
                matches!(outcome, Lookup::Live(_)),
                "sessions::lookup refused the bench session"
            );
        }
        Ok(start.elapsed().as_secs_f64() * 1e6 / LOOKUP_ITERATIONS as f64)
    }
    .await;
    let select_one = async {
        for _ in 0..LOOKUP_WARM_UP {
            storage::query("SELECT 1").execute(db).await?;
        }
        let start = Instant::now();
        for _ in 0..LOOKUP_ITERATIONS {
            storage::query("SELECT 1").execute(db).await?;
        }
        Ok(start.elapsed().as_secs_f64() * 1e6 / LOOKUP_ITERATIONS as f64)
    }
    .await;
    (lookup, select_one)
}

/// `CONNECTIONS` tasks, each on its own keep-alive connection, sending `request` back to
/// back; only answers completed within the measured segment after the warm-up count.
async fn load(addr: SocketAddr, request: &[u8]) -> anyhow::Result<Load> {
    let start = Instant::now() + WARM_UP;
    let end = start + SEGMENT;
    let mut tasks = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        let request = request.to_vec();
        tasks.push(tokio::spawn(async move {
            connection(addr, &request, start, end).await
        }));
    }
    tokio::time::sleep_until(start.into()).await;
    let cpu_before = process_cpu_seconds();
    tokio::time::sleep_until(end.into()).await;
    let cpu_after = process_cpu_seconds();
    let mut total = Load::default();
    for task in tasks {
        total.merge(task.await??);
    }
    total.seconds = SEGMENT.as_secs_f64();
    total.segments = 1;
    total.cpu_seconds = cpu_before.zip(cpu_after).map(|(a, b)| b - a);
    Ok(total)
}

/// User plus system CPU time of every thread of this process, from `/proc/self/stat`
/// (fields 14 and 15, in clock ticks of 1/100 s, as on every mainstream Linux).
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let mut fields = stat.get(stat.rfind(')')? + 2..)?.split(' ').skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((user + system) as f64 / 100.0)
}

async fn connection(
    addr: SocketAddr,
    request: &[u8],
    start: Instant,
    end: Instant,
) -> anyhow::Result<Load> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut buffer = Vec::with_capacity(4096);
    let mut load = Load::default();
    loop {
        let sent = Instant::now();
        if sent >= end {
            break;
        }
        stream.write_all(request).await?;
        let (status, _) = common::read_response(&mut stream, &mut buffer).await?;
        let done = Instant::now();
        if sent >= start && done <= end {
            load.requests += 1;
            if status != 200 {
                load.errors += 1;
            }
            let micros = done.duration_since(sent).as_micros();
            load.latencies_us
                .push(u32::try_from(micros).unwrap_or(u32::MAX));
        }
    }
    Ok(load)
}

fn print_table(results: &mut [Figures]) {
    println!();
    println!(
        "Sessions benchmark: {CONNECTIONS} keep-alive connections over loopback, \
         {:.1} s measured per endpoint (ABBA order, {:.0} s warm-up per segment); \
         lookup = mean of {LOOKUP_ITERATIONS} calls",
        2.0 * SEGMENT.as_secs_f64(),
        WARM_UP.as_secs_f64()
    );
    println!();
    println!(
        "| database | endpoint         |    req/s | p50 ms | p99 ms | CPU µs/req | me/health | lookup µs | SELECT 1 µs |"
    );
    println!(
        "|----------|------------------|---------:|-------:|-------:|-----------:|----------:|----------:|------------:|"
    );
    let cell = |value: Option<f64>, decimals: usize| {
        value.map_or_else(String::new, |v| format!("{v:.decimals$}"))
    };
    for f in results.iter_mut() {
        let ratio = f.me.per_second() / f.health.per_second();
        let rows = [
            ("GET /api/health", &mut f.health, None, None, None),
            (
                "GET /api/auth/me",
                &mut f.me,
                Some(ratio),
                Some(f.lookup_us),
                Some(f.select_one_us),
            ),
        ];
        for (endpoint, load, ratio, lookup, select_one) in rows {
            println!(
                "| {:<8} | {:<16} | {:>8.0} | {:>6.2} | {:>6.2} | {:>10} | {:>9} | {:>9} | {:>11} |",
                f.database,
                endpoint,
                load.per_second(),
                load.percentile_ms(0.50),
                load.percentile_ms(0.99),
                cell(load.cpu_us_per_request(), 1),
                cell(ratio, 2),
                cell(lookup, 1),
                cell(select_one, 1),
            );
        }
    }
    println!();
    for f in results.iter() {
        let ratio = f.me.per_second() / f.health.per_second();
        let cpu =
            f.me.cpu_us_per_request()
                .zip(f.health.cpu_us_per_request())
                .map_or_else(String::new, |(me, health)| {
                    format!("; CPU per request {:.1}x that of /api/health", me / health)
                });
        println!(
            "{}: /api/auth/me reaches {:.0}% of /api/health throughput (target: at least 50%) -> {}{cpu}",
            f.database,
            ratio * 100.0,
            if ratio >= 0.5 { "MET" } else { "MISSED" },
        );
    }
}
