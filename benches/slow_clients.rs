//! `GET /api/health` latency with and without 2,000 slow or idle connections open, in one
//! run. Target: p99 with them at most 2x p99 without.
//!
//! Starts the real server in this process on SQLite (the health check does not touch
//! the database), then measures a paced load in the order without, with, with, without:
//! the 2,000 connections are opened after the first segment and closed before the last,
//! so a noisy machine penalises both alike. They are:
//!
//! - slow: a request line and a `Host`, then one byte of a header every second, never
//!   finishing it;
//! - silent: connected, sending nothing;
//! - idle: served one request, then kept alive without another.
//!
//! The server's timeouts are raised for the run so that they all stay open throughout
//! (the bench checks); with the defaults, the server closes them after 10 and 75 s.
//!
//! Run with `cargo bench --bench slow_clients`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

// Shared with the other benches; this one needs only the server and the response reader.
#[allow(dead_code, unused_imports)]
mod common;
use common::with_server_and;

const SLOW: usize = 700;
const SILENT: usize = 700;
const IDLE: usize = 600;
const TRICKLE_EVERY: Duration = Duration::from_secs(1);
/// The load: this many keep-alive connections, each sending a request every `PACE`
/// (2,000 requests a second in all, well below what the server can answer, so that the
/// latency measured is the server's and not a queue's).
const LOAD_CONNECTIONS: usize = 8;
const PACE: Duration = Duration::from_millis(4);
const WARM_UP: Duration = Duration::from_secs(1);
const SEGMENT: Duration = Duration::from_secs(4);
const HEALTH: &[u8] = b"GET /api/health HTTP/1.1\r\nHost: bench\r\nUser-Agent: hs-bench\r\n\r\n";

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}/bench.db", dir.path().display());
        let keep_them_open = [
            ("HEADER_READ_TIMEOUT_SECONDS", "300"),
            ("KEEP_ALIVE_TIMEOUT_SECONDS", "300"),
        ];
        let (mut without, mut with) = with_server_and(
            "sqlite",
            &url,
            dir.path(),
            &keep_them_open,
            async |_, addr| measure(addr).await,
        )
        .await?;
        report(&mut without, &mut with);
        Ok(())
    })
}

async fn measure(addr: SocketAddr) -> anyhow::Result<(Vec<u32>, Vec<u32>)> {
    let mut without = Vec::new();
    let mut with = Vec::new();
    eprintln!("== without: {LOAD_CONNECTIONS} connections, {SEGMENT:?}");
    without.extend(load(addr).await?);
    let crowd = Crowd::open(addr).await?;
    eprintln!("== opened {} slow or idle connections", crowd.total());
    for _ in 0..2 {
        eprintln!("== with them: {LOAD_CONNECTIONS} connections, {SEGMENT:?}");
        with.extend(load(addr).await?);
    }
    let open = crowd.still_open();
    ensure!(
        open == crowd.total(),
        "only {open} of the {} slow or idle connections stayed open",
        crowd.total()
    );
    drop(crowd);
    eprintln!("== without again");
    without.extend(load(addr).await?);
    Ok((without, with))
}

/// The slow, silent and idle connections, and the task that trickles the slow ones.
struct Crowd {
    slow: Arc<Vec<TcpStream>>,
    others: Vec<TcpStream>,
    trickle: tokio::task::JoinHandle<()>,
}

impl Crowd {
    async fn open(addr: SocketAddr) -> anyhow::Result<Crowd> {
        let mut slow = Vec::with_capacity(SLOW);
        for _ in 0..SLOW {
            let mut stream = TcpStream::connect(addr).await?;
            stream
                .write_all(b"GET /api/health HTTP/1.1\r\nHost: bench\r\nX-Slow: ")
                .await?;
            slow.push(stream);
        }
        let mut others = Vec::with_capacity(SILENT + IDLE);
        for _ in 0..SILENT {
            others.push(TcpStream::connect(addr).await?);
        }
        let mut buffer = Vec::new();
        for _ in 0..IDLE {
            let mut stream = TcpStream::connect(addr).await?;
            stream.write_all(HEALTH).await?;
            let (status, _) = common::read_response(&mut stream, &mut buffer).await?;
            ensure!(
                status == 200,
                "an idle connection's request answered {status}"
            );
            others.push(stream);
        }
        let slow = Arc::new(slow);
        let trickle = tokio::spawn(trickle(slow.clone()));
        Ok(Crowd {
            slow,
            others,
            trickle,
        })
    }

    fn total(&self) -> usize {
        self.slow.len() + self.others.len()
    }

    /// Connections the server has not closed: a read would still wait.
    fn still_open(&self) -> usize {
        let mut scratch = [0u8; 64];
        self.slow
            .iter()
            .chain(&self.others)
            .filter(|stream| {
                matches!(stream.try_read(&mut scratch),
                    Err(error) if error.kind() == std::io::ErrorKind::WouldBlock)
            })
            .count()
    }
}

impl Drop for Crowd {
    fn drop(&mut self) {
        self.trickle.abort();
    }
}

async fn trickle(slow: Arc<Vec<TcpStream>>) {
    let mut ticks = tokio::time::interval(TRICKLE_EVERY);
    loop {
        ticks.tick().await;
        for stream in slow.iter() {
            let _ = stream.try_write(b"x");
        }
    }
}

/// `LOAD_CONNECTIONS` paced clients; the latencies (µs) of the answers completed within
/// the segment after the warm-up.
async fn load(addr: SocketAddr) -> anyhow::Result<Vec<u32>> {
    let start = Instant::now() + WARM_UP;
    let end = start + SEGMENT;
    let mut tasks = Vec::with_capacity(LOAD_CONNECTIONS);
    for client in 0..LOAD_CONNECTIONS {
        // Staggered so that the clients' requests do not all arrive together.
        let offset = PACE * client as u32 / LOAD_CONNECTIONS as u32;
        tasks.push(tokio::spawn(paced_client(addr, offset, start, end)));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    Ok(latencies)
}

async fn paced_client(
    addr: SocketAddr,
    offset: Duration,
    start: Instant,
    end: Instant,
) -> anyhow::Result<Vec<u32>> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut buffer = Vec::with_capacity(4096);
    let mut latencies = Vec::new();
    let mut ticks = tokio::time::interval_at((Instant::now() + offset).into(), PACE);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let sent = Instant::now();
        if sent >= end {
            return Ok(latencies);
        }
        stream.write_all(HEALTH).await?;
        let (status, _) = common::read_response(&mut stream, &mut buffer)
            .await
            .context("a health check")?;
        ensure!(status == 200, "/api/health answered {status}");
        let done = Instant::now();
        if sent >= start && done <= end {
            let micros = done.duration_since(sent).as_micros();
            latencies.push(u32::try_from(micros).unwrap_or(u32::MAX));
        }
    }
}

fn percentile_ms(latencies: &mut [u32], p: f64) -> f64 {
    latencies.sort_unstable();
    let rank = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len());
    f64::from(latencies[rank - 1]) / 1000.0
}

fn report(without: &mut [u32], with: &mut [u32]) {
    println!();
    println!(
        "Slow clients: GET /api/health, {LOAD_CONNECTIONS} connections each every {PACE:?}, \
         {:.0} s measured each way (order: without, with, with, without)",
        2.0 * SEGMENT.as_secs_f64()
    );
    println!();
    println!("| open slow or idle connections | requests | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|");
    let crowd = SLOW + SILENT + IDLE;
    for (label, latencies) in [
        ("none".to_owned(), &mut *without),
        (
            format!("{crowd} ({SLOW} slow, {SILENT} silent, {IDLE} idle)"),
            &mut *with,
        ),
    ] {
        println!(
            "| {label} | {} | {:.2} | {:.2} |",
            latencies.len(),
            percentile_ms(latencies, 0.50),
            percentile_ms(latencies, 0.99)
        );
    }
    let ratio = percentile_ms(with, 0.99) / percentile_ms(without, 0.99);
    println!();
    println!(
        "p99 with them is {ratio:.2}x p99 without (target: at most 2x) -> {}",
        if ratio <= 2.0 { "MET" } else { "MISSED" }
    );
}
