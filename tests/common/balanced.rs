//! Instances behind a load balancer, as the fault tests reach them: a signed-in person
//! whose requests go round-robin across the instances, and a request an instance could
//! not take (stopped, restarting, killed: the connection refused or broken) tried again
//! on the next instance, as a load balancer would.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;

use super::{Client, Reply};

/// How long no instance may take a request before the test gives up (the machine may be
/// busy, an instance may be starting; nothing is timed otherwise).
pub const UNREACHED_LIMIT: Duration = Duration::from_secs(60);
/// The pause after every instance was tried in vain.
const RETRY_PAUSE: Duration = Duration::from_millis(50);

/// What the transport did, for the counts a test reports.
#[derive(Default)]
pub struct Tally {
    /// Requests sent and not yet answered (or failed).
    pub in_flight: AtomicU64,
    /// Connections refused: nothing was sent.
    pub refused: AtomicU64,
    /// Requests whose connection broke or was reset before the whole answer came: the
    /// instance may or may not have acted on them.
    pub broken: AtomicU64,
}

/// A signed-in person talking to several instances: the session cookie (replaced when an
/// answer renews it, as a browser's is) and CSRF token, sent by hand, and no connection
/// kept between requests (an instance may be restarting).
pub struct Balanced {
    cookie: Mutex<String>,
    pub csrf: String,
    http: reqwest::Client,
    bases: Arc<Vec<String>>,
    turn: AtomicUsize,
    pub tally: Arc<Tally>,
}

impl Balanced {
    /// `client` signed in with `reply` (which set the session cookie) and has a token.
    pub fn new(client: &Client, reply: &Reply, bases: Arc<Vec<String>>, tally: Arc<Tally>) -> Self {
        Balanced {
            cookie: Mutex::new(super::session_cookie(reply)),
            csrf: client.csrf().expect("a CSRF token"),
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap(),
            turn: AtomicUsize::new(bases.len()),
            bases,
            tally,
        }
    }

    pub fn instances(&self) -> usize {
        self.bases.len()
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.balanced(Method::GET, path, None, None).await
    }

    /// A POST that may be retried: with `key` as its `Idempotency-Key` when it is not
    /// safe to repeat.
    pub async fn post(&self, path: &str, body: &Value, key: Option<&str>) -> (u16, Value) {
        self.balanced(Method::POST, path, Some(body), key).await
    }

    /// The next instance's answer; an instance that could not take the request is
    /// passed over for the next one.
    async fn balanced(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> (u16, Value) {
        let since = Instant::now();
        loop {
            for _ in 0..self.bases.len() {
                let instance = self.turn.fetch_add(1, Ordering::SeqCst) % self.bases.len();
                let answered = self.once(instance, method.clone(), path, body, key).await;
                if let Ok(answer) = answered {
                    return answer;
                }
            }
            assert!(
                since.elapsed() < UNREACHED_LIMIT,
                "no instance took {method} {path} for {UNREACHED_LIMIT:?}"
            );
            tokio::time::sleep(RETRY_PAUSE).await;
        }
    }

    /// One try on one instance: the status and JSON body (Null when there is none), or
    /// the transport's error, counted.
    pub async fn once(
        &self,
        instance: usize,
        method: Method,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Result<(u16, Value), reqwest::Error> {
        let url = format!("{}{path}", self.bases[instance]);
        let mut request = self
            .http
            .request(method, url)
            .header("cookie", self.cookie_header())
            .header("x-csrf-token", &self.csrf);
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        self.tally.in_flight.fetch_add(1, Ordering::SeqCst);
        let answered: Result<(u16, Value), reqwest::Error> = async {
            let response = request.send().await?;
            self.take_renewed_cookie(response.headers());
            let status = response.status().as_u16();
            let text = response.text().await?;
            Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
        }
        .await;
        self.tally.in_flight.fetch_sub(1, Ordering::SeqCst);
        if let Err(error) = &answered {
            let counter = if error.is_connect() {
                &self.tally.refused
            } else {
                &self.tally.broken
            };
            counter.fetch_add(1, Ordering::SeqCst);
        }
        answered
    }

    /// A request for an event stream on one instance, with this person's cookie.
    pub fn stream_request(&self, instance: usize) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}/api/events", self.bases[instance]))
            .header("cookie", self.cookie_header())
    }

    fn cookie_header(&self) -> String {
        format!("hs_session={}", self.cookie.lock().unwrap())
    }

    /// A session's token is renewed when its privileges change (a clinician approved):
    /// the answer sets the new one.
    fn take_renewed_cookie(&self, headers: &reqwest::header::HeaderMap) {
        let renewed = headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("hs_session="))
            .and_then(|rest| rest.split(';').next())
            .filter(|token| !token.is_empty());
        if let Some(token) = renewed {
            *self.cookie.lock().unwrap() = token.to_owned();
        }
    }
}
