//! Who is using a SQLite database: an advisory lock on `<database>.lock` beside it.
//!
//! Every `serve` on the file holds it shared (several local instances may share one file,
//! as the tests of several instances do); `restore` takes it exclusive, and only when no
//! server holds it. The lock file itself is never removed: a process could otherwise lock
//! a file that another has just unlinked and think itself alone.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// Held for as long as the value lives; the kernel releases it if the process dies.
#[derive(Debug)]
pub struct DatabaseLock {
    _file: File,
}

/// Why `restore` may not take the database.
#[derive(Debug, thiserror::Error)]
pub enum ExclusiveError {
    #[error("a server is using this database (stop it first)")]
    InUse,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl DatabaseLock {
    /// For `serve`: shared with other servers. While a restore holds the database, it
    /// waits for it to finish rather than serve a file being replaced.
    pub async fn for_serving(database: &Path) -> anyhow::Result<DatabaseLock> {
        let path = lock_path(database);
        let file = open(&path)?;
        match file.try_lock_shared() {
            Ok(()) => return Ok(DatabaseLock { _file: file }),
            Err(TryLockError::Error(error)) => return Err(lock_failed(&path, error)),
            Err(TryLockError::WouldBlock) => {}
        }
        tracing::warn!(
            lock = %path.display(),
            "the database is being restored (healing-space restore); waiting for it to finish"
        );
        tokio::task::spawn_blocking(move || match file.lock_shared() {
            Ok(()) => Ok(DatabaseLock { _file: file }),
            Err(error) => Err(lock_failed(&path, error)),
        })
        .await?
    }

    /// For `restore`: the database alone, or `InUse` at once.
    pub fn exclusive(database: &Path) -> Result<DatabaseLock, ExclusiveError> {
        let path = lock_path(database);
        let file = open(&path)?;
        match file.try_lock() {
            Ok(()) => Ok(DatabaseLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(ExclusiveError::InUse),
            Err(TryLockError::Error(error)) => Err(lock_failed(&path, error).into()),
        }
    }
}

pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Read-write, created when missing; read-only when another user created it (a lock
/// needs no write access).
fn open(path: &Path) -> anyhow::Result<File> {
    if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("could not create the folder {}", folder.display()))?;
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .or_else(|_| File::open(path))
        .with_context(|| {
            format!(
                "could not open the lock file {} beside the database; check the folder's permissions",
                path.display()
            )
        })
}

fn lock_failed(path: &Path, error: std::io::Error) -> anyhow::Error {
    anyhow::anyhow!("could not lock {} ({error})", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn servers_share_the_lock_and_a_restore_needs_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("healing-space.db");
        let first = DatabaseLock::for_serving(&db).await.unwrap();
        let second = DatabaseLock::for_serving(&db).await.unwrap();
        assert!(matches!(
            DatabaseLock::exclusive(&db),
            Err(ExclusiveError::InUse)
        ));
        drop((first, second));
        let restoring = DatabaseLock::exclusive(&db).unwrap();
        assert!(matches!(
            DatabaseLock::exclusive(&db),
            Err(ExclusiveError::InUse)
        ));
        drop(restoring);
        assert!(dir.path().join("healing-space.db.lock").exists());
    }
}
