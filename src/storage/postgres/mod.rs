//! PostgreSQL, for several instances sharing one database, through sqlx's connections
//! in deadpool's pools (`connector.rs` says why not sqlx's own).
//!
//! Up to 12 connections for statements, of which at most 8 run reads, and one more for
//! the shared session lookups (`shared_lookup.rs`). A read is all CPU, so more of them
//! at once on a small machine only stretch each other's tails; a write spends part of
//! its time waiting for the WAL flush and row locks, which more writes at once put to
//! use (send throughput +11 %, see docs/PERFORMANCE.md). A connection that fails is
//! replaced, and a read on it retried once.

mod connector;
mod shared_lookup;

use std::sync::Arc;

use futures_util::TryStreamExt;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgConnection, PgRow, PgTransactionManager};
use sqlx::query::Query as SqlxQuery;
use sqlx::{Postgres, TransactionManager as _};
use tokio::sync::Semaphore;

use super::error::{connection_lost, DbError};
use super::query::{Param, Row};
pub use connector::Pooled;
use connector::{connection_pool, pooled, ConnectionPool, WAIT_FOR_CONNECTION};
use shared_lookup::{SharedLookups, KEYED_RUNNERS};

/// Connections for statements and transactions...
const MAX_CONNECTIONS: usize = 12;
/// ...of which at most this many run reads at once.
const MAX_READS: usize = 8;

pub struct Pool {
    statements: ConnectionPool,
    /// Taken by a read before a connection, so at most `MAX_READS` read at once.
    read_permits: Arc<Semaphore>,
    lookups: Arc<SharedLookups>,
}

impl Pool {
    /// Connects once now, so a wrong URL or password fails at start.
    pub async fn connect(url: &str) -> Result<Arc<Pool>, DbError> {
        let options: PgConnectOptions = url.parse()?;
        let statements = connection_pool(&options, MAX_CONNECTIONS)?;
        let read_permits = Arc::new(Semaphore::new(MAX_READS));
        let saturated = {
            let (statements, read_permits) = (statements.clone(), read_permits.clone());
            move || {
                let status = statements.status();
                (status.available == 0 && status.size == status.max_size)
                    || read_permits.available_permits() == 0
            }
        };
        let pool = Arc::new(Pool {
            lookups: SharedLookups::new(connection_pool(&options, KEYED_RUNNERS)?, saturated),
            statements,
            read_permits,
        });
        drop(pool.take().await?);
        Ok(pool)
    }

    /// A connection for any statement or transaction.
    pub async fn take(&self) -> Result<Pooled, DbError> {
        pooled(self.statements.get().await, None)
    }

    /// A connection for one read (a `SELECT` outside a transaction). One deadline covers
    /// both the read permit and the connection.
    pub async fn take_for_read(&self) -> Result<Pooled, DbError> {
        let both = async {
            let permit = self.read_permits.clone().acquire_owned().await;
            let permit = permit.map_err(|_| DbError::Postgres(sqlx::Error::PoolClosed))?;
            pooled(self.statements.get().await, Some(permit))
        };
        tokio::time::timeout(WAIT_FOR_CONNECTION, both)
            .await
            .map_err(|_| DbError::Postgres(sqlx::Error::PoolTimedOut))?
    }

    /// The row for `key`, shared with lookups arriving together (see `shared_lookup.rs`).
    pub async fn fetch_keyed(
        &self,
        sql: &'static str,
        key: &str,
    ) -> Result<Option<PgRow>, DbError> {
        self.lookups.fetch_keyed(sql, key).await
    }

    /// Drops every idle connection: after one was found dead, the others likely are too.
    pub fn forget_idle(&self) {
        self.statements.retain(|_, _| false);
        self.lookups.forget_idle();
    }

    /// The statements' connections and the shared lookups' own, as deadpool counts them.
    pub fn stats(&self) -> Vec<super::PoolStats> {
        let stats = |pool, status: deadpool::Status| super::PoolStats {
            pool,
            max: status.max_size,
            in_use: Some(status.size.saturating_sub(status.available)),
            idle: Some(status.available),
            waiting: Some(status.waiting),
        };
        vec![
            stats("postgres_statements", self.statements.status()),
            stats("postgres_lookups", self.lookups.status()),
        ]
    }

    pub async fn close(&self) {
        self.statements.close();
        self.lookups.close();
        self.read_permits.close();
    }
}

fn bound<'q>(sql: &'q str, params: &'q [Param]) -> SqlxQuery<'q, Postgres, PgArguments> {
    params
        .iter()
        .fold(sqlx::query(sql), |query, param| match param {
            Param::Int(v) => query.bind(*v),
            Param::Real(v) => query.bind(*v),
            Param::Text(v) => query.bind(v.as_str()),
            Param::NullInt => query.bind(None::<i64>),
            Param::NullReal => query.bind(None::<f64>),
            Param::NullText => query.bind(None::<&str>),
        })
}

pub async fn fetch<T>(
    conn: &mut PgConnection,
    sql: &str,
    params: &[Param],
    mut map: impl FnMut(&Row) -> Result<T, DbError>,
    limit: usize,
) -> Result<Vec<T>, DbError> {
    let mut rows = bound(sql, params).fetch(conn);
    let mut out = Vec::new();
    while out.len() < limit {
        match rows.try_next().await? {
            Some(row) => out.push(map(&Row::Postgres(&row))?),
            None => break,
        }
    }
    Ok(out)
}

pub async fn execute(conn: &mut PgConnection, sql: &str, params: &[Param]) -> Result<u64, DbError> {
    Ok(bound(sql, params).execute(conn).await?.rows_affected())
}

/// A transaction: it holds one connection until it ends.
pub struct Tx {
    pub conn: Pooled,
}

impl Tx {
    pub async fn begin(pool: &Pool) -> Result<Tx, DbError> {
        let mut conn = pool.take().await?;
        if let Err(error) = PgTransactionManager::begin(conn.conn(), None).await {
            conn.discard();
            let error = DbError::from(error);
            if connection_lost(&error) {
                // After one was found dead, the others likely are too.
                pool.forget_idle();
            }
            return Err(error);
        }
        Ok(Tx { conn })
    }

    pub async fn commit(mut self) -> Result<(), DbError> {
        Ok(PgTransactionManager::commit(self.conn.conn()).await?)
    }

    pub async fn rollback(mut self) -> Result<(), DbError> {
        Ok(PgTransactionManager::rollback(self.conn.conn()).await?)
    }
}
