//! The `thought_records` table and each record's emotions (`thought_record_emotions`).

use serde::Deserialize;

use super::{Link, Reader};
use crate::cbt::thought_records::{Emotion, NewThoughtRecord};
use crate::storage::{self, Database, DbError, On};

pub async fn insert<'e>(
    executor: impl Into<On<'e>>,
    user_id: i64,
    new: &NewThoughtRecord,
    link: &Link,
    now: i64,
) -> Result<i64, DbError> {
    storage::query_scalar(
        "INSERT INTO thought_records (user_id, homework_id, situation, automatic_thought, \
           belief_before, thinking_traps, evidence_for, evidence_against, balanced_thought, \
           belief_after, private, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(user_id)
    .bind(link.homework_id)
    .bind(new.situation.as_str())
    .bind(new.automatic_thought.as_str())
    .bind(new.belief_before)
    .bind(new.thinking_traps.join(","))
    .bind(&new.evidence_for)
    .bind(&new.evidence_against)
    .bind(&new.balanced_thought)
    .bind(new.belief_after)
    .bind(i64::from(link.private))
    .bind(now)
    .fetch_one(executor)
    .await
}

pub async fn update<'e>(
    executor: impl Into<On<'e>>,
    id: i64,
    new: &NewThoughtRecord,
    link: &Link,
    now: i64,
) -> Result<(), DbError> {
    storage::query(
        "UPDATE thought_records SET homework_id = $2, situation = $3, automatic_thought = $4, \
           belief_before = $5, thinking_traps = $6, evidence_for = $7, evidence_against = $8, \
           balanced_thought = $9, belief_after = $10, private = $11, updated_at = $12 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(link.homework_id)
    .bind(new.situation.as_str())
    .bind(new.automatic_thought.as_str())
    .bind(new.belief_before)
    .bind(new.thinking_traps.join(","))
    .bind(&new.evidence_for)
    .bind(&new.evidence_against)
    .bind(&new.balanced_thought)
    .bind(new.belief_after)
    .bind(i64::from(link.private))
    .bind(now)
    .execute(executor)
    .await?;
    Ok(())
}

/// Writes the record's emotions in their order, in place of any it had.
pub async fn replace_emotions(
    tx: &mut crate::storage::Transaction,
    record_id: i64,
    emotions: &[Emotion],
) -> Result<(), DbError> {
    storage::query("DELETE FROM thought_record_emotions WHERE record_id = $1")
        .bind(record_id)
        .execute(&mut *tx)
        .await?;
    for (position, emotion) in (1_i64..).zip(emotions) {
        storage::query(
            "INSERT INTO thought_record_emotions (record_id, position, name, intensity_before, intensity_after) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(record_id)
        .bind(position)
        .bind(emotion.name.as_str())
        .bind(emotion.before)
        .bind(emotion.after)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct ThoughtRecordRow {
    pub id: i64,
    pub homework_id: Option<i64>,
    pub situation: String,
    pub automatic_thought: String,
    pub belief_before: i64,
    /// Comma-separated ids.
    pub thinking_traps: String,
    pub evidence_for: Option<String>,
    pub evidence_against: Option<String>,
    pub balanced_thought: Option<String>,
    pub belief_after: Option<i64>,
    #[serde(deserialize_with = "storage::flag")]
    pub private: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct EmotionRow {
    pub record_id: i64,
    pub name: String,
    pub intensity_before: i64,
    pub intensity_after: Option<i64>,
}

/// A record with its emotions in order.
pub struct ThoughtRecord {
    pub row: ThoughtRecordRow,
    pub emotions: Vec<EmotionRow>,
}

/// $1 the owner, $2 one record or 0 for all, $3 1 to hide private records.
const WHICH: &str = "r.user_id = $1 AND ($2 = 0 OR r.id = $2) AND ($3 = 0 OR r.private = 0)";

/// A person's records (one, with `only`), newest first, as `reader` may see them.
pub async fn list(
    db: &Database,
    user_id: i64,
    only: Option<i64>,
    reader: Reader,
) -> Result<Vec<ThoughtRecord>, DbError> {
    let rows: Vec<ThoughtRecordRow> = storage::query(format!(
        "SELECT r.id, r.homework_id, r.situation, r.automatic_thought, r.belief_before, \
           r.thinking_traps, r.evidence_for, r.evidence_against, r.balanced_thought, \
           r.belief_after, r.private <> 0 AS private, r.created_at, r.updated_at \
         FROM thought_records r WHERE {WHICH} ORDER BY r.created_at DESC, r.id DESC"
    ))
    .bind(user_id)
    .bind(super::which(only))
    .bind(reader.hides_private())
    .fetch_all(db)
    .await?;
    let emotions: Vec<EmotionRow> = storage::query(format!(
        "SELECT e.record_id, e.name, e.intensity_before, e.intensity_after \
         FROM thought_record_emotions e JOIN thought_records r ON r.id = e.record_id \
         WHERE {WHICH} ORDER BY e.record_id, e.position"
    ))
    .bind(user_id)
    .bind(super::which(only))
    .bind(reader.hides_private())
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| ThoughtRecord {
            emotions: emotions
                .iter()
                .filter(|e| e.record_id == row.id)
                .cloned()
                .collect(),
            row,
        })
        .collect())
}
