//! The export's own reads: what no other store lists about one person.

use serde::Deserialize;

use crate::storage::{self, Database, DbError};

/// A care-team link of mine, whichever side I am on.
#[derive(sqlx::FromRow, Deserialize)]
pub struct ExportedLink {
    pub status: String,
    pub requested_at: i64,
    pub decided_at: Option<i64>,
    pub patient: String,
    pub clinician: String,
}

pub async fn care_team_links(db: &Database, id: i64) -> Result<Vec<ExportedLink>, DbError> {
    storage::query(
        "SELECT l.status, l.requested_at, l.decided_at, p.username AS patient, c.username AS clinician \
         FROM care_team_links l JOIN users p ON p.id = l.patient_id JOIN users c ON c.id = l.clinician_id \
         WHERE l.patient_id = $1 OR l.clinician_id = $1 ORDER BY l.id",
    )
    .bind(id)
    .fetch_all(db)
    .await
}

/// A session of mine, live or ended (never its token).
#[derive(sqlx::FromRow, Deserialize)]
pub struct ExportedSession {
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub client: String,
    pub ended_at: Option<i64>,
    pub end_reason: Option<String>,
}

pub async fn sessions(db: &Database, id: i64) -> Result<Vec<ExportedSession>, DbError> {
    storage::query(
        "SELECT id, created_at, last_seen_at, client, ended_at, end_reason FROM sessions \
         WHERE user_id = $1 ORDER BY created_at",
    )
    .bind(id)
    .fetch_all(db)
    .await
}

/// A security event I did or that was done to me.
#[derive(sqlx::FromRow, Deserialize)]
pub struct ExportedEvent {
    pub event: String,
    pub at: i64,
    pub detail: String,
    pub actor: Option<String>,
}

pub async fn security_events(db: &Database, id: i64) -> Result<Vec<ExportedEvent>, DbError> {
    storage::query(
        "SELECT a.event, a.at, a.detail, actor.username AS actor FROM audit_log a \
         LEFT JOIN users actor ON actor.id = a.actor_id WHERE a.actor_id = $1 OR a.subject_id = $1 ORDER BY a.id",
    )
    .bind(id)
    .fetch_all(db)
    .await
}
