//! The service's metrics, for Prometheus: one registry per running app (so two apps in
//! one process, as in the tests, count apart), recorded where things happen and read at
//! `GET /metrics` (`scrape.rs`, above every feature).
//!
//! Every series is named here, and no label ever holds what identifies a person: routes
//! are templates (`/api/clinician/patients/{username}/mood`, never the address asked
//! for), and the other labels come from closed sets (methods, statuses, error codes,
//! the kind of mail). The counters live as long as the process; the gauges of the
//! database (its pools, the risk alerts) are read afresh at each scrape.
//!
//! For the event streams (server-sent events): call [`Metrics::event_stream_opened`]
//! when a stream starts and keep the [`OpenEventStream`] it returns inside the stream;
//! dropping it (the client went away, the server stops) counts the stream as closed.

mod requests;

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use crate::storage::PoolStats;
pub use requests::track_requests;

/// The content type of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Seconds: from a cached file (well under 5 ms) to a sign-in, whose password hash takes
/// a few hundred, to the request timeout (30 s by default).
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The handle every part records through; cheap to clone.
#[derive(Clone)]
pub struct Metrics(Arc<Families>);

struct Families {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    session_lookups: IntCounterVec,
    event_streams: IntGauge,
    sign_in_failures: IntCounterVec,
    lockouts: IntCounterVec,
    mails_sent: IntCounterVec,
    mails_failed: IntCounterVec,
}

/// Which step of signing in failed or was locked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInStep {
    Password,
    SecondFactor,
    Passkey,
}

impl SignInStep {
    fn as_str(self) -> &'static str {
        match self {
            SignInStep::Password => "password",
            SignInStep::SecondFactor => "second_factor",
            SignInStep::Passkey => "passkey",
        }
    }
}

/// What a scrape reads from the database, counted, never shown.
#[derive(Debug, Clone, Default)]
pub struct AlertCounts {
    /// Alerts waiting to be acknowledged, by severity (`urgent`, `review`).
    pub open: Vec<(String, i64)>,
    /// Urgent alerts waiting longer than `ALERT_ACK_MINUTES`.
    pub overdue: i64,
    /// Urgent alerts about a patient with no clinician to see them.
    pub unattended: i64,
}

/// The gauges read at scrape time.
#[derive(Debug, Clone, Default)]
pub struct Scraped {
    pub pools: Vec<PoolStats>,
    /// None when the database did not answer; its gauges are then left out.
    pub alerts: Option<AlertCounts>,
}

/// Every severity a rule can give, so each has a series even at zero.
const SEVERITIES: [&str; 2] = ["urgent", "review"];

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let family = IntCounterVec::new(Opts::new(name, help), labels)
                .expect("a valid metric definition");
            registry
                .register(Box::new(family.clone()))
                .expect("each metric is registered once");
            family
        };
        let requests = counter(
            "healing_space_http_requests_total",
            "HTTP requests answered, by method, route template and status.",
            &["method", "route", "status"],
        );
        let session_lookups = counter(
            "healing_space_session_lookups_total",
            "Session checks of requests: result live, or the 401 code and its reason.",
            &["result", "reason"],
        );
        let sign_in_failures = counter(
            "healing_space_sign_in_failures_total",
            "Sign-in attempts refused for a wrong password, code or passkey, by step.",
            &["step"],
        );
        let lockouts = counter(
            "healing_space_sign_in_lockouts_total",
            "Sign-in attempts refused because of too many recent failures, by step.",
            &["step"],
        );
        let mails_sent = counter(
            "healing_space_mails_sent_total",
            "Mails handed to the mail server (or the development outbox), by kind.",
            &["mail"],
        );
        let mails_failed = counter(
            "healing_space_mails_failed_total",
            "Mails that could not be sent, by kind.",
            &["mail"],
        );
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "healing_space_http_request_duration_seconds",
                "Time to answer an HTTP request (to its headers), by method and route template.",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route"],
        )
        .expect("a valid metric definition");
        registry
            .register(Box::new(latency.clone()))
            .expect("each metric is registered once");
        let event_streams = IntGauge::new(
            "healing_space_event_streams_open",
            "Event streams (server-sent events) open now.",
        )
        .expect("a valid metric definition");
        registry
            .register(Box::new(event_streams.clone()))
            .expect("each metric is registered once");
        Metrics(Arc::new(Families {
            registry,
            requests,
            latency,
            session_lookups,
            event_streams,
            sign_in_failures,
            lockouts,
            mails_sent,
            mails_failed,
        }))
    }

    /// One answered request. `route` is a template or a fixed word, never a raw path.
    pub fn request_answered(&self, method: &str, route: &str, status: StatusCode, took: Duration) {
        let families = &self.0;
        families
            .requests
            .with_label_values(&[method, route, status.as_str()])
            .inc();
        families
            .latency
            .with_label_values(&[method, route])
            .observe(took.as_secs_f64());
    }

    /// A session check: `live`, or the 401 code with its finer reason ("" if none).
    pub fn session_looked_up(&self, result: &str, reason: &str) {
        self.0
            .session_lookups
            .with_label_values(&[result, reason])
            .inc();
    }

    pub fn sign_in_failed(&self, step: SignInStep) {
        self.0
            .sign_in_failures
            .with_label_values(&[step.as_str()])
            .inc();
    }

    pub fn sign_in_locked_out(&self, step: SignInStep) {
        self.0.lockouts.with_label_values(&[step.as_str()]).inc();
    }

    /// A mail sent or not; `what` is the caller's fixed name for the kind of mail.
    pub fn mail_sent(&self, what: &str, sent: bool) {
        let family = if sent {
            &self.0.mails_sent
        } else {
            &self.0.mails_failed
        };
        family.with_label_values(&[mail_label(what)]).inc();
    }

    /// Counts an event stream as open until the returned guard is dropped.
    pub fn event_stream_opened(&self) -> OpenEventStream {
        self.0.event_streams.inc();
        OpenEventStream {
            gauge: self.0.event_streams.clone(),
        }
    }

    /// The text exposition of every counter, with the gauges read for this scrape.
    pub fn render(&self, scraped: &Scraped) -> String {
        let mut families = self.0.registry.gather();
        families.extend(scrape_time(scraped).gather());
        families.sort_by(|a, b| a.name().cmp(b.name()));
        let mut text = Vec::new();
        TextEncoder::new()
            .encode(&families, &mut text)
            .expect("the text format takes any metric");
        String::from_utf8(text).expect("the text format is UTF-8")
    }
}

/// An open event stream, counted in `healing_space_event_streams_open` until dropped.
pub struct OpenEventStream {
    gauge: IntGauge,
}

impl Drop for OpenEventStream {
    fn drop(&mut self) {
        self.gauge.dec();
    }
}

/// The gauges of one scrape, in a registry of their own: what the database did not
/// answer is left out rather than shown with an old value.
fn scrape_time(scraped: &Scraped) -> Registry {
    let registry = Registry::new();
    let gauge = |name: &str, help: &str, labels: &[&str]| {
        let family =
            IntGaugeVec::new(Opts::new(name, help), labels).expect("a valid metric definition");
        registry
            .register(Box::new(family.clone()))
            .expect("each metric is registered once");
        family
    };
    let connections = gauge(
        "healing_space_db_connections",
        "Database connections by pool and state (in_use, idle).",
        &["pool", "state"],
    );
    let max = gauge(
        "healing_space_db_connections_max",
        "The most connections each pool opens.",
        &["pool"],
    );
    let waiting = gauge(
        "healing_space_db_waiting",
        "Requests waiting for a connection (the SQLite writer: for their turn).",
        &["pool"],
    );
    let up = gauge(
        "healing_space_database_up",
        "1 when the database answered this scrape's queries, else 0.",
        &[],
    );
    for pool in &scraped.pools {
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        max.with_label_values(&[pool.pool]).set(count(pool.max));
        for (state, value) in [("in_use", pool.in_use), ("idle", pool.idle)] {
            if let Some(value) = value {
                connections
                    .with_label_values(&[pool.pool, state])
                    .set(count(value));
            }
        }
        if let Some(value) = pool.waiting {
            waiting.with_label_values(&[pool.pool]).set(count(value));
        }
    }
    up.with_label_values::<&str>(&[])
        .set(i64::from(scraped.alerts.is_some()));
    if let Some(alerts) = &scraped.alerts {
        let open = gauge(
            "healing_space_alerts_open",
            "Risk alerts waiting to be acknowledged, by severity.",
            &["severity"],
        );
        for severity in SEVERITIES {
            open.with_label_values(&[severity]).set(0);
        }
        for (severity, count) in &alerts.open {
            open.with_label_values(&[severity.as_str()]).set(*count);
        }
        gauge(
            "healing_space_alerts_overdue",
            "Urgent risk alerts not acknowledged within ALERT_ACK_MINUTES.",
            &[],
        )
        .with_label_values::<&str>(&[])
        .set(alerts.overdue);
        gauge(
            "healing_space_alerts_unattended",
            "Urgent risk alerts about a patient with no clinician in their care team.",
            &[],
        )
        .with_label_values::<&str>(&[])
        .set(alerts.unattended);
    }
    registry
}

/// `password reset link` → `password_reset_link`.
fn mail_label(what: &str) -> String {
    what.replace(' ', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(text: &str, series: &str) -> Option<f64> {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
            .map(|value| value.parse().unwrap())
    }

    #[test]
    fn counters_and_gauges_are_rendered_with_their_labels() {
        let metrics = Metrics::new();
        let ok = StatusCode::OK;
        metrics.request_answered("GET", "/api/health", ok, Duration::from_millis(3));
        metrics.request_answered("GET", "/api/health", ok, Duration::from_millis(30));
        metrics.session_looked_up("session_expired", "idle");
        metrics.mail_sent("password reset link", false);
        let stream = metrics.event_stream_opened();
        let text = metrics.render(&Scraped {
            pools: vec![PoolStats {
                pool: "sqlite_readers",
                max: 64,
                in_use: Some(1),
                idle: Some(2),
                waiting: None,
            }],
            alerts: Some(AlertCounts {
                open: vec![("urgent".into(), 3)],
                overdue: 1,
                unattended: 0,
            }),
        });
        let value = |series| sample(&text, series);
        assert_eq!(
            value(
                r#"healing_space_http_requests_total{method="GET",route="/api/health",status="200"}"#
            ),
            Some(2.0)
        );
        assert_eq!(
            value(
                r#"healing_space_http_request_duration_seconds_bucket{method="GET",route="/api/health",le="0.005"}"#
            ),
            Some(1.0)
        );
        assert_eq!(
            value(r#"healing_space_session_lookups_total{reason="idle",result="session_expired"}"#),
            Some(1.0)
        );
        assert_eq!(
            value(r#"healing_space_mails_failed_total{mail="password_reset_link"}"#),
            Some(1.0)
        );
        assert_eq!(value("healing_space_event_streams_open"), Some(1.0));
        assert_eq!(
            value(r#"healing_space_db_connections{pool="sqlite_readers",state="in_use"}"#),
            Some(1.0)
        );
        assert_eq!(
            value(r#"healing_space_alerts_open{severity="urgent"}"#),
            Some(3.0)
        );
        assert_eq!(
            value(r#"healing_space_alerts_open{severity="review"}"#),
            Some(0.0)
        );
        assert_eq!(value("healing_space_alerts_overdue"), Some(1.0));
        assert_eq!(value("healing_space_database_up"), Some(1.0));

        drop(stream);
        // Without the database's answers, its gauges are left out, not shown stale.
        let later = metrics.render(&Scraped::default());
        assert_eq!(
            sample(&later, "healing_space_event_streams_open"),
            Some(0.0)
        );
        assert_eq!(sample(&later, "healing_space_database_up"), Some(0.0));
        assert!(!later.contains("healing_space_alerts_overdue"));
    }
}
