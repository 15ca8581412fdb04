//! Connections for deadpool: how they are opened, checked and handed out.

use std::time::Duration;

use deadpool::managed::{self, Metrics, Object, PoolError, RecycleError, RecycleResult};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgTransactionManager};
use sqlx::{Connection as _, TransactionManager as _};
use tokio::sync::OwnedSemaphorePermit;

use crate::storage::error::DbError;

pub const WAIT_FOR_CONNECTION: Duration = Duration::from_secs(5);
/// A connection idle longer than this is pinged before use.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(30);
/// Connections are replaced after this long, so server-side caches do not grow forever.
const MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// How deadpool opens and checks sqlx's connections. sqlx's own pool pings every
/// connection when it is returned (sqlx-core 0.8 `PoolConnection::return_to_pool`),
/// which costs PostgreSQL a round trip per statement; deadpool asks this manager
/// instead, which pings only a connection that sat idle long enough to have been cut
/// off (a failover, a restart).
pub struct Connector {
    options: PgConnectOptions,
}

impl managed::Manager for Connector {
    type Type = PgConnection;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<PgConnection, sqlx::Error> {
        PgConnection::connect_with(&self.options).await
    }

    async fn recycle(
        &self,
        conn: &mut PgConnection,
        metrics: &Metrics,
    ) -> RecycleResult<sqlx::Error> {
        if metrics.age() > MAX_LIFETIME {
            return Err(RecycleError::message("past its lifetime"));
        }
        // A transaction left open (its future was dropped) is rolled back by the
        // connection before its next query.
        if PgTransactionManager::get_transaction_depth(conn) > 0 {
            PgTransactionManager::start_rollback(conn);
        }
        if metrics.last_used() > CHECK_AFTER_IDLE {
            conn.ping().await?;
        }
        Ok(())
    }
}

pub type ConnectionPool = managed::Pool<Connector>;

pub fn connection_pool(options: &PgConnectOptions, size: usize) -> Result<ConnectionPool, DbError> {
    managed::Pool::builder(Connector {
        options: options.clone(),
    })
    .max_size(size)
    // The most recently used connection first, as PostgreSQL's backends and our caches
    // are warmest for it; deadpool's default takes them in turn.
    .queue_mode(managed::QueueMode::Lifo)
    .wait_timeout(Some(WAIT_FOR_CONNECTION))
    .create_timeout(Some(WAIT_FOR_CONNECTION))
    .recycle_timeout(Some(WAIT_FOR_CONNECTION))
    .runtime(deadpool::Runtime::Tokio1)
    .build()
    .map_err(|e| DbError::Shared(format!("could not build the connection pool: {e}")))
}

/// A connection taken from the pool; it goes back when dropped, unless discarded.
pub struct Pooled {
    conn: Option<Object<Connector>>,
    /// Whether it was used before: only then can it have gone stale unnoticed.
    pub reused: bool,
    _read_permit: Option<OwnedSemaphorePermit>,
}

pub fn pooled(
    got: Result<Object<Connector>, PoolError<sqlx::Error>>,
    read_permit: Option<OwnedSemaphorePermit>,
) -> Result<Pooled, DbError> {
    let conn = got.map_err(|error| match error {
        PoolError::Backend(error) => DbError::Postgres(error),
        PoolError::Closed => DbError::Postgres(sqlx::Error::PoolClosed),
        _ => DbError::Postgres(sqlx::Error::PoolTimedOut),
    })?;
    Ok(Pooled {
        reused: Object::metrics(&conn).recycle_count > 0,
        conn: Some(conn),
        _read_permit: read_permit,
    })
}

impl Pooled {
    /// Closes the connection instead of returning it (it failed, or is mid-transaction).
    pub fn discard(&mut self) {
        if let Some(conn) = self.conn.take() {
            drop(Object::take(conn));
        }
    }

    pub fn conn(&mut self) -> &mut PgConnection {
        self.conn
            .as_mut()
            .expect("a pooled connection is present until discarded")
    }
}
