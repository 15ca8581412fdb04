//! Limits on sign-in attempts (`LOGIN_*`, `AUTH_RATE_LIMIT_PER_MINUTE`) and on requests
//! (`MAX_BODY_BYTES`, `REQUEST_TIMEOUT_SECONDS`, `SHUTDOWN_GRACE_SECONDS`), and how long an
//! urgent risk alert may wait for a clinician (`ALERT_ACK_MINUTES`).

use std::time::Duration;

use super::values::{read_seconds, read_whole, Problems, Whole};
use super::{ConfigError, Source};

const DAY: u64 = 24 * 60 * 60;

pub const LOGIN_MAX_FAILURES: Whole = Whole::count(10, 1, 1000);
pub const LOGIN_FAILURE_WINDOW: Whole = Whole::seconds(15 * 60, 1, DAY);
pub const AUTH_RATE_LIMIT: Whole = Whole::count(30, 1, 100_000);
pub const MAX_BODY_BYTES: Whole = Whole {
    default: 64 * 1024,
    min: 1024,
    max: 16 * 1024 * 1024,
    unit: "bytes",
};
pub const REQUEST_TIMEOUT: Whole = Whole::seconds(30, 1, 60 * 60);
pub const SHUTDOWN_GRACE: Whole = Whole::seconds(20, 0, 60 * 60);
/// A new password's least zxcvbn score: 3 is "safely unguessable" against online and
/// slowed-down offline attacks; 0 turns the check off (for trials).
pub const PASSWORD_MIN_SCORE: Whole = Whole::count(3, 0, 4);
/// At most one "you have a new message" mail per person this often (15 minutes).
pub const MESSAGE_MAIL_EVERY: Whole = Whole::seconds(15 * 60, 1, DAY);
/// How often a quiet event stream gets a heartbeat comment, and looks at its session.
pub const EVENTS_HEARTBEAT: Whole = Whole::seconds(15, 1, 300);
/// An urgent alert not acknowledged within this many minutes is overdue (up to a week).
pub const ALERT_ACK_MINUTES: Whole = Whole {
    default: 60,
    min: 1,
    max: 7 * 24 * 60,
    unit: "minutes",
};

/// Limits on sign-in attempts.
#[derive(Debug, Clone)]
pub struct LoginLimits {
    pub max_failures: u32,
    pub failure_window: Duration,
    pub per_address_per_minute: u32,
    /// A new password's least zxcvbn score, 0 (anything) to 4 (hardest to guess).
    pub password_min_score: u8,
}

/// The three sign-in limits, each problem reported.
pub fn read_login_limits(source: &dyn Source) -> Result<LoginLimits, Vec<ConfigError>> {
    let count = |name, bounds| {
        read_whole(source, name, bounds).map(|n| u32::try_from(n).unwrap_or(u32::MAX))
    };
    let mut problems = Problems::default();
    let max_failures = problems.take(count("LOGIN_MAX_FAILURES", LOGIN_MAX_FAILURES));
    let window = read_seconds(source, "LOGIN_FAILURE_WINDOW_SECONDS", LOGIN_FAILURE_WINDOW);
    let failure_window = problems.take(window);
    let per_address = problems.take(count("AUTH_RATE_LIMIT_PER_MINUTE", AUTH_RATE_LIMIT));
    let min_score = problems.take(count("PASSWORD_MIN_SCORE", PASSWORD_MIN_SCORE));
    let limits = (|| {
        Some(LoginLimits {
            max_failures: max_failures?,
            failure_window: failure_window?,
            per_address_per_minute: per_address?,
            password_min_score: u8::try_from(min_score?).unwrap_or(4),
        })
    })();
    problems.finish(limits)
}

/// How long a closed account can be reopened before its personal details are erased.
pub const ACCOUNT_GRACE_DAYS: Whole = Whole {
    default: 30,
    min: 1,
    max: 365,
    unit: "days",
};
/// How long a closed account's clinical records are kept after closing (20 years by
/// default, as England's records code asks of mental-health records).
pub const CLINICAL_RETENTION_DAYS: Whole = Whole {
    default: 7300,
    min: 30,
    max: 36500,
    unit: "days",
};

/// What happens to an account its owner closed, and when.
#[derive(Debug, Clone)]
pub struct ClosingSettings {
    pub grace: Duration,
    pub clinical_retention: Duration,
}

pub fn read_closing(source: &dyn Source) -> Result<ClosingSettings, Vec<ConfigError>> {
    let days =
        |name, bounds| read_whole(source, name, bounds).map(|d| Duration::from_secs(d * 86_400));
    let mut problems = Problems::default();
    let grace = problems.take(days("ACCOUNT_GRACE_DAYS", ACCOUNT_GRACE_DAYS));
    let retention = problems.take(days("CLINICAL_RETENTION_DAYS", CLINICAL_RETENTION_DAYS));
    let settings = (|| {
        Some(ClosingSettings {
            grace: grace?,
            clinical_retention: retention?,
        })
    })();
    problems.finish(settings)
}

pub fn read_body_limit(source: &dyn Source) -> Result<usize, ConfigError> {
    read_whole(source, "MAX_BODY_BYTES", MAX_BODY_BYTES)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

pub fn read_request_timeout(source: &dyn Source) -> Result<Duration, ConfigError> {
    read_seconds(source, "REQUEST_TIMEOUT_SECONDS", REQUEST_TIMEOUT)
}

pub fn read_shutdown_grace(source: &dyn Source) -> Result<Duration, ConfigError> {
    read_seconds(source, "SHUTDOWN_GRACE_SECONDS", SHUTDOWN_GRACE)
}

pub fn read_alert_ack(source: &dyn Source) -> Result<Duration, ConfigError> {
    read_whole(source, "ALERT_ACK_MINUTES", ALERT_ACK_MINUTES).map(|m| Duration::from_secs(m * 60))
}

pub fn read_events_heartbeat(source: &dyn Source) -> Result<Duration, ConfigError> {
    read_seconds(source, "EVENTS_HEARTBEAT_SECONDS", EVENTS_HEARTBEAT)
}

pub fn read_message_mail_every(source: &dyn Source) -> Result<Duration, ConfigError> {
    read_seconds(source, "MESSAGE_MAIL_EVERY_SECONDS", MESSAGE_MAIL_EVERY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_beyond_their_bounds_are_refused_by_name() {
        for (name, value) in [
            ("LOGIN_MAX_FAILURES", "0"),
            ("LOGIN_FAILURE_WINDOW_SECONDS", "0"),
            ("AUTH_RATE_LIMIT_PER_MINUTE", "4294967296"),
        ] {
            let source = move |asked: &str| (asked == name).then(|| value.to_owned());
            assert_eq!(read_login_limits(&source).unwrap_err()[0].variable, name);
        }
        let tiny = |asked: &str| (asked == "MAX_BODY_BYTES").then(|| "10".to_owned());
        assert_eq!(
            read_body_limit(&tiny).unwrap_err().variable,
            "MAX_BODY_BYTES"
        );
        let zero = |asked: &str| (asked == "REQUEST_TIMEOUT_SECONDS").then(|| "0".to_owned());
        assert!(read_request_timeout(&zero).is_err());
        let none = |_: &str| None;
        assert_eq!(read_shutdown_grace(&none).unwrap(), Duration::from_secs(20));
        assert_eq!(read_alert_ack(&none).unwrap(), Duration::from_secs(60 * 60));
        let never = |asked: &str| (asked == "ALERT_ACK_MINUTES").then(|| "0".to_owned());
        assert_eq!(
            read_alert_ack(&never).unwrap_err().variable,
            "ALERT_ACK_MINUTES"
        );
    }
}
