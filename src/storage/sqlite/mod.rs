//! SQLite, embedded: connections of our own process over one file.
//!
//! Reads run on the calling task's thread. In WAL mode a reader never waits for a lock,
//! and with the file memory-mapped a read is tens of microseconds of CPU work, less than
//! handing it to another thread and back (which is what a driver with a worker thread
//! per connection does, several times per request). Writes wait for fsync and for the
//! write lock, so they queue for the in-process writer turn and run where blocking is
//! allowed (`tokio::task::block_in_place`).
//!
//! Writes are committed in groups, by one writer connection (`group_commit.rs`).

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};

use super::error::DbError;
use super::query::{Param, Row};
pub use group_commit::{GroupWriter, Tx};

mod group_commit;

// mmap lets reads use the page cache without a system call per page. No automatic
// checkpoints: a thread of their own does them (see `checkpoint_in_background`).
const PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; \
     PRAGMA journal_mode = WAL; PRAGMA mmap_size = 1073741824; PRAGMA wal_autocheckpoint = 0;";
// The writer's page cache: large enough to keep the upper levels and the recently written
// leaves of every index a send touches (the default, 2 MB, is 500 pages). Statement
// journals in memory: each write transaction is a savepoint, which copies every page it
// changes to the statement journal first, and in a file that was two system calls per
// page, twice as many as the WAL's own (docs/PERFORMANCE.md, session 27). They hold one
// transaction's pages only and are never needed after a crash.
const WRITER_PRAGMAS: &str = "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;";
/// How often the WAL is copied back into the database file (see `checkpoint_in_background`).
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a read waits for a reader connection to be opened before answering 503.
const WAIT_FOR_READER: Duration = Duration::from_secs(2);
const STATEMENT_CACHE: usize = 128;

/// Readers through r2d2 (a connection is taken for one statement on the calling thread
/// and put back; with more connections allowed than threads that run statements, taking
/// one never waits), and the one writer with its group commit.
pub struct Pool {
    path: PathBuf,
    flags: OpenFlags,
    readers: r2d2::Pool<SqliteConnectionManager>,
    pub writer: Arc<GroupWriter>,
}

/// A reader taken from the pool; it goes back when dropped.
pub type Pooled = r2d2::PooledConnection<SqliteConnectionManager>;

/// More than the threads that can run statements at once (tokio's workers and the
/// blocking threads a write runs on), so a reader is always free.
const MAX_READERS: u32 = 64;

impl Pool {
    /// Opens the first connection now, so a bad path or a locked file fails at start.
    pub fn open(path: PathBuf, flags: OpenFlags) -> Result<Arc<Pool>, DbError> {
        let conn = connect(&path, flags)?;
        conn.execute_batch(WRITER_PRAGMAS)?;
        let manager = SqliteConnectionManager::file(&path)
            .with_flags(flags)
            .with_init(configure);
        let readers = r2d2::Pool::builder()
            .max_size(MAX_READERS)
            // Readers stay open (and their statement caches warm) for the life of the
            // process; a reader that cannot be opened fails the request at once.
            .min_idle(Some(0))
            .idle_timeout(None)
            .max_lifetime(None)
            .connection_timeout(WAIT_FOR_READER)
            .test_on_check_out(false)
            .build_unchecked(manager);
        let pool = Arc::new(Pool {
            path,
            flags,
            readers,
            writer: GroupWriter::new(conn),
        });
        checkpoint_in_background(Arc::downgrade(&pool));
        Ok(pool)
    }

    pub fn take(&self) -> Result<Pooled, DbError> {
        Ok(self.readers.get()?)
    }

    /// The readers (r2d2 counts no waiters: taking one never waits, see `MAX_READERS`)
    /// and the writers queued for the one writer.
    pub fn stats(&self) -> Vec<super::PoolStats> {
        let readers = self.readers.state();
        let (open, idle) = (
            readers.connections as usize,
            readers.idle_connections as usize,
        );
        vec![
            super::PoolStats {
                pool: "sqlite_readers",
                max: MAX_READERS as usize,
                in_use: Some(open.saturating_sub(idle)),
                idle: Some(idle),
                waiting: None,
            },
            super::PoolStats {
                pool: "sqlite_writer",
                max: 1,
                in_use: None,
                idle: None,
                waiting: Some(self.writer.queued()),
            },
        ]
    }
}

/// Refuses a database file this process cannot write, naming it. SQLite would open it
/// read-only without a word, and every write would fail. It also creates its `-wal` and
/// `-shm` files beside the database, so the folder must take new files too.
pub fn ensure_writable(path: &Path) -> anyhow::Result<()> {
    if path.as_os_str().is_empty() || path == Path::new(":memory:") {
        return Ok(());
    }
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let probe = path.with_file_name(format!(
        "{}-write-check",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    let written = if path.exists() {
        std::fs::OpenOptions::new().write(true).open(path).map(drop)
    } else {
        Ok(())
    }
    .and_then(|()| std::fs::write(&probe, b""))
    .and_then(|()| std::fs::remove_file(&probe));
    written.map_err(|error| {
        anyhow::anyhow!(
            "the database file {} cannot be written ({error}); SQLite needs to write it, \
             and to create its -wal and -shm files in {}: check the permissions, and \
             that the disk is not mounted read-only",
            path.display(),
            folder.display()
        )
    })
}

fn connect(path: &Path, flags: OpenFlags) -> Result<Connection, DbError> {
    let mut conn = Connection::open_with_flags(path, flags)?;
    configure(&mut conn)?;
    Ok(conn)
}

fn configure(conn: &mut Connection) -> Result<(), rusqlite::Error> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.execute_batch(PRAGMAS)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // One plan per statement, whatever the bound values. Without it, once ANALYZE has
    // gathered statistics, SQLite re-plans a cached statement whenever a bound value
    // might change its plan: in a profile, compiling SQL was a third of the CPU.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

/// Copies the WAL back into the database file on a thread and connection of its own, a
/// few times a second. Left to SQLite, the commit that crosses the threshold does it,
/// holding up every writer queued behind it for milliseconds; never done, the WAL grows
/// and every read has to search it. A PASSIVE checkpoint neither waits for nor blocks the
/// writer. It tells the writer how long the WAL is, so the writer can let it start again
/// from its beginning (`group_commit::restart_wal_if_long`). The thread ends with the pool.
fn checkpoint_in_background(pool: std::sync::Weak<Pool>) {
    let spawned = std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            let mut conn = None;
            loop {
                std::thread::sleep(CHECKPOINT_EVERY);
                let Some(pool) = pool.upgrade() else { return };
                if conn.is_none() {
                    conn = connect(&pool.path, pool.flags).ok();
                }
                let writer = pool.writer.clone();
                drop(pool);
                let Some(c) = &conn else { continue };
                // Its answer: whether it was blocked, the pages in the WAL, those copied back.
                let done = c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                    row.get::<_, i64>(1)
                });
                match done {
                    Ok(pages) => writer.note_wal_pages(u64::try_from(pages).unwrap_or(0)),
                    Err(error) => {
                        tracing::warn!(%error, "SQLite checkpoint failed; trying again shortly");
                        conn = None;
                    }
                }
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "could not start the SQLite checkpoint thread");
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

/// A cached statement with its values bound.
pub fn prepare<'c>(
    conn: &'c Connection,
    sql: &str,
    params: &[Param],
) -> Result<Statement<'c>, DbError> {
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

pub type Statement<'c> = rusqlite::CachedStatement<'c>;

/// Up to `limit` rows of a prepared statement, each through `map`.
pub fn rows<T>(
    statement: &mut Statement,
    mut map: impl FnMut(&Row) -> Result<T, DbError>,
    limit: usize,
) -> Result<Vec<T>, DbError> {
    let names: Vec<String> = statement
        .column_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let mut rows = statement.raw_query();
    let mut out = Vec::new();
    while out.len() < limit {
        match rows.next()? {
            Some(row) => out.push(map(&Row::Sqlite(row, &names))?),
            None => break,
        }
    }
    Ok(out)
}

/// Runs a prepared statement to its end, skipping any rows it returns; answers how many
/// rows it changed.
pub fn run(statement: &mut Statement) -> Result<u64, DbError> {
    if statement.column_count() == 0 {
        return Ok(statement.raw_execute()? as u64);
    }
    let mut rows = statement.raw_query();
    while rows.next()?.is_some() {}
    Ok(0)
}
