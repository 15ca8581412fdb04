//! `backup` and `restore` on SQLite: a backup taken while people keep sending messages
//! holds every message acknowledged before it began, as one consistent moment; `restore`
//! refuses while a server uses the database, and refuses a file that is not a Healing
//! Space database, changing nothing; on PostgreSQL both point to pg_dump and pg_restore.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use sqlx::{Connection, SqliteConnection};

use crate::common::*;

/// How long the writers may make no progress before the test gives up (the machine may
/// be busy; nothing here is timed otherwise).
const STALL_LIMIT: Duration = Duration::from_secs(60);
/// Messages acknowledged before the backup starts, and after it ends.
const BEFORE_BACKUP: usize = 40;
const AFTER_BACKUP: usize = 20;

/// Who writes to whom: every kind of sender the product has.
const SENDERS: [(&str, &str); 4] = [
    ("patient.a", "dr.in"),
    ("dr.in", "dr.out"),
    ("dr.out", "dr.in"),
    ("admin", "patient.b"),
];

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_during_writes_restores_every_message_acknowledged_before_it() {
    let db = TestDb::new().await;
    if db.is_postgres() {
        eprintln!("skipped: backup and restore are for SQLite (PostgreSQL has pg_dump)");
        return;
    }
    let mut server = Server::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let load = Load::start(&world);
    load.progress(BEFORE_BACKUP).await;

    // Everything acknowledged until now must be in the backup.
    let before = load.acknowledged();
    let backup = db.dir().join("healing-space-backup.db");
    let env = [("DATABASE_URL", db.url.clone())];
    let output = {
        let (backup, dir) = (backup.clone(), db.dir().to_owned());
        tokio::task::spawn_blocking(move || {
            let env: Vec<(&str, &str)> = env.iter().map(|(n, v)| (*n, v.as_str())).collect();
            run_binary(&["backup", "--to", backup.to_str().unwrap()], &env, &dir)
        })
        .await
        .unwrap()
    };
    load.phase.store(AFTER, Ordering::SeqCst);
    let during = load.acknowledged().len() - before.len();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{output:?}");
    load.progress(before.len() + during + AFTER_BACKUP).await;
    let (sent, refusals) = load.stop().await;
    assert!(refusals.is_empty(), "refused: {refusals:#?}");

    // The backup is one consistent file, and its summary counts what it holds.
    let in_backup = check_backup_file(&backup).await;
    assert!(stdout.contains(backup.to_str().unwrap()), "{stdout}");
    assert!(
        stdout.contains(&format!("{in_backup} messages")),
        "{stdout}"
    );
    assert!(stdout.contains("integrity ok"), "{stdout}");
    assert!(
        !stdout.contains("backup test"),
        "no content is printed: {stdout}"
    );

    // While the server runs, restore refuses and changes nothing.
    let messages_now = db.scalar_i64("SELECT COUNT(*) FROM messages").await;
    let backup_bytes = std::fs::read(&backup).unwrap();
    let refused = run_binary(
        &["restore", "--from", backup.to_str().unwrap()],
        &[("DATABASE_URL", &db.url)],
        db.dir(),
    );
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("a server is using this database (stop it first)"),
        "{stderr}"
    );
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM messages").await,
        messages_now
    );
    assert_eq!(messages_now as usize, sent.len(), "every send was stored");
    assert_eq!(std::fs::read(&backup).unwrap(), backup_bytes);
    assert!(server.stop().await.success());

    // Restored into a new database, a server serves what the backup holds.
    let fresh = db.dir().join("restored").join("healing-space.db");
    let fresh_url = format!("sqlite://{}", fresh.display());
    let restored = run_binary(
        &["restore", "--from", backup.to_str().unwrap()],
        &[("DATABASE_URL", &fresh_url)],
        db.dir(),
    );
    let stdout = String::from_utf8_lossy(&restored.stdout);
    assert!(restored.status.success(), "{restored:?}");
    assert!(
        stdout.contains(&format!("{in_backup} messages")),
        "{stdout}"
    );
    let server = Server::start(&db, &[("DATABASE_URL", &fresh_url)]).await;
    let served = sent_messages(&server).await;
    for message in &before {
        assert_eq!(
            served.get(&message.id),
            Some(&message.content),
            "acknowledged before the backup began: {message:?}"
        );
    }
    assert_eq!(served.len() as i64, in_backup);
    for message in sent.iter().filter(|m| m.started_after_backup) {
        assert!(
            !served.contains_key(&message.id),
            "sent after the backup ended: {message:?}"
        );
    }
    // One moment: each sender's messages in the backup are their first ones, no gaps.
    for (sender, _) in SENDERS {
        let mut numbers: Vec<u64> = served
            .values()
            .filter_map(|content| content.strip_prefix(&format!("backup test {sender} #")))
            .map(|n| n.parse().unwrap())
            .collect();
        numbers.sort_unstable();
        let expected: Vec<u64> = (1..=numbers.len() as u64).collect();
        assert_eq!(numbers, expected, "{sender}'s messages in the backup");
    }
    drop(server);

    // Restored over the database it was taken from, the later sends are gone.
    let over = run_binary(
        &["restore", "--from", backup.to_str().unwrap()],
        &[("DATABASE_URL", &db.url)],
        db.dir(),
    );
    assert!(over.status.success(), "{over:?}");
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM messages").await,
        in_backup
    );
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'")
            .await,
        1
    );
    eprintln!(
        "figures: {} messages acknowledged before the backup, {during} while it ran, {} in it, {} sent in all",
        before.len(),
        in_backup,
        sent.len()
    );
}

#[tokio::test]
async fn backup_refuses_to_replace_a_file_unless_forced() {
    let db = TestDb::new().await;
    if db.is_postgres() {
        return;
    }
    migrate(&db);
    let file = db.dir().join("existing.db");
    std::fs::write(&file, "an earlier file, kept").unwrap();
    let listed = listing(db.dir());
    let env = [("DATABASE_URL", db.url.as_str())];
    let output = run_binary(&["backup", "--to", file.to_str().unwrap()], &env, db.dir());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "an earlier file, kept"
    );
    assert_eq!(listing(db.dir()), listed, "no file left behind");

    let args = ["backup", "--to", file.to_str().unwrap(), "--force"];
    let forced = run_binary(&args, &env, db.dir());
    assert!(forced.status.success(), "{forced:?}");
    assert_eq!(check_backup_file(&file).await, 0);
    assert_eq!(listing(db.dir()), listed, "no file left behind");
}

#[tokio::test]
async fn restore_refuses_a_file_that_is_not_our_database_and_changes_nothing() {
    let db = TestDb::new().await;
    if db.is_postgres() {
        return;
    }
    migrate(&db);
    create_admin(&db, "admin");
    let database = Path::new(db.url.trim_start_matches("sqlite://")).to_owned();
    let not_sqlite = db.dir().join("notes.txt");
    std::fs::write(
        &not_sqlite,
        "not a database at all, but long enough to look like one ".repeat(100),
    )
    .unwrap();
    let other_sqlite = db.dir().join("other.db");
    let mut other =
        SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", other_sqlite.display()))
            .await
            .unwrap();
    sqlx::query("CREATE TABLE users (id INTEGER PRIMARY KEY)")
        .execute(&mut other)
        .await
        .unwrap();
    other.close().await.unwrap();

    let before = std::fs::read(&database).unwrap();
    let listed = listing(db.dir());
    for (file, why) in [
        (&not_sqlite, "not an SQLite database"),
        (&other_sqlite, "no migrations table"),
        (&db.dir().join("missing.db"), "there is no database at"),
    ] {
        let args = ["restore", "--from", file.to_str().unwrap()];
        let output = run_binary(&args, &[("DATABASE_URL", &db.url)], db.dir());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("restore refused"), "{stderr}");
        assert!(stderr.contains(why), "{stderr}");
        assert!(stderr.contains("nothing was changed"), "{stderr}");
        assert_eq!(std::fs::read(&database).unwrap(), before, "{file:?}");
        assert_eq!(listing(db.dir()), listed, "no file left behind");
    }
    assert_eq!(db.scalar_i64("SELECT COUNT(*) FROM users").await, 1);
}

#[tokio::test]
async fn on_postgres_backup_and_restore_point_to_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("DATABASE_URL", "postgres://nobody:hunter2@127.0.0.1:1/none")];
    for args in [
        ["backup", "--to", "backup.dump"],
        ["restore", "--from", "backup.dump"],
    ] {
        let output = run_binary(&args, &env, dir.path());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("pg_dump -Fc"), "{stderr}");
        assert!(
            stderr.contains("pg_restore --clean --if-exists"),
            "{stderr}"
        );
        assert!(!stderr.contains("hunter2"), "credentials are never printed");
        assert!(output.stdout.is_empty());
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

fn migrate(db: &TestDb) {
    let output = run_binary(&["migrate"], &[("DATABASE_URL", &db.url)], db.dir());
    assert!(output.status.success(), "{output:?}");
}

/// The names in a folder, sorted, but for the database's -wal and -shm, which SQLite
/// creates and removes as connections open and close.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".db-wal") && !name.ends_with(".db-shm"))
        .collect();
    names.sort();
    names
}

/// Checks a backup is one file (no -wal) that passes `integrity_check`; its messages.
async fn check_backup_file(path: &Path) -> i64 {
    assert!(!Path::new(&format!("{}-wal", path.display())).exists());
    let url = format!("sqlite://{}?mode=ro", path.display());
    let mut conn = SqliteConnection::connect(&url).await.unwrap();
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(integrity, "ok");
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode, "delete", "a backup needs no -wal beside it");
    let messages = sqlx::query_scalar("SELECT COUNT(*) FROM messages")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    messages
}

/// Every message the senders can see in their sent lists, by id.
async fn sent_messages(server: &Server) -> std::collections::BTreeMap<i64, String> {
    let mut found = std::collections::BTreeMap::new();
    for (sender, _) in SENDERS {
        let client = Client::new(server);
        client.login(sender, PASSWORD).await.expect(200);
        for page in 1.. {
            let path = format!("/api/messages/sent?limit=100&page={page}");
            let reply = client.get(&path).await.expect(200);
            for message in reply.body["messages"].as_array().unwrap() {
                let content = message["content"].as_str().unwrap().to_owned();
                found.insert(message["id"].as_i64().unwrap(), content);
            }
            if reply.body["has_more"] != true {
                break;
            }
        }
    }
    found
}

/// Before the backup ended, and after: a send begun after it must not be in it.
const DURING: u8 = 0;
const AFTER: u8 = 1;

#[derive(Debug, Clone)]
struct Sent {
    id: i64,
    content: String,
    started_after_backup: bool,
}

/// The senders, each sending one message after another until stopped.
struct Load {
    phase: Arc<AtomicU8>,
    stopping: Arc<AtomicBool>,
    sent: Arc<Mutex<Vec<Sent>>>,
    refusals: Arc<Mutex<Vec<String>>>,
    workers: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    fn start(world: &World) -> Load {
        let mut load = Load {
            phase: Arc::new(AtomicU8::new(DURING)),
            stopping: Arc::default(),
            sent: Arc::default(),
            refusals: Arc::default(),
            workers: Vec::new(),
        };
        for (sender, recipient) in SENDERS {
            let client = match sender {
                "patient.a" => world.patient_a.clone(),
                "dr.in" => world.dr_in.clone(),
                "dr.out" => world.dr_out.clone(),
                _ => world.admin.clone(),
            };
            let (phase, stopping) = (load.phase.clone(), load.stopping.clone());
            let (sent, refusals) = (load.sent.clone(), load.refusals.clone());
            load.workers.push(tokio::spawn(async move {
                for n in 1.. {
                    if stopping.load(Ordering::SeqCst) {
                        return;
                    }
                    let started_after_backup = phase.load(Ordering::SeqCst) == AFTER;
                    let content = format!("backup test {sender} #{n}");
                    let body = json!({ "recipient": recipient, "content": content });
                    let reply = client.post("/api/messages/send", body).await;
                    if reply.status != 201 {
                        let refused = format!("{sender} #{n}: {} {}", reply.status, reply.body);
                        refusals.lock().unwrap().push(refused);
                        continue;
                    }
                    sent.lock().unwrap().push(Sent {
                        id: reply.body["message_id"].as_i64().unwrap(),
                        content,
                        started_after_backup,
                    });
                }
            }));
        }
        load
    }

    fn acknowledged(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }

    /// Waits until `count` messages in all were acknowledged.
    async fn progress(&self, count: usize) {
        let waited = tokio::time::timeout(STALL_LIMIT, async {
            while self.sent.lock().unwrap().len() < count {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        assert!(waited.is_ok(), "the senders made no progress");
    }

    async fn stop(self) -> (Vec<Sent>, Vec<String>) {
        self.stopping.store(true, Ordering::SeqCst);
        for worker in self.workers {
            worker.await.unwrap();
        }
        let sent = self.sent.lock().unwrap().clone();
        let refusals = self.refusals.lock().unwrap().clone();
        (sent, refusals)
    }
}
