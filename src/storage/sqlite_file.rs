//! Where a `sqlite:` URL points: its file, how to open it, its folder made, and the lock
//! a serving process holds on it.

use std::path::PathBuf;

use anyhow::Context;

use super::database_lock::DatabaseLock;
use super::sqlite;
use crate::config::{DatabaseKind, DatabaseUrl};

/// The file a `sqlite:` URL names; None for PostgreSQL.
pub fn sqlite_file(url: &DatabaseUrl) -> Option<PathBuf> {
    match url.kind() {
        DatabaseKind::Sqlite => Some(sqlite_target(url.expose()).0),
        DatabaseKind::Postgres => None,
    }
}

/// For `serve` on SQLite, before the database is opened: its file and folder writable
/// (checked first, so that is what a refusal names), then the shared lock that keeps
/// `restore` away while this server runs. None for PostgreSQL.
pub async fn lock_for_serving(url: &DatabaseUrl) -> anyhow::Result<Option<DatabaseLock>> {
    let Some(path) = sqlite_file(url) else {
        return Ok(None);
    };
    prepare_sqlite_url(url.expose())?;
    sqlite::ensure_writable(&path)?;
    Ok(Some(DatabaseLock::for_serving(&path).await?))
}

/// The file and open flags of a `sqlite:` URL (`mode=ro|rw|rwc|memory`).
pub(super) fn sqlite_target(url: &str) -> (PathBuf, rusqlite::OpenFlags) {
    use rusqlite::OpenFlags;
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (path, options) = rest.split_once('?').unwrap_or((rest, ""));
    let mode = options
        .split('&')
        .find_map(|pair| pair.strip_prefix("mode="))
        .unwrap_or("rwc");
    let access = match mode {
        "ro" => OpenFlags::SQLITE_OPEN_READ_ONLY,
        "rw" => OpenFlags::SQLITE_OPEN_READ_WRITE,
        _ => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
    };
    (
        PathBuf::from(path),
        access | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
}

/// Adds `mode=rwc` so the file is created, and creates its folder.
pub(super) fn prepare_sqlite_url(url: &str) -> anyhow::Result<String> {
    let path_part = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path_part.split('?').next().unwrap_or_default();
    if !path.is_empty() && path != ":memory:" {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("could not create the folder {}", dir.display()))?;
            }
        }
    }
    Ok(if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_create_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/sub/db.sqlite", dir.path().display());
        assert!(prepare_sqlite_url(&url).unwrap().ends_with("?mode=rwc"));
        assert!(dir.path().join("sub").is_dir());
    }
}
