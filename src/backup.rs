//! `backup` and `restore`: a consistent copy of the SQLite database while servers run,
//! and putting one back while none does. PostgreSQL has its own tools for both
//! (pg_dump and pg_restore), so these only point to them there.
//!
//! Output names files and counts rows; it never shows content or the database URL.

use std::path::Path;
use std::process::ExitCode;

use crate::config::DatabaseUrl;
use crate::storage::{self, backup, Database, DatabaseLock, ExclusiveError};

const ON_POSTGRES: &str = "DATABASE_URL is a PostgreSQL database: back it up with \
    `pg_dump -Fc` and restore it with `pg_restore --clean --if-exists` \
    (docs/DEPLOYMENT.md, \"Backups\")";

pub fn run_backup(url: &DatabaseUrl, to: &Path, force: bool) -> ExitCode {
    let Some(database) = storage::sqlite_file(url) else {
        return failure(&format!("backup is for SQLite; {ON_POSTGRES}"));
    };
    match backup::backup(&database, to, force) {
        Ok(summary) => {
            println!("backup written: {summary}");
            ExitCode::SUCCESS
        }
        Err(error) => failure(&format!("backup {}: {error:#}", outcome(&error))),
    }
}

pub async fn run_restore(url: &DatabaseUrl, from: &Path) -> ExitCode {
    let Some(database) = storage::sqlite_file(url) else {
        return failure(&format!("restore is for SQLite; {ON_POSTGRES}"));
    };
    let checked = match backup::check_for_restore(from, &database) {
        Ok(checked) => checked,
        Err(error) => {
            let outcome = outcome(&error);
            return failure(&format!(
                "restore {outcome}: {error:#}; nothing was changed"
            ));
        }
    };
    // Taken once the file is known to be good, so a refusal leaves nothing behind; held
    // until the restored database is migrated, so no server starts on it half-way.
    let _alone = match DatabaseLock::exclusive(&database) {
        Ok(lock) => lock,
        Err(ExclusiveError::InUse) => {
            return failure(&format!(
                "restore refused: a server is using this database (stop it first): {}; nothing was changed",
                database.display()
            ))
        }
        Err(ExclusiveError::Other(error)) => return failure(&format!("{error:#}")),
    };
    let restored = match backup::restore(checked, &database) {
        Ok(summary) => summary,
        Err(error) => return failure(&format!("restore failed: {error:#}")),
    };
    println!("restored from {}: {restored}", from.display());
    if restored.schema_version < backup::expected_version() {
        let migrated = async {
            let db = Database::connect(url).await?;
            let result = db.migrate().await;
            db.close().await;
            result
        };
        if let Err(error) = migrated.await {
            return failure(&format!(
                "restored, but the migrations failed: {error:#}; run `healing-space migrate`"
            ));
        }
        println!(
            "migrated from schema version {} to {}",
            restored.schema_version,
            backup::expected_version()
        );
    }
    ExitCode::SUCCESS
}

/// "refused" when the input was wrong, "failed" when the copy itself went wrong.
fn outcome(error: &anyhow::Error) -> &'static str {
    match error.downcast_ref::<backup::Refusal>() {
        Some(_) => "refused",
        None => "failed",
    }
}

fn failure(message: &str) -> ExitCode {
    eprintln!("healing-space: {message}");
    ExitCode::FAILURE
}
