//! Configuration: read once from the environment at start-up into one typed value.
//!
//! Each variable has its own small reader with its bounds, in the module of its concern,
//! and [`Settings::read`] runs every one of them: `serve` stops at the first problem,
//! `doctor` reports them all, and both judge the environment with the same code.

pub mod connections;
pub mod crisis;
pub mod database;
pub mod limits;
pub mod mail;
pub mod network;
pub mod observability;
pub mod secret_key;
pub mod sessions;
pub mod two_factor;
pub mod values;

#[cfg(test)]
mod properties;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use connections::{read_connections, ConnectionSettings};
pub use database::{read_database, DatabaseKind, DatabaseUrl};
pub use limits::{read_login_limits, LoginLimits};
pub use network::{read_listen, read_public_url, read_public_url_for};
pub use observability::{read_log_format, read_metrics_token, LogFormat, MetricsToken};
pub use secret_key::{
    dev_key_path, read_keys, KeySource, SecretKey, SigningKeys, GENERATE_COMMAND,
};
pub use sessions::{read_sessions, SessionSettings};

/// A configuration problem: the variable at fault and a message that says why and how to fix it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl ConfigError {
    fn invalid(variable: &'static str, message: impl Into<String>) -> Self {
        ConfigError {
            variable,
            message: format!("{variable} {}", message.into()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Development,
    Production,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Development => "development",
            Mode::Production => "production",
        }
    }

    pub fn is_production(self) -> bool {
        self == Mode::Production
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub mode: Mode,
    pub keys: SigningKeys,
    pub database: DatabaseUrl,
    pub listen: SocketAddr,
    pub public_url: Option<String>,
    pub trust_proxy: bool,
    pub data_dir: PathBuf,
    pub sessions: SessionSettings,
    pub login: LoginLimits,
    pub body_limit_bytes: usize,
    pub request_timeout: Duration,
    pub shutdown_grace: Duration,
    pub crisis_resources: crisis::CrisisResources,
    /// Connection timeouts and the connection cap (`config/connections.rs`).
    pub connections: ConnectionSettings,
    /// How long an urgent risk alert may wait to be acknowledged (`ALERT_ACK_MINUTES`).
    pub alert_ack: Duration,
    /// Where mail goes (`SMTP_URL`, `MAIL_FROM`).
    pub mail: mail::MailSettings,
    /// Closed accounts: the grace period and the clinical retention period.
    pub closing: limits::ClosingSettings,
    /// The roles that must sign in with a second factor (`REQUIRE_2FA`).
    pub two_factor: two_factor::TwoFactorPolicy,
    /// How often a quiet event stream gets a heartbeat (`EVENTS_HEARTBEAT_SECONDS`).
    pub events_heartbeat: Duration,
    /// At most one new-message mail per person this often (`MESSAGE_MAIL_EVERY_SECONDS`).
    pub message_mail_every: Duration,
    /// Who may read `GET /metrics` (`METRICS_TOKEN`); None turns the metrics off.
    pub metrics_token: Option<MetricsToken>,
    /// How log lines are written (`LOG_FORMAT`).
    pub log_format: LogFormat,
}

/// Where configuration values come from: the process environment, or a map in tests.
pub trait Source {
    fn get(&self, name: &str) -> Option<String>;
}

pub struct Environment;

impl Source for Environment {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl<F: Fn(&str) -> Option<String>> Source for F {
    fn get(&self, name: &str) -> Option<String> {
        self(name)
    }
}

impl Settings {
    /// Reads and checks everything, stopping at the first problem. In development this
    /// may create the key file.
    pub fn load(source: &dyn Source, dev_flag: bool) -> Result<Settings, ConfigError> {
        Settings::read(source, dev_flag, true).map_err(|mut problems| problems.remove(0))
    }

    /// Runs every variable's reader and returns the settings, or every problem found (at
    /// least one). With `create_dev_key` false (doctor) nothing is written.
    pub fn read(
        source: &dyn Source,
        dev_flag: bool,
        create_dev_key: bool,
    ) -> Result<Settings, Vec<ConfigError>> {
        let mut problems = values::Problems::default();
        // A refused DEBUG is judged as production, the stricter mode, for the rest.
        let mode = problems.take(read_mode(source, dev_flag));
        let strict = mode.unwrap_or(Mode::Production);
        let data_dir = read_data_dir(source);
        let keys = problems.take(read_keys(source, strict, &data_dir, create_dev_key));
        let database = problems.take(read_database(source));
        let listen = problems.take_all(read_listen(source, strict));
        let public_url = problems.take(read_public_url_for(source, strict));
        let trust_proxy = problems.take(values::read_flag(source, "TRUST_PROXY"));
        let url = public_url.clone().flatten();
        let sessions = problems.take_all(read_sessions(source, strict, url.as_deref()));
        let login = problems.take_all(read_login_limits(source));
        let body_limit_bytes = problems.take(limits::read_body_limit(source));
        let request_timeout = problems.take(limits::read_request_timeout(source));
        let shutdown_grace = problems.take(limits::read_shutdown_grace(source));
        let crisis_resources = problems.take(crisis::read(source.get("CRISIS_RESOURCES")));
        let connections = problems.take(read_connections(source));
        let alert_ack = problems.take(limits::read_alert_ack(source));
        let mail = problems.take(mail::read(source, strict, &data_dir));
        let closing = problems.take_all(limits::read_closing(source));
        let two_factor = problems.take(two_factor::read(source, strict));
        let events_heartbeat = problems.take(limits::read_events_heartbeat(source));
        let message_mail_every = problems.take(limits::read_message_mail_every(source));
        let metrics_token = problems.take(read_metrics_token(source, keys.as_ref()));
        let log_format = problems.take(read_log_format(source));
        let settings = (|| {
            Some(Settings {
                mode: mode?,
                keys: keys?,
                database: database?,
                listen: listen?,
                public_url: public_url?,
                trust_proxy: trust_proxy?,
                data_dir,
                sessions: sessions?,
                login: login?,
                body_limit_bytes: body_limit_bytes?,
                request_timeout: request_timeout?,
                shutdown_grace: shutdown_grace?,
                crisis_resources: crisis_resources?,
                connections: connections?,
                alert_ack: alert_ack?,
                mail: mail?,
                closing: closing?,
                two_factor: two_factor?,
                events_heartbeat: events_heartbeat?,
                message_mail_every: message_mail_every?,
                metrics_token: metrics_token?,
                log_format: log_format?,
            })
        })();
        problems.finish(settings)
    }

    /// The environment of this process, with `.env` read first in development.
    pub fn from_environment(dev_flag: bool) -> Result<Settings, ConfigError> {
        load_dotenv_in_development(dev_flag);
        Settings::load(&Environment, dev_flag)
    }
}

/// `.env` files are a development convenience; production reads only real variables.
pub fn load_dotenv_in_development(dev_flag: bool) {
    if matches!(read_mode(&Environment, dev_flag), Ok(Mode::Development)) {
        let _ = dotenvy::dotenv();
    }
}

/// `DEBUG` (or `--dev`): development mode; unset is production.
pub fn read_mode(source: &dyn Source, dev_flag: bool) -> Result<Mode, ConfigError> {
    if dev_flag || values::read_flag(source, "DEBUG")? {
        Ok(Mode::Development)
    } else {
        Ok(Mode::Production)
    }
}

/// `DATA_DIR`: any folder; the development key file is where it is checked.
pub fn read_data_dir(source: &dyn Source) -> PathBuf {
    PathBuf::from(source.get("DATA_DIR").unwrap_or_else(|| "data".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn source(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }

    const KEY: (&str, &str) = ("SECRET_KEY", "a-good-key-0123456789-abcdefghijklmnopqrstuv");
    const URL: (&str, &str) = ("PUBLIC_URL", "https://care.example.org");

    #[test]
    fn production_without_a_key_names_the_variable_and_the_command() {
        let err = Settings::load(&source(&[URL]), false).unwrap_err();
        assert_eq!(err.variable, "SECRET_KEY");
        assert!(err.message.contains("SECRET_KEY"));
        assert!(err.message.contains(GENERATE_COMMAND));
    }

    #[test]
    fn settings_that_would_break_the_promise_are_refused() {
        for (name, value) in [
            ("LOGIN_MAX_FAILURES", "0"),
            ("REQUEST_TIMEOUT_SECONDS", "0"),
            ("SESSION_RETENTION_DAYS", "0"),
            ("PUBLIC_URL", "http://care.example.org"),
            ("SESSION_MAX_LIFETIME_SECONDS", "18446744073709551615"),
            ("SESSION_IDLE_TIMEOUT_SECONDS", "10000000000000000"),
            ("SESSION_COOKIE_DOMAIN", "care.example.org; SameSite=None"),
            ("DEBUG", "maybe"),
            ("TRUST_PROXY", "sometimes"),
            ("MAX_BODY_BYTES", "100"),
            ("METRICS_TOKEN", "too-short"),
            ("METRICS_TOKEN", KEY.1),
            ("LOG_FORMAT", "xml"),
        ] {
            let err = Settings::load(&source(&[KEY, URL, (name, value)]), false).unwrap_err();
            assert_eq!(err.variable, name);
        }
        assert!(Settings::load(&source(&[KEY, URL]), false).is_ok());
    }

    #[test]
    fn production_needs_a_public_url() {
        let err = Settings::load(&source(&[KEY]), false).unwrap_err();
        assert_eq!(err.variable, "PUBLIC_URL");
        assert!(err.message.contains("https://"), "{}", err.message);
    }

    #[test]
    fn every_problem_is_reported_not_only_the_first() {
        let problems = Settings::read(
            &source(&[
                ("SECRET_KEY", "short"),
                ("SESSION_MAX_LIFETIME_SECONDS", "-1"),
                ("SESSION_COOKIE_DOMAIN", "x.org; SameSite=None"),
                ("HOST", "everywhere"),
                ("PORT", "http"),
                ("LOGIN_MAX_FAILURES", "0"),
                ("AUTH_RATE_LIMIT_PER_MINUTE", "0"),
            ]),
            false,
            false,
        )
        .unwrap_err();
        let named: Vec<&str> = problems.iter().map(|p| p.variable).collect();
        assert_eq!(
            named,
            [
                "SECRET_KEY",
                "HOST",
                "PORT",
                "PUBLIC_URL",
                "SESSION_MAX_LIFETIME_SECONDS",
                "SESSION_COOKIE_DOMAIN",
                "LOGIN_MAX_FAILURES",
                "AUTH_RATE_LIMIT_PER_MINUTE",
            ]
        );
    }
}
