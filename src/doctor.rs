//! `doctor`: every check `serve` would make, each reported instead of stopping at the first.
//! It never prints a secret: key problems are described, keys only fingerprinted.

use crate::config::mail::MailSettings;
use crate::mail::Mailer;
use std::process::ExitCode;

use serde::Serialize;

use crate::config::{
    self, ConfigError, DatabaseUrl, Environment, KeySource, LogFormat, Mode, Settings, SigningKeys,
    Source,
};
use crate::server;
use crate::storage::{Database, MigrationState};

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
enum Status {
    Pass,
    Warn,
    Fail,
}

#[derive(Debug, Serialize)]
struct Check {
    name: &'static str,
    status: Status,
    message: String,
}

#[derive(Default)]
struct Report {
    checks: Vec<Check>,
}

impl Report {
    fn add(&mut self, name: &'static str, status: Status, message: impl Into<String>) {
        self.checks.push(Check {
            name,
            status,
            message: message.into(),
        });
    }

    fn fail(&mut self, error: ConfigError) {
        self.add(error.variable, Status::Fail, error.message);
    }

    fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.status != Status::Fail)
    }
}

pub async fn run(dev_flag: bool, json: bool) -> ExitCode {
    config::load_dotenv_in_development(dev_flag);
    let report = check(&Environment, dev_flag).await;
    if json {
        let body = serde_json::json!({ "ok": report.passed(), "checks": report.checks });
        println!("{body:#}");
    } else {
        for check in &report.checks {
            let status = format!("{:?}", check.status).to_uppercase();
            println!("{status:<4}  {:<28}  {}", check.name, check.message);
        }
    }
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn check(source: &dyn Source, dev_flag: bool) -> Report {
    let mut report = Report::default();
    let database = match Settings::read(source, dev_flag, false) {
        Ok(settings) => {
            describe_settings(&mut report, &settings);
            check_connections(&mut report, &settings.connections);
            check_mail(&mut report, &settings.mail).await;
            Some(settings.database)
        }
        Err(problems) => {
            for problem in problems {
                report.fail(problem);
            }
            config::read_database(source).ok()
        }
    };
    if let Some(url) = database {
        check_database(&mut report, &url).await;
    }
    report
}

/// Passkeys name `PUBLIC_URL`'s host as their relying party, which must be a domain name.
fn describe_passkeys(report: &mut Report, public_url: Option<&str>) {
    let Some(origin) = public_url else {
        report.add(
            "passkeys",
            Status::Pass,
            "offered where the app is reached at a domain name, such as http://localhost:PORT \
             (not 127.0.0.1); their relying party is PUBLIC_URL once set",
        );
        return;
    };
    match url::Url::parse(origin)
        .ok()
        .and_then(|u| u.domain().map(str::to_owned))
    {
        Some(domain) => report.add(
            "passkeys",
            Status::Pass,
            format!("offered for {domain}: passkeys made here work only at this domain"),
        ),
        None => report.add(
            "passkeys",
            Status::Warn,
            "not offered: PUBLIC_URL is an IP address, and passkeys need a domain name",
        ),
    }
}

/// A configuration `serve` accepts, described one line per concern.
fn describe_settings(report: &mut Report, settings: &Settings) {
    match settings.mode {
        Mode::Production => report.add("DEBUG", Status::Pass, "production mode"),
        Mode::Development => report.add(
            "DEBUG",
            Status::Warn,
            "development mode: for a developer's machine only; unset DEBUG in production",
        ),
    }
    describe_keys(report, &settings.keys);
    report.add(
        "HOST/PORT",
        Status::Pass,
        format!("will listen on {}", settings.listen),
    );
    report.add(
        "PUBLIC_URL",
        Status::Pass,
        settings
            .public_url
            .clone()
            .unwrap_or_else(|| "not set: derived from each request in development".to_owned()),
    );
    describe_passkeys(report, settings.public_url.as_deref());
    let sessions = &settings.sessions;
    report.add(
        "SESSION_*",
        Status::Pass,
        format!(
            "signed out after {} s idle or {} s in all; ended sessions remembered {} days{}",
            sessions.idle_timeout.as_secs(),
            sessions.absolute_lifetime.as_secs(),
            sessions.retention.as_secs() / 86_400,
            sessions
                .cookie_domain
                .as_ref()
                .map(|d| format!("; cookie domain {d}"))
                .unwrap_or_default()
        ),
    );
    describe_two_factor(report, settings);
    describe_observability(report, settings);
    let login = &settings.login;
    report.add(
        "limits",
        Status::Pass,
        format!(
            "{} failed sign-ins per {} s; {} sign-ins per address per minute; bodies up to {} \
             bytes; requests time out after {} s; {} s to finish them on shutdown",
            login.max_failures,
            login.failure_window.as_secs(),
            login.per_address_per_minute,
            settings.body_limit_bytes,
            settings.request_timeout.as_secs(),
            settings.shutdown_grace.as_secs()
        ),
    );
}

/// Whether `/metrics` answers (never the token), and how logs are written.
fn describe_observability(report: &mut Report, settings: &Settings) {
    let metrics = match settings.metrics_token {
        Some(_) => {
            "set: GET /metrics answers a scraper that sends Authorization: Bearer <METRICS_TOKEN>"
        }
        None => "not set: metrics are off, and /metrics answers 404 to everyone",
    };
    report.add("METRICS_TOKEN", Status::Pass, metrics);
    let logs = match settings.log_format {
        LogFormat::Text => "text: one readable line per event",
        LogFormat::Json => "json: one JSON object per line, with each request's id",
    };
    report.add("LOG_FORMAT", Status::Pass, logs);
}

/// Turning the second factor off for staff is allowed (trials), but never quietly.
fn describe_two_factor(report: &mut Report, settings: &Settings) {
    let policy = &settings.two_factor;
    if !policy.requires_none() {
        return report.add(
            "REQUIRE_2FA",
            Status::Pass,
            format!("{} must sign in with a second factor", policy.describe()),
        );
    }
    let (status, message) = match settings.mode {
        Mode::Production => (
            Status::Warn,
            "none: clinicians and administrators sign in with a password alone; set REQUIRE_2FA=clinician,admin (the default) outside trials",
        ),
        Mode::Development => (Status::Pass, "none (development mode)"),
    };
    report.add("REQUIRE_2FA", status, message);
}

/// Where mail goes, and whether the SMTP server answers; no mail at all is a warning,
/// since password reset links and address checks then cannot reach anyone.
async fn check_mail(report: &mut Report, settings: &MailSettings) {
    let mailer = match Mailer::new(settings) {
        Ok(mailer) => mailer,
        Err(error) => return report.add("SMTP_URL", Status::Fail, format!("unusable: {error}")),
    };
    if !mailer.is_enabled() {
        return report.add(
            "SMTP_URL",
            Status::Warn,
            "not set: no mail is sent, so nobody can reset a forgotten password by mail or verify an address",
        );
    }
    match mailer.check().await {
        Ok(()) => report.add(
            "SMTP_URL",
            Status::Pass,
            format!("mail goes to {}, from {}", mailer.describe(), settings.from),
        ),
        Err(why) => report.add(
            "SMTP_URL",
            Status::Fail,
            format!("{} does not answer: {why}", mailer.describe()),
        ),
    }
}

/// The connection limits, and whether `MAX_CONNECTIONS` fits under the open-file limit
/// `serve` would raise to.
fn check_connections(report: &mut Report, settings: &config::ConnectionSettings) {
    let limit = match server::open_files::raise_limit() {
        Ok(open_files) => open_files.now,
        Err(error) => {
            let message = format!("could not read the open-file limit: {error}");
            return report.add("MAX_CONNECTIONS", Status::Warn, message);
        }
    };
    match server::open_files::check_fits(settings.max_connections, limit) {
        Ok(()) => report.add(
            "MAX_CONNECTIONS",
            Status::Pass,
            format!(
                "up to {} connections at once (open-file limit {limit}); headers within {:?}, \
                 idle connections closed after {:?}",
                settings.max_connections, settings.header_read_timeout, settings.keep_alive_timeout
            ),
        ),
        Err(error) => report.fail(error),
    }
}

fn describe_keys(report: &mut Report, keys: &SigningKeys) {
    let origin = match &keys.source {
        KeySource::Environment => "set".to_owned(),
        KeySource::DevelopmentFile {
            path,
            created: false,
        } => format!("development key from {}", path.display()),
        KeySource::DevelopmentFile {
            path,
            created: true,
        } => format!(
            "development key will be generated at {} on first start",
            path.display()
        ),
    };
    report.add(
        "SECRET_KEY",
        Status::Pass,
        format!(
            "{origin}; fingerprint {}; {} fallback key(s) in SECRET_KEY_FALLBACKS",
            keys.current.fingerprint(),
            keys.fallbacks.len()
        ),
    );
    if let Some(next) = &keys.next {
        report.add(
            "SECRET_KEY_NEXT",
            Status::Pass,
            format!(
                "staged key, fingerprint {}: accepted, not yet used to sign. Once every \
                 instance runs with it, set SECRET_KEY to it and SECRET_KEY_FALLBACKS to the \
                 current key, and remove SECRET_KEY_NEXT",
                next.fingerprint()
            ),
        );
    }
}

async fn check_database(report: &mut Report, url: &DatabaseUrl) {
    report.add(
        "DATABASE_URL",
        Status::Pass,
        format!("{} database", url.kind().as_str()),
    );
    let db = match Database::connect(url).await {
        Ok(db) => db,
        Err(error) => {
            return report.add(
                "database connection",
                Status::Fail,
                format!(
                    "{}; check DATABASE_URL and that the database is running",
                    describe(&error)
                ),
            )
        }
    };
    report.add("database connection", Status::Pass, "connected");
    let (status, message) = match db.migration_state().await {
        Ok(MigrationState::UpToDate { version }) => (Status::Pass, format!("schema is current (version {version})")),
        Ok(MigrationState::Pending { applied, expected }) => (
            Status::Warn,
            format!("schema version {applied}, this build expects {expected}; `serve` or `healing-space migrate` applies the rest"),
        ),
        Ok(MigrationState::Dirty { version }) => (
            Status::Fail,
            format!("migration {version} failed part-way; restore a backup or repair it by hand"),
        ),
        Ok(MigrationState::Newer { applied, expected }) => (
            Status::Fail,
            format!("schema version {applied} is newer than this build ({expected}); deploy the newer build"),
        ),
        Err(error) => (Status::Fail, describe(&error)),
    };
    report.add("migrations", status, message);
    db.close().await;
}

/// The error chain without the URL, which may hold a password.
fn describe(error: &anyhow::Error) -> String {
    error
        .chain()
        .map(|cause| cause.to_string())
        .collect::<Vec<_>>()
        .join(": ")
}
