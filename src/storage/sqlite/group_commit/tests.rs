//! Failures injected into real groups on a real file: a member that rolls back, a
//! commit that SQLite refuses (a deferred foreign key), and the process killed with a
//! group open; and a write without room, which makes the writer unwritable.

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

#[tokio::test]
async fn a_write_without_room_makes_the_writer_unwritable_until_a_write_lands() {
    let dir = tempfile::tempdir().unwrap();
    let path = database(&dir);
    let conn = open(&path);
    // No page beyond those the file has: a write that needs one fails with SQLITE_FULL,
    // as on a full disk.
    let pages: i64 = conn
        .query_row("PRAGMA page_count", [], |row| row.get(0))
        .unwrap();
    conn.execute_batch(&format!("PRAGMA max_page_count = {pages}"))
        .unwrap();
    let writer = GroupWriter::new(conn);
    let tx = Tx::begin(&writer).await.unwrap();
    let refused = tx
        .live_conn()
        .unwrap()
        .execute(
            "INSERT INTO notes (body) VALUES (?1)",
            ["x".repeat(64 * 1024)],
        )
        .map_err(DbError::from);
    tx.note(&refused);
    assert!(
        refused.as_ref().is_err_and(DbError::is_storage_unavailable),
        "{refused:?}"
    );
    drop(tx);
    assert!(!writer.is_writable());

    let nothing = Tx::begin(&writer).await.unwrap();
    nothing.commit().await.unwrap();
    assert!(
        !writer.is_writable(),
        "a commit that wrote nothing says nothing"
    );

    let small = Tx::begin(&writer).await.unwrap();
    insert(&small, "small", None);
    small.commit().await.unwrap();
    assert!(writer.is_writable(), "a write that landed");
    assert_eq!(bodies(&path), ["small"]);
}

/// `changed` resolves once per commit that changed rows (kept while nobody waits), and
/// not for a transaction that wrote nothing or rolled back.
#[tokio::test]
async fn a_commit_that_changed_rows_is_told_once_and_no_other_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = database(&dir);
    let writer = GroupWriter::new(open(&path));
    let told = |writer: Arc<GroupWriter>| async move {
        tokio::time::timeout(Duration::from_millis(200), writer.changed())
            .await
            .is_ok()
    };

    let nothing = Tx::begin(&writer).await.unwrap();
    nothing.commit().await.unwrap();
    let undone = Tx::begin(&writer).await.unwrap();
    insert(&undone, "undone", None);
    undone.rollback().await.unwrap();
    assert!(!told(writer.clone()).await, "nothing changed");

    // Committed before anyone waits: kept for the next wait, once.
    let one = Tx::begin(&writer).await.unwrap();
    insert(&one, "one", None);
    one.commit().await.unwrap();
    assert!(told(writer.clone()).await, "a change");
    assert!(!told(writer.clone()).await, "told once");

    // Committed while waiting.
    let waiting = tokio::spawn(told(writer.clone()));
    tokio::task::yield_now().await;
    let two = Tx::begin(&writer).await.unwrap();
    insert(&two, "two", None);
    two.commit().await.unwrap();
    assert!(waiting.await.unwrap(), "a change while waiting");
    assert_eq!(bodies(&path), ["one", "two"]);
}

/// Pages in the WAL, as a background checkpoint finds them (copying back what it can).
fn checkpoint(conn: &Connection) -> i64 {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get(1))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_wal_starts_again_from_its_beginning() {
    let dir = tempfile::tempdir().unwrap();
    let path = database(&dir);
    let writer = GroupWriter::new(open(&path));
    let checkpointer = open(&path);
    let write = async |body: &str| {
        let tx = Tx::begin(&writer).await.unwrap();
        insert(&tx, &body.repeat(20_000), None);
        // The background checkpoint runs while a group is open, as under steady writes:
        // it copies back the commits before it, never the one about to come.
        let pages = checkpoint(&checkpointer);
        tx.commit().await.unwrap();
        pages
    };
    let mut pages = Vec::new();
    for body in ["a", "b", "c", "d"] {
        pages.push(write(body).await);
    }
    assert!(pages.windows(2).all(|w| w[1] > w[0]), "it grows: {pages:?}");

    writer.note_wal_pages(RESTART_WAL_AT_PAGES);
    write("e").await;
    let after = checkpoint(&checkpointer);
    // Only the last write's pages: the WAL started again from its beginning.
    assert!(
        after <= pages[2] - pages[1],
        "started again: {after} pages, before {pages:?}"
    );
    assert_eq!(bodies(&path).len(), 5, "nothing lost");
}
