//! SQLite, embedded: connections of our own process over one file.
//!
//! Reads run on the calling task's thread. In WAL mode a reader never waits for a lock,
//! and with the file memory-mapped a read is tens of microseconds of CPU work, less than
//! handing it to another thread and back (which is what a driver with a worker thread
//! per connection does, several times per request). Writes wait for fsync and for the
//! write lock, so they queue for the in-process writer turn and run where blocking is
//! allowed (`tokio::task::block_in_place`).
//!
//! Writes are also committed in groups. A commit in `synchronous = FULL` waits for an
//! fsync, and SQLite lets one writer in at a time, so one commit per request would cap
//! writes at one fsync each. Instead one connection does all writing: each write
//! transaction is a savepoint inside an SQLite transaction that stays open while other
//! writers are queued, and the last of them commits for all (at most `MAX_GROUP`).
//! Nobody's `commit` returns before their work is durable, so nothing is traded away.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{watch, Notify, OwnedMutexGuard};

use super::error::DbError;
use super::query::{Param, Row};

// mmap lets reads use the page cache without a system call per page. No automatic
// checkpoints: a thread of their own does them (see `checkpoint_in_background`).
const PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; \
     PRAGMA journal_mode = WAL; PRAGMA mmap_size = 1073741824; PRAGMA wal_autocheckpoint = 0;";
/// How often the WAL is copied back into the database file (see `checkpoint_in_background`).
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const STATEMENT_CACHE: usize = 128;

/// Readers through r2d2 (a connection is taken for one statement on the calling thread
/// and put back; with more connections allowed than threads that run statements, taking
/// one never waits), and the one writer with its group commit.
pub struct Pool {
    path: PathBuf,
    flags: OpenFlags,
    readers: r2d2::Pool<SqliteConnectionManager>,
    writer: Arc<tokio::sync::Mutex<Writer>>,
    /// Told when the writer is put down (see `lock_writer`).
    released: Notify,
    /// Writers queued for `writer`, not counting ones already waiting for a group.
    queued: Arc<AtomicUsize>,
}

/// The connection that does all the writing, and the group transaction it has open.
struct Writer {
    conn: Connection,
    group: Option<Group>,
}

struct Group {
    /// Savepoints released into it, whose owners wait for its commit.
    members: usize,
    committed: watch::Sender<Option<Result<(), String>>>,
}

/// At most this many write transactions share one commit.
const MAX_GROUP: usize = 64;
/// How long a member waits for someone else to commit its group before doing it.
const TAKE_BACK_AFTER: Duration = Duration::from_millis(50);

/// A reader taken from the pool; it goes back when dropped.
pub type Pooled = r2d2::PooledConnection<SqliteConnectionManager>;

/// More than the threads that can run statements at once (tokio's workers and the
/// blocking threads a write runs on), so a reader is always free.
const MAX_READERS: u32 = 64;

impl Pool {
    /// Opens the first connection now, so a bad path or a locked file fails at start.
    pub fn open(path: PathBuf, flags: OpenFlags) -> Result<Arc<Pool>, DbError> {
        let conn = connect(&path, flags)?;
        let manager = SqliteConnectionManager::file(&path)
            .with_flags(flags)
            .with_init(configure);
        let readers = r2d2::Pool::builder()
            .max_size(MAX_READERS)
            .min_idle(Some(0))
            .test_on_check_out(false)
            .build_unchecked(manager);
        let pool = Arc::new(Pool {
            path,
            flags,
            readers,
            writer: Arc::new(tokio::sync::Mutex::new(Writer { conn, group: None })),
            released: Notify::new(),
            queued: Arc::new(AtomicUsize::new(0)),
        });
        checkpoint_in_background(Arc::downgrade(&pool));
        Ok(pool)
    }

    pub fn take(&self) -> Result<Pooled, DbError> {
        Ok(self.readers.get()?)
    }

    /// Takes the writer connection. A waiting writer is only told when it is put down, and
    /// takes it once it runs, if nobody running took it first. A queue that handed the
    /// writer to the next task in line would leave it idle while that task waited for a
    /// thread behind every other request ready to run (a lock convoy).
    async fn lock_writer(self: &Arc<Self>) -> WriterGuard {
        loop {
            if let Ok(guard) = self.writer.clone().try_lock_owned() {
                return WriterGuard {
                    guard: Some(guard),
                    pool: self.clone(),
                };
            }
            let _queued = Queued::new(&self.queued);
            let released = self.released.notified();
            tokio::pin!(released);
            released.as_mut().enable();
            if let Ok(guard) = self.writer.clone().try_lock_owned() {
                return WriterGuard {
                    guard: Some(guard),
                    pool: self.clone(),
                };
            }
            released.await;
        }
    }
}

fn connect(path: &std::path::Path, flags: OpenFlags) -> Result<Connection, DbError> {
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
/// writer. The thread ends with the pool.
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
                drop(pool);
                if let Some(c) = &conn {
                    if let Err(error) = c.execute_batch("PRAGMA wal_checkpoint(PASSIVE)") {
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

/// The writer, taken; putting it down tells a waiting writer.
struct WriterGuard {
    guard: Option<OwnedMutexGuard<Writer>>,
    pool: Arc<Pool>,
}

impl std::ops::Deref for WriterGuard {
    type Target = Writer;
    fn deref(&self) -> &Writer {
        self.guard.as_ref().expect("held until dropped")
    }
}

impl std::ops::DerefMut for WriterGuard {
    fn deref_mut(&mut self) -> &mut Writer {
        self.guard.as_mut().expect("held until dropped")
    }
}

impl Drop for WriterGuard {
    fn drop(&mut self) {
        self.guard = None;
        self.pool.released.notify_one();
    }
}

/// A write transaction: a savepoint on the writer connection, held until it ends.
pub struct Tx {
    writer: Option<WriterGuard>,
    pool: Arc<Pool>,
    open: bool,
}

/// Counts a writer in the queue for as long as it waits, even if it stops waiting.
struct Queued(Arc<AtomicUsize>);

impl Queued {
    fn new(counter: &Arc<AtomicUsize>) -> Queued {
        counter.fetch_add(1, Ordering::SeqCst);
        Queued(counter.clone())
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Tx {
    pub async fn begin(pool: &Arc<Pool>) -> Result<Tx, DbError> {
        let mut writer = pool.lock_writer().await;
        if writer.group.is_some() && writer.conn.is_autocommit() {
            // SQLite rolled the group back by itself (a full disk, say): its members fail.
            finish_group(&mut writer, Err("the write transaction was lost".into()));
        }
        if writer.group.is_none() && !writer.conn.is_autocommit() {
            // A ROLLBACK that failed earlier left a transaction open; end it first.
            writer.conn.execute_batch("ROLLBACK")?;
        }
        if writer.group.is_none() {
            // IMMEDIATE takes the write lock now, so the transaction never has to upgrade
            // a read lock later (which can fail with SQLITE_BUSY at once).
            blocking(|| writer.conn.execute_batch("BEGIN IMMEDIATE"))?;
            writer.group = Some(Group {
                members: 0,
                committed: watch::channel(None).0,
            });
        }
        writer.conn.execute_batch("SAVEPOINT tx")?;
        Ok(Tx {
            writer: Some(writer),
            pool: pool.clone(),
            open: true,
        })
    }

    /// The connection, while the transaction is still open: after SQLite rolled it back by
    /// itself (a full disk, say), a statement would otherwise commit on its own.
    pub fn live_conn(&self) -> Result<&Connection, DbError> {
        let conn = self.conn();
        if conn.is_autocommit() {
            return Err(DbError::Lost);
        }
        Ok(conn)
    }

    pub fn conn(&self) -> &Connection {
        &self
            .writer
            .as_ref()
            .expect("a transaction holds the writer")
            .conn
    }

    /// Returns once this transaction's work is durable, committed alone or in a group.
    pub async fn commit(self) -> Result<(), DbError> {
        self.finish(true).await
    }

    /// Undoes this transaction's work. Like `commit`, it returns once what this
    /// transaction could see of earlier group members is durable, so a caller that
    /// failed on their row (a duplicate key, say) can read it from any connection.
    pub async fn rollback(self) -> Result<(), DbError> {
        self.finish(false).await
    }

    async fn finish(mut self, keep: bool) -> Result<(), DbError> {
        let mut writer = self.writer.take().expect("a transaction holds the writer");
        self.open = false;
        if writer.conn.is_autocommit() {
            finish_group(&mut writer, Err("the write transaction was lost".into()));
            return if keep { Err(DbError::Lost) } else { Ok(()) };
        }
        let queued = self.pool.queued.load(Ordering::SeqCst);
        let end_savepoint = if keep {
            "RELEASE tx"
        } else {
            "ROLLBACK TO tx; RELEASE tx"
        };
        if let Err(error) = writer.conn.execute_batch(end_savepoint) {
            // The savepoint cannot be ended as asked: give up the whole group rather than
            // let its work be committed (or kept) with someone else's.
            let _ = writer.conn.execute_batch("ROLLBACK");
            finish_group(&mut writer, Err("the write transaction was lost".into()));
            return Err(error.into());
        }
        let group = writer.group.as_mut().expect("a savepoint lives in a group");
        if keep {
            group.members += 1;
        } else if group.members == 0 {
            if queued == 0 {
                writer.conn.execute_batch("ROLLBACK")?;
                writer.group = None;
            }
            return Ok(());
        }
        if group.members >= MAX_GROUP || queued == 0 {
            return commit_group(&mut writer);
        }
        // Others are queued: the next one writes into the same transaction, and the last
        // commits it. Should the queue empty without a commit (a queued writer gave up),
        // the writer is taken back after a while and the group committed here.
        let mut committed = group.committed.subscribe();
        drop(writer);
        let take_back = async {
            tokio::time::sleep(TAKE_BACK_AFTER).await;
            self.pool.lock_writer().await
        };
        let taken_back = tokio::select! {
            outcome = committed.wait_for(Option::is_some) => {
                return outcome_of(outcome.ok().as_deref());
            }
            writer = take_back => writer,
        };
        let mut writer = taken_back;
        let pending = committed.borrow().is_none();
        if pending {
            commit_group(&mut writer)
        } else {
            outcome_of(Some(&*committed.borrow()))
        }
    }
}

fn outcome_of(outcome: Option<&Option<Result<(), String>>>) -> Result<(), DbError> {
    match outcome {
        Some(Some(Ok(()))) => Ok(()),
        _ => Err(DbError::Lost),
    }
}

/// Commits the open group and tells its members.
fn commit_group(writer: &mut Writer) -> Result<(), DbError> {
    let result = blocking(|| writer.conn.execute_batch("COMMIT"));
    if result.is_err() && !writer.conn.is_autocommit() {
        let _ = writer.conn.execute_batch("ROLLBACK");
    }
    finish_group(
        writer,
        result.as_ref().map(|_| ()).map_err(|e| e.to_string()),
    );
    Ok(result?)
}

fn finish_group(writer: &mut Writer, outcome: Result<(), String>) {
    if let Some(group) = writer.group.take() {
        group.committed.send_replace(Some(outcome));
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        let Some(mut writer) = self.writer.take() else {
            return;
        };
        if self.open && !writer.conn.is_autocommit() {
            // Not committed: undo this transaction's work only.
            let undone = writer.conn.execute_batch("ROLLBACK TO tx; RELEASE tx");
            if undone.is_err() {
                let _ = writer.conn.execute_batch("ROLLBACK");
                finish_group(&mut writer, Err("the write transaction was lost".into()));
            }
        }
        // Nobody else is coming to commit what earlier members released.
        if self.pool.queued.load(Ordering::SeqCst) == 0 {
            match writer.group.as_ref().map(|group| group.members) {
                Some(0) => {
                    let _ = writer.conn.execute_batch("ROLLBACK");
                    writer.group = None;
                }
                Some(_) => {
                    let _ = commit_group(&mut writer);
                }
                None => {}
            }
        }
    }
}
