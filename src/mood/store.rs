//! The `mood_entries` table.

use serde::Deserialize;

use crate::storage::{self, now_ms, Database, DbError, On};

#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct MoodEntry {
    pub id: i64,
    pub score: i64,
    pub sleep_hours: Option<f64>,
    pub note: Option<String>,
    pub recorded_at: i64,
}

pub async fn insert<'e>(
    executor: impl Into<On<'e>>,
    user_id: i64,
    score: i64,
    sleep_hours: Option<f64>,
    note: Option<&str>,
) -> Result<MoodEntry, DbError> {
    let now = now_ms();
    let id: i64 = storage::query_scalar(
        "INSERT INTO mood_entries (user_id, score, sleep_hours, note, recorded_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user_id)
    .bind(score)
    .bind(sleep_hours)
    .bind(note)
    .bind(now)
    .fetch_one(executor)
    .await?;
    Ok(MoodEntry {
        id,
        score,
        sleep_hours,
        note: note.map(str::to_owned),
        recorded_at: now,
    })
}

/// Entries since a moment, newest first.
pub async fn since(db: &Database, user_id: i64, since: i64) -> Result<Vec<MoodEntry>, DbError> {
    storage::query(
        "SELECT id, score, sleep_hours, note, recorded_at FROM mood_entries \
         WHERE user_id = $1 AND recorded_at >= $2 ORDER BY recorded_at DESC, id DESC",
    )
    .bind(user_id)
    .bind(since)
    .fetch_all(db)
    .await
}

/// The moments of check-ins since a moment, newest first (for streaks), and the newest
/// check-in in full.
pub struct RecentCheckIns {
    pub times: Vec<i64>,
    pub latest: Option<MoodEntry>,
}

/// One query: every row brings its moment, and only the first (the newest) its note.
pub const RECENT_CHECK_INS: &str = "SELECT id, score, sleep_hours, recorded_at, \
       CASE WHEN ROW_NUMBER() OVER (ORDER BY recorded_at DESC, id DESC) = 1 THEN note END AS note \
     FROM mood_entries WHERE user_id = $1 AND recorded_at >= $2 ORDER BY recorded_at DESC, id DESC";

pub async fn recent_check_ins(
    db: &Database,
    user_id: i64,
    since: i64,
) -> Result<RecentCheckIns, DbError> {
    let entries: Vec<MoodEntry> = storage::query(RECENT_CHECK_INS)
        .bind(user_id)
        .bind(since)
        .fetch_all(db)
        .await?;
    let times = entries.iter().map(|entry| entry.recorded_at).collect();
    let latest = entries.into_iter().next();
    Ok(RecentCheckIns { times, latest })
}

pub async fn all_for(db: &Database, user_id: i64) -> Result<Vec<MoodEntry>, DbError> {
    since(db, user_id, i64::MIN).await
}

/// The lowest check-in of each of the patient's latest `days` days that have check-ins
/// (calendar days in UTC), newest day first: what the low-mood alert rule reads.
pub async fn lowest_by_day<'e>(
    executor: impl Into<On<'e>>,
    user_id: i64,
    days: i64,
) -> Result<Vec<i64>, DbError> {
    storage::query_scalar(
        "SELECT MIN(score) FROM mood_entries WHERE user_id = $1 \
         GROUP BY recorded_at / 86400000 ORDER BY recorded_at / 86400000 DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(days)
    .fetch_all(executor)
    .await
}
