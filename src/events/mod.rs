//! Events pushed to signed-in people over Server-Sent Events (`GET /api/events`): a new
//! message, read marks, unread counts, a risk alert, a questionnaire due, a session that
//! ended. Database triggers write them (migration 0020) in the transaction of the change
//! they announce, so an event exists exactly when its change committed, and ids become
//! visible in order (SQLite's single writer; on PostgreSQL, migration 0022 numbers them
//! at commit). [`hub`] brings new ones to each instance (PostgreSQL's `LISTEN/NOTIFY`;
//! SQLite, read in order); [`routes`] sends each person theirs, and [`closing`] ends
//! every stream when the server shuts down.

pub mod closing;
pub mod hub;
pub mod presence;
pub mod routes;

use serde::Deserialize;

use crate::storage::{self, Database, DbError};

/// One stored event: whose, what kind, and its JSON object (ids and counts only).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub data: String,
}

/// How many events a reconnecting stream catches up on at most; one further behind
/// reloads what it shows instead.
pub const CATCH_UP_LIMIT: i64 = 500;

/// A person's events after `after`, oldest first.
pub async fn since_for(db: &Database, user_id: i64, after: i64) -> Result<Vec<Event>, DbError> {
    storage::query(
        "SELECT id, user_id, kind, data FROM events WHERE user_id = $1 AND id > $2 \
         ORDER BY id LIMIT $3",
    )
    .bind(user_id)
    .bind(after)
    .bind(CATCH_UP_LIMIT)
    .fetch_all(db)
    .await
}

/// Everyone's events after `after`, oldest first, for an instance to pass on.
pub async fn since(db: &Database, after: i64) -> Result<Vec<Event>, DbError> {
    storage::query(
        "SELECT id, user_id, kind, data FROM events WHERE id > $1 ORDER BY id LIMIT 1000",
    )
    .bind(after)
    .fetch_all(db)
    .await
}

/// The newest event's id (0 when there is none): where a new stream starts.
pub async fn latest(db: &Database) -> Result<i64, DbError> {
    storage::query_scalar("SELECT COALESCE(MAX(id), 0) FROM events")
        .fetch_one(db)
        .await
}

/// Forgets events older than `before` (ms): a stream away longer reloads instead.
pub async fn purge(db: &Database, before: i64) -> Result<u64, DbError> {
    storage::query("DELETE FROM events WHERE created_at < $1")
        .bind(before)
        .execute(db)
        .await
}
