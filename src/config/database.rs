//! `DATABASE_URL`: which database, checked for form here so that a mistyped URL stops
//! start-up with a configuration error instead of a connection failure. It may hold a
//! password, so no message ever repeats it.

use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::PgConnectOptions;

use super::{ConfigError, Source};

pub const DEFAULT_URL: &str = "sqlite://data/healing-space.db";

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
        let kind = if let Some(rest) = raw.strip_prefix("sqlite:") {
            check_sqlite_path(rest)?;
            DatabaseKind::Sqlite
        } else if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            // The parser the connection itself uses; its error may quote the URL, so it
            // is not shown.
            if raw.parse::<PgConnectOptions>().is_err() {
                return Err(ConfigError::invalid(
                    "DATABASE_URL",
                    "is not a valid PostgreSQL URL; it looks like postgres://user:password@host:5432/database",
                ));
            }
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

/// A SQLite URL names a file: an in-memory database would be a different, empty one
/// for each connection of the pool.
fn check_sqlite_path(rest: &str) -> Result<(), ConfigError> {
    let path = rest.trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if path.trim().is_empty() || path == ":memory:" {
        return Err(ConfigError::invalid(
            "DATABASE_URL",
            "names no SQLite file; give a path such as sqlite://data/healing-space.db",
        ));
    }
    Ok(())
}

pub fn read_database(source: &dyn Source) -> Result<DatabaseUrl, ConfigError> {
    DatabaseUrl::parse(
        &source
            .get("DATABASE_URL")
            .unwrap_or_else(|| DEFAULT_URL.into()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn urls_that_name_no_database_are_refused_without_repeating_them() {
        for bad in [
            "sqlite://",
            "sqlite::memory:",
            "sqlite://?mode=rwc",
            "postgres://app:hunter2@db:notaport/x",
        ] {
            let err = DatabaseUrl::parse(bad).unwrap_err();
            assert_eq!(err.variable, "DATABASE_URL", "{bad}");
            assert!(!err.message.contains("hunter2"), "{}", err.message);
        }
        assert!(DatabaseUrl::parse("sqlite:///app/data/healing-space.db").is_ok());
        assert!(DatabaseUrl::parse("sqlite:data/x.db?mode=rwc").is_ok());
    }
}
