//! Group commit: the one hand-written piece of SQLite storage, kept because a commit
//! per request capped sends at one fsync each (see docs/PERFORMANCE.md).
//!
//! A commit in `synchronous = FULL` waits for an fsync, and SQLite lets one writer in at
//! a time. So one connection does all writing: each write transaction is a savepoint
//! inside an SQLite transaction that stays open while other writers are queued, and the
//! last of them commits for all (at most `MAX_GROUP`). Nobody's `commit` returns before
//! their work is durable, and a group that cannot commit fails every member, so nothing
//! acknowledged is lost and nothing unacknowledged is half-written.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::{watch, Notify, OwnedMutexGuard};

use crate::storage::error::DbError;

/// The writer connection, its open group, and the writers queued for it.
pub struct GroupWriter {
    state: Arc<tokio::sync::Mutex<Writer>>,
    /// Told when the writer is put down (see `lock_writer`).
    released: Notify,
    /// Writers queued for `state`, not counting ones already waiting for a group.
    queued: Arc<AtomicUsize>,
}

impl GroupWriter {
    pub fn new(conn: Connection) -> Arc<GroupWriter> {
        Arc::new(GroupWriter {
            state: Arc::new(tokio::sync::Mutex::new(Writer { conn, group: None })),
            released: Notify::new(),
            queued: Arc::new(AtomicUsize::new(0)),
        })
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

/// Failures injected into real groups on a real file: a member that rolls back, a
/// commit that SQLite refuses (a deferred foreign key), and the process killed with a
/// group open.
#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    const SCHEMA: &str = "CREATE TABLE parents (id INTEGER PRIMARY KEY); \
        CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, \
          parent_id INTEGER REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED);";

    fn open(path: &Path) -> Connection {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
        )
        .unwrap();
        conn
    }

    fn database(dir: &tempfile::TempDir) -> PathBuf {
        let path = dir.path().join("group.db");
        open(&path).execute_batch(SCHEMA).unwrap();
        path
    }

    /// What another connection sees: only what was committed.
    fn bodies(path: &Path) -> Vec<String> {
        let conn = open(path);
        let mut statement = conn
            .prepare("SELECT body FROM notes ORDER BY body")
            .unwrap();
        let rows = statement.query_map([], |row| row.get(0)).unwrap();
        rows.map(Result::unwrap).collect()
    }

    fn insert(tx: &Tx, body: &str, parent_id: Option<i64>) {
        tx.live_conn()
            .unwrap()
            .execute(
                "INSERT INTO notes (body, parent_id) VALUES (?1, ?2)",
                rusqlite::params![body, parent_id],
            )
            .unwrap();
    }

    async fn until_queued(writer: &GroupWriter, count: usize) {
        while writer.queued.load(Ordering::SeqCst) < count {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    #[tokio::test]
    async fn a_member_that_rolls_back_leaves_the_rest_of_its_group_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = database(&dir);
        let writer = GroupWriter::new(open(&path));
        let a = Tx::begin(&writer).await.unwrap();
        insert(&a, "a", None);
        let rolled_back = tokio::spawn({
            let writer = writer.clone();
            async move {
                let b = Tx::begin(&writer).await?;
                insert(&b, "b", None);
                b.rollback().await
            }
        });
        let committed = tokio::spawn({
            let writer = writer.clone();
            async move {
                let c = Tx::begin(&writer).await?;
                insert(&c, "c", None);
                c.commit().await
            }
        });
        until_queued(&writer, 2).await;
        a.commit().await.unwrap();
        rolled_back.await.unwrap().unwrap();
        committed.await.unwrap().unwrap();
        assert_eq!(bodies(&path), ["a", "c"]);
    }

    #[tokio::test]
    async fn a_group_whose_commit_fails_fails_every_member_and_keeps_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = database(&dir);
        let writer = GroupWriter::new(open(&path));
        let a = Tx::begin(&writer).await.unwrap();
        insert(&a, "a", None);
        let breaks_the_commit = tokio::spawn({
            let writer = writer.clone();
            async move {
                let b = Tx::begin(&writer).await?;
                // Checked only at COMMIT: the savepoint is released without complaint.
                insert(&b, "b", Some(999));
                b.commit().await
            }
        });
        until_queued(&writer, 1).await;
        let a_outcome = a.commit().await;
        let b_outcome = breaks_the_commit.await.unwrap();
        assert!(matches!(a_outcome, Err(DbError::Lost)), "{a_outcome:?}");
        assert!(
            b_outcome.is_err(),
            "the member whose write broke the commit is told"
        );
        assert!(bodies(&path).is_empty(), "nothing of the group was kept");

        let later = Tx::begin(&writer).await.unwrap();
        insert(&later, "later", None);
        later.commit().await.unwrap();
        assert_eq!(bodies(&path), ["later"], "the writer works again");
    }

    const CHILD_DATABASE: &str = "GROUP_COMMIT_TEST_CHILD_DATABASE";

    #[tokio::test]
    async fn the_process_dying_with_a_group_open_keeps_what_was_acknowledged_and_nothing_else() {
        if let Ok(path) = std::env::var(CHILD_DATABASE) {
            return die_with_a_group_open(Path::new(&path)).await;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = database(&dir);
        let this_test = format!(
            "{}::the_process_dying_with_a_group_open_keeps_what_was_acknowledged_and_nothing_else",
            module_path!().split_once("::").unwrap().1
        );
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                this_test.as_str(),
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DATABASE, &path)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&child.stdout);
        assert!(
            !child.status.success(),
            "the child was meant to die: {stdout}"
        );
        assert!(stdout.contains("acknowledged: ok"), "{stdout}");
        assert!(stdout.contains("group open"), "{stdout}");
        assert_eq!(bodies(&path), ["acknowledged"]);
        let check: String = open(&path)
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(check, "ok");
    }

    /// The child: one write acknowledged, then a group of two open (one member released
    /// and waiting for the commit, one mid-write) when the process aborts.
    async fn die_with_a_group_open(path: &Path) {
        let writer = GroupWriter::new(open(path));
        let acknowledged = Tx::begin(&writer).await.unwrap();
        insert(&acknowledged, "acknowledged", None);
        acknowledged.commit().await.unwrap();
        println!("acknowledged: ok");

        let a = Tx::begin(&writer).await.unwrap();
        insert(&a, "a", None);
        let (b_wrote, b_written) = tokio::sync::oneshot::channel();
        tokio::spawn({
            let writer = writer.clone();
            async move {
                let b = Tx::begin(&writer).await.unwrap();
                insert(&b, "b", None);
                let _ = b_wrote.send(());
                std::future::pending::<()>().await;
                drop(b);
            }
        });
        until_queued(&writer, 1).await;
        tokio::spawn(a.commit());
        b_written.await.unwrap();
        println!("group open");
        std::process::abort();
    }
}
