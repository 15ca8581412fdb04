//! Delivery across instances: streams on B, sends on A, each message timed from its
//! request to its `message` event on the recipient's stream.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

use crate::server::Server;
use crate::sign_in::{Account, People};
use crate::stream::EventStream;
use crate::Config;

/// How long the last messages may take to arrive before they count as missing.
const ARRIVE_WITHIN: Duration = Duration::from_secs(10);
/// Streams opened at once.
const OPENING_AT_ONCE: usize = 32;

pub struct Delivery {
    pub streams: usize,
    pub open_s: f64,
    /// Microseconds, one per measured message.
    pub send_us: Vec<u32>,
    pub delivery_us: Vec<u32>,
    pub missing: usize,
    /// Streams that ended during the run (none should).
    pub ended: usize,
    /// B's resident memory (MB) before and with the streams.
    pub b_rss_mb: (f64, f64),
}

/// When each message's event was read, by message id.
type Arrivals = Arc<Mutex<HashMap<i64, Instant>>>;

pub async fn measure(
    config: &Config,
    a: &Server,
    b: &Server,
    people: &People,
) -> anyhow::Result<Delivery> {
    let arrivals: Arrivals = Arc::default();
    let ended = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let rss_before = b.memory_mb()?.0;
    eprintln!("== opening {} streams on B", people.patients.len());
    let started = Instant::now();
    let (followers, opened) =
        open_streams(b.addr, &people.patients, arrivals.clone(), ended.clone()).await?;
    let open_s = started.elapsed().as_secs_f64();
    ensure!(opened == people.patients.len(), "not every stream opened");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_with = b.memory_mb()?.0;

    let senders = people.clinicians.len();
    eprintln!(
        "== sending {} messages on A ({senders} clinicians, {} a second in all)",
        config.messages, config.rate
    );
    let sends = send_all(config, a.addr, people).await?;
    let deadline = Instant::now() + ARRIVE_WITHIN;
    while Instant::now() < deadline {
        let all_arrived = {
            let arrived = arrivals.lock().unwrap();
            sends.iter().all(|s| arrived.contains_key(&s.message_id))
        };
        if all_arrived {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for follower in &followers {
        follower.abort();
    }
    let arrived = arrivals.lock().unwrap();
    let (mut send_us, mut delivery_us, mut missing) = (Vec::new(), Vec::new(), 0);
    for send in sends.iter().filter(|s| s.measured) {
        send_us.push(micros(send.answered - send.started));
        match arrived.get(&send.message_id) {
            Some(at) => delivery_us.push(micros(at.saturating_duration_since(send.started))),
            None => missing += 1,
        }
    }
    Ok(Delivery {
        streams: opened,
        open_s,
        send_us,
        delivery_us,
        missing,
        ended: ended.load(std::sync::atomic::Ordering::Relaxed),
        b_rss_mb: (rss_before, rss_with),
    })
}

fn micros(duration: Duration) -> u32 {
    u32::try_from(duration.as_micros()).unwrap_or(u32::MAX)
}

/// One stream per patient, each followed by a task that notes when each message arrives;
/// the tasks, and how many streams opened.
async fn open_streams(
    addr: SocketAddr,
    patients: &[Account],
    arrivals: Arrivals,
    ended: Arc<std::sync::atomic::AtomicUsize>,
) -> anyhow::Result<(Vec<JoinHandle<()>>, usize)> {
    let permits = Arc::new(tokio::sync::Semaphore::new(OPENING_AT_ONCE));
    let (opened_tx, mut opened_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut followers = Vec::with_capacity(patients.len());
    for patient in patients {
        let (permits, opened_tx) = (permits.clone(), opened_tx.clone());
        let (arrivals, ended, token) = (arrivals.clone(), ended.clone(), patient.token.clone());
        followers.push(tokio::spawn(async move {
            let permit = permits.acquire().await;
            let stream = EventStream::open(addr, &token).await;
            drop(permit);
            let mut stream = match stream {
                Ok(stream) => {
                    let _ = opened_tx.send(Ok(()));
                    // The count waits for every task to drop its sender.
                    drop(opened_tx);
                    stream
                }
                Err(error) => {
                    let _ = opened_tx.send(Err(error));
                    return;
                }
            };
            while let Ok(Some(frame)) = stream.next().await {
                if frame.event != "message" {
                    continue;
                }
                let data: serde_json::Value = serde_json::from_str(&frame.data).unwrap_or_default();
                if let Some(id) = data["message_id"].as_i64() {
                    arrivals.lock().unwrap().insert(id, Instant::now());
                }
            }
            ended.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }));
    }
    drop(opened_tx);
    let mut opened = 0;
    while let Some(result) = opened_rx.recv().await {
        result.context("opening an event stream")?;
        opened += 1;
    }
    Ok((followers, opened))
}

struct Send {
    message_id: i64,
    started: Instant,
    answered: Instant,
    /// The first message of each sender warms its connection and is not counted.
    measured: bool,
}

/// Every clinician sends on a keep-alive connection of its own, to its signed-in patients
/// in turn; message `i` (of all) is due at `i / rate` seconds.
async fn send_all(config: &Config, addr: SocketAddr, people: &People) -> anyhow::Result<Vec<Send>> {
    let clinicians = people.clinician_count;
    let patients = people.patients.len();
    let total = config.messages + clinicians;
    let interval = Duration::from_secs_f64(1.0 / config.rate);
    let start = Instant::now() + Duration::from_millis(200);
    let mut tasks = Vec::with_capacity(clinicians);
    for (c, clinician) in people.clinicians.iter().enumerate() {
        // Patient k is in conversation k + 1 with clinician k % clinicians.
        let conversations: Vec<usize> = (c..patients).step_by(clinicians).map(|k| k + 1).collect();
        let (token, csrf) = (clinician.token.clone(), clinician.csrf.clone());
        let due: Vec<usize> = (c..total).step_by(clinicians).collect();
        tasks.push(tokio::spawn(async move {
            let mut socket = TcpStream::connect(addr).await?;
            socket.set_nodelay(true)?;
            let mut buffer = Vec::with_capacity(4096);
            let mut sends = Vec::with_capacity(due.len());
            for (n, i) in due.into_iter().enumerate() {
                tokio::time::sleep_until((start + interval * i as u32).into()).await;
                let conversation = conversations[n % conversations.len()];
                let body = serde_json::json!({
                    "conversation_id": conversation,
                    "content": format!("Events bench message {i}: how was today?"),
                })
                .to_string();
                let request = format!(
                    "POST /api/messages/send HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: hs-events-bench\r\n\
                     Accept: application/json\r\nCookie: hs_session={token}\r\nX-CSRF-Token: {csrf}\r\n\
                     Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                let started = Instant::now();
                socket.write_all(request.as_bytes()).await?;
                let (status, answer) = crate::common::read_response(&mut socket, &mut buffer).await?;
                let answered = Instant::now();
                ensure!(
                    status == 201,
                    "a send answered {status}: {}",
                    String::from_utf8_lossy(answer)
                );
                let answer: serde_json::Value = serde_json::from_slice(answer)?;
                let message_id = answer["message_id"]
                    .as_i64()
                    .context("a send answered no message_id")?;
                sends.push(Send {
                    message_id,
                    started,
                    answered,
                    measured: n > 0,
                });
            }
            anyhow::Ok(sends)
        }));
    }
    let mut sends = Vec::with_capacity(total);
    for task in tasks {
        sends.extend(task.await??);
    }
    Ok(sends)
}
