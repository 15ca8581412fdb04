//! A rolling key rotation, as `docs/DEPLOYMENT.md` describes it, across three instances
//! of the real binary on one database, while signed-in people keep changing things
//! through whichever instance a load balancer picks: nobody is refused.
//!
//! Each person fetches a fresh CSRF token from one instance and sends the change to the
//! next, so while the instances disagree about keys, a token signed by one instance
//! always meets another that did not sign it. Without a staged key, this refuses people
//! as soon as the first instance signs with the new key.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::common::*;

const PEOPLE: usize = 4;
/// Requests answered between two restarts, so that every mix of keys is tried.
const REQUESTS_PER_STAGE: u64 = 24;
/// How long the load may make no progress before the test gives up (the machine may be
/// busy; nothing here is timed otherwise).
const STALL_LIMIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread")]
async fn a_rolling_rotation_in_two_steps_refuses_nobody() {
    let db = TestDb::new().await;
    let mut servers = Vec::new();
    for _ in 0..3 {
        servers.push(Server::start(&db, &[]).await);
    }
    let bases: Arc<Vec<String>> = Arc::new(servers.iter().map(Server::base).collect());
    let load = Load::start(&servers[0], bases).await;
    load.progress(REQUESTS_PER_STAGE).await;

    // Step 1: every instance accepts the new key, still signing with the old one.
    for server in &mut servers {
        server.restart(&[("SECRET_KEY_NEXT", Some(KEY_B))]).await;
        load.progress(REQUESTS_PER_STAGE).await;
    }
    let logs = servers[0].logs();
    assert!(logs.contains("staged_key_fingerprint="), "{logs}");
    // Step 2: every instance signs with the new key and still accepts the old one.
    for server in &mut servers {
        server
            .restart(&[
                ("SECRET_KEY", Some(KEY_B)),
                ("SECRET_KEY_FALLBACKS", Some(KEY_A)),
                ("SECRET_KEY_NEXT", None),
            ])
            .await;
        load.progress(REQUESTS_PER_STAGE).await;
    }

    let (answered, refusals) = load.stop().await;
    assert!(
        refusals.is_empty(),
        "{} refused: {refusals:#?}",
        refusals.len()
    );
    // A check-in whose instance stopped as it arrived may be stored unanswered.
    let stored = db.scalar_i64("SELECT COUNT(*) FROM mood_entries").await;
    assert!(
        stored as u64 >= answered,
        "every answered check-in was stored"
    );
    for server in &servers {
        let logs = server.logs();
        assert!(
            !logs.contains(KEY_A) && !logs.contains(KEY_B),
            "keys are never logged"
        );
    }
}

/// People checking in their mood, round-robin across the instances, until stopped.
struct Load {
    answered: Arc<AtomicU64>,
    stopping: Arc<AtomicBool>,
    refusals: Arc<Mutex<Vec<String>>>,
    workers: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    async fn start(first: &Server, bases: Arc<Vec<String>>) -> Load {
        let load = Load {
            answered: Arc::default(),
            stopping: Arc::default(),
            refusals: Arc::default(),
            workers: Vec::new(),
        };
        let mut workers = Vec::new();
        for index in 0..PEOPLE {
            let reply = Client::new(first)
                .register(&format!("rotating.{index}"), json!({}))
                .await
                .expect(201);
            let person = Person {
                index,
                cookie: session_cookie(&reply),
                http: reqwest::Client::builder()
                    .pool_max_idle_per_host(0)
                    .build()
                    .unwrap(),
                bases: bases.clone(),
            };
            workers.push(tokio::spawn(person.run(
                load.answered.clone(),
                load.stopping.clone(),
                load.refusals.clone(),
            )));
        }
        Load { workers, ..load }
    }

    /// Waits until `count` more requests were answered.
    async fn progress(&self, count: u64) {
        let target = self.answered.load(Ordering::SeqCst) + count;
        let waited = tokio::time::timeout(STALL_LIMIT, async {
            while self.answered.load(Ordering::SeqCst) < target {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        assert!(waited.is_ok(), "the load made no progress");
    }

    /// The check-ins answered, and every refusal.
    async fn stop(self) -> (u64, Vec<String>) {
        self.stopping.store(true, Ordering::SeqCst);
        for worker in self.workers {
            worker.await.unwrap();
        }
        let refusals = self.refusals.lock().unwrap().clone();
        (self.answered.load(Ordering::SeqCst), refusals)
    }
}

/// One signed-in person: a session cookie, no connection kept between requests (an
/// instance may be restarting), and the list of instances.
struct Person {
    index: usize,
    cookie: String,
    http: reqwest::Client,
    bases: Arc<Vec<String>>,
}

impl Person {
    async fn run(
        self,
        answered: Arc<AtomicU64>,
        stopping: Arc<AtomicBool>,
        refusals: Arc<Mutex<Vec<String>>>,
    ) {
        let mut turn = self.index;
        while !stopping.load(Ordering::SeqCst) {
            turn += 1;
            let (from, to) = (turn % 3, (turn + 1) % 3);
            // An instance that is restarting refuses connections: the next turn goes
            // elsewhere, as a load balancer would send it.
            let token = match self.me(from).await {
                Some((200, me)) => me["csrf_token"].as_str().unwrap_or_default().to_owned(),
                Some((status, body)) => {
                    let refused = format!("/api/auth/me on instance {from}: {status} {body}");
                    refusals.lock().unwrap().push(refused);
                    continue;
                }
                None => continue,
            };
            match self.check_in(to, &token).await {
                Some((201, _)) => {
                    answered.fetch_add(1, Ordering::SeqCst);
                }
                Some((status, body)) => refusals.lock().unwrap().push(format!(
                    "token from instance {from}, sent to instance {to}: {status} {body}"
                )),
                None => {}
            }
        }
    }

    /// The answer, or None when the instance could not be reached.
    async fn me(&self, instance: usize) -> Option<(u16, Value)> {
        let request = self
            .http
            .get(format!("{}/api/auth/me", self.bases[instance]));
        self.send(request).await
    }

    async fn check_in(&self, instance: usize, token: &str) -> Option<(u16, Value)> {
        let request = self
            .http
            .post(format!("{}/api/mood", self.bases[instance]))
            .header("x-csrf-token", token)
            .json(&json!({ "score": 1 + (self.index % 10) }));
        self.send(request).await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Option<(u16, Value)> {
        let request = request.header("cookie", format!("hs_session={}", self.cookie));
        let response = request.send().await.ok()?;
        let status = response.status().as_u16();
        Some((status, response.json().await.unwrap_or(Value::Null)))
    }
}
