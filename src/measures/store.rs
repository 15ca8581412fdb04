//! The `measure_responses` and `measure_schedules` tables.

use serde::Deserialize;

use crate::clinical::{Flag, Scored};
use crate::storage::{self, Database, DbError, On};

/// A stored response, every item answer included (`answers` is a JSON object).
#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct StoredResponse {
    pub id: i64,
    pub instrument: String,
    pub version: String,
    pub answers: String,
    pub total: Option<i64>,
    pub band: String,
    pub flags: String,
    pub submitted_at: i64,
    #[serde(deserialize_with = "storage::flag")]
    pub care_team_notified: bool,
}

/// `care_team_notified` is stored as 0 or 1, and read as a boolean on both databases.
const COLUMNS: &str = "id, instrument, version, answers, total, band, flags, submitted_at, \
     care_team_notified <> 0 AS care_team_notified";

/// A response to store, scored, with its idempotency key and the digest of its answers.
pub struct NewResponse<'a> {
    pub user_id: i64,
    pub scored: &'a Scored,
    pub version: &'a str,
    pub band: &'a str,
    pub care_team_notified: bool,
    pub submitted_at: i64,
    pub key: Option<(&'a str, &'a str)>,
}

pub async fn insert<'e>(
    executor: impl Into<On<'e>>,
    new: &NewResponse<'_>,
) -> Result<i64, DbError> {
    let answers = serde_json::to_string(&new.scored.answers)
        .map_err(|e| DbError::Decode(format!("answers as JSON: {e}")))?;
    storage::query_scalar(
        "INSERT INTO measure_responses (user_id, instrument, version, answers, total, band, flags, \
           submitted_at, care_team_notified, idempotency_key, request_fingerprint) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(new.user_id)
    .bind(new.scored.instrument.as_str())
    .bind(new.version)
    .bind(answers)
    .bind(new.scored.total)
    .bind(new.band)
    .bind(flag_names(&new.scored.flags))
    .bind(new.submitted_at)
    .bind(i64::from(new.care_team_notified))
    .bind(new.key.map(|(key, _)| key))
    .bind(new.key.map(|(_, fingerprint)| fingerprint))
    .fetch_one(executor)
    .await
}

/// Flags as stored: comma-separated.
pub fn flag_names(flags: &[Flag]) -> String {
    let names: Vec<&str> = flags
        .iter()
        .map(|flag| match flag {
            Flag::Item9Positive => "item9_positive",
        })
        .collect();
    names.join(",")
}

/// The total of the patient's latest response to this questionnaire.
pub async fn previous_total<'e>(
    executor: impl Into<On<'e>>,
    user_id: i64,
    instrument: &str,
) -> Result<Option<i64>, DbError> {
    let latest: Option<Option<i64>> = storage::query_scalar(
        "SELECT total FROM measure_responses WHERE user_id = $1 AND instrument = $2 \
         ORDER BY submitted_at DESC, id DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(instrument)
    .fetch_optional(executor)
    .await?;
    Ok(latest.flatten())
}

/// The response stored under this idempotency key, with the digest of its answers.
pub async fn by_key(
    db: &Database,
    user_id: i64,
    key: &str,
) -> Result<Option<(StoredResponse, Option<String>)>, DbError> {
    #[derive(sqlx::FromRow, Deserialize)]
    struct Fingerprint {
        request_fingerprint: Option<String>,
    }
    let found: Option<storage::Both<StoredResponse, Fingerprint>> = storage::query(format!(
        "SELECT {COLUMNS}, request_fingerprint FROM measure_responses \
         WHERE user_id = $1 AND idempotency_key = $2"
    ))
    .bind(user_id)
    .bind(key)
    .fetch_optional(db)
    .await?;
    Ok(found.map(|storage::Both(response, digest)| (response, digest.request_fingerprint)))
}

/// The SQL of [`since`]: $1 the person, $2 the moment, $3 the questionnaire or ''.
/// Public for the benchmark's query plans (`benches/measures`).
pub fn since_query() -> String {
    format!(
        "SELECT {COLUMNS} FROM measure_responses \
         WHERE user_id = $1 AND submitted_at >= $2 AND ($3 = '' OR instrument = $3) \
         ORDER BY submitted_at DESC, id DESC"
    )
}

/// A person's responses since a moment, newest first, of one questionnaire or all.
pub async fn since(
    db: &Database,
    user_id: i64,
    instrument: Option<&str>,
    since: i64,
) -> Result<Vec<StoredResponse>, DbError> {
    storage::query(since_query())
        .bind(user_id)
        .bind(since)
        .bind(instrument.unwrap_or(""))
        .fetch_all(db)
        .await
}

/// When each questionnaire was last answered.
#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct LastDone {
    pub instrument: String,
    pub submitted_at: i64,
}

pub async fn last_done(db: &Database, user_id: i64) -> Result<Vec<LastDone>, DbError> {
    storage::query(
        "SELECT instrument, MAX(submitted_at) AS submitted_at FROM measure_responses \
         WHERE user_id = $1 GROUP BY instrument",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// A clinician's schedule for a patient's questionnaire.
#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct Schedule {
    pub id: i64,
    pub instrument: String,
    pub every_days: i64,
    /// YYYY-MM-DD.
    pub starts_on: String,
    /// The username of the clinician who made it.
    pub created_by: Option<String>,
    pub created_at: i64,
}

pub struct NewSchedule<'a> {
    pub patient_id: i64,
    pub instrument: &'a str,
    pub every_days: i64,
    pub starts_on: &'a str,
    pub created_by: i64,
    pub created_at: i64,
}

pub async fn add_schedule(db: &Database, new: &NewSchedule<'_>) -> Result<i64, DbError> {
    storage::query_scalar(
        "INSERT INTO measure_schedules (patient_id, instrument, every_days, starts_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(new.patient_id)
    .bind(new.instrument)
    .bind(new.every_days)
    .bind(new.starts_on)
    .bind(new.created_by)
    .bind(new.created_at)
    .fetch_one(db)
    .await
}

/// Removes one of the patient's schedules; false when the patient has none with this id.
pub async fn remove_schedule(db: &Database, patient_id: i64, id: i64) -> Result<bool, DbError> {
    let removed = storage::query("DELETE FROM measure_schedules WHERE id = $1 AND patient_id = $2")
        .bind(id)
        .bind(patient_id)
        .execute(db)
        .await?;
    Ok(removed == 1)
}

pub async fn schedules_of(db: &Database, patient_id: i64) -> Result<Vec<Schedule>, DbError> {
    storage::query(
        "SELECT s.id, s.instrument, s.every_days, s.starts_on, u.username AS created_by, s.created_at \
         FROM measure_schedules s LEFT JOIN users u ON u.id = s.created_by \
         WHERE s.patient_id = $1 ORDER BY s.instrument, s.id",
    )
    .bind(patient_id)
    .fetch_all(db)
    .await
}
