//! PostgreSQL, for several instances sharing one database, through sqlx's connections.
//!
//! The pool is our own. sqlx's pool sends a ping on every release of a connection (and,
//! by default, another before every acquire), so each query cost three round trips to
//! the server, on a machine where the database shares the CPU with us. This pool pings
//! only a connection that sat idle long enough to have been cut off (a failover, a
//! restart), and replaces a connection that fails, retrying a read once.
//!
//! It holds up to 12 connections for statements, of which at most 8 run reads, and one
//! more for the shared keyed lookups. A read is all CPU, so more of them at once on a
//! small machine only stretch each other's tails; a write spends part of its time
//! waiting for the WAL flush and row locks, which more writes at once put to use (send
//! throughput +11 %, see docs/PERFORMANCE.md).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use deadpool::managed::{self, Metrics, Object, PoolError, RecycleError, RecycleResult};
use futures_util::TryStreamExt;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgConnection, PgRow, PgTransactionManager};
use sqlx::query::Query as SqlxQuery;
use sqlx::{Connection as _, Postgres, TransactionManager as _};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

use super::error::{connection_lost, DbError};
use super::query::{Param, Row};

/// Connections for statements and transactions...
const MAX_CONNECTIONS: usize = 12;
/// ...of which at most this many run reads at once.
const MAX_READS: usize = 8;
const WAIT_FOR_CONNECTION: Duration = Duration::from_secs(5);
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

type ConnectionPool = managed::Pool<Connector>;

pub struct Pool {
    statements: ConnectionPool,
    /// The shared keyed lookups' own connection, beside the statements' pool: a lookup
    /// that queued behind the statements waiting for a connection would add that whole
    /// wait, at random, to every request of its batch.
    lookups: ConnectionPool,
    /// Taken by a read before a connection, so at most `MAX_READS` read at once. A read
    /// is all CPU, so more of them at once on a small machine only stretch each other's
    /// tails; a write spends part of its time waiting for the WAL flush and row locks.
    read_permits: Arc<Semaphore>,
    keyed: Mutex<HashMap<&'static str, KeyedReads>>,
}

/// Lookups by key waiting for a shared query (see `fetch_keyed`).
#[derive(Default)]
struct KeyedReads {
    waiting: Vec<KeyedLookup>,
    running: usize,
    last_start: Option<Instant>,
}

/// A key, and where its row (or none, or the error) goes.
type KeyedLookup = (String, oneshot::Sender<Result<Option<PgRow>, String>>);

/// At most this many shared keyed queries run at once per statement, on the `lookups`
/// pool's connection, which all statements share.
const KEYED_RUNNERS: usize = 1;
/// While every connection for statements is busy, a shared keyed query starts at most
/// this often, so that each gathers a batch worth its round trip instead of taking CPU
/// from the statements; otherwise a lookup starts at once.
const KEYED_INTERVAL: Duration = Duration::from_millis(2);

/// A connection taken from the pool; it goes back when dropped, unless discarded.
pub struct Pooled {
    conn: Option<Object<Connector>>,
    /// Whether it was used before: only then can it have gone stale unnoticed.
    pub reused: bool,
    _read_permit: Option<OwnedSemaphorePermit>,
}

fn connection_pool(options: &PgConnectOptions, size: usize) -> Result<ConnectionPool, DbError> {
    managed::Pool::builder(Connector {
        options: options.clone(),
    })
    .max_size(size)
    .wait_timeout(Some(WAIT_FOR_CONNECTION))
    .create_timeout(Some(WAIT_FOR_CONNECTION))
    .runtime(deadpool::Runtime::Tokio1)
    .build()
    .map_err(|e| DbError::Shared(format!("could not build the connection pool: {e}")))
}

impl Pool {
    /// Connects once now, so a wrong URL or password fails at start.
    pub async fn connect(url: &str) -> Result<Arc<Pool>, DbError> {
        let options: PgConnectOptions = url.parse()?;
        let pool = Arc::new(Pool {
            statements: connection_pool(&options, MAX_CONNECTIONS)?,
            lookups: connection_pool(&options, KEYED_RUNNERS)?,
            read_permits: Arc::new(Semaphore::new(MAX_READS)),
            keyed: Mutex::new(HashMap::new()),
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

    async fn take_for_keyed(&self) -> Result<Pooled, DbError> {
        pooled(self.lookups.get().await, None)
    }

    /// Drops every idle connection: after one was found dead, the others likely are too.
    pub fn forget_idle(&self) {
        self.statements.retain(|_, _| false);
        self.lookups.retain(|_, _| false);
    }

    pub async fn close(&self) {
        self.statements.close();
        self.lookups.close();
        self.read_permits.close();
    }
}

fn pooled(
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

impl Pool {
    /// The row for `key`, from `sql`, which selects the rows for the keys in the text
    /// array `$1` with each key's position in the array (from 1) as `lookup_index`, for
    /// example by joining `unnest($1) WITH ORDINALITY`. Lookups that arrive while that query is already
    /// running for others wait and then share the next one, so under load one round trip
    /// answers many requests; each is still answered by a query that started after it
    /// arrived, so what it sees is as fresh as a query of its own.
    pub async fn fetch_keyed(
        self: &Arc<Self>,
        sql: &'static str,
        key: &str,
    ) -> Result<Option<PgRow>, DbError> {
        let (sender, answer) = oneshot::channel();
        let run_now = {
            let mut keyed = self.keyed.lock().map_err(|_| poisoned())?;
            let reads = keyed.entry(sql).or_default();
            reads.waiting.push((key.to_owned(), sender));
            let start = reads.running < KEYED_RUNNERS;
            if start {
                reads.running += 1;
            }
            start
        };
        if run_now {
            // A task of its own: were it run inside this request and the request dropped
            // (a client gone, a timeout), the lookups waiting for it would wait forever.
            tokio::spawn(self.clone().run_keyed_boxed(sql));
        }
        match answer.await {
            Ok(Ok(row)) => Ok(row),
            Ok(Err(message)) => Err(DbError::Shared(message)),
            Err(_) => Err(DbError::Shared("the shared lookup was abandoned".into())),
        }
    }

    /// Runs one shared query for the lookups waiting, then hands any that arrived
    /// meanwhile to a new task.
    async fn run_keyed(self: Arc<Self>, sql: &'static str) {
        if let Some(wait) = self.keyed_wait(sql) {
            tokio::time::sleep(wait).await;
        }
        let batch = self.take_keyed(sql);
        if batch.is_empty() {
            return;
        }
        let keys: Vec<String> = batch.iter().map(|(key, _)| key.clone()).collect();
        let result = self.query_keyed(sql, &keys).await;
        let mut rows: HashMap<i64, PgRow> = HashMap::new();
        let outcome = result.and_then(|found| {
            for row in found {
                let position: i64 = sqlx::Row::try_get(&row, "lookup_index")?;
                rows.insert(position, row);
            }
            Ok(())
        });
        for (position, (_, sender)) in (1..).zip(batch) {
            let answer = match &outcome {
                Err(error) => Err(error.to_string()),
                Ok(()) => Ok(rows.remove(&position)),
            };
            let _ = sender.send(answer);
        }
        let more = {
            let mut keyed = self.keyed.lock().expect("keyed lock");
            let reads = keyed.entry(sql).or_default();
            let more = !reads.waiting.is_empty();
            if !more {
                reads.running -= 1;
            }
            more
        };
        if more {
            tokio::spawn(self.run_keyed_boxed(sql));
        }
    }

    fn run_keyed_boxed(
        self: Arc<Self>,
        sql: &'static str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        Box::pin(self.run_keyed(sql))
    }

    /// How long the next shared query must wait to keep `KEYED_INTERVAL`, if at all.
    fn keyed_wait(&self, sql: &'static str) -> Option<Duration> {
        let status = self.statements.status();
        let saturated = (status.available == 0 && status.size == status.max_size)
            || self.read_permits.available_permits() == 0;
        if !saturated {
            return None;
        }
        let keyed = self.keyed.lock().expect("keyed lock");
        let last_start = keyed.get(sql)?.last_start?;
        KEYED_INTERVAL.checked_sub(last_start.elapsed())
    }

    fn take_keyed(&self, sql: &'static str) -> Vec<KeyedLookup> {
        let mut keyed = self.keyed.lock().expect("keyed lock");
        let reads = keyed.entry(sql).or_default();
        reads.last_start = Some(Instant::now());
        let batch = std::mem::take(&mut reads.waiting);
        if batch.is_empty() {
            reads.running -= 1;
        }
        batch
    }

    async fn query_keyed(
        self: &Arc<Self>,
        sql: &str,
        keys: &[String],
    ) -> Result<Vec<PgRow>, DbError> {
        let mut conn = self.take_for_keyed().await?;
        let result = sqlx::query(sql).bind(keys).fetch_all(conn.conn()).await;
        match result.map_err(DbError::from) {
            Err(error) if connection_lost(&error) => {
                let reused = conn.reused;
                conn.discard();
                drop(conn);
                self.forget_idle();
                if !reused {
                    return Err(error);
                }
                let mut conn = self.take_for_keyed().await?;
                Ok(sqlx::query(sql).bind(keys).fetch_all(conn.conn()).await?)
            }
            other => other,
        }
    }
}

fn poisoned() -> DbError {
    DbError::Shared("a lock was poisoned".into())
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
            return Err(error.into());
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
