//! Does `POST /api/auth/password-reset` take the same time whoever is named? Issue 16
//! asks that an account that exists (here with a confirmed address, so a link is made
//! and mailed) and a name nobody has get the same answer in the same time. The route
//! answers before it looks the account up (`recovery::routes`), so they should not
//! differ; this measures it.
//!
//! Starts the real server in this process on SQLite (development mode: mail goes to the
//! outbox), registers `alex` with a confirmed address, then sends the request for
//! `alex`, for `alex@example.test`, for `nobody.here` and for `nobody@example.test` in
//! turns (the order rotates every round) over one keep-alive connection, and reports the
//! median and 90th percentile of each.
//!
//! Run with `cargo bench --bench reset_timing` (`RESET_ROUNDS`, 400 by default).

use std::net::SocketAddr;
use std::time::Instant;

use anyhow::ensure;
use healing_space::config::Settings;
use healing_space::storage::{self, Database};

// Shared by every bench; this one uses only the server and a number from the environment.
#[allow(dead_code, unused_imports)]
mod common;
use common::{env_number, with_server};

const NAMES: [&str; 4] = [
    "alex",
    "alex@example.test",
    "nobody.here",
    "nobody@example.test",
];

fn main() -> anyhow::Result<()> {
    let rounds: usize = env_number("RESET_ROUNDS", 400)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}/bench.db", dir.path().display());
        with_server("sqlite", &url, dir.path(), async |settings, addr| {
            measure(settings, addr, rounds).await
        })
        .await
    })
}

async fn measure(settings: &Settings, addr: SocketAddr, rounds: usize) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let registered = client
        .post(format!("http://{addr}/api/auth/register"))
        .json(&serde_json::json!({
            "username": "alex",
            "password": "correct horse battery staple",
            "display_name": "Alex",
            "email": "alex@example.test",
        }))
        .send()
        .await?;
    ensure!(
        registered.status() == 201,
        "registration: {}",
        registered.status()
    );
    // Confirmed directly: the link's round trip is not what is measured.
    let db = Database::connect(&settings.database).await?;
    storage::query("UPDATE users SET email_verified_at = 1 WHERE username = 'alex'")
        .execute(&db)
        .await?;

    let mut times: Vec<Vec<u32>> = vec![Vec::with_capacity(rounds); NAMES.len()];
    for round in 0..rounds + 20 {
        for turn in 0..NAMES.len() {
            let which = (round + turn) % NAMES.len();
            let started = Instant::now();
            let answer = client
                .post(format!("http://{addr}/api/auth/password-reset"))
                .json(&serde_json::json!({ "username_or_email": NAMES[which] }))
                .send()
                .await?;
            let status = answer.status();
            answer.bytes().await?;
            let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
            ensure!(status == 202, "{} answered {status}", NAMES[which]);
            // The first rounds warm the connection and the caches up.
            if round >= 20 {
                times[which].push(micros);
            }
        }
    }
    print_table(&mut times);
    Ok(())
}

fn percentile(sorted: &[u32], fraction: f64) -> u32 {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index]
}

fn print_table(times: &mut [Vec<u32>]) {
    println!("\n| name asked for | median µs | p90 µs |");
    println!("|---|---:|---:|");
    let mut medians = Vec::new();
    for (name, samples) in NAMES.iter().zip(times.iter_mut()) {
        samples.sort_unstable();
        let median = percentile(samples, 0.5);
        medians.push(median);
        println!("| `{name}` | {median} | {} |", percentile(samples, 0.9));
    }
    let known = medians[0].max(medians[1]) as f64;
    let unknown = medians[2].min(medians[3]).max(1) as f64;
    println!(
        "\nslowest known ÷ fastest unknown median: {:.2}",
        known / unknown
    );
}
