//! Backups of a SQLite database while servers write to it, and restores of one.
//!
//! Both copy through SQLite's online backup API in one step. In WAL mode that step reads
//! one snapshot while the servers go on writing, so a backup holds exactly the
//! transactions committed before it began; copied in several steps, it would start over
//! whenever a server wrote, and might never finish under steady writes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::SQLITE_MIGRATIONS;

/// How long the copy waits for a lock a writer holds (a checkpoint may hold one briefly).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// What a backup or restored file holds, for the operator: no content, only counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub path: PathBuf,
    pub bytes: u64,
    pub schema_version: i64,
    /// (what, how many), e.g. ("messages", 42).
    pub counts: Vec<(&'static str, i64)>,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let counts: Vec<String> = self
            .counts
            .iter()
            .map(|(what, count)| format!("{count} {what}"))
            .collect();
        write!(
            f,
            "{} ({} bytes), schema version {}, integrity ok: {}",
            self.path.display(),
            self.bytes,
            self.schema_version,
            counts.join(", ")
        )
    }
}

/// The tables a summary counts, with the words it counts them in.
const COUNTED: [(&str, &str); 4] = [
    ("users", "users"),
    ("conversations", "conversations"),
    ("messages", "messages"),
    ("mood_entries", "mood check-ins"),
];

/// Why a backup or a restore refused, with nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("{0} already exists; choose another file, or add --force to replace it")]
    Exists(PathBuf),
    #[error("there is no database at {0}")]
    NoDatabase(PathBuf),
    #[error("{path} is not a Healing Space database: {why}")]
    NotOurs { path: PathBuf, why: String },
}

/// Copies `database` to `to`, through a file beside `to` that is checked and then renamed,
/// so `to` is never a partial copy. The copy is a single file (rollback journal, no -wal).
pub fn backup(database: &Path, to: &Path, force: bool) -> anyhow::Result<Summary> {
    if !database.is_file() {
        return Err(Refusal::NoDatabase(database.to_owned()).into());
    }
    if !force && to.exists() {
        return Err(Refusal::Exists(to.to_owned()).into());
    }
    let partial = beside(to, "partial");
    let written = write_checked_copy(database, &partial);
    let renamed = written.and_then(|()| {
        // Checked again: the file may have appeared while the copy was made.
        if !force && to.exists() {
            return Err(Refusal::Exists(to.to_owned()).into());
        }
        std::fs::rename(&partial, to)
            .with_context(|| format!("could not rename the copy to {}", to.display()))?;
        sync_folder(to);
        Ok(())
    });
    if renamed.is_err() {
        remove_with_journals(&partial);
    }
    renamed?;
    let copy = open(to, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    summarise(&copy, to)
}

fn write_checked_copy(database: &Path, partial: &Path) -> anyhow::Result<()> {
    remove_with_journals(partial);
    let source = open(database, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    let mut copy = open(
        partial,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
    )
    .with_context(|| format!("could not create {}", partial.display()))?;
    copy_all(&source, &mut copy).context("could not copy the database")?;
    drop(source);
    // The pages came with the source's WAL flag; a backup is one file on its own.
    copy.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
    check(&copy, partial)?;
    drop(copy);
    std::fs::File::open(partial)
        .and_then(|file| file.sync_all())
        .with_context(|| format!("could not write {} to disk", partial.display()))?;
    Ok(())
}

/// A file to restore, checked before anything is replaced: an SQLite database that passes
/// `integrity_check`, with this application's migrations and none newer.
pub struct Checked {
    staged: PathBuf,
    pub summary: Summary,
}

/// Copies `from` (with its `-wal`, if it has one) beside `database` and checks the copy,
/// so neither the backup nor the database is touched by the checks.
pub fn check_for_restore(from: &Path, database: &Path) -> anyhow::Result<Checked> {
    if !from.is_file() {
        return Err(Refusal::NoDatabase(from.to_owned()).into());
    }
    let staged = beside(database, "restoring");
    remove_with_journals(&staged);
    let checked = stage(from, &staged).and_then(|()| {
        let conn = open(&staged, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        check(&conn, from)?;
        summarise(&conn, from)
    });
    match checked {
        Ok(summary) => Ok(Checked { staged, summary }),
        Err(error) => {
            remove_with_journals(&staged);
            Err(error)
        }
    }
}

impl Drop for Checked {
    fn drop(&mut self) {
        remove_with_journals(&self.staged);
    }
}

fn stage(from: &Path, staged: &Path) -> anyhow::Result<()> {
    if let Some(folder) = staged.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("could not create the folder {}", folder.display()))?;
    }
    std::fs::copy(from, staged)
        .with_context(|| format!("could not copy {} to {}", from.display(), staged.display()))?;
    let wal = with_suffix(from, "-wal");
    if wal.is_file() {
        std::fs::copy(&wal, with_suffix(staged, "-wal"))
            .with_context(|| format!("could not copy {}", wal.display()))?;
    }
    Ok(())
}

/// Replaces the content of `database` (created when missing) with the checked file, in
/// one transaction of the database's own, so the -wal and -shm files stay consistent.
/// The caller holds the database alone (`DatabaseLock::exclusive`).
pub fn restore(checked: Checked, database: &Path) -> anyhow::Result<Summary> {
    let source = open(&checked.staged, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    let mut target = open(
        database,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
    )?;
    copy_all(&source, &mut target).context("could not copy into the database")?;
    // Leaves the database file whole, with an empty -wal if it is in WAL mode.
    target.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
    check(&target, database)?;
    summarise(&target, database)
}

fn open(path: &Path, flags: OpenFlags) -> anyhow::Result<Connection> {
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .with_context(|| format!("could not open {}", path.display()))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

fn copy_all(source: &Connection, target: &mut Connection) -> rusqlite::Result<()> {
    let backup = Backup::new(source, target)?;
    loop {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            // Past the busy timeout (a lock held that long): try again shortly.
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// `integrity_check`, then the schema: this application's migrations, applied in full,
/// none unknown to this binary.
fn check(conn: &Connection, named: &Path) -> anyhow::Result<()> {
    let not_ours = |why: String| Refusal::NotOurs {
        path: named.to_owned(),
        why,
    };
    let integrity: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| s.query_map([], |row| row.get(0))?.collect())
        .map_err(|error| not_ours(format!("it is not an SQLite database ({error})")))?;
    if integrity != ["ok"] {
        let first = integrity.into_iter().take(3).collect::<Vec<_>>().join("; ");
        return Err(not_ours(format!("integrity_check failed: {first}")).into());
    }
    let mut statement = conn
        .prepare("SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version")
        .map_err(|_| not_ours("it has no migrations table (_sqlx_migrations)".into()))?;
    let applied = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, bool>(1)?,
                row.get::<_, Vec<u8>>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    if applied.is_empty() {
        return Err(not_ours("no migration was ever applied to it".into()).into());
    }
    for (version, success, checksum) in applied {
        let Some(known) = SQLITE_MIGRATIONS.iter().find(|m| m.version == version) else {
            bail!(
                "{} has migration {version}, which this release does not know: restore it with the release that made it, or a newer one",
                named.display()
            );
        };
        if !success {
            bail!("migration {version} of {} failed part-way", named.display());
        }
        if *known.checksum != *checksum {
            return Err(not_ours(format!(
                "its migration {version} differs from this release's"
            ))
            .into());
        }
    }
    Ok(())
}

fn summarise(conn: &Connection, path: &Path) -> anyhow::Result<Summary> {
    let schema_version =
        conn.query_row("SELECT MAX(version) FROM _sqlx_migrations", [], |row| {
            row.get(0)
        })?;
    let mut counts = Vec::new();
    for (table, words) in COUNTED {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        counts.push((words, conn.query_row(&sql, [], |row| row.get(0))?));
    }
    Ok(Summary {
        path: path.to_owned(),
        bytes: std::fs::metadata(path)?.len(),
        schema_version,
        counts,
    })
}

/// The latest migration this binary applies.
pub fn expected_version() -> i64 {
    SQLITE_MIGRATIONS
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

/// `.<name>.<what>-<pid>` in the folder of `path`: hidden, and renamed within one
/// file system.
fn beside(path: &Path, what: &str) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_with_journals(path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
}

/// Makes the rename itself durable; a failure only loses that guarantee.
fn sync_folder(file: &Path) {
    if let Some(folder) = file.parent().filter(|f| !f.as_os_str().is_empty()) {
        let _ = std::fs::File::open(folder).and_then(|f| f.sync_all());
    }
}
