//! Configuration: read once from the environment at start-up into one typed value.
//!
//! Each variable has its own small reader, so `serve` (which stops at the first problem)
//! and `doctor` (which reports every problem) judge the environment the same way.

pub mod connections;
pub mod crisis;
pub mod secret_key;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

pub use connections::{read_connections, ConnectionSettings};
pub use secret_key::{KeySource, SecretKey, SigningKeys, GENERATE_COMMAND};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

impl DatabaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DatabaseKind::Sqlite => "sqlite",
            DatabaseKind::Postgres => "postgres",
        }
    }
}

/// A database URL. It may hold a password, so `Debug` shows only the kind.
#[derive(Clone)]
pub struct DatabaseUrl {
    url: SecretString,
    kind: DatabaseKind,
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({}, redacted)", self.kind.as_str())
    }
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<DatabaseUrl, ConfigError> {
        let kind = if raw.starts_with("sqlite:") {
            DatabaseKind::Sqlite
        } else if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            DatabaseKind::Postgres
        } else {
            return Err(ConfigError::invalid(
                "DATABASE_URL",
                "must start with sqlite:// or postgres:// (for example sqlite://data/healing-space.db)",
            ));
        };
        Ok(DatabaseUrl {
            url: SecretString::from(raw.to_owned()),
            kind,
        })
    }

    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    pub fn expose(&self) -> &str {
        self.url.expose_secret()
    }
}

/// How long sessions live and how long ended ones are remembered.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    pub idle_timeout: Duration,
    pub absolute_lifetime: Duration,
    pub retention: Duration,
    pub purge_interval: Duration,
    pub cookie_domain: Option<String>,
}

/// Limits on sign-in attempts.
#[derive(Debug, Clone)]
pub struct LoginLimits {
    pub max_failures: u32,
    pub failure_window: Duration,
    pub per_address_per_minute: u32,
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
    /// Reads and checks everything. In development this may create the key file.
    pub fn load(source: &dyn Source, dev_flag: bool) -> Result<Settings, ConfigError> {
        let mode = read_mode(source, dev_flag);
        let data_dir = read_data_dir(source);
        let listen = read_listen(source, mode)?;
        let keys = read_keys(source, mode, &data_dir, true)?;
        Ok(Settings {
            mode,
            keys,
            database: read_database(source)?,
            listen,
            public_url: read_public_url_for(source, mode)?,
            trust_proxy: read_flag(source, "TRUST_PROXY"),
            data_dir,
            sessions: read_sessions(source, mode)?,
            login: read_login_limits(source)?,
            body_limit_bytes: read_number(source, "MAX_BODY_BYTES", 64 * 1024)?.max(1024),
            request_timeout: read_positive_seconds(source, "REQUEST_TIMEOUT_SECONDS", 30)?,
            shutdown_grace: read_seconds(source, "SHUTDOWN_GRACE_SECONDS", 20)?,
            crisis_resources: crisis::read(source.get("CRISIS_RESOURCES"))?,
            connections: read_connections(source)?,
        })
    }

    /// The environment of this process, with `.env` read first in development.
    pub fn from_environment(dev_flag: bool) -> Result<Settings, ConfigError> {
        load_dotenv_in_development(dev_flag);
        Settings::load(&Environment, dev_flag)
    }
}

/// `.env` files are a development convenience; production reads only real variables.
pub fn load_dotenv_in_development(dev_flag: bool) {
    if read_mode(&Environment, dev_flag) == Mode::Development {
        let _ = dotenvy::dotenv();
    }
}

fn read_flag(source: &dyn Source, name: &str) -> bool {
    matches!(
        source
            .get(name)
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref(),
        Some("1" | "true" | "yes" | "on")
    )
}

pub fn read_mode(source: &dyn Source, dev_flag: bool) -> Mode {
    if dev_flag || read_flag(source, "DEBUG") {
        Mode::Development
    } else {
        Mode::Production
    }
}

pub fn read_data_dir(source: &dyn Source) -> PathBuf {
    PathBuf::from(source.get("DATA_DIR").unwrap_or_else(|| "data".into()))
}

pub fn dev_key_path(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("secret_key")
}

/// The signing keys. With `create_dev_key` false (doctor), a missing development key is
/// generated in memory only and reported as such.
pub fn read_keys(
    source: &dyn Source,
    mode: Mode,
    data_dir: &std::path::Path,
    create_dev_key: bool,
) -> Result<SigningKeys, ConfigError> {
    let (current, key_source) = match source.get("SECRET_KEY") {
        Some(raw) => {
            let key = SecretKey::parse(&raw)
                .map_err(|problem| secret_key::key_error("SECRET_KEY", problem.to_string()))?;
            (key, KeySource::Environment)
        }
        None if mode.is_production() => {
            return Err(secret_key::key_error(
                "SECRET_KEY",
                "is not set; production mode needs it".into(),
            ))
        }
        None => {
            let path = dev_key_path(data_dir);
            let (key, created) = if create_dev_key || path.exists() {
                secret_key::load_or_create_dev_key(&path)?
            } else {
                (SecretKey::generate(), true)
            };
            (key, KeySource::DevelopmentFile { path, created })
        }
    };
    let fallbacks =
        secret_key::parse_fallbacks(source.get("SECRET_KEY_FALLBACKS").as_deref(), &current)?;
    Ok(SigningKeys {
        current,
        fallbacks,
        source: key_source,
    })
}

pub fn read_database(source: &dyn Source) -> Result<DatabaseUrl, ConfigError> {
    DatabaseUrl::parse(
        &source
            .get("DATABASE_URL")
            .unwrap_or_else(|| "sqlite://data/healing-space.db".into()),
    )
}

pub fn read_listen(source: &dyn Source, mode: Mode) -> Result<SocketAddr, ConfigError> {
    let host = match source.get("HOST").as_deref().map(str::trim) {
        None | Some("localhost") => IpAddr::V4(Ipv4Addr::LOCALHOST),
        Some(text) => text.parse::<IpAddr>().map_err(|_| {
            ConfigError::invalid(
                "HOST",
                format!("is not an IP address: {text:?}; use for example 127.0.0.1 or 0.0.0.0"),
            )
        })?,
    };
    let port = read_number::<u16>(source, "PORT", 8000)?;
    if mode == Mode::Development && !host.is_loopback() {
        return Err(ConfigError::invalid(
            "HOST",
            format!(
                "is {host}, but development mode only listens on a loopback address; \
                 unset DEBUG (and set SECRET_KEY) to run in production, or set HOST=127.0.0.1"
            ),
        ));
    }
    Ok(SocketAddr::new(host, port))
}

pub fn read_public_url(source: &dyn Source) -> Result<Option<String>, ConfigError> {
    let Some(raw) = source.get("PUBLIC_URL") else {
        return Ok(None);
    };
    let trimmed = raw.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains('/') => Ok(Some(trimmed.to_ascii_lowercase())),
        _ => Err(ConfigError::invalid(
            "PUBLIC_URL",
            "must be an origin such as https://healing-space.example.org (scheme and host, no path)",
        )),
    }
}

/// In production the session cookie is `Secure`, so the public address must be https.
pub fn read_public_url_for(source: &dyn Source, mode: Mode) -> Result<Option<String>, ConfigError> {
    let url = read_public_url(source)?;
    if mode.is_production() && url.as_deref().is_some_and(|u| u.starts_with("http://")) {
        return Err(ConfigError::invalid(
            "PUBLIC_URL",
            "must start with https:// in production: the session cookie is Secure and browsers drop it over plain http",
        ));
    }
    Ok(url)
}

pub fn read_sessions(source: &dyn Source, mode: Mode) -> Result<SessionSettings, ConfigError> {
    let idle_timeout = read_seconds(source, "SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)?;
    let absolute_lifetime = read_seconds(source, "SESSION_MAX_LIFETIME_SECONDS", 12 * 60 * 60)?;
    let retention_days = read_number::<u64>(source, "SESSION_RETENTION_DAYS", 30)?;
    if mode.is_production() && retention_days == 0 {
        return Err(ConfigError::invalid(
            "SESSION_RETENTION_DAYS",
            "must be at least 1 in production: ended sessions are remembered so that a later request \
             learns why it was signed out",
        ));
    }
    if idle_timeout.is_zero() || absolute_lifetime.is_zero() {
        return Err(ConfigError::invalid(
            "SESSION_IDLE_TIMEOUT_SECONDS",
            "and SESSION_MAX_LIFETIME_SECONDS must be greater than zero",
        ));
    }
    let cookie_domain = source
        .get("SESSION_COOKIE_DOMAIN")
        .map(|d| d.trim().trim_start_matches('.').to_ascii_lowercase());
    Ok(SessionSettings {
        idle_timeout,
        absolute_lifetime,
        retention: Duration::from_secs(retention_days * 24 * 60 * 60),
        purge_interval: read_seconds(source, "SESSION_PURGE_INTERVAL_SECONDS", 60 * 60)?
            .max(Duration::from_secs(1)),
        cookie_domain,
    })
}

pub fn read_login_limits(source: &dyn Source) -> Result<LoginLimits, ConfigError> {
    let limits = LoginLimits {
        max_failures: read_number(source, "LOGIN_MAX_FAILURES", 10)?,
        failure_window: read_seconds(source, "LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)?,
        per_address_per_minute: read_number(source, "AUTH_RATE_LIMIT_PER_MINUTE", 30)?,
    };
    for (name, value) in [
        ("LOGIN_MAX_FAILURES", u64::from(limits.max_failures)),
        (
            "LOGIN_FAILURE_WINDOW_SECONDS",
            limits.failure_window.as_secs(),
        ),
        (
            "AUTH_RATE_LIMIT_PER_MINUTE",
            u64::from(limits.per_address_per_minute),
        ),
    ] {
        if value == 0 {
            return Err(ConfigError::invalid(name, "must be at least 1"));
        }
    }
    Ok(limits)
}

fn read_number<T: std::str::FromStr>(
    source: &dyn Source,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match source.get(name) {
        None => Ok(default),
        Some(text) => text.trim().parse().map_err(|_| {
            ConfigError::invalid(name, format!("must be a whole number, not {text:?}"))
        }),
    }
}

fn read_positive_seconds(
    source: &dyn Source,
    name: &'static str,
    default: u64,
) -> Result<Duration, ConfigError> {
    let value = read_seconds(source, name, default)?;
    if value.is_zero() {
        return Err(ConfigError::invalid(name, "must be at least 1 second"));
    }
    Ok(value)
}

fn read_seconds(
    source: &dyn Source,
    name: &'static str,
    default: u64,
) -> Result<Duration, ConfigError> {
    read_number(source, name, default).map(Duration::from_secs)
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

    #[test]
    fn production_without_a_key_names_the_variable_and_the_command() {
        let err = Settings::load(&source(&[]), false).unwrap_err();
        assert_eq!(err.variable, "SECRET_KEY");
        assert!(err.message.contains("SECRET_KEY"));
        assert!(err.message.contains(GENERATE_COMMAND));
    }

    #[test]
    fn development_refuses_a_public_address() {
        let err = read_listen(&source(&[("HOST", "0.0.0.0")]), Mode::Development).unwrap_err();
        assert_eq!(err.variable, "HOST");
        assert!(read_listen(&source(&[("HOST", "0.0.0.0")]), Mode::Production).is_ok());
    }

    #[test]
    fn database_url_debug_hides_credentials() {
        let url = DatabaseUrl::parse("postgres://app:hunter2@db/healing").unwrap();
        assert!(!format!("{url:?}").contains("hunter2"));
        assert_eq!(url.kind(), DatabaseKind::Postgres);
        assert_eq!(
            DatabaseUrl::parse("mysql://x").unwrap_err().variable,
            "DATABASE_URL"
        );
    }

    #[test]
    fn settings_that_would_break_the_promise_are_refused() {
        let key = ("SECRET_KEY", "a-good-key-0123456789-abcdefghijklmnopqrstuv");
        for (name, value) in [
            ("LOGIN_MAX_FAILURES", "0"),
            ("REQUEST_TIMEOUT_SECONDS", "0"),
            ("SESSION_RETENTION_DAYS", "0"),
            ("PUBLIC_URL", "http://care.example.org"),
        ] {
            let err = Settings::load(&source(&[key, (name, value)]), false).unwrap_err();
            assert_eq!(err.variable, name);
        }
    }

    #[test]
    fn public_url_must_be_an_origin() {
        assert_eq!(
            read_public_url(&source(&[("PUBLIC_URL", "https://Example.org/")])).unwrap(),
            Some("https://example.org".into())
        );
        assert!(read_public_url(&source(&[("PUBLIC_URL", "example.org")])).is_err());
        assert!(read_public_url(&source(&[("PUBLIC_URL", "https://e.org/app")])).is_err());
    }
}
