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
    #[error("the write transaction was lost before it was committed; nothing was saved")]
    Lost,
}

impl DbError {
    /// The database could not be reached (a lost connection, no connection free in time),
    /// as opposed to a statement that failed: worth trying again shortly.
    pub fn is_unavailable(&self) -> bool {
        match self {
            DbError::Postgres(sqlx::Error::PoolTimedOut) => true,
            DbError::Postgres(_) => connection_lost(self),
            DbError::SqlitePool(_) => true,
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

    /// PostgreSQL ended this statement to break a deadlock (SQLSTATE 40P01); it changed
    /// nothing, and may be run again.
    pub fn is_deadlock(&self) -> bool {
        match self {
            DbError::Postgres(sqlx::Error::Database(e)) => e.code().as_deref() == Some("40P01"),
            _ => false,
        }
    }
}

/// The connection itself failed (as opposed to the statement): it must not be reused.
/// That is a broken socket, or the server saying it is ending the session: SQLSTATE class
/// 08 (connection exception) or 57P (shut down, for a restart or by an administrator).
pub fn connection_lost(error: &DbError) -> bool {
    match error {
        DbError::Postgres(sqlx::Error::Io(_) | sqlx::Error::Protocol(_) | sqlx::Error::Tls(_)) => {
            true
        }
        DbError::Postgres(sqlx::Error::Database(e)) => e
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}
