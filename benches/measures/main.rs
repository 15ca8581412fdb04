//! Questionnaires and alerts at scale (issue 14): does the cost of an endpoint grow with
//! the data? 10,000 patients with 50 responses each against 100 patients with 5, in one
//! run, at 64 concurrent connections.
//!
//! For each database (SQLite always; PostgreSQL too when `TEST_POSTGRES_URL` is set, in
//! databases `hs_mbench_*` created on that server and dropped afterwards) it starts two
//! real servers in this process, one on a small and one on a big fresh database, then:
//!
//! 1. generates both data sets directly in SQL ([`data`]): clinicians with care teams of
//!    20 patients, each patient's responses to PHQ-9, GAD-7 and the C-SSRS screener every
//!    6 days with stored answers, totals and bands, risk alerts (open, acknowledged and
//!    resolved), schedules; then `ANALYZE`;
//! 2. signs clinicians and patients in over HTTP ([`sign_in`]);
//! 3. prints the query plan of every statement the endpoints run on the big data set
//!    ([`plans`]: `EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL);
//! 4. loads `GET /api/clinician/alerts`, `GET /api/clinician/patients/{username}/measures`
//!    and `POST /api/measures/{instrument}/responses` with 64 keep-alive connections
//!    ([`load`]), each endpoint in rounds of segments small, big, big, small, so that the
//!    machine's drift falls on both sizes alike; then reports req/s, p99 and the ratio
//!    big / small against the target 0.8 ([`report`]).
//!
//! Knobs: `MEASURES_PATIENTS` (10,000) and `MEASURES_RESPONSES` (50) for the big set,
//! `MEASURES_SMALL_PATIENTS` (100) and `MEASURES_SMALL_RESPONSES` (5) for the small one,
//! `MEASURES_SECONDS` (measured seconds per endpoint and size, 8) in `MEASURES_ROUNDS` (2)
//! rounds of small, big, big, small, `MEASURES_ENDPOINTS` (alerts,measures,submit),
//! `MEASURES_DAYS` (the
//! measures page's window, 30: five responses at both sizes), `MEASURES_CLINICIANS` (64)
//! and `MEASURES_SIGNED_PATIENTS` (192) signed in, `MEASURES_ONLY=sqlite|postgres`,
//! `MEASURES_KEEP=1` to keep the databases.
//!
//! Run with `cargo bench --bench measures`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::ensure;
use healing_space::config::Settings;
use healing_space::sessions;
use sqlx::AnyPool;

#[path = "../common/mod.rs"]
mod common;
mod config;
mod data;
mod load;
mod plans;
mod report;
mod sign_in;
mod templates;

use common::{with_postgres_database, with_server};
pub use config::Config;
use data::{count_rows, generate, Shape};
use load::{run_load, Endpoint, Load};
use sign_in::{sign_in_sample, Signed};

const CONNECTIONS: usize = 64;
const WARM_UP: Duration = Duration::from_secs(1);
const TARGET_RATIO: f64 = 0.8;
const PASSWORD: &str = "measures bench: correct horse battery staple";
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

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
        report::print_summary(&config, &mut results);
        Ok(())
    })
}

/// One data set on its own server.
pub struct Side {
    pub shape: Shape,
    pub generation_s: f64,
    pub counts: Vec<(&'static str, i64)>,
    pub loads: Vec<(Endpoint, Load)>,
}

pub struct Figures {
    pub database: &'static str,
    pub small: Side,
    pub big: Side,
    /// `/proc/loadavg` (1 minute) before and after the load.
    pub load_average: (String, String),
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

async fn bench_sqlite(config: &Config) -> anyhow::Result<Figures> {
    let (small_dir, big_dir) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let url = |dir: &tempfile::TempDir| format!("sqlite://{}/measures.db", dir.path().display());
    let (small_url, big_url) = (url(&small_dir), url(&big_dir));
    let result = with_server(
        "sqlite small",
        &small_url,
        small_dir.path(),
        async |s, a| {
            with_server("sqlite big", &big_url, big_dir.path(), async |bs, ba| {
                measure(config, "sqlite", (s, a), (bs, ba)).await
            })
            .await
        },
    )
    .await;
    if config.keep {
        eprintln!(
            "== kept {} and {}",
            small_dir.keep().display(),
            big_dir.keep().display()
        );
    }
    result
}

async fn bench_postgres(config: &Config, admin_url: &str) -> anyhow::Result<Figures> {
    let (small_dir, big_dir) = (tempfile::tempdir()?, tempfile::tempdir()?);
    with_postgres_database(
        admin_url,
        "hs_mbench_small",
        config.keep,
        async |small_url| {
            with_postgres_database(admin_url, "hs_mbench_big", config.keep, async |big_url| {
                with_server(
                    "postgres small",
                    small_url,
                    small_dir.path(),
                    async |s, a| {
                        with_server("postgres big", big_url, big_dir.path(), async |bs, ba| {
                            measure(config, "postgres", (s, a), (bs, ba)).await
                        })
                        .await
                    },
                )
                .await
            })
            .await
        },
    )
    .await
}

/// Generates the data set, signs people in and, for the big set, prints the plans.
async fn prepare(
    config: &Config,
    database: &str,
    settings: &Settings,
    addr: SocketAddr,
    (patients, responses): (i64, i64),
    plans: bool,
) -> anyhow::Result<(Side, Signed)> {
    let shape = Shape::new(patients, responses)?;
    let kind = settings.database.kind();
    sqlx::any::install_default_drivers();
    let raw = AnyPool::connect(settings.database.expose()).await?;
    eprintln!("== {database}: generating {}", shape.describe());
    let started = Instant::now();
    generate(&raw, kind, &shape).await?;
    let generation_s = started.elapsed().as_secs_f64();
    eprintln!("   generated and analysed in {generation_s:.1} s");
    let counts = count_rows(&raw).await?;
    let signed = sign_in_sample(addr, &shape, config.clinicians, config.patients).await?;
    if plans {
        println!("\n### {database}: query plans ({})\n", shape.describe());
        print_plans(&raw, kind, &shape, &signed, config.days).await?;
    }
    raw.close().await;
    let side = Side {
        shape,
        generation_s,
        counts,
        loads: Endpoint::ALL
            .iter()
            .map(|e| (*e, Load::default()))
            .collect(),
    };
    Ok((side, signed))
}

async fn print_plans(
    raw: &AnyPool,
    kind: healing_space::config::DatabaseKind,
    shape: &Shape,
    signed: &Signed,
    days: i64,
) -> anyhow::Result<()> {
    let patient = &signed.patients[signed.patients.len() / 2];
    let clinician = &signed.clinicians[signed.clinicians.len() / 2];
    plans::print_plans(raw, kind, shape, patient, clinician, days).await
}

async fn measure(
    config: &Config,
    database: &'static str,
    (small_settings, small_addr): (&Settings, SocketAddr),
    (big_settings, big_addr): (&Settings, SocketAddr),
) -> anyhow::Result<Figures> {
    let (mut small, small_signed) = prepare(
        config,
        &format!("{database} small"),
        small_settings,
        small_addr,
        config.small,
        false,
    )
    .await?;
    let (mut big, big_signed) = prepare(
        config,
        &format!("{database} big"),
        big_settings,
        big_addr,
        config.big,
        true,
    )
    .await?;
    let accounts = |signed: Signed| (Arc::new(signed.clinicians), Arc::new(signed.patients));
    let small_accounts = accounts(small_signed);
    let big_accounts = accounts(big_signed);
    let load_before = load_average();
    let order: Vec<bool> = (0..config.rounds)
        .flat_map(|_| [false, true, true, false])
        .collect();
    for (e, endpoint) in Endpoint::ALL.into_iter().enumerate() {
        if !config.endpoints.contains(&endpoint) {
            continue;
        }
        for &is_big in &order {
            let (side, addr, settings, (clinicians, patients)) = if is_big {
                (&mut big, big_addr, big_settings, &big_accounts)
            } else {
                (&mut small, small_addr, small_settings, &small_accounts)
            };
            eprintln!(
                "== {database} {}: {}, {CONNECTIONS} connections, {:.1} s",
                if is_big { "big" } else { "small" },
                endpoint.label(),
                config.segment().as_secs_f64()
            );
            let who = if endpoint.by_clinicians() {
                clinicians
            } else {
                patients
            };
            let cookie = sessions::cookie::name(settings);
            let load = run_load(
                addr,
                endpoint,
                who.clone(),
                cookie,
                config.segment(),
                config.days,
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
            side.loads[e].1.merge(load);
        }
    }
    Ok(Figures {
        database,
        small,
        big,
        load_average: (load_before, load_average()),
    })
}
