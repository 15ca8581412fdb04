//! Why a database call failed, and what kind of failure it was, for both databases.

/// Why a database call failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] sqlx::Error),
    #[error("no SQLite connection: {0}")]
    SqlitePool(#[from] r2d2::Error),
    #[error("the query returned no row")]
    NoRow,
    #[error("unexpected value in the database: {0}")]
    Decode(String),
    #[error("SQLite row: {0}")]
    SqliteRow(#[from] serde_rusqlite::Error),
    #[error("a shared lookup failed: {0}")]
    Shared(String),
    /// A shared lookup failed because the database could not be reached.
    #[error("the database could not be reached: {0}")]
    Unreachable(String),
    #[error("the write transaction was lost before it was committed; nothing was saved")]
    Lost,
    /// The group this transaction was committed in failed because SQLite could not write
    /// its files (see `is_storage_unavailable`).
    #[error("the database could not be written ({0}); nothing was saved")]
    Unwritable(String),
}

impl DbError {
    /// The database could not be reached (a lost connection, no connection free in time),
    /// as opposed to a statement that failed: worth trying again shortly.
    pub fn is_unavailable(&self) -> bool {
        match self {
            DbError::Postgres(error) => postgres_unreachable(error),
            DbError::SqlitePool(_) | DbError::Unreachable(_) => true,
            _ => false,
        }
    }

    /// SQLite could not write its files: the disk is full, the file or its folder is
    /// read-only, or the storage failed. Nothing of the write was saved, and writing may
    /// work again once an operator has freed space or fixed the mount.
    pub fn is_storage_unavailable(&self) -> bool {
        match self {
            DbError::Unwritable(_) => true,
            DbError::Sqlite(error) => is_storage_failure(error),
            _ => false,
        }
    }

    /// A `UNIQUE` (or primary key) constraint refused the write.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            ),
            DbError::Postgres(sqlx::Error::Database(e)) => e.is_unique_violation(),
            _ => false,
        }
    }

    /// The pool was closed: the server is shutting down.
    pub fn is_pool_closed(&self) -> bool {
        matches!(self, DbError::Postgres(sqlx::Error::PoolClosed))
    }

    /// PostgreSQL ended this statement to break a deadlock (SQLSTATE 40P01); it changed
    /// nothing, and may be run again.
    pub fn is_deadlock(&self) -> bool {
        match self {
            DbError::Postgres(sqlx::Error::Database(e)) => e.code().as_deref() == Some("40P01"),
            _ => false,
        }
    }
}

/// SQLITE_FULL, SQLITE_READONLY*, SQLITE_IOERR*, SQLITE_CANTOPEN and SQLITE_PERM: the
/// file could not be written, whatever the statement.
pub fn is_storage_failure(error: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::*;
    matches!(
        error.sqlite_error_code(),
        Some(DiskFull | ReadOnly | SystemIoFailure | CannotOpen | PermissionDenied)
    )
}

/// Whether `error`, from anywhere in storage (sqlx's migrator too, which wraps the
/// `sqlx::Error` of a lost connection), means the database could not be reached.
pub fn is_unreachable(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<DbError>()
            .is_some_and(DbError::is_unavailable)
            || cause
                .downcast_ref::<sqlx::Error>()
                .is_some_and(postgres_unreachable)
    })
}

/// No connection could be had in time, or the one in use was lost.
fn postgres_unreachable(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::PoolTimedOut) || postgres_connection_lost(error)
}

/// The connection itself failed (as opposed to the statement): it must not be reused.
pub fn connection_lost(error: &DbError) -> bool {
    matches!(error, DbError::Postgres(error) if postgres_connection_lost(error))
}

/// A broken socket, or the server saying it is ending the session: SQLSTATE class 08
/// (connection exception) or 57P (shut down, for a restart or by an administrator).
fn postgres_connection_lost(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(e) => e
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}
