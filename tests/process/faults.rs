//! Faults a deployment meets, made for real on the real binary: a rolling restart under
//! load, `kill -9` while messages are being sent, and open event streams across a
//! rolling restart. Each test asserts counts (nobody refused, no 5xx, every message
//! stored once and heard), never durations; `FAULT_TEST_SECONDS` sets how long the load
//! runs (short by default, for CI).
//!
//! The rolling tests need several instances on one database, so PostgreSQL; the `kill -9`
//! test runs on whichever database the suite uses.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::*;

mod streams;

/// The load's whole length when `FAULT_TEST_SECONDS` is not set.
const DEFAULT_SECONDS: u64 = 8;
/// How long the load may make no progress before a test gives up (the machine may be
/// busy; nothing here is timed otherwise).
const STALL_LIMIT: Duration = Duration::from_secs(60);
/// Answered requests each stage needs at least, however short the load.
const LEAST_PER_STAGE: u64 = 20;

fn load_seconds() -> Duration {
    let seconds = std::env::var("FAULT_TEST_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SECONDS);
    Duration::from_secs(seconds)
}

fn postgres_or_skip(test: &str) -> bool {
    if std::env::var("TEST_POSTGRES_URL").map_or(true, |url| url.is_empty()) {
        eprintln!(
            "skipped: {test} runs several instances on one database, so it needs \
             TEST_POSTGRES_URL"
        );
        return false;
    }
    true
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rolling_restart_under_load_refuses_nobody_and_fails_nothing() {
    if !postgres_or_skip("the rolling restart test") {
        return;
    }
    let db = TestDb::new().await;
    let mut servers = start_instances(&db, 3).await;
    let tally = Arc::new(Tally::default());
    let team = Team::new(&servers, &db, 20, tally.clone()).await;
    let conversations = team.patients_write_first().await;

    let stage = Arc::new(AtomicUsize::new(0));
    let answered: Arc<Vec<AtomicU64>> = Arc::new((0..4).map(|_| AtomicU64::new(0)).collect());
    let sent = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let stopping = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for ((_, person), conversation) in team.patients.into_iter().zip(conversations) {
        let load = Mixed {
            person,
            conversation,
            stage: stage.clone(),
            answered: answered.clone(),
            sent: sent.clone(),
            failures: failures.clone(),
        };
        workers.push(tokio::spawn(load.run(stopping.clone())));
    }

    let stage_length = load_seconds() / 4;
    let wait_stage = |index: usize| {
        let answered = answered.clone();
        async move {
            let started = Instant::now();
            let counted = || answered[index].load(Ordering::SeqCst);
            let progressed = tokio::time::timeout(STALL_LIMIT, async {
                while started.elapsed() < stage_length || counted() < LEAST_PER_STAGE {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
            .await;
            assert!(progressed.is_ok(), "stage {index} made no progress");
        }
    };
    wait_stage(0).await;
    for (index, server) in servers.iter_mut().enumerate() {
        // Graceful: SIGTERM, requests in flight finish, then the same binary starts again.
        server.restart(&[]).await;
        stage.store(index + 1, Ordering::SeqCst);
        wait_stage(index + 1).await;
    }
    stopping.store(true, Ordering::SeqCst);
    for worker in workers {
        worker.await.unwrap();
    }

    let failures: Vec<(u16, String)> = failures.lock().unwrap().clone();
    let unauthorised = failures.iter().filter(|(status, _)| *status == 401).count();
    let server_errors = failures.iter().filter(|(status, _)| *status >= 500).count();
    let per_stage: Vec<u64> = answered.iter().map(|a| a.load(Ordering::SeqCst)).collect();
    eprintln!(
        "rolling restart: answered per stage {per_stage:?}, refused connections {}, \
         broken {}, 401s {unauthorised}, 5xx {server_errors}",
        tally.refused.load(Ordering::SeqCst),
        tally.broken.load(Ordering::SeqCst),
    );
    assert!(
        failures.is_empty(),
        "{} failed: {failures:#?}",
        failures.len()
    );
    assert!(
        per_stage.iter().all(|&n| n >= LEAST_PER_STAGE),
        "{per_stage:?}"
    );
    // Every send was retried until answered, under its key: each is stored once.
    let messages = db.scalar_i64("SELECT COUNT(*) FROM messages").await;
    assert_eq!(messages as u64, sent.load(Ordering::SeqCst) + 20);
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_mid_send_loses_no_message_and_stores_none_twice() {
    let db = TestDb::new().await;
    let mut servers = start_instances(&db, 1).await;
    let tally = Arc::new(Tally::default());
    let team = Team::new(&servers, &db, 6, tally.clone()).await;
    let conversations = team.patients_write_first().await;

    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let count = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let stopping = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    let mut people = Vec::new();
    let patients = team.patients.into_iter().zip(conversations);
    for (index, ((_, person), conversation)) in patients.enumerate() {
        let person = Arc::new(person);
        people.push((person.clone(), conversation));
        let sender = Sender {
            person,
            index,
            conversation,
            acknowledged: acknowledged.clone(),
            count: count.clone(),
            failures: failures.clone(),
        };
        workers.push(tokio::spawn(sender.run(stopping.clone())));
    }
    let progress = |more: u64| {
        let count = count.clone();
        async move {
            let target = count.load(Ordering::SeqCst) + more;
            let progressed = tokio::time::timeout(STALL_LIMIT, async {
                while count.load(Ordering::SeqCst) < target {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            })
            .await;
            assert!(progressed.is_ok(), "the sends made no progress");
        }
    };

    let server = &mut servers[0];
    for _ in 0..3 {
        progress(LEAST_PER_STAGE).await;
        // Sends are in flight whenever the senders are waiting for an answer.
        let in_flight = tokio::time::timeout(STALL_LIMIT, async {
            while tally.in_flight.load(Ordering::SeqCst) == 0 {
                tokio::task::yield_now().await;
            }
        })
        .await;
        assert!(in_flight.is_ok(), "no send was ever in flight");
        server.kill().await;
        server.start_again().await;
    }
    progress(LEAST_PER_STAGE).await;
    stopping.store(true, Ordering::SeqCst);
    for worker in workers {
        worker.await.unwrap();
    }

    let failures = failures.lock().unwrap().clone();
    assert!(
        failures.is_empty(),
        "{} failed: {failures:#?}",
        failures.len()
    );
    let acknowledged = acknowledged.lock().unwrap().clone();
    let broken = tally.broken.load(Ordering::SeqCst);
    eprintln!(
        "kill -9: {} sends acknowledged; {} connections refused, {broken} broken mid-request",
        acknowledged.len(),
        tally.refused.load(Ordering::SeqCst),
    );
    assert!(broken > 0, "a kill broke a send the server had taken");
    // What each person's conversation shows: every acknowledged message once, with the
    // id its acknowledgement gave, and nothing else but the opening message.
    for (index, (person, conversation)) in people.iter().enumerate() {
        let shown = conversation_messages(person, *conversation).await;
        let expected: BTreeMap<String, i64> = acknowledged
            .iter()
            .filter(|(who, _, _)| *who == index)
            .map(|(_, body, id)| (body.clone(), *id))
            .collect();
        let mut seen = BTreeMap::new();
        for (id, content) in &shown {
            *seen.entry(content.clone()).or_insert(0) += 1;
            if let Some(acknowledged_id) = expected.get(content) {
                assert_eq!(id, acknowledged_id, "{content}");
            }
        }
        for body in expected.keys() {
            assert_eq!(seen.get(body), Some(&1), "{body} is stored exactly once");
        }
        assert_eq!(
            shown.len(),
            expected.len() + 1,
            "patient {index}: {shown:?}"
        );
    }
    let stored = db.scalar_i64("SELECT COUNT(*) FROM messages").await;
    assert_eq!(stored as usize, acknowledged.len() + people.len());
    let repeated = db
        .scalar_i64(
            "SELECT COUNT(*) FROM (SELECT content FROM messages GROUP BY content \
             HAVING COUNT(*) > 1) AS repeated",
        )
        .await;
    assert_eq!(repeated, 0, "no message is stored twice");
}

async fn start_instances(db: &TestDb, count: usize) -> Vec<Server> {
    let mut servers = Vec::new();
    for _ in 0..count {
        servers.push(Server::start(db, &[]).await);
    }
    servers
}

/// An approved clinician and patients in their care team, each signed in and reaching
/// every instance.
struct Team {
    clinician: Balanced,
    patients: Vec<(String, Balanced)>,
}

const CLINICIAN: &str = "dr.fault";

impl Team {
    async fn new(servers: &[Server], db: &TestDb, patients: usize, tally: Arc<Tally>) -> Team {
        let first = &servers[0];
        let bases: Arc<Vec<String>> = Arc::new(servers.iter().map(Server::base).collect());
        let admin = admin(first, db, "admin").await;
        let dr = Client::new(first);
        let signed_in = dr
            .register(CLINICIAN, json!({ "role": "clinician" }))
            .await
            .expect(201);
        admin
            .post(&format!("/api/admin/users/{CLINICIAN}/approve"), json!({}))
            .await
            .expect(200);
        let clinician = Balanced::new(&dr, &signed_in, bases.clone(), tally.clone());
        let mut people = Vec::new();
        for index in 0..patients {
            let username = format!("patient.{index}");
            let client = Client::new(first);
            let signed_in = client
                .register(&username, json!({ "clinician": CLINICIAN }))
                .await
                .expect(201);
            let person = Balanced::new(&client, &signed_in, bases.clone(), tally.clone());
            people.push((username, person));
        }
        // Through `clinician`, whose token the first request after approval renews.
        let (status, requests) = clinician.get("/api/clinician/requests").await;
        assert_eq!(status, 200, "{requests}");
        let requests = requests["requests"].as_array().unwrap().clone();
        assert_eq!(requests.len(), patients);
        for request in requests {
            let id = request["id"].as_i64().unwrap();
            let path = format!("/api/clinician/requests/{id}/approve");
            let (status, body) = clinician.post(&path, &json!({}), None).await;
            assert_eq!(status, 200, "{body}");
        }
        Team {
            clinician,
            patients: people,
        }
    }

    /// Each patient starts a conversation with the clinician: their ids, in order.
    async fn patients_write_first(&self) -> Vec<i64> {
        let mut conversations = Vec::new();
        for (username, person) in &self.patients {
            let body =
                json!({ "recipient": CLINICIAN, "content": format!("Hello from {username}") });
            conversations.push(opened(person.post("/api/messages/send", &body, None).await));
        }
        conversations
    }

    /// The clinician starts a conversation about `subject` with each patient: their ids,
    /// in order.
    async fn clinician_writes_first(&self, subject: &str) -> Vec<i64> {
        let mut conversations = Vec::new();
        for (username, _) in &self.patients {
            let content = format!("Hello {username}");
            let body = json!({ "recipient": username, "subject": subject, "content": content });
            let answer = self.clinician.post("/api/messages/send", &body, None).await;
            conversations.push(opened(answer));
        }
        conversations
    }
}

fn opened((status, body): (u16, Value)) -> i64 {
    assert_eq!(status, 201, "{body}");
    body["conversation_id"].as_i64().unwrap()
}

/// Every message of a conversation, oldest first: (id, content).
async fn conversation_messages(person: &Balanced, conversation: i64) -> Vec<(i64, String)> {
    let mut messages = Vec::new();
    let mut before = String::new();
    loop {
        let path = format!("/api/messages/conversations/{conversation}?limit=100{before}");
        let (status, page) = person.get(&path).await;
        assert_eq!(status, 200, "{page}");
        let mut newer = messages;
        messages = page["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["id"].as_i64().unwrap(),
                    m["content"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        messages.append(&mut newer);
        match page["next_before"].as_i64() {
            Some(id) if page["has_more"] == true => before = format!("&before={id}"),
            _ => return messages,
        }
    }
}

/// One patient's share of the rolling restart's load, round-robin across instances:
/// their inbox, their conversation, who they are, and a message to the clinician.
struct Mixed {
    person: Balanced,
    conversation: i64,
    stage: Arc<AtomicUsize>,
    answered: Arc<Vec<AtomicU64>>,
    sent: Arc<AtomicU64>,
    /// The status and what was asked, of every answer that was not the expected one.
    failures: Arc<Mutex<Vec<(u16, String)>>>,
}

impl Mixed {
    async fn run(self, stopping: Arc<AtomicBool>) {
        let mut turn = 0u64;
        while !stopping.load(Ordering::SeqCst) {
            turn += 1;
            let stage = self.stage.load(Ordering::SeqCst);
            let (what, (status, body), expected) = match turn % 4 {
                0 => {
                    let key = format!("load-{}-{turn}", self.conversation);
                    let body = json!({ "conversation_id": self.conversation, "content": key });
                    let answer = self
                        .person
                        .post("/api/messages/send", &body, Some(&key))
                        .await;
                    if answer.0 == 201 {
                        self.sent.fetch_add(1, Ordering::SeqCst);
                    }
                    ("POST /api/messages/send".to_owned(), answer, 201)
                }
                1 => {
                    let path = "/api/messages/inbox".to_owned();
                    (path.clone(), self.person.get(&path).await, 200)
                }
                2 => {
                    let path =
                        format!("/api/messages/conversations/{}?limit=20", self.conversation);
                    (path.clone(), self.person.get(&path).await, 200)
                }
                _ => {
                    let path = "/api/auth/me".to_owned();
                    (path.clone(), self.person.get(&path).await, 200)
                }
            };
            if status == expected {
                self.answered[stage].fetch_add(1, Ordering::SeqCst);
            } else {
                let failed = format!("{what} in stage {stage}: {status} {body}");
                self.failures.lock().unwrap().push((status, failed));
            }
        }
    }
}

/// A patient sending message after message to the clinician, each under a key of its
/// own and retried with that key until acknowledged, however often the server dies.
struct Sender {
    person: Arc<Balanced>,
    index: usize,
    conversation: i64,
    /// (who, body, message id) of every acknowledged send.
    acknowledged: Arc<Mutex<Vec<(usize, String, i64)>>>,
    count: Arc<AtomicU64>,
    failures: Arc<Mutex<Vec<String>>>,
}

impl Sender {
    async fn run(self, stopping: Arc<AtomicBool>) {
        let mut n = 0;
        while !stopping.load(Ordering::SeqCst) {
            n += 1;
            let key = format!("kill-{}-{n}", self.index);
            let content = format!("message {n} from patient {}", self.index);
            let body = json!({ "conversation_id": self.conversation, "content": content });
            let (status, answer) = self
                .person
                .post("/api/messages/send", &body, Some(&key))
                .await;
            match answer["message_id"].as_i64() {
                Some(id) if status == 201 => {
                    self.acknowledged
                        .lock()
                        .unwrap()
                        .push((self.index, content, id));
                    self.count.fetch_add(1, Ordering::SeqCst);
                }
                _ => self
                    .failures
                    .lock()
                    .unwrap()
                    .push(format!("send {key}: {status} {answer}")),
            }
        }
    }
}
