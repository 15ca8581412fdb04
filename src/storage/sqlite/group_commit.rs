//! Group commit: the one hand-written piece of SQLite storage, kept because a commit
//! per request capped sends at one fsync each (see docs/PERFORMANCE.md).
//!
//! A commit in `synchronous = FULL` waits for an fsync, and SQLite lets one writer in at
//! a time. So one connection does all writing: each write transaction is a savepoint
//! inside an SQLite transaction that stays open while other writers are queued, and the
//! last of them commits for all (at most `MAX_GROUP`). Nobody's `commit` returns before
//! their work is durable, and a group that cannot commit fails every member, so nothing
//! acknowledged is lost and nothing unacknowledged is half-written.
//!
//! The writer also knows whether SQLite can write its files at all (`is_writable`): a
//! full disk or a read-only file fails writes until an operator steps in.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::{watch, Notify, OwnedMutexGuard};

use crate::storage::error::{is_storage_failure, DbError};

/// The writer connection, its open group, and the writers queued for it.
pub struct GroupWriter {
    state: Arc<tokio::sync::Mutex<Writer>>,
    /// Told when the writer is put down (see `lock_writer`).
    released: Notify,
    /// Writers queued for `state`, not counting ones already waiting for a group.
    queued: Arc<AtomicUsize>,
    /// Set when a write failed because SQLite could not write its files; cleared when a
    /// group that changed rows is committed, or a probe write succeeds.
    unwritable: Arc<AtomicBool>,
    /// Told after each group that changed rows has committed.
    changed: Arc<Notify>,
    /// Pages in the WAL at the last background checkpoint (see `restart_wal_if_long`).
    wal_pages: Arc<AtomicU64>,
}

impl GroupWriter {
    pub fn new(conn: Connection) -> Arc<GroupWriter> {
        let unwritable = Arc::new(AtomicBool::new(false));
        let changed = Arc::new(Notify::new());
        let wal_pages = Arc::new(AtomicU64::new(0));
        let writer = Writer {
            conn,
            group: None,
            unwritable: unwritable.clone(),
            changed: changed.clone(),
            wal_pages: wal_pages.clone(),
        };
        Arc::new(GroupWriter {
            state: Arc::new(tokio::sync::Mutex::new(writer)),
            released: Notify::new(),
            queued: Arc::new(AtomicUsize::new(0)),
            unwritable,
            changed,
            wal_pages,
        })
    }

    /// Tells the writer how many pages the WAL holds, as a checkpoint found it.
    pub fn note_wal_pages(&self, pages: u64) {
        self.wal_pages.store(pages, Ordering::Relaxed);
    }

    /// Resolves once a group that changed rows has committed since the last call: for one
    /// reader in this process that wants new rows as soon as they are there (the event
    /// hub). A commit while nobody waits is kept for the next call.
    pub async fn changed(&self) {
        self.changed.notified().await;
    }

    /// Writers waiting for their turn, for the metrics.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::SeqCst)
    }

    /// False since a write failed because SQLite could not write its files, until a
    /// write succeeds again.
    pub fn is_writable(&self) -> bool {
        !self.unwritable.load(Ordering::SeqCst)
    }

    /// Notes a write's outcome: a failure to write the files makes the writer unwritable.
    pub fn note<T>(&self, result: &Result<T, DbError>) {
        if result.as_ref().is_err_and(DbError::is_storage_unavailable) {
            self.unwritable.store(true, Ordering::SeqCst);
        }
    }

    /// Writes the database header again (one page, through the group commit like any
    /// write), and clears `is_writable` when that lands: a way back to ready for an
    /// instance that gets no writes because it is not ready.
    pub async fn probe(self: &Arc<Self>) -> Result<(), DbError> {
        let tx = Tx::begin(self).await?;
        let written = rewrite_user_version(tx.live_conn()?);
        self.note(&written);
        written?;
        tx.commit().await?;
        self.unwritable.store(false, Ordering::SeqCst);
        Ok(())
    }

    /// Takes the writer connection. A waiting writer is only told when it is put down, and
    /// takes it once it runs, if nobody running took it first. A queue that handed the
    /// writer to the next task in line would leave it idle while that task waited for a
    /// thread behind every other request ready to run (a lock convoy).
    async fn lock_writer(self: &Arc<Self>) -> WriterGuard {
        loop {
            if let Ok(guard) = self.state.clone().try_lock_owned() {
                return WriterGuard {
                    guard: Some(guard),
                    pool: self.clone(),
                };
            }
            let _queued = Queued::new(&self.queued);
            let released = self.released.notified();
            tokio::pin!(released);
            released.as_mut().enable();
            if let Ok(guard) = self.state.clone().try_lock_owned() {
                return WriterGuard {
                    guard: Some(guard),
                    pool: self.clone(),
                };
            }
            released.await;
        }
    }
}

/// Sets `user_version` to what it is: nothing changes, but the header page is written.
/// (No migration uses `user_version`; sqlx keeps its own table.)
fn rewrite_user_version(conn: &Connection) -> Result<(), DbError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    conn.execute_batch(&format!("PRAGMA user_version = {version}"))?;
    Ok(())
}

/// The connection that does all the writing, and the group transaction it has open.
struct Writer {
    conn: Connection,
    group: Option<Group>,
    /// The writer's own handle, to mark it unwritable from here.
    unwritable: Arc<AtomicBool>,
    changed: Arc<Notify>,
    wal_pages: Arc<AtomicU64>,
}

struct Group {
    /// Savepoints released into it, whose owners wait for its commit.
    members: usize,
    committed: watch::Sender<Option<Result<(), Failure>>>,
    /// `total_changes` of the connection when the group began: a group that changed no
    /// row writes nothing, so its commit says nothing about the disk.
    changes_before: u64,
}

/// Why a group was not committed, as its members hear of it.
#[derive(Debug, Clone)]
enum Failure {
    /// SQLite could not write its files (`DbError::Unwritable`).
    Storage(String),
    /// Anything else, such as a deferred constraint (`DbError::Lost`).
    Other,
}

impl Failure {
    fn of(error: &rusqlite::Error) -> Failure {
        if is_storage_failure(error) {
            Failure::Storage(error.to_string())
        } else {
            Failure::Other
        }
    }

    /// SQLite rolls a transaction back by itself only after a failure to write or to
    /// allocate (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM): it counts as the former.
    fn rolled_back_by_sqlite() -> Failure {
        Failure::Storage("SQLite rolled the transaction back after a failed write".into())
    }

    fn into_error(self) -> DbError {
        match self {
            Failure::Storage(message) => DbError::Unwritable(message),
            Failure::Other => DbError::Lost,
        }
    }
}

/// At most this many write transactions share one commit.
const MAX_GROUP: usize = 64;
/// How long a member waits for someone else to commit its group before doing it.
const TAKE_BACK_AFTER: Duration = Duration::from_millis(50);

/// Runs `work` where it may block: on a multi-threaded runtime the thread hands its
/// other tasks to another worker first.
fn blocking<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

/// The writer, taken; putting it down tells a waiting writer.
struct WriterGuard {
    guard: Option<OwnedMutexGuard<Writer>>,
    pool: Arc<GroupWriter>,
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
    pool: Arc<GroupWriter>,
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
    pub async fn begin(pool: &Arc<GroupWriter>) -> Result<Tx, DbError> {
        let mut writer = pool.lock_writer().await;
        let opened = open_savepoint(&mut writer);
        pool.note(&opened);
        opened?;
        Ok(Tx {
            writer: Some(writer),
            pool: pool.clone(),
            open: true,
        })
    }

    /// Notes a statement's outcome on this transaction (see `GroupWriter::note`).
    pub fn note<T>(&self, result: &Result<T, DbError>) {
        self.pool.note(result);
    }

    /// The connection, while the transaction is still open: after SQLite rolled it back by
    /// itself (a full disk, say), a statement would otherwise commit on its own.
    pub fn live_conn(&self) -> Result<&Connection, DbError> {
        let conn = self.conn();
        if conn.is_autocommit() {
            return Err(Failure::rolled_back_by_sqlite().into_error());
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
            let failure = Failure::rolled_back_by_sqlite();
            finish_group(&mut writer, Err(failure.clone()));
            return if keep {
                Err(failure.into_error())
            } else {
                Ok(())
            };
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
            finish_group(&mut writer, Err(Failure::of(&error)));
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

fn outcome_of(outcome: Option<&Option<Result<(), Failure>>>) -> Result<(), DbError> {
    match outcome {
        Some(Some(Ok(()))) => Ok(()),
        Some(Some(Err(failure))) => Err(failure.clone().into_error()),
        _ => Err(DbError::Lost),
    }
}

/// Opens this transaction's savepoint, in the open group or a new one.
fn open_savepoint(writer: &mut Writer) -> Result<(), DbError> {
    if writer.group.is_some() && writer.conn.is_autocommit() {
        // SQLite rolled the group back by itself (a full disk, say): its members fail.
        finish_group(writer, Err(Failure::rolled_back_by_sqlite()));
    }
    if writer.group.is_none() && !writer.conn.is_autocommit() {
        // A ROLLBACK that failed earlier left a transaction open; end it first.
        writer.conn.execute_batch("ROLLBACK")?;
    }
    if writer.group.is_none() {
        restart_wal_if_long(writer);
        // IMMEDIATE takes the write lock now, so the transaction never has to upgrade
        // a read lock later (which can fail with SQLITE_BUSY at once).
        blocking(|| writer.conn.execute_batch("BEGIN IMMEDIATE"))?;
        writer.group = Some(Group {
            members: 0,
            committed: watch::channel(None).0,
            changes_before: writer.conn.total_changes(),
        });
    }
    writer.conn.execute_batch("SAVEPOINT tx")?;
    Ok(())
}

/// A WAL this many pages long (16 MiB) is started again from its beginning.
const RESTART_WAL_AT_PAGES: u64 = 4096;

/// Lets a long WAL start again from its beginning. SQLite does that only when a write
/// transaction begins with every page of the WAL already copied back; the background
/// checkpoint (`sqlite::checkpoint_in_background`) never gets there while groups follow
/// each other, so under steady writes the WAL grew without end (70 MB/s in the scale
/// bench): each commit extended the file and each read searched a longer index. Here,
/// between groups, no write can come in: this checkpoint copies what the background one
/// has not yet, and the group that begins next writes at the start of the WAL again. A
/// checkpoint that cannot finish (a reader still on old pages) is tried again later.
fn restart_wal_if_long(writer: &mut Writer) {
    if writer.wal_pages.load(Ordering::Relaxed) < RESTART_WAL_AT_PAGES {
        return;
    }
    writer.wal_pages.store(0, Ordering::Relaxed);
    if let Err(error) = blocking(|| writer.conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE)")) {
        tracing::warn!(%error, "SQLite checkpoint before restarting the WAL failed");
    }
}

/// Commits the open group and tells its members.
fn commit_group(writer: &mut Writer) -> Result<(), DbError> {
    let result = blocking(|| writer.conn.execute_batch("COMMIT"));
    if result.is_err() && !writer.conn.is_autocommit() {
        let _ = writer.conn.execute_batch("ROLLBACK");
    }
    let changed = writer
        .group
        .as_ref()
        .is_some_and(|group| writer.conn.total_changes() > group.changes_before);
    if result.is_ok() && changed {
        writer.unwritable.store(false, Ordering::SeqCst);
        writer.changed.notify_one();
    }
    finish_group(writer, result.as_ref().map(|_| ()).map_err(Failure::of));
    Ok(result?)
}

/// Tells the group's members how it ended; a failure to write marks the writer
/// unwritable.
fn finish_group(writer: &mut Writer, outcome: Result<(), Failure>) {
    if let Err(Failure::Storage(_)) = outcome {
        writer.unwritable.store(true, Ordering::SeqCst);
    }
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
            if let Err(error) = undone {
                let _ = writer.conn.execute_batch("ROLLBACK");
                finish_group(&mut writer, Err(Failure::of(&error)));
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

/// Failures injected into real groups on a real file (`group_commit/tests.rs`).
#[cfg(test)]
mod tests;
