//! Load: keep-alive HTTP/1.1 connections sending back to back, and what they measured.
//! The client loop is `benches/scale/load.rs`'s, without its CPU accounting.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::common::read_response;
use crate::sign_in::Account;
use crate::templates::TEMPLATES;
use crate::{CONNECTIONS, WARM_UP};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Alerts,
    Measures,
    Submit,
}

impl Endpoint {
    /// In this order: the answers posted last change nothing the reads see.
    pub const ALL: [Endpoint; 3] = [Endpoint::Alerts, Endpoint::Measures, Endpoint::Submit];

    pub fn named(name: &str) -> anyhow::Result<Endpoint> {
        Ok(match name {
            "alerts" => Endpoint::Alerts,
            "measures" => Endpoint::Measures,
            "submit" => Endpoint::Submit,
            other => {
                anyhow::bail!("MEASURES_ENDPOINTS lists alerts, measures or submit, not {other:?}")
            }
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Endpoint::Alerts => "GET /api/clinician/alerts",
            Endpoint::Measures => "GET /api/clinician/patients/{username}/measures",
            Endpoint::Submit => "POST /api/measures/{instrument}/responses",
        }
    }

    pub fn expected_status(self) -> u16 {
        if self == Endpoint::Submit {
            201
        } else {
            200
        }
    }

    /// Clinicians read, patients answer.
    pub fn by_clinicians(self) -> bool {
        self != Endpoint::Submit
    }

    /// The `n`-th request of a connection. Answers cycle through the 12 templates, so a
    /// quarter raise an alert (PHQ-9 item 9, GAD-7 severe, C-SSRS moderate).
    fn request(
        self,
        addr: SocketAddr,
        cookie: &str,
        account: &Account,
        n: usize,
        days: i64,
    ) -> Vec<u8> {
        let head = format!(
            "Host: {addr}\r\nUser-Agent: hs-measures-bench\r\nAccept: application/json\r\n\
             Cookie: {cookie}={}\r\n",
            account.token
        );
        match self {
            Endpoint::Alerts => format!("GET /api/clinician/alerts HTTP/1.1\r\n{head}\r\n"),
            Endpoint::Measures => format!(
                "GET /api/clinician/patients/{}/measures?days={days} HTTP/1.1\r\n{head}\r\n",
                account.patients[n % account.patients.len()]
            ),
            Endpoint::Submit => {
                let template = &TEMPLATES[n % TEMPLATES.len()];
                let body = format!(r#"{{"answers":{}}}"#, template.answers);
                format!(
                    "POST /api/measures/{}/responses HTTP/1.1\r\n{head}X-CSRF-Token: {}\r\n\
                     Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    template.instrument.as_str(),
                    account.csrf,
                    body.len()
                )
            }
        }
        .into_bytes()
    }
}

#[derive(Default)]
pub struct Load {
    pub requests: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub seconds: f64,
    pub latencies_us: Vec<u32>,
    /// CPU in the measured window, in clock ticks: the server (this process less the
    /// client thread; one server is loaded at a time) and PostgreSQL's processes.
    pub server_ticks: u64,
    pub postgres_ticks: u64,
}

/// utime + stime of a `/proc/.../stat` file, and its command name (as in the scale bench).
fn stat_fields(path: &str) -> Option<(String, u64)> {
    let text = std::fs::read_to_string(path).ok()?;
    let (open, close) = (text.find('(')?, text.rfind(')')?);
    let fields: Vec<&str> = text[close + 1..].split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some((text[open + 1..close].to_owned(), ticks))
}

/// (this process, this thread, every `postgres` process) in clock ticks.
fn cpu_now() -> (u64, u64, u64) {
    let ticks = |path: &str| stat_fields(path).map_or(0, |(_, t)| t);
    let postgres = std::fs::read_dir("/proc").map_or(0, |entries| {
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
            .map(|(_, t)| t)
            .sum()
    });
    (
        ticks("/proc/self/stat"),
        ticks("/proc/thread-self/stat"),
        postgres,
    )
}

impl Load {
    pub fn merge(&mut self, other: Load) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.first_error = self.first_error.take().or(other.first_error);
        self.seconds += other.seconds;
        self.latencies_us.extend(other.latencies_us);
        self.server_ticks += other.server_ticks;
        self.postgres_ticks += other.postgres_ticks;
    }

    /// Server CPU per request (PostgreSQL included), and PostgreSQL's part, in ms.
    pub fn cpu_ms(&self) -> (f64, f64) {
        // Linux clock ticks are 1/100 s.
        let per = |ticks: u64| ticks as f64 * 10.0 / self.requests as f64;
        (
            per(self.server_ticks + self.postgres_ticks),
            per(self.postgres_ticks),
        )
    }

    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    pub fn p99_ms(&mut self) -> f64 {
        percentile_ms(&mut self.latencies_us, 0.99)
    }
}

pub fn percentile_ms(latencies_us: &mut [u32], p: f64) -> f64 {
    if latencies_us.is_empty() {
        return f64::NAN;
    }
    latencies_us.sort_unstable();
    let rank = ((latencies_us.len() as f64 * p).ceil() as usize).max(1) - 1;
    f64::from(latencies_us[rank.min(latencies_us.len() - 1)]) / 1000.0
}

/// `CONNECTIONS` keep-alive connections on a client thread of their own, each sending
/// back to back; only answers completed within the segment after the warm-up count.
pub async fn run_load(
    addr: SocketAddr,
    endpoint: Endpoint,
    accounts: Arc<Vec<Account>>,
    cookie: String,
    segment: Duration,
    days: i64,
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
                            let to = Target {
                                addr,
                                endpoint,
                                days,
                            };
                            connection(to, &accounts, &cookie, c, start, end).await
                        }));
                    }
                    tokio::time::sleep_until(start.into()).await;
                    let before = cpu_now();
                    tokio::time::sleep_until(end.into()).await;
                    let after = cpu_now();
                    let mut total = Load::default();
                    for task in tasks {
                        total.merge(task.await??);
                    }
                    total.seconds = segment.as_secs_f64();
                    let process = after.0.saturating_sub(before.0);
                    total.server_ticks = process.saturating_sub(after.1.saturating_sub(before.1));
                    total.postgres_ticks = after.2.saturating_sub(before.2);
                    anyhow::Ok(total)
                })
            });
        let _ = done_tx.send(outcome);
    });
    done_rx.await.context("the load thread died")?
}

#[derive(Clone, Copy)]
struct Target {
    addr: SocketAddr,
    endpoint: Endpoint,
    days: i64,
}

async fn connection(
    to: Target,
    accounts: &[Account],
    cookie: &str,
    c: usize,
    start: Instant,
    end: Instant,
) -> anyhow::Result<Load> {
    let mut stream = TcpStream::connect(to.addr).await?;
    stream.set_nodelay(true)?;
    let mut buffer = Vec::with_capacity(64 * 1024);
    let mut load = Load::default();
    for n in 0.. {
        let account = &accounts[(c + n * CONNECTIONS) % accounts.len()];
        let request = to
            .endpoint
            .request(to.addr, cookie, account, n + c, to.days);
        let sent = Instant::now();
        if sent >= end {
            break;
        }
        stream.write_all(&request).await?;
        let (status, body) = read_response(&mut stream, &mut buffer).await?;
        let done = Instant::now();
        if sent >= start && done <= end {
            load.requests += 1;
            if status != to.endpoint.expected_status() {
                load.errors += 1;
                load.first_error
                    .get_or_insert_with(|| format!("{status} {}", String::from_utf8_lossy(body)));
            }
            let micros = u32::try_from(done.duration_since(sent).as_micros()).unwrap_or(u32::MAX);
            load.latencies_us.push(micros);
        }
    }
    Ok(load)
}
