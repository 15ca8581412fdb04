//! Session lookups arriving together share one query. Hand-written because no pool
//! or driver batches concurrent lookups of one statement into one round trip, which is
//! what keeps `GET /api/auth/me` at over half of `/api/health` on PostgreSQL.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::postgres::PgRow;
use tokio::sync::oneshot;

use super::connector::{pooled, ConnectionPool};
use crate::storage::error::{connection_lost, DbError};

/// At most this many shared keyed queries run at once per statement, on the
/// connections of `SharedLookups::connections`, which all statements share.
pub const KEYED_RUNNERS: usize = 1;
/// While every connection for statements is busy, a shared keyed query starts at most
/// this often, so that each gathers a batch worth its round trip instead of taking CPU
/// from the statements; otherwise a lookup starts at once.
const KEYED_INTERVAL: Duration = Duration::from_millis(2);

pub struct SharedLookups {
    /// Connections of their own, beside the statements' pool: a lookup that queued
    /// behind the statements waiting for a connection would add that whole wait, at
    /// random, to every request of its batch.
    connections: ConnectionPool,
    /// Whether every connection for statements is busy.
    saturated: Box<dyn Fn() -> bool + Send + Sync>,
    keyed: Mutex<HashMap<&'static str, KeyedReads>>,
}

/// Lookups by key waiting for a shared query (see `fetch_keyed`).
#[derive(Default)]
struct KeyedReads {
    waiting: Vec<KeyedLookup>,
    running: usize,
    last_start: Option<Instant>,
}

/// A key, and where its row (or none, or the failure) goes.
type KeyedLookup = (String, oneshot::Sender<Result<Option<PgRow>, Failure>>);

/// Why a shared query failed, for every lookup that waited for it (a `DbError` cannot be
/// cloned): whether the database could not be reached, which answers 503, and the message.
struct Failure {
    unreachable: bool,
    message: String,
}

impl From<&DbError> for Failure {
    fn from(error: &DbError) -> Self {
        Failure {
            unreachable: error.is_unavailable(),
            message: error.to_string(),
        }
    }
}

impl From<Failure> for DbError {
    fn from(failure: Failure) -> Self {
        if failure.unreachable {
            DbError::Unreachable(failure.message)
        } else {
            DbError::Shared(failure.message)
        }
    }
}

impl SharedLookups {
    pub fn new(
        connections: ConnectionPool,
        saturated: impl Fn() -> bool + Send + Sync + 'static,
    ) -> Arc<SharedLookups> {
        Arc::new(SharedLookups {
            connections,
            saturated: Box::new(saturated),
            keyed: Mutex::new(HashMap::new()),
        })
    }

    /// Drops the idle connection: after one was found dead, the others likely are too.
    pub fn forget_idle(&self) {
        self.connections.retain(|_, _| false);
    }

    pub fn close(&self) {
        self.connections.close();
    }

    /// Its connections, for the metrics.
    pub fn status(&self) -> deadpool::Status {
        self.connections.status()
    }
}

impl SharedLookups {
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
            Ok(Err(failure)) => Err(failure.into()),
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
                Err(error) => Err(Failure::from(error)),
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
        if !(self.saturated)() {
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
        let mut conn = pooled(self.connections.get().await, None)?;
        let result = sqlx::query(sql).bind(keys).fetch_all(conn.conn()).await;
        match result.map_err(DbError::from) {
            Err(error) if connection_lost(&error) => {
                let reused = conn.reused;
                conn.discard();
                drop(conn);
                self.connections.retain(|_, _| false);
                if !reused {
                    return Err(error);
                }
                let mut conn = pooled(self.connections.get().await, None)?;
                Ok(sqlx::query(sql).bind(keys).fetch_all(conn.conn()).await?)
            }
            other => other,
        }
    }
}

fn poisoned() -> DbError {
    DbError::Shared("a lock was poisoned".into())
}
