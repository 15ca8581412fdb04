//! Storage: one pool over SQLite (embedded default) or PostgreSQL (several instances).
//!
//! Both speak the same SQL (`$n` placeholders, integers, text and UTC millisecond
//! timestamps), written once in the stores and run through `query`; only the table
//! definitions differ, hence one migration folder per database. sqlx applies the
//! migrations on both and runs PostgreSQL; SQLite runs in-process through rusqlite
//! (see `sqlite.rs` for why).

pub mod backup;
mod database_lock;
mod error;
mod postgres;
mod query;
mod sqlite;
mod sqlite_file;

pub use database_lock::{lock_path, DatabaseLock, ExclusiveError};
use error::is_unreachable;
pub use error::DbError;
use query::Row;
pub use query::{
    flag, query, query_scalar, Both, Column, FromRow, On, Param, Query, Scalar, ToParam,
};
pub use sqlite_file::{lock_for_serving, sqlite_file};
use sqlite_file::{prepare_sqlite_url, sqlite_target};

use std::sync::Arc;

use anyhow::Context;
use sqlx::migrate::{Migrate, Migrator};
use sqlx::Connection as _;

use crate::config::{DatabaseKind, DatabaseUrl};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Clone)]
pub struct Database {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Sqlite {
        pool: Arc<sqlite::Pool>,
        /// For sqlx, which applies the migrations.
        url: Arc<str>,
    },
    Postgres(Arc<postgres::Pool>),
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Database({})", self.kind().as_str())
    }
}

/// A write transaction. Dropped without `commit`, it is rolled back.
pub struct Transaction {
    inner: TxInner,
}

enum TxInner {
    Sqlite(sqlite::Tx),
    Postgres(postgres::Tx),
}

/// Why the database cannot take requests just now (see `Database::is_ready`).
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    /// It did not answer: worth asking again in a moment.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// SQLite cannot write its files (a full disk, a read-only file).
    #[error("database cannot be written: {0}")]
    Unwritable(String),
    /// The schema is not the one this binary expects, or something else needs an operator.
    #[error("database not ready: {0}")]
    Other(String),
}

/// One pool's connections at one moment; None for what the pool does not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolStats {
    /// `postgres_statements`, `postgres_lookups`, `sqlite_readers` or `sqlite_writer`.
    pub pool: &'static str,
    pub max: usize,
    pub in_use: Option<usize>,
    pub idle: Option<usize>,
    /// Requests waiting for a connection (for the SQLite writer: for their turn).
    pub waiting: Option<usize>,
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
    /// Opens the database, creating the SQLite file and its folder when missing.
    pub async fn connect(url: &DatabaseUrl) -> anyhow::Result<Database> {
        let kind = url.kind();
        let backend = match kind {
            DatabaseKind::Sqlite => {
                let url = prepare_sqlite_url(url.expose())?;
                let (path, flags) = sqlite_target(&url);
                sqlite::ensure_writable(&path)?;
                let pool = sqlite::Pool::open(path, flags)
                    .context("could not open the sqlite database")?;
                Backend::Sqlite {
                    pool,
                    url: url.into(),
                }
            }
            DatabaseKind::Postgres => Backend::Postgres(
                postgres::Pool::connect(url.expose())
                    .await
                    .context("could not connect to the postgres database")?,
            ),
        };
        Ok(Database { backend })
    }

    /// On SQLite, resolves once this process has committed a write since the last call
    /// (a commit while nobody waits is kept for the next call); on PostgreSQL, never,
    /// which has `NOTIFY` for that.
    pub async fn changed_here(&self) {
        match &self.backend {
            Backend::Sqlite { pool, .. } => pool.writer.changed().await,
            Backend::Postgres(_) => std::future::pending().await,
        }
    }

    pub fn kind(&self) -> DatabaseKind {
        match self.backend {
            Backend::Sqlite { .. } => DatabaseKind::Sqlite,
            Backend::Postgres(_) => DatabaseKind::Postgres,
        }
    }

    /// Starts a write transaction. On SQLite it first waits for the writer turn, so
    /// writers queue in order instead of sleeping in SQLite's busy handler.
    pub async fn begin(&self) -> Result<Transaction, DbError> {
        let inner = match &self.backend {
            Backend::Sqlite { pool, .. } => TxInner::Sqlite(sqlite::Tx::begin(&pool.writer).await?),
            Backend::Postgres(pool) => TxInner::Postgres(postgres::Tx::begin(pool).await?),
        };
        Ok(Transaction { inner })
    }

    /// The row with a unique text key. `one` selects it by `$1`; `many` selects the rows
    /// for the keys in the text array `$1`, each with its key's position in the array
    /// (from 1) as `lookup_index`. On PostgreSQL, lookups that arrive while others are
    /// under way share one query of `many` (see `postgres::Pool::fetch_keyed`); SQLite,
    /// in-process, runs `one`.
    pub async fn fetch_by_key<T: FromRow>(
        &self,
        one: &str,
        many: &'static str,
        key: &str,
    ) -> Result<Option<T>, DbError> {
        match &self.backend {
            Backend::Sqlite { .. } => query(one).bind(key).fetch_optional(self).await,
            Backend::Postgres(pool) => match pool.fetch_keyed(many, key).await? {
                Some(row) => Ok(Some(Row::Postgres(&row).decode()?)),
                None => Ok(None),
            },
        }
    }

    fn migrator(&self) -> &'static Migrator {
        match self.kind() {
            DatabaseKind::Sqlite => &SQLITE_MIGRATIONS,
            DatabaseKind::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Applies pending migrations. On PostgreSQL sqlx holds an advisory lock meanwhile, so
    /// instances starting together take turns; SQLite serialises writers by itself.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrated = match &self.backend {
            Backend::Sqlite { url, .. } => {
                let mut conn = sqlx::SqliteConnection::connect(url).await?;
                let result = self.migrator().run(&mut conn).await;
                conn.close().await?;
                result
            }
            Backend::Postgres(pool) => self.migrator().run(pool.take().await?.conn()).await,
        };
        migrated.context("could not apply database migrations")
    }

    pub async fn migration_state(&self) -> anyhow::Result<MigrationState> {
        match &self.backend {
            Backend::Sqlite { url, .. } => {
                let mut conn = sqlx::SqliteConnection::connect(url).await?;
                let state = migration_state(&mut conn, self.migrator()).await;
                conn.close().await?;
                state
            }
            Backend::Postgres(pool) => {
                let mut conn = pool.take().await?;
                let state = migration_state(conn.conn(), self.migrator()).await;
                // Readiness may be all an instance is asked while it is not ready, so a
                // connection the database ended must not stay in the pool to fail it again.
                if !state.as_ref().is_err_and(is_unreachable) {
                    return state;
                }
                conn.discard();
                pool.forget_idle();
                if !conn.reused {
                    return state;
                }
                migration_state(pool.take().await?.conn(), self.migrator()).await
            }
        }
    }

    /// Readiness: the database answers, the schema is the one this binary expects, and
    /// SQLite can write its files (after a write failed for want of that, a probe write
    /// says when it can again).
    pub async fn is_ready(&self) -> Result<(), NotReady> {
        match self.migration_state().await {
            Ok(MigrationState::UpToDate { .. }) => {}
            Ok(state) => {
                let state = format!("the schema is not current: {state:?}");
                return Err(NotReady::Other(state));
            }
            Err(e) if is_unreachable(&e) => return Err(NotReady::Unavailable(format!("{e:#}"))),
            Err(e) => return Err(NotReady::Other(format!("{e:#}"))),
        }
        match &self.backend {
            Backend::Sqlite { pool, .. } if !pool.writer.is_writable() => pool
                .writer
                .probe()
                .await
                .map_err(|e| NotReady::Unwritable(e.to_string())),
            _ => Ok(()),
        }
    }

    /// How each pool's connections are used just now, for the metrics. Each pool
    /// reports what it knows: r2d2 keeps no count of threads waiting for a reader, and
    /// the SQLite writer is one connection with a queue.
    pub fn pool_stats(&self) -> Vec<PoolStats> {
        match &self.backend {
            Backend::Sqlite { pool, .. } => pool.stats(),
            Backend::Postgres(pool) => pool.stats(),
        }
    }

    pub async fn close(&self) {
        match &self.backend {
            // r2d2 closes the readers, and the writer closes, with the last handle.
            Backend::Sqlite { .. } => {}
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

impl Transaction {
    pub async fn commit(self) -> Result<(), DbError> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.commit().await,
            TxInner::Postgres(tx) => tx.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), DbError> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.rollback().await?,
            TxInner::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}

async fn migration_state(
    conn: &mut (impl Migrate + ?Sized),
    migrator: &Migrator,
) -> anyhow::Result<MigrationState> {
    let expected = migrator.iter().map(|m| m.version).max().unwrap_or(0);
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

/// Runs a query that returns rows, keeping at most `limit` of them.
async fn run<T>(
    on: On<'_>,
    query: Query<'_>,
    map: impl FnMut(&Row) -> Result<T, DbError>,
    limit: usize,
) -> Result<Vec<T>, DbError> {
    let Query { sql, params } = query;
    match on {
        On::Db(Database {
            backend: Backend::Sqlite { pool, .. },
        }) => {
            on_sqlite(pool, &sql, &params, |statement| {
                sqlite::rows(statement, map, limit)
            })
            .await
        }
        On::Db(Database {
            backend: Backend::Postgres(pool),
        }) => {
            let mut map = map;
            let mut conn = if is_select(&sql) {
                pool.take_for_read().await?
            } else {
                pool.take().await?
            };
            let result = postgres::fetch(conn.conn(), &sql, &params, &mut map, limit).await;
            if worth_retrying(pool, conn, &result, &sql) {
                let mut conn = pool.take_for_read().await?;
                return postgres::fetch(conn.conn(), &sql, &params, map, limit).await;
            }
            result
        }
        On::Tx(Transaction {
            inner: TxInner::Sqlite(tx),
        }) => {
            let rows = sqlite::prepare(tx.live_conn()?, &sql, &params)
                .and_then(|mut statement| sqlite::rows(&mut statement, map, limit));
            tx.note(&rows);
            rows
        }
        On::Tx(Transaction {
            inner: TxInner::Postgres(tx),
        }) => postgres::fetch(tx.conn.conn(), &sql, &params, map, limit).await,
    }
}

async fn execute(on: On<'_>, query: Query<'_>) -> Result<u64, DbError> {
    let Query { sql, params } = query;
    match on {
        On::Db(Database {
            backend: Backend::Sqlite { pool, .. },
        }) => on_sqlite(pool, &sql, &params, sqlite::run).await,
        On::Db(Database {
            backend: Backend::Postgres(pool),
        }) => {
            let mut conn = pool.take().await?;
            let result = postgres::execute(conn.conn(), &sql, &params).await;
            if worth_retrying(pool, conn, &result, &sql) {
                return postgres::execute(pool.take().await?.conn(), &sql, &params).await;
            }
            result
        }
        On::Tx(Transaction {
            inner: TxInner::Sqlite(tx),
        }) => {
            let ran = sqlite::prepare(tx.live_conn()?, &sql, &params)
                .and_then(|mut statement| sqlite::run(&mut statement));
            tx.note(&ran);
            ran
        }
        On::Tx(Transaction {
            inner: TxInner::Postgres(tx),
        }) => postgres::execute(tx.conn.conn(), &sql, &params).await,
    }
}

/// Runs one statement's `work` on SQLite outside a transaction: a read on this thread on
/// a connection of its own, a write as a transaction of one statement (see `sqlite.rs`).
async fn on_sqlite<T>(
    pool: &Arc<sqlite::Pool>,
    sql: &str,
    params: &[Param],
    work: impl FnOnce(&mut sqlite::Statement) -> Result<T, DbError>,
) -> Result<T, DbError> {
    {
        let reader = pool.take()?;
        let mut statement = sqlite::prepare(&reader, sql, params)?;
        if statement.readonly() {
            return work(&mut statement);
        }
    }
    let tx = sqlite::Tx::begin(&pool.writer).await?;
    let done = sqlite::prepare(tx.conn(), sql, params).and_then(|mut s| work(&mut s));
    tx.note(&done);
    let done = done?;
    tx.commit().await?;
    Ok(done)
}

/// After a statement outside a transaction failed because its PostgreSQL connection
/// was dead (the server restarted or failed over): drops it and the other idle ones, and
/// answers whether to run the statement again on a new connection. Only a read is run
/// again, and only when the connection had been used before; a write may have been
/// applied.
fn worth_retrying<T>(
    pool: &postgres::Pool,
    mut conn: postgres::Pooled,
    result: &Result<T, DbError>,
    sql: &str,
) -> bool {
    let Err(error) = result else { return false };
    if !error::connection_lost(error) {
        return false;
    }
    conn.discard();
    pool.forget_idle();
    let retry = conn.reused && is_select(sql);
    if retry {
        tracing::warn!(%error, "database connection lost; reading again on a new one");
    }
    retry
}

fn is_select(sql: &str) -> bool {
    sql.trim_start()
        .get(..6)
        .is_some_and(|word| word.eq_ignore_ascii_case("select"))
}

/// A duration in the milliseconds every table counts in.
pub fn millis(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
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
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
    }
}
