//! Open event streams across a rolling restart: each recipient reconnects to the next
//! instance with the id of the last event heard, and misses no message.

use super::*;

#[tokio::test(flavor = "multi_thread")]
async fn open_event_streams_miss_no_message_across_a_rolling_restart() {
    if !postgres_or_skip("the event streams' rolling restart test") {
        return;
    }
    let db = TestDb::new().await;
    let mut servers = start_instances(&db, 3).await;
    let tally = Arc::new(Tally::default());
    let team = Team::new(&servers, &db, 3, tally.clone()).await;
    // Two conversations with each recipient: sends into one conversation take turns on
    // its row, sends into two race each other to commit.
    let conversations = [
        team.clinician_writes_first("Sleep").await,
        team.clinician_writes_first("Work").await,
    ];
    let clinician = Arc::new(team.clinician);

    let failures = Arc::new(Mutex::new(Vec::new()));
    let mut listeners = Vec::new();
    let mut heard = Vec::new();
    for (index, (_, person)) in team.patients.into_iter().enumerate() {
        let listener = Listener {
            person,
            heard: Arc::default(),
            reconnects: Arc::default(),
            failures: failures.clone(),
        };
        heard.push((listener.heard.clone(), listener.reconnects.clone()));
        let (ready, is_ready) = tokio::sync::oneshot::channel();
        listeners.push(tokio::spawn(listener.run(index, ready)));
        tokio::time::timeout(STALL_LIMIT, is_ready)
            .await
            .expect("the stream opens")
            .unwrap();
    }

    // Two senders per recipient, one in each conversation, so that sends to one person
    // race each other.
    let sent: Arc<Mutex<Vec<BTreeSet<i64>>>> = Arc::new(Mutex::new(vec![BTreeSet::new(); 3]));
    let count = Arc::new(AtomicU64::new(0));
    let stopping = Arc::new(AtomicBool::new(false));
    let mut senders = Vec::new();
    for (lane, with_each) in conversations.iter().enumerate() {
        for (recipient, &conversation) in with_each.iter().enumerate() {
            let (clinician, sent, count, failures, stopping) = (
                clinician.clone(),
                sent.clone(),
                count.clone(),
                failures.clone(),
                stopping.clone(),
            );
            senders.push(tokio::spawn(async move {
                let mut n = 0;
                while !stopping.load(Ordering::SeqCst) {
                    n += 1;
                    let key = format!("stream-{recipient}-{lane}-{n}");
                    let body = json!({ "conversation_id": conversation, "content": key });
                    let (status, answer) = clinician
                        .post("/api/messages/send", &body, Some(&key))
                        .await;
                    match answer["message_id"].as_i64() {
                        Some(id) if status == 201 => {
                            sent.lock().unwrap()[recipient].insert(id);
                            count.fetch_add(1, Ordering::SeqCst);
                        }
                        _ => failures
                            .lock()
                            .unwrap()
                            .push(format!("send {key}: {status} {answer}")),
                    }
                }
            }));
        }
    }
    let stage_length = load_seconds() / 4;
    let wait_stage = || {
        let count = count.clone();
        async move {
            let started = Instant::now();
            let from = count.load(Ordering::SeqCst);
            let progressed = tokio::time::timeout(STALL_LIMIT, async {
                while started.elapsed() < stage_length
                    || count.load(Ordering::SeqCst) < from + LEAST_PER_STAGE
                {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
            .await;
            assert!(progressed.is_ok(), "the sends made no progress");
        }
    };
    wait_stage().await;
    for server in &mut servers {
        server.restart(&[]).await;
        wait_stage().await;
    }
    stopping.store(true, Ordering::SeqCst);
    for sender in senders {
        sender.await.unwrap();
    }

    // Every message sent reaches its recipient's stream, late perhaps, but it comes.
    let sent = sent.lock().unwrap().clone();
    let missing = || {
        let mut missing = Vec::new();
        for (recipient, (heard, _)) in heard.iter().enumerate() {
            let heard = heard.lock().unwrap();
            let not_heard: Vec<_> = sent[recipient].difference(&heard).copied().collect();
            if !not_heard.is_empty() {
                missing.push((recipient, not_heard));
            }
        }
        missing
    };
    let _ = tokio::time::timeout(STALL_LIMIT, async {
        while !missing().is_empty() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    for listener in listeners {
        listener.abort();
    }
    let reconnects: u64 = heard.iter().map(|(_, r)| r.load(Ordering::SeqCst)).sum();
    let total: usize = sent.iter().map(BTreeSet::len).sum();
    eprintln!("event streams: {total} messages sent, {reconnects} reconnects");
    let failures = failures.lock().unwrap().clone();
    assert!(
        failures.is_empty(),
        "{} failed: {failures:#?}",
        failures.len()
    );
    assert_eq!(missing(), Vec::new(), "messages no stream heard of");
    // Each restart broke at least the streams on the instance it stopped.
    assert!(reconnects >= 3, "{reconnects} reconnects");
    // The streams ended as their instance began to stop: none held a stop to its grace
    // period.
    for server in &servers {
        let logs = server.logs();
        assert!(!logs.contains("after the grace period"), "{logs}");
    }
}

/// A recipient holding an event stream open: when it breaks, they reconnect to the next
/// instance with the id of the last event they saw, as a browser's EventSource does.
struct Listener {
    person: Balanced,
    /// The message ids of every `message` event heard.
    heard: Arc<Mutex<BTreeSet<i64>>>,
    reconnects: Arc<AtomicU64>,
    failures: Arc<Mutex<Vec<String>>>,
}

impl Listener {
    async fn run(self, first_instance: usize, ready: tokio::sync::oneshot::Sender<()>) {
        let mut ready = Some(ready);
        let mut last_event_id: Option<i64> = None;
        let mut instance = first_instance;
        let mut tries = 0;
        loop {
            let mut request = self
                .person
                .stream_request(instance % self.person.instances());
            if let Some(id) = last_event_id {
                request = request.header("Last-Event-ID", id.to_string());
            }
            instance += 1;
            let mut response = match request.send().await {
                Ok(response) if response.status() == 200 => response,
                Ok(response) => {
                    let status = response.status();
                    let body = response.text().await.unwrap_or_default();
                    self.failures
                        .lock()
                        .unwrap()
                        .push(format!("GET /api/events: {status} {body}"));
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
                Err(_) => {
                    tries += 1;
                    if tries % self.person.instances() == 0 {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    continue;
                }
            };
            tries = 0;
            let mut buffer = String::new();
            while let Ok(Some(chunk)) = response.chunk().await {
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let frame: String = buffer.drain(..end + 2).collect();
                    let (id, kind, data) = parse_frame(&frame);
                    if let Some(id) = id {
                        last_event_id = Some(id);
                    }
                    match kind.as_str() {
                        "ready" => {
                            if let Some(ready) = ready.take() {
                                let _ = ready.send(());
                            }
                        }
                        "message" => {
                            let id = data["message_id"].as_i64().unwrap();
                            self.heard.lock().unwrap().insert(id);
                        }
                        "session_ended" => self
                            .failures
                            .lock()
                            .unwrap()
                            .push(format!("the stream ended the session: {data}")),
                        _ => {}
                    }
                }
            }
            self.reconnects.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// An event's id, kind and data (Null for a heartbeat comment).
fn parse_frame(frame: &str) -> (Option<i64>, String, Value) {
    let (mut id, mut kind, mut data) = (None, String::new(), String::new());
    for line in frame.lines() {
        if let Some(rest) = line.strip_prefix("id:") {
            id = rest.trim().parse().ok();
        } else if let Some(rest) = line.strip_prefix("event:") {
            kind = rest.trim().to_owned();
        } else if let Some(rest) = line.strip_prefix("data:") {
            data.push_str(rest.trim());
        }
    }
    (id, kind, serde_json::from_str(&data).unwrap_or(Value::Null))
}
