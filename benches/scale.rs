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

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use healing_space::accounts::password::Hasher;
use healing_space::accounts::store::USER_COLUMNS;
use healing_space::config::{DatabaseKind, Settings};
use healing_space::messaging::store as messages;
use healing_space::sessions;
use healing_space::storage::{now_ms, Database};
use secrecy::SecretString;
use sqlx::{AnyPool, Connection, Row};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

mod common;
use common::{read_response, with_postgres_database, with_server};

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

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(name).ok().filter(|v| !v.trim().is_empty()) {
        None => Ok(default),
        Some(text) => text
            .trim()
            .replace('_', "")
            .parse()
            .map_err(|_| anyhow::anyhow!("{name} must be a number, not {text:?}")),
    }
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

/// Who exists and who wrote what, as arithmetic on 0-based indexes, so that SQL can
/// generate it and the bench can find a person's conversations without asking.
///
/// Users: admins get ids `1..=A`, clinicians `A+1..=A+C`, patients `A+C+1..=N`. Patient
/// `k` is in the care team of clinician `k % C` and has conversation `k + 1` with them.
/// Message `i` (id `i + 1`) belongs to conversation `i % P + 1`, is in round `i / P` of
/// that conversation (even rounds written by the patient, odd by the clinician) and was
/// sent at `start + i * step`: conversations interleave in time, as in real life.
#[derive(Debug, Clone, Copy)]
struct Shape {
    users: i64,
    admins: i64,
    clinicians: i64,
    patients: i64,
    messages: i64,
    start: i64,
    step: i64,
    now: i64,
}

impl Shape {
    fn new(users: i64, messages: i64) -> anyhow::Result<Shape> {
        let admins = (users / 1000).clamp(1, 10);
        let clinicians = (users / 50).max(1);
        let patients = users - admins - clinicians;
        ensure!(
            patients >= clinicians,
            "SCALE_USERS={users} is too small (at least 100)"
        );
        ensure!(
            messages >= 2 * patients,
            "SCALE_MESSAGES={messages} must be at least two per patient ({})",
            2 * patients
        );
        let now = now_ms();
        // 90 days of history, the newest message a minute ago.
        let step = (90 * DAY_MS / messages).max(1);
        Ok(Shape {
            users,
            admins,
            clinicians,
            patients,
            messages,
            start: now - 60_000 - step * messages,
            step,
            now,
        })
    }

    fn patient_id(&self, k: i64) -> i64 {
        self.admins + self.clinicians + 1 + k
    }

    fn clinician_id(&self, c: i64) -> i64 {
        self.admins + 1 + c
    }

    fn conversations_of_clinician(&self, c: i64) -> Vec<i64> {
        (c..self.patients)
            .step_by(self.clinicians as usize)
            .map(|k| k + 1)
            .collect()
    }

    /// SQL for the index of the last round of conversation `k + 1`.
    fn last_round(&self, k: &str) -> String {
        let (q, r) = (self.messages / self.patients, self.messages % self.patients);
        format!("(CASE WHEN {k} < {r} THEN {q} ELSE {} END)", q - 1)
    }

    /// SQL for the 0-based index of the last message of conversation `k + 1`.
    fn last_message(&self, k: &str) -> String {
        format!("({} * {} + {k})", self.last_round(k), self.patients)
    }

    fn describe(&self) -> String {
        format!(
            "{} users ({} admins, {} approved clinicians, {} patients), {} care-team links, \
             {} conversations, {} messages ({}-{} per conversation, one every {} ms over 90 days), \
             ~{} conversations per clinician",
            self.users,
            self.admins,
            self.clinicians,
            self.patients,
            self.patients,
            self.patients,
            self.messages,
            self.messages / self.patients,
            ceil_div(self.messages, self.patients),
            self.step,
            ceil_div(self.patients, self.clinicians),
        )
    }
}

fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1) / b
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

// ---------------------------------------------------------------------------------------
// Generating the data set

/// `INSERT ... SELECT` over the numbers `0..n` as `seq(i)`: a recursive CTE on SQLite,
/// `generate_series` (in BIGINT, so products do not overflow) on PostgreSQL.
fn insert_series(kind: DatabaseKind, n: i64, insert: &str, select: &str) -> String {
    match kind {
        DatabaseKind::Sqlite => format!(
            "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < {}) \
             {insert} SELECT {select} FROM seq",
            n - 1
        ),
        DatabaseKind::Postgres => format!(
            "{insert} SELECT {select} FROM generate_series(CAST(0 AS BIGINT), {}) AS seq(i)",
            n - 1
        ),
    }
}

async fn generate(raw: &AnyPool, kind: DatabaseKind, s: &Shape) -> anyhow::Result<()> {
    let hash = Hasher::new()
        .hash(SecretString::from(PASSWORD.to_owned()))
        .await?;
    let (a, c, p) = (s.admins, s.clinicians, s.patients);
    let (start, step, now) = (s.start, s.step, s.now);
    let last = s.last_message("k");
    let last_round = s.last_round("k");
    let mut conn = raw.acquire().await?;
    if kind == DatabaseKind::Sqlite {
        sqlx::query("PRAGMA cache_size = -262144")
            .execute(&mut *conn)
            .await?;
    }
    let mut tx = conn.begin().await?;

    let users = insert_series(
        kind,
        s.users,
        "INSERT INTO users (id, username, display_name, email, role, password_hash, approved_at, \
         disabled_at, created_at, last_login_at)",
        &format!(
            "i + 1, \
             CASE WHEN i < {a} THEN 'admin' || i WHEN i < {a} + {c} THEN 'clinician' || (i - {a}) \
                  ELSE 'patient' || (i - {a} - {c}) END, \
             CASE WHEN i < {a} THEN 'Support ' || i WHEN i < {a} + {c} THEN 'Dr Clinician ' || (i - {a}) \
                  ELSE 'Patient ' || (i - {a} - {c}) END, \
             CASE WHEN i % 3 = 0 THEN 'person' || i || '@example.org' ELSE NULL END, \
             CASE WHEN i < {a} THEN 'admin' WHEN i < {a} + {c} THEN 'clinician' ELSE 'patient' END, \
             $1, \
             CASE WHEN i >= {a} AND i < {a} + {c} THEN {start} ELSE NULL END, \
             NULL, {}, NULL",
            start - 100 * DAY_MS
        ),
    );
    sqlx::query(&users).bind(&hash).execute(&mut *tx).await?;

    // One approved link per patient; every 40th patient also asks a second clinician.
    let links = insert_series(
        kind,
        p,
        "INSERT INTO care_team_links (id, patient_id, clinician_id, status, requested_at, decided_at)",
        &format!(
            "i + 1, {a} + {c} + 1 + i, {a} + 1 + i % {c}, 'approved', \
             {}, {}",
            start - 30 * DAY_MS,
            start - 29 * DAY_MS
        ),
    );
    sqlx::query(&links).execute(&mut *tx).await?;
    let pending = insert_series(
        kind,
        ceil_div(p, 40),
        "INSERT INTO care_team_links (id, patient_id, clinician_id, status, requested_at, decided_at)",
        &format!(
            "{p} + 1 + i, {a} + {c} + 1 + i * 40, {a} + 1 + (i * 40 + 1) % {c}, 'pending', \
             {}, NULL",
            now - 2 * DAY_MS
        ),
    );
    sqlx::query(&pending).execute(&mut *tx).await?;

    let conversations = insert_series(
        kind,
        p,
        "INSERT INTO conversations (id, subject, created_at)",
        &format!(
            "i + 1, CASE WHEN i % 7 = 0 THEN 'Check-in ' || i ELSE NULL END, \
             {start} + i * {step}"
        ),
    );
    sqlx::query(&conversations).execute(&mut *tx).await?;

    // Two members per conversation (side 0 the patient, side 1 the clinician). Whoever
    // sent the last message has read everything; for every third conversation the other
    // has that last message unread, otherwise they read it too.
    let members = insert_series(
        kind,
        2 * p,
        "INSERT INTO conversation_members (conversation_id, user_id, last_read_message_id, \
         unread_count, archived_at, last_message_at)",
        &format!(
            "k + 1, CASE WHEN side = 0 THEN {a} + {c} + 1 + k ELSE {a} + 1 + k % {c} END, \
             CASE WHEN {last_round} % 2 <> side AND k % 3 = 0 THEN {last} + 1 - {p} ELSE {last} + 1 END, \
             CASE WHEN {last_round} % 2 <> side AND k % 3 = 0 THEN 1 ELSE 0 END, NULL, \
             {start} + {last} * {step} FROM (SELECT i / 2 AS k, i % 2 AS side"
        ),
    ) + ") pairs";
    sqlx::query(&members).execute(&mut *tx).await?;

    let message_rows = insert_series(
        kind,
        s.messages,
        "INSERT INTO messages (id, conversation_id, sender_id, content, sent_at)",
        &format!(
            "i + 1, i % {p} + 1, \
             CASE WHEN (i / {p}) % 2 = 0 THEN {a} + {c} + 1 + i % {p} ELSE {a} + 1 + (i % {p}) % {c} END, \
             substr('{LOREM}', CAST(1 + i % 37 AS INTEGER), CAST(30 + (i * 7919) % 170 AS INTEGER)), \
             {start} + i * {step}"
        ),
    );
    sqlx::query(&message_rows).execute(&mut *tx).await?;

    // Every tenth patient has hidden the first message of their conversation.
    let hidden = insert_series(
        kind,
        ceil_div(p, 10),
        "INSERT INTO hidden_messages (message_id, user_id)",
        &format!("i * 10 + 1, {a} + {c} + 1 + i * 10"),
    );
    sqlx::query(&hidden).execute(&mut *tx).await?;

    // Up to a month of daily check-ins per patient, with gaps; a third checked in today.
    let mood = insert_series(
        kind,
        p * MOOD_DAYS,
        "INSERT INTO mood_entries (id, user_id, score, sleep_hours, note, recorded_at)",
        &format!(
            "i + 1, {a} + {c} + 1 + k, 1 + i % 10, 4.0 + (i % 9) * 0.5, \
             CASE WHEN i % 5 = 0 THEN 'Felt ' || (i % 11) ELSE NULL END, \
             {now} - d * {DAY_MS} - (k % 600) * 60000 \
             FROM (SELECT i, i / {MOOD_DAYS} AS k, i % {MOOD_DAYS} AS d"
        ),
    ) + ") days WHERE (k + d) % 4 <> 3 AND (d > 0 OR k % 3 = 0)";
    sqlx::query(&mood).execute(&mut *tx).await?;

    if kind == DatabaseKind::Postgres {
        // Explicit ids leave the sequences behind.
        for table in [
            "users",
            "care_team_links",
            "conversations",
            "messages",
            "mood_entries",
        ] {
            sqlx::query(&format!(
                "SELECT CAST(setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT MAX(id) FROM {table})) AS BIGINT)"
            ))
            .fetch_one(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    match kind {
        DatabaseKind::Sqlite => {
            sqlx::query("ANALYZE").execute(&mut *conn).await?;
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&mut *conn)
                .await?;
            sqlx::query("PRAGMA cache_size = -2000")
                .execute(&mut *conn)
                .await?;
        }
        // VACUUM as autovacuum would soon, so index-only scans are possible; ANALYZE for
        // the planner. CHECKPOINT so that writing back the generated data, and its
        // final fsync, happen now and not during the load.
        DatabaseKind::Postgres => {
            sqlx::query("VACUUM ANALYZE").execute(&mut *conn).await?;
            if let Err(error) = sqlx::query("CHECKPOINT").execute(&mut *conn).await {
                println!("(no CHECKPOINT before the load: {error})");
            }
        }
    }
    Ok(())
}

async fn count_rows(raw: &AnyPool) -> anyhow::Result<Vec<(&'static str, i64)>> {
    let mut counts = Vec::new();
    for table in [
        "users",
        "care_team_links",
        "conversations",
        "conversation_members",
        "messages",
        "hidden_messages",
        "mood_entries",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(raw)
            .await?;
        counts.push((table, n));
    }
    Ok(counts)
}

// ---------------------------------------------------------------------------------------
// Signing in

/// A signed-in person: the session cookie's token, the CSRF token and their conversations.
struct Account {
    id: i64,
    clinician: bool,
    token: String,
    csrf: String,
    conversations: Vec<i64>,
}

/// Signs in `count` people over HTTP: every fourth a clinician (distinct ones), the rest
/// patients spread over the whole range.
async fn sign_in_sample(
    addr: SocketAddr,
    shape: &Shape,
    count: usize,
) -> anyhow::Result<Vec<Account>> {
    let started = Instant::now();
    let clinicians = (count / 4).min(shape.clinicians as usize).max(1);
    let patients = count - clinicians;
    let mut wanted = Vec::with_capacity(count);
    let (mut next_patient, mut next_clinician) = (0usize, 0usize);
    for slot in 0..count {
        let clinician_turn = slot % 4 == 3 && next_clinician < clinicians;
        if clinician_turn || next_patient >= patients {
            let c = (next_clinician as i64 * shape.clinicians) / clinicians as i64;
            next_clinician += 1;
            wanted.push((
                format!("clinician{c}"),
                shape.clinician_id(c),
                true,
                shape.conversations_of_clinician(c),
            ));
        } else {
            let k = (next_patient as i64 * shape.patients) / patients as i64;
            next_patient += 1;
            wanted.push((
                format!("patient{k}"),
                shape.patient_id(k),
                false,
                vec![k + 1],
            ));
        }
    }
    eprintln!("== signing in {count} people over HTTP");
    let client = reqwest::Client::new();
    let permits = Arc::new(tokio::sync::Semaphore::new(4));
    let mut tasks = Vec::with_capacity(count);
    for (username, id, clinician, conversations) in wanted {
        let client = client.clone();
        let permits = permits.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire().await?;
            let (token, csrf) = sign_in(&client, addr, &username).await?;
            anyhow::Ok(Account {
                id,
                clinician,
                token,
                csrf,
                conversations,
            })
        }));
    }
    let mut accounts = Vec::with_capacity(count);
    for task in tasks {
        accounts.push(task.await??);
    }
    eprintln!(
        "== signed in {count} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(accounts)
}

async fn sign_in(
    client: &reqwest::Client,
    addr: SocketAddr,
    username: &str,
) -> anyhow::Result<(String, String)> {
    let response = client
        .post(format!("http://{addr}/api/auth/login"))
        .json(&serde_json::json!({ "username": username, "password": PASSWORD }))
        .send()
        .await?;
    ensure!(
        response.status() == reqwest::StatusCode::OK,
        "signing in {username} answered {}",
        response.status()
    );
    let token = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("hs_session="))
        .and_then(|v| v.split(';').next())
        .filter(|v| !v.is_empty())
        .context("sign-in set no hs_session cookie")?
        .to_owned();
    let body: serde_json::Value = response.json().await?;
    let csrf = body["csrf_token"]
        .as_str()
        .context("sign-in answered no csrf_token")?
        .to_owned();
    Ok((token, csrf))
}

// ---------------------------------------------------------------------------------------
// Query plans

enum Param {
    Int(i64),
    Text(String),
}

impl Param {
    fn literal(&self) -> String {
        match self {
            Param::Int(n) => n.to_string(),
            Param::Text(t) => format!("'{}'", t.replace('\'', "''")),
        }
    }
}

/// The SQL to explain, with `$n` parameters: the inbox's comes from `src/` itself, the
/// rest is copied from it. Only for plans: the timings and the load go through the real code.
fn plan_queries(
    kind: DatabaseKind,
    shape: &Shape,
    patient: &Account,
    clinician: &Account,
) -> Vec<(&'static str, String, Vec<Param>)> {
    use Param::{Int, Text};
    let conversation = clinician.conversations[clinician.conversations.len() / 2];
    let patient_of_conversation = shape.patient_id(conversation - 1);
    let inbox = messages::inbox_query();
    let year_ago = shape.now - 366 * DAY_MS;
    let queries = vec![
        (
            "session lookup (every request)",
            format!(
                "SELECT s.id AS session_id, s.created_at AS session_created_at, s.last_seen_at, s.expires_at, \
                 s.token_issued_at, s.previous_login_at, s.ended_at, s.end_reason, {USER_COLUMNS} \
                 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1"
            ),
            vec![Text(sessions::hash_token(&clinician.token))],
        ),
        (
            "session touch (once a minute per session)",
            "UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $3 AND ended_at IS NULL".into(),
            vec![Int(shape.now), Text("0123456789abcdef0123456789abcdef".into()), Int(shape.now - 60_000)],
        ),
        (
            "inbox list (clinician)",
            inbox.clone(),
            vec![Int(clinician.id), Int(0), Int(0), Int(21), Int(0)],
        ),
        (
            "inbox list (patient)",
            inbox,
            vec![Int(patient.id), Int(0), Int(0), Int(21), Int(0)],
        ),
        (
            "inbox counts (alone only for an empty page; otherwise part of the inbox list)",
            messages::inbox_counts_query(),
            vec![Int(clinician.id), Int(0), Int(0)],
        ),
        (
            "total unread (inbox, home)",
            "SELECT CAST(COALESCE(SUM(unread_count), 0) AS BIGINT) FROM conversation_members WHERE user_id = $1".into(),
            vec![Int(clinician.id)],
        ),
        (
            "conversation header, with the other person and their care-team link (conversation, send)",
            messages::header_query(),
            vec![Int(conversation), Int(clinician.id)],
        ),
        (
            "conversation page (newest 51)",
            "SELECT m.id, m.sender_id, m.content, m.sent_at FROM messages m \
             WHERE m.conversation_id = $2 AND m.id < $3 AND NOT EXISTS (SELECT 1 FROM hidden_messages h \
             WHERE h.user_id = $1 AND h.message_id = m.id) ORDER BY m.id DESC LIMIT $4".into(),
            vec![Int(clinician.id), Int(conversation), Int(i64::MAX), Int(51)],
        ),
    ];
    let send = match kind {
        DatabaseKind::Sqlite => vec![
            (
                "send: insert message",
                messages::INSERT_MESSAGE.into(),
                vec![
                    Int(conversation),
                    Int(clinician.id),
                    Text("plan".into()),
                    Int(shape.now),
                ],
            ),
            (
                "send: both members",
                messages::UPDATE_MEMBERS.into(),
                vec![
                    Int(conversation),
                    Int(patient_of_conversation),
                    Int(shape.messages + 1),
                    Int(shape.now),
                ],
            ),
        ],
        DatabaseKind::Postgres => vec![(
            "send: the whole reply, checked, in one statement (with an idempotency key)",
            messages::reply_statement(&healing_space::accounts::User {
                id: clinician.id,
                username: String::new(),
                display_name: String::new(),
                email: None,
                role: healing_space::accounts::Role::Clinician,
                approved_at: Some(0),
                disabled_at: None,
                created_at: 0,
                last_login_at: None,
            }),
            vec![
                Int(conversation),
                Int(clinician.id),
                Text("plan".into()),
                Int(shape.now),
                Text("plan-key".into()),
            ],
        )],
    };
    let home = vec![
        (
            "home: recent check-ins, the newest in full (patient)",
            healing_space::mood::store::RECENT_CHECK_INS.into(),
            vec![Int(patient.id), Int(year_ago)],
        ),
        (
            "home: unread and care team (patient)",
            healing_space::home::store::patient_overview_query(),
            vec![Int(patient.id)],
        ),
        (
            "home: unread, patients and requests (clinician)",
            healing_space::home::store::clinician_counts_query(),
            vec![Int(clinician.id)],
        ),
    ];
    queries.into_iter().chain(send).chain(home).collect()
}

async fn print_plans(
    raw: &AnyPool,
    kind: DatabaseKind,
    shape: &Shape,
    patient: &Account,
    clinician: &Account,
) -> anyhow::Result<()> {
    for (name, sql, params) in plan_queries(kind, shape, patient, clinician) {
        let mut tx = raw.begin().await?;
        let plan = match kind {
            DatabaseKind::Sqlite => {
                let text = format!("EXPLAIN QUERY PLAN {sql}");
                let mut query = sqlx::query(&text);
                for param in &params {
                    query = match param {
                        Param::Int(n) => query.bind(*n),
                        Param::Text(t) => query.bind(t.clone()),
                    };
                }
                let rows = query.fetch_all(&mut *tx).await?;
                sqlite_plan_tree(&rows)?
            }
            DatabaseKind::Postgres => {
                // Literal values, so the plan is the one a first (custom-plan) execution gets.
                let mut text = sql.clone();
                for (n, param) in params.iter().enumerate().rev() {
                    text = text.replace(&format!("${}", n + 1), &param.literal());
                }
                let rows = sqlx::query(&format!("EXPLAIN (ANALYZE, BUFFERS) {text}"))
                    .fetch_all(&mut *tx)
                    .await?;
                let mut plan = String::new();
                for row in rows {
                    writeln!(plan, "{}", row.try_get::<String, _>(0)?)?;
                }
                plan
            }
        };
        tx.rollback().await?;
        let shown: Vec<String> = params
            .iter()
            .map(|p| match p {
                Param::Text(t) if t.len() > 16 => format!("'{}…'", &t[..12]),
                p => p.literal(),
            })
            .collect();
        println!("{name}  [{}]", shown.join(", "));
        println!("```");
        print!("{plan}");
        println!("```");
    }
    Ok(())
}

/// `EXPLAIN QUERY PLAN` rows (id, parent, notused, detail) as the sqlite3 shell shows them.
fn sqlite_plan_tree(rows: &[sqlx::any::AnyRow]) -> anyhow::Result<String> {
    let mut depth: HashMap<i64, usize> = HashMap::new();
    let mut out = String::new();
    for row in rows {
        let id: i64 = row.try_get(0)?;
        let parent: i64 = row.try_get(1)?;
        let detail: String = row.try_get(3)?;
        let level = depth.get(&parent).map_or(0, |d| d + 1);
        depth.insert(id, level);
        writeln!(out, "{}{detail}", "  ".repeat(level))?;
    }
    if out.is_empty() {
        out.push_str("(no table access)\n");
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// The store functions, one call at a time

async fn time_queries(
    db: &Database,
    patient: &Account,
    clinician: &Account,
) -> anyhow::Result<Vec<(String, f64, f64)>> {
    let filter = messages::InboxFilter {
        archived: false,
        unread_only: false,
    };
    let conversation = clinician.conversations[clinician.conversations.len() / 2];
    let other = messages::header(db, conversation, clinician.id)
        .await?
        .context("the clinician is not in their conversation")?
        .other
        .id;
    let token_hash = sessions::hash_token(&clinician.token);
    let year_ago = now_ms() - 366 * DAY_MS;
    let mut timings = Vec::new();
    macro_rules! time {
        ($name:expr, $call:expr) => {{
            for _ in 0..10 {
                $call;
            }
            let mut worst = Duration::ZERO;
            let started = Instant::now();
            for _ in 0..TIMING_ITERATIONS {
                let one = Instant::now();
                $call;
                worst = worst.max(one.elapsed());
            }
            let mean = started.elapsed().as_secs_f64() * 1e6 / TIMING_ITERATIONS as f64;
            timings.push(($name.to_string(), mean, worst.as_secs_f64() * 1e6));
        }};
    }
    time!(
        "sessions::store::find_by_token_hash",
        sessions::store::find_by_token_hash(db, &token_hash, sessions::store::TokenColumn::Current)
            .await?
    );
    time!(
        "messaging::store::inbox (clinician, 21 rows)",
        messages::inbox(db, clinician.id, &filter, 21, 0).await?
    );
    time!(
        "messaging::store::inbox (patient)",
        messages::inbox(db, patient.id, &filter, 21, 0).await?
    );
    time!(
        "messaging::store::total_unread (clinician)",
        messages::total_unread(db, clinician.id).await?
    );
    time!(
        "messaging::store::header",
        messages::header(db, conversation, clinician.id).await?
    );
    time!(
        "accounts::store::find_by_id",
        healing_space::accounts::store::find_by_id(db, other).await?
    );
    time!(
        "messaging::store::page (51 of ~100)",
        messages::page(db, clinician.id, conversation, i64::MAX, 51).await?
    );
    time!(
        "care_teams::store::is_member",
        healing_space::care_teams::store::is_member(db, other, clinician.id).await?
    );
    let replier = healing_space::accounts::store::find_by_id(db, clinician.id)
        .await?
        .context("the clinician exists")?;
    time!(
        "messaging::store::reply (checked and stored)",
        messages::reply(
            db,
            &messages::Reply {
                me: &replier,
                conversation_id: conversation,
                content: "timing",
                key: None,
            },
        )
        .await?
    );
    time!(
        "mood::store::recent_check_ins (patient)",
        healing_space::mood::store::recent_check_ins(db, patient.id, year_ago).await?
    );
    time!(
        "home::store::patient_overview",
        healing_space::home::store::patient_overview(db, patient.id).await?
    );
    time!(
        "home::store::clinician_counts",
        healing_space::home::store::clinician_counts(db, clinician.id).await?
    );
    Ok(timings)
}

// ---------------------------------------------------------------------------------------
// Load

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Inbox,
    Conversation,
    Send,
    Home,
}

impl Endpoint {
    const ALL: [Endpoint; 4] = [
        Endpoint::Inbox,
        Endpoint::Conversation,
        Endpoint::Send,
        Endpoint::Home,
    ];

    fn named(name: &str) -> anyhow::Result<Endpoint> {
        Ok(match name {
            "inbox" => Endpoint::Inbox,
            "conversation" => Endpoint::Conversation,
            "send" => Endpoint::Send,
            "home" => Endpoint::Home,
            other => anyhow::bail!(
                "SCALE_ENDPOINTS lists inbox, conversation, send or home, not {other:?}"
            ),
        })
    }

    fn label(self) -> &'static str {
        match self {
            Endpoint::Inbox => "GET /api/messages/inbox",
            Endpoint::Conversation => "GET /api/messages/conversations/{id}",
            Endpoint::Send => "POST /api/messages/send",
            Endpoint::Home => "GET /api/home/data",
        }
    }

    fn expected_status(self) -> u16 {
        if self == Endpoint::Send {
            201
        } else {
            200
        }
    }

    /// The request for the `n`-th call on connection `c`: people and conversations rotate
    /// so that every signed-in account and each of a clinician's conversations is used.
    fn request(self, addr: SocketAddr, cookie: &str, account: &Account, n: usize) -> Vec<u8> {
        let head = format!(
            "Host: {addr}\r\nUser-Agent: hs-scale-bench\r\nAccept: application/json\r\n\
             Cookie: {cookie}={}\r\n",
            account.token
        );
        let conversation = account.conversations[n % account.conversations.len()];
        match self {
            Endpoint::Inbox => format!("GET /api/messages/inbox HTTP/1.1\r\n{head}\r\n"),
            Endpoint::Conversation => {
                format!("GET /api/messages/conversations/{conversation} HTTP/1.1\r\n{head}\r\n")
            }
            Endpoint::Home => format!("GET /api/home/data HTTP/1.1\r\n{head}\r\n"),
            Endpoint::Send => {
                let body = serde_json::json!({
                    "conversation_id": conversation,
                    "content": format!("Scale bench message {n}: how are you feeling today?"),
                })
                .to_string();
                format!(
                    "POST /api/messages/send HTTP/1.1\r\n{head}X-CSRF-Token: {}\r\n\
                     Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    account.csrf,
                    body.len()
                )
            }
        }
        .into_bytes()
    }
}

#[derive(Default)]
struct Load {
    requests: u64,
    errors: u64,
    first_error: Option<String>,
    seconds: f64,
    patients_us: Vec<u32>,
    clinicians_us: Vec<u32>,
    /// CPU used during the measured window, in clock ticks: the whole bench process
    /// (server, SQLite and client), the client thread alone, and PostgreSQL's processes.
    cpu: CpuTicks,
}

#[derive(Default, Clone, Copy)]
struct CpuTicks {
    process: u64,
    client: u64,
    postgres: u64,
}

impl CpuTicks {
    fn now() -> CpuTicks {
        CpuTicks {
            process: stat_ticks("/proc/self/stat").unwrap_or(0),
            client: stat_ticks("/proc/thread-self/stat").unwrap_or(0),
            postgres: postgres_ticks(),
        }
    }

    fn since(self, before: CpuTicks) -> CpuTicks {
        CpuTicks {
            process: self.process.saturating_sub(before.process),
            client: self.client.saturating_sub(before.client),
            postgres: self.postgres.saturating_sub(before.postgres),
        }
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Linux clock ticks per second (`USER_HZ`), 100 on every mainstream kernel.
const TICKS_PER_SECOND: f64 = 100.0;

/// utime + stime of a `/proc/.../stat` file, and its command name.
fn stat_fields(path: &str) -> Option<(String, u64)> {
    let text = std::fs::read_to_string(path).ok()?;
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let fields: Vec<&str> = text[close + 1..].split_whitespace().collect();
    // Fields after the command name start at field 3 (state); utime is 14, stime 15.
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some((text[open + 1..close].to_owned(), ticks))
}

fn stat_ticks(path: &str) -> Option<u64> {
    stat_fields(path).map(|(_, ticks)| ticks)
}

/// CPU of every process called `postgres` on this machine (0 without PostgreSQL).
fn postgres_ticks() -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| stat_fields(&format!("{}/stat", e.path().display())))
        .filter(|(name, _)| name == "postgres")
        .map(|(_, ticks)| ticks)
        .sum()
}

impl Load {
    fn merge(&mut self, other: Load) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.first_error = self.first_error.take().or(other.first_error);
        self.seconds += other.seconds;
        self.patients_us.extend(other.patients_us);
        self.clinicians_us.extend(other.clinicians_us);
        self.cpu.process += other.cpu.process;
        self.cpu.client += other.cpu.client;
        self.cpu.postgres += other.cpu.postgres;
    }

    /// Milliseconds of CPU per request: the server side (process less client, plus
    /// PostgreSQL) and the client.
    fn cpu_ms_per_request(&self) -> (f64, f64, f64) {
        let per = |ticks: u64| ticks as f64 / TICKS_PER_SECOND * 1000.0 / self.requests as f64;
        (
            per(self.cpu.process.saturating_sub(self.cpu.client) + self.cpu.postgres),
            per(self.cpu.postgres),
            per(self.cpu.client),
        )
    }

    fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    fn all(&self) -> Vec<u32> {
        let mut all = self.patients_us.clone();
        all.extend_from_slice(&self.clinicians_us);
        all
    }
}

fn percentile_ms(latencies_us: &mut [u32], p: f64) -> f64 {
    if latencies_us.is_empty() {
        return f64::NAN;
    }
    latencies_us.sort_unstable();
    let rank = ((latencies_us.len() as f64 * p).ceil() as usize).max(1) - 1;
    f64::from(latencies_us[rank.min(latencies_us.len() - 1)]) / 1000.0
}

/// `CONNECTIONS` keep-alive connections on a client thread of their own, each sending
/// back to back; only answers completed within the segment after the warm-up count.
async fn run_load(
    addr: SocketAddr,
    endpoint: Endpoint,
    accounts: Arc<Vec<Account>>,
    cookie: String,
    segment: Duration,
) -> anyhow::Result<Load> {
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let outcome = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|runtime| {
                runtime.block_on(async {
                    let start = Instant::now() + WARM_UP;
                    let end = start + segment;
                    let cookie: Arc<str> = cookie.into();
                    let mut tasks = Vec::with_capacity(CONNECTIONS);
                    for c in 0..CONNECTIONS {
                        let (accounts, cookie) = (accounts.clone(), cookie.clone());
                        tasks.push(tokio::spawn(async move {
                            connection(addr, endpoint, &accounts, &cookie, c, start, end).await
                        }));
                    }
                    tokio::time::sleep_until(start.into()).await;
                    let before = CpuTicks::now();
                    tokio::time::sleep_until(end.into()).await;
                    let cpu = CpuTicks::now().since(before);
                    let mut total = Load::default();
                    for task in tasks {
                        total.merge(task.await??);
                    }
                    total.seconds = segment.as_secs_f64();
                    total.cpu = cpu;
                    anyhow::Ok(total)
                })
            });
        let _ = done_tx.send(outcome);
    });
    done_rx.await.context("the load thread died")?
}

async fn connection(
    addr: SocketAddr,
    endpoint: Endpoint,
    accounts: &[Account],
    cookie: &str,
    c: usize,
    start: Instant,
    end: Instant,
) -> anyhow::Result<Load> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut buffer = Vec::with_capacity(16 * 1024);
    let mut load = Load::default();
    for n in 0.. {
        let account = &accounts[(c + n * CONNECTIONS) % accounts.len()];
        let request = endpoint.request(addr, cookie, account, n + c);
        let sent = Instant::now();
        if sent >= end {
            break;
        }
        stream.write_all(&request).await?;
        let (status, body) = read_response(&mut stream, &mut buffer).await?;
        let done = Instant::now();
        if sent >= start && done <= end {
            load.requests += 1;
            if status != endpoint.expected_status() {
                load.errors += 1;
                load.first_error
                    .get_or_insert_with(|| format!("{status} {}", String::from_utf8_lossy(body)));
            }
            let micros = u32::try_from(done.duration_since(sent).as_micros()).unwrap_or(u32::MAX);
            if account.clinician {
                load.clinicians_us.push(micros);
            } else {
                load.patients_us.push(micros);
            }
        }
    }
    Ok(load)
}

// ---------------------------------------------------------------------------------------
// Report

fn print_summary(config: &Config, results: &mut [Figures]) {
    let shape = Shape::new(config.users, config.messages).expect("checked before");
    println!();
    println!("## Scale benchmark");
    println!();
    println!("Data: {}.", shape.describe());
    println!(
        "Load: {CONNECTIONS} keep-alive connections over loopback, {} signed-in accounts \
         (every fourth a clinician), {:.1} s measured per endpoint (two segments, ABCD DCBA, \
         {:.0} s warm-up each).",
        config.signed_in,
        config.seconds,
        WARM_UP.as_secs_f64()
    );
    for f in results.iter() {
        let counts: Vec<String> = f.counts.iter().map(|(t, n)| format!("{t} {n}")).collect();
        println!(
            "{}: generated in {:.1} s; rows: {}; machine load average {} before the load, {} after.",
            f.database,
            f.generation_s,
            counts.join(", "),
            f.load_average.0,
            f.load_average.1
        );
    }
    println!();
    println!("Store functions alone (no load), µs per call, mean / worst of {TIMING_ITERATIONS}:");
    println!();
    print!("| function |");
    for f in results.iter() {
        print!(" {} mean | {} worst |", f.database, f.database);
    }
    println!();
    print!("|---|");
    for _ in results.iter() {
        print!("---:|---:|");
    }
    println!();
    if let Some(first) = results.first() {
        for (i, (name, _, _)) in first.timings.iter().enumerate() {
            print!("| {name} |");
            for f in results.iter() {
                let (_, mean, worst) = &f.timings[i];
                print!(" {mean:.0} | {worst:.0} |");
            }
            println!();
        }
    }
    println!();
    println!(
        "| database | endpoint | req/s | p50 ms | p99 ms | p99 patients | p99 clinicians | \
         server CPU ms/req | of which PostgreSQL | client CPU ms/req | p99 < {TARGET_P99_MS:.0} ms |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    let mut verdicts = Vec::new();
    for f in results.iter_mut() {
        for (endpoint, load) in &mut f.loads {
            let mut all = load.all();
            let p99 = percentile_ms(&mut all, 0.99);
            let met = p99 < TARGET_P99_MS;
            let (server_cpu, postgres_cpu, client_cpu) = load.cpu_ms_per_request();
            println!(
                "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
                f.database,
                endpoint.label(),
                load.per_second(),
                percentile_ms(&mut all, 0.50),
                p99,
                percentile_ms(&mut load.patients_us, 0.99),
                percentile_ms(&mut load.clinicians_us, 0.99),
                server_cpu,
                postgres_cpu,
                client_cpu,
                if met { "met" } else { "MISSED" }
            );
            verdicts.push(met);
        }
    }
    println!();
    println!(
        "With {CONNECTIONS} connections each sending back to back, the mean latency is \
         {CONNECTIONS} / (req/s) (Little's law): p99 < {TARGET_P99_MS:.0} ms needs well over \
         {:.0} req/s, i.e. under {:.2} ms of CPU per request (server and client) on {} cores.",
        CONNECTIONS as f64 * 1000.0 / TARGET_P99_MS,
        TARGET_P99_MS * cores() as f64 / CONNECTIONS as f64,
        cores()
    );
    println!();
    println!(
        "{} of {} endpoint/database pairs meet p99 < {TARGET_P99_MS:.0} ms.",
        verdicts.iter().filter(|m| **m).count(),
        verdicts.len()
    );
}
