//! Load: keep-alive HTTP/1.1 connections sending back to back, and what they measured.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::common::read_response;
use crate::sign_in::Account;
use crate::{CONNECTIONS, WARM_UP};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Inbox,
    Conversation,
    Send,
    Home,
}

impl Endpoint {
    pub const ALL: [Endpoint; 4] = [
        Endpoint::Inbox,
        Endpoint::Conversation,
        Endpoint::Send,
        Endpoint::Home,
    ];

    pub fn named(name: &str) -> anyhow::Result<Endpoint> {
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

    pub fn label(self) -> &'static str {
        match self {
            Endpoint::Inbox => "GET /api/messages/inbox",
            Endpoint::Conversation => "GET /api/messages/conversations/{id}",
            Endpoint::Send => "POST /api/messages/send",
            Endpoint::Home => "GET /api/home/data",
        }
    }

    pub fn expected_status(self) -> u16 {
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
pub struct Load {
    pub requests: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub seconds: f64,
    pub patients_us: Vec<u32>,
    pub clinicians_us: Vec<u32>,
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

pub fn cores() -> usize {
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
    pub fn merge(&mut self, other: Load) {
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
    pub fn cpu_ms_per_request(&self) -> (f64, f64, f64) {
        let per = |ticks: u64| ticks as f64 / TICKS_PER_SECOND * 1000.0 / self.requests as f64;
        (
            per(self.cpu.process.saturating_sub(self.cpu.client) + self.cpu.postgres),
            per(self.cpu.postgres),
            per(self.cpu.client),
        )
    }

    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    pub fn all(&self) -> Vec<u32> {
        let mut all = self.patients_us.clone();
        all.extend_from_slice(&self.clinicians_us);
        all
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
