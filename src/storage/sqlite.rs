//! SQLite, embedded: connections of our own process over one file.
//!
//! Reads run on the calling task's thread. In WAL mode a reader never waits for a lock,
//! and with the file memory-mapped a read is tens of microseconds of CPU work, less than
//! handing it to another thread and back (which is what a driver with a worker thread
//! per connection does, several times per request). Writes wait for fsync and for the
//! write lock, so they queue for the in-process writer turn and run where blocking is
//! allowed (`tokio::task::block_in_place`).

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::OwnedMutexGuard;

use super::query::{DbError, Param, Row};

// mmap lets reads use the page cache without a system call per page.
const PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; \
     PRAGMA journal_mode = WAL; PRAGMA mmap_size = 1073741824;";
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const STATEMENT_CACHE: usize = 128;

/// Idle connections, shared by every thread. A connection is taken for one statement
/// (or one transaction) and put back; there are never more than the threads that run
/// statements at the same moment. Hand-written because the pools on crates.io either
/// hand every call to another thread (deadpool-sqlite) or block the caller when empty
/// (r2d2); this one only opens another connection.
pub struct Pool {
    path: PathBuf,
    flags: OpenFlags,
    idle: Mutex<Vec<Connection>>,
    writers: Arc<tokio::sync::Mutex<()>>,
}

/// A connection taken from the pool; it goes back when dropped.
pub struct Pooled {
    conn: Option<Connection>,
    pool: Arc<Pool>,
}

impl std::ops::Deref for Pooled {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
            .as_ref()
            .expect("a pooled connection is present until dropped")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            if let Ok(mut idle) = self.pool.idle.lock() {
                idle.push(conn);
            }
        }
    }
}

impl Pool {
    /// Opens the first connection now, so a bad path or a locked file fails at start.
    pub fn open(path: PathBuf, flags: OpenFlags) -> Result<Arc<Pool>, DbError> {
        let pool = Arc::new(Pool {
            path,
            flags,
            idle: Mutex::new(Vec::new()),
            writers: Arc::new(tokio::sync::Mutex::new(())),
        });
        let first = pool.connect()?;
        pool.idle.lock().expect("pool lock").push(first);
        Ok(pool)
    }

    fn connect(&self) -> Result<Connection, DbError> {
        let conn = Connection::open_with_flags(&self.path, self.flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.execute_batch(PRAGMAS)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }

    pub fn take(self: &Arc<Self>) -> Result<Pooled, DbError> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match idle {
            Some(conn) => conn,
            None => self.connect()?,
        };
        Ok(Pooled {
            conn: Some(conn),
            pool: self.clone(),
        })
    }

    /// The writer turn: SQLite lets one writer in at a time and makes the others sleep
    /// and retry in steps of up to 100 ms; queueing them here keeps the wait short and
    /// in order.
    pub async fn write_turn(&self) -> OwnedMutexGuard<()> {
        self.writers.clone().lock_owned().await
    }

    pub fn close(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }
}

/// Runs `work` where it may block: on a multi-threaded runtime the thread hands its
/// other tasks to another worker first.
pub fn blocking<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

/// SQLite numbers `?N` parameters as written; `$N` would be named parameters numbered
/// by first appearance, which differs when a query uses `$2` before `$1`.
fn sqlite_sql(sql: &str) -> Cow<'_, str> {
    if !sql.contains('$') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|next| next.is_ascii_digit()) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn prepare<'c>(
    conn: &'c Connection,
    sql: &str,
    params: &[Param],
) -> Result<rusqlite::CachedStatement<'c>, DbError> {
    let mut statement = conn.prepare_cached(&sqlite_sql(sql))?;
    for (index, param) in params.iter().enumerate() {
        let position = index + 1;
        match param {
            Param::Int(v) => statement.raw_bind_parameter(position, v)?,
            Param::Real(v) => statement.raw_bind_parameter(position, v)?,
            Param::Text(v) => statement.raw_bind_parameter(position, v)?,
            Param::NullInt | Param::NullReal | Param::NullText => {
                statement.raw_bind_parameter(position, rusqlite::types::Null)?
            }
        }
    }
    Ok(statement)
}

/// Whether a statement only reads, and so may run on the calling thread.
pub fn is_read_only(conn: &Connection, sql: &str) -> Result<bool, DbError> {
    Ok(conn.prepare_cached(&sqlite_sql(sql))?.readonly())
}

pub fn fetch<T>(
    conn: &Connection,
    sql: &str,
    params: &[Param],
    mut map: impl FnMut(&Row) -> Result<T, DbError>,
    limit: usize,
) -> Result<Vec<T>, DbError> {
    let mut statement = prepare(conn, sql, params)?;
    let mut rows = statement.raw_query();
    let mut out = Vec::new();
    while out.len() < limit {
        match rows.next()? {
            Some(row) => out.push(map(&Row::Sqlite(row))?),
            None => break,
        }
    }
    Ok(out)
}

/// Runs a statement to its end, skipping any rows it returns; answers how many rows it
/// changed.
pub fn execute(conn: &Connection, sql: &str, params: &[Param]) -> Result<u64, DbError> {
    let mut statement = prepare(conn, sql, params)?;
    let read_only = statement.readonly();
    let mut rows = statement.raw_query();
    while rows.next()?.is_some() {}
    Ok(if read_only { 0 } else { conn.changes() })
}

/// A write transaction: it holds the writer turn and one connection until it ends.
pub struct Tx {
    pub conn: Pooled,
    _turn: OwnedMutexGuard<()>,
    open: bool,
}

impl Tx {
    pub async fn begin(pool: &Arc<Pool>) -> Result<Tx, DbError> {
        let turn = pool.write_turn().await;
        let conn = pool.take()?;
        // IMMEDIATE takes the write lock now, so the transaction never has to upgrade
        // a read lock later (which can fail with SQLITE_BUSY at once).
        blocking(|| conn.execute_batch("BEGIN IMMEDIATE"))?;
        Ok(Tx {
            conn,
            _turn: turn,
            open: true,
        })
    }

    pub fn commit(mut self) -> Result<(), DbError> {
        blocking(|| self.conn.execute_batch("COMMIT"))?;
        self.open = false;
        Ok(())
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if self.open {
            // Not committed: undo it before the connection goes back to the pool. If
            // even that fails the connection is closed rather than reused mid-transaction.
            if self.conn.execute_batch("ROLLBACK").is_err() {
                self.conn.conn.take();
            }
        }
    }
}
