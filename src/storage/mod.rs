//! Storage: one pool over SQLite (embedded default) or PostgreSQL (several instances).
//!
//! Both speak the same SQL through sqlx's `Any` driver: `$n` placeholders, integers,
//! text and UTC millisecond timestamps, so every query runs unchanged on either.
//! Only the table definitions differ, hence one migration folder per database.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, OwnedMutexGuard};

use anyhow::Context;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migrate, Migrator};
use sqlx::AnyPool;
use sqlx::Executor;

use crate::config::{DatabaseKind, DatabaseUrl};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

// mmap lets reads use the page cache without a system call per page.
const SQLITE_PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
     PRAGMA synchronous = FULL; PRAGMA journal_mode = WAL; PRAGMA mmap_size = 1073741824;";

#[derive(Clone, Debug)]
pub struct Database {
    pool: AnyPool,
    kind: DatabaseKind,
    /// SQLite: one writer at a time, queued here (see `write_turn`).
    writers: Option<Arc<Mutex<()>>>,
}

/// How the schema compares with what this binary expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationState {
    UpToDate { version: i64 },
    Pending { applied: i64, expected: i64 },
    Dirty { version: i64 },
    Newer { applied: i64, expected: i64 },
}

impl Database {
    /// Opens the pool, creating the SQLite file and its folder when missing.
    pub async fn connect(url: &DatabaseUrl) -> anyhow::Result<Database> {
        sqlx::any::install_default_drivers();
        let kind = url.kind();
        let url_text = match kind {
            DatabaseKind::Sqlite => prepare_sqlite_url(url.expose())?,
            DatabaseKind::Postgres => url.expose().to_owned(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            // An embedded SQLite connection cannot drop while the process lives, so the
            // ping before each use is pure cost; a PostgreSQL one can (a failover), so
            // it keeps the ping and a dead connection is replaced instead of failing.
            .test_before_acquire(kind == DatabaseKind::Postgres)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if kind == DatabaseKind::Sqlite {
                        conn.execute(SQLITE_PRAGMAS).await?;
                    }
                    Ok(())
                })
            })
            .connect(&url_text)
            .await
            .with_context(|| format!("could not connect to the {} database", kind.as_str()))?;
        let writers = (kind == DatabaseKind::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Database {
            pool,
            kind,
            writers,
        })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    /// Taken before a busy write transaction. SQLite lets one writer in at a time and
    /// makes the others sleep and retry in steps of up to 100 ms; queueing them here
    /// instead keeps the wait short and in order. PostgreSQL needs no turn.
    pub async fn write_turn(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.writers {
            Some(writers) => Some(writers.clone().lock_owned().await),
            None => None,
        }
    }

    fn migrator(&self) -> &'static Migrator {
        match self.kind {
            DatabaseKind::Sqlite => &SQLITE_MIGRATIONS,
            DatabaseKind::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Applies pending migrations. On PostgreSQL sqlx holds an advisory lock meanwhile, so
    /// instances starting together take turns; SQLite serialises writers by itself.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        self.migrator()
            .run(&self.pool)
            .await
            .context("could not apply database migrations")
    }

    pub async fn migration_state(&self) -> anyhow::Result<MigrationState> {
        let expected = self.migrator().iter().map(|m| m.version).max().unwrap_or(0);
        let mut conn = self.pool.acquire().await?;
        conn.ensure_migrations_table().await?;
        if let Some(version) = conn.dirty_version().await? {
            return Ok(MigrationState::Dirty { version });
        }
        let applied = conn
            .list_applied_migrations()
            .await?
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap_or(0);
        Ok(match applied.cmp(&expected) {
            std::cmp::Ordering::Equal => MigrationState::UpToDate { version: applied },
            std::cmp::Ordering::Less => MigrationState::Pending { applied, expected },
            std::cmp::Ordering::Greater => MigrationState::Newer { applied, expected },
        })
    }

    /// Readiness: the database answers and the schema is the one this binary expects.
    pub async fn is_ready(&self) -> Result<(), String> {
        match self.migration_state().await {
            Ok(MigrationState::UpToDate { .. }) => Ok(()),
            Ok(state) => Err(format!("database schema is not current: {state:?}")),
            Err(e) => Err(format!("database unavailable: {e:#}")),
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Adds `mode=rwc` so the file is created, and creates its folder.
fn prepare_sqlite_url(url: &str) -> anyhow::Result<String> {
    let path_part = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path_part.split('?').next().unwrap_or_default();
    if !path.is_empty() && path != ":memory:" {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("could not create the folder {}", dir.display()))?;
            }
        }
    }
    Ok(if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// Now, in UTC milliseconds since the Unix epoch: the one clock every table uses.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A stored time as RFC 3339 in UTC, for JSON.
pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn rfc3339_opt(ms: Option<i64>) -> Option<String> {
    ms.map(rfc3339)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_create_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/sub/db.sqlite", dir.path().display());
        assert!(prepare_sqlite_url(&url).unwrap().ends_with("?mode=rwc"));
        assert!(dir.path().join("sub").is_dir());
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
    }
}
