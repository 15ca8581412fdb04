//! The `exposure_ladders`, `exposure_steps` and `exposure_attempts` tables.

use serde::Deserialize;

use super::{Link, Reader};
use crate::cbt::exposure::{NewAttempt, NewLadder, NewStep};
use crate::storage::{self, Database, DbError, On, Transaction};

pub async fn insert<'e>(
    executor: impl Into<On<'e>>,
    user_id: i64,
    new: &NewLadder,
    link: &Link,
    now: i64,
) -> Result<i64, DbError> {
    storage::query_scalar(
        "INSERT INTO exposure_ladders (user_id, homework_id, fear, private, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(user_id)
    .bind(link.homework_id)
    .bind(new.fear.as_str())
    .bind(i64::from(link.private))
    .bind(now)
    .fetch_one(executor)
    .await
}

pub async fn update<'e>(
    executor: impl Into<On<'e>>,
    id: i64,
    new: &NewLadder,
    link: &Link,
    now: i64,
) -> Result<(), DbError> {
    storage::query(
        "UPDATE exposure_ladders SET homework_id = $2, fear = $3, private = $4, updated_at = $5 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(link.homework_id)
    .bind(new.fear.as_str())
    .bind(i64::from(link.private))
    .bind(now)
    .execute(executor)
    .await?;
    Ok(())
}

pub async fn step_ids(tx: &mut Transaction, ladder_id: i64) -> Result<Vec<i64>, DbError> {
    storage::query_scalar("SELECT id FROM exposure_steps WHERE ladder_id = $1")
        .bind(ladder_id)
        .fetch_all(tx)
        .await
}

/// Makes the ladder's steps these, in this order: steps with an id are kept (with their
/// attempts) and moved, new ones added, and the rest removed with their attempts.
pub async fn save_steps(
    tx: &mut Transaction,
    ladder_id: i64,
    steps: &[NewStep],
) -> Result<(), DbError> {
    let kept: Vec<i64> = steps.iter().filter_map(|s| s.id).collect();
    for old in step_ids(tx, ladder_id).await? {
        if !kept.contains(&old) {
            storage::query("DELETE FROM exposure_steps WHERE id = $1")
                .bind(old)
                .execute(&mut *tx)
                .await?;
        }
    }
    for (position, step) in (1_i64..).zip(steps) {
        let sql = match step.id {
            Some(_) => {
                "UPDATE exposure_steps SET position = $2, description = $3, expected_suds = $4 \
                 WHERE id = $5 AND ladder_id = $1"
            }
            None => {
                "INSERT INTO exposure_steps (ladder_id, position, description, expected_suds) \
                 VALUES ($1, $2, $3, $4)"
            }
        };
        let mut query = storage::query(sql)
            .bind(ladder_id)
            .bind(position)
            .bind(step.description.as_str())
            .bind(step.expected_suds);
        if let Some(id) = step.id {
            query = query.bind(id);
        }
        query.execute(&mut *tx).await?;
    }
    Ok(())
}

/// Records an attempt at a step of this ladder of this person's, checking the step and
/// using it in one statement; none when the step is not theirs.
pub async fn insert_attempt(
    db: &Database,
    user_id: i64,
    ladder_id: i64,
    step_id: i64,
    new: &NewAttempt,
    now: i64,
) -> Result<Option<i64>, DbError> {
    storage::query_scalar(
        "INSERT INTO exposure_attempts (step_id, suds_before, suds_peak, suds_after, attempted_at, created_at) \
         SELECT s.id, $4, $5, $6, $7, $8 FROM exposure_steps s \
           JOIN exposure_ladders l ON l.id = s.ladder_id \
         WHERE s.id = $1 AND l.id = $2 AND l.user_id = $3 RETURNING id",
    )
    .bind(step_id)
    .bind(ladder_id)
    .bind(user_id)
    .bind(new.suds_before)
    .bind(new.suds_peak)
    .bind(new.suds_after)
    .bind(new.attempted_at)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Deletes an attempt at this step of this person's; false when there is none.
pub async fn delete_attempt(
    db: &Database,
    user_id: i64,
    ladder_id: i64,
    step_id: i64,
    attempt_id: i64,
) -> Result<bool, DbError> {
    let deleted = storage::query(
        "DELETE FROM exposure_attempts WHERE id = $1 AND step_id = $2 AND step_id IN \
           (SELECT s.id FROM exposure_steps s JOIN exposure_ladders l ON l.id = s.ladder_id \
            WHERE l.id = $3 AND l.user_id = $4)",
    )
    .bind(attempt_id)
    .bind(step_id)
    .bind(ladder_id)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(deleted == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct LadderRow {
    pub id: i64,
    pub homework_id: Option<i64>,
    pub fear: String,
    #[serde(deserialize_with = "storage::flag")]
    pub private: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct StepRow {
    pub id: i64,
    pub ladder_id: i64,
    pub position: i64,
    pub description: String,
    pub expected_suds: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct AttemptRow {
    pub id: i64,
    pub step_id: i64,
    pub suds_before: i64,
    pub suds_peak: i64,
    pub suds_after: i64,
    pub attempted_at: i64,
}

/// A ladder with its steps in order, each with its attempts, oldest first.
pub struct Ladder {
    pub row: LadderRow,
    pub steps: Vec<(StepRow, Vec<AttemptRow>)>,
}

/// $1 the owner, $2 one ladder or 0 for all, $3 1 to hide private ladders.
const WHICH: &str = "l.user_id = $1 AND ($2 = 0 OR l.id = $2) AND ($3 = 0 OR l.private = 0)";

/// A person's ladders (one, with `only`), newest first, as `reader` may see them.
pub async fn list(
    db: &Database,
    user_id: i64,
    only: Option<i64>,
    reader: Reader,
) -> Result<Vec<Ladder>, DbError> {
    let which = |sql: String| {
        storage::query(sql)
            .bind(user_id)
            .bind(super::which(only))
            .bind(reader.hides_private())
    };
    let ladders: Vec<LadderRow> = which(format!(
        "SELECT l.id, l.homework_id, l.fear, l.private <> 0 AS private, l.created_at, l.updated_at \
         FROM exposure_ladders l WHERE {WHICH} ORDER BY l.created_at DESC, l.id DESC"
    ))
    .fetch_all(db)
    .await?;
    let steps: Vec<StepRow> = which(format!(
        "SELECT s.id, s.ladder_id, s.position, s.description, s.expected_suds \
         FROM exposure_steps s JOIN exposure_ladders l ON l.id = s.ladder_id \
         WHERE {WHICH} ORDER BY s.ladder_id, s.position, s.id"
    ))
    .fetch_all(db)
    .await?;
    let attempts: Vec<AttemptRow> = which(format!(
        "SELECT a.id, a.step_id, a.suds_before, a.suds_peak, a.suds_after, a.attempted_at \
         FROM exposure_attempts a JOIN exposure_steps s ON s.id = a.step_id \
         JOIN exposure_ladders l ON l.id = s.ladder_id \
         WHERE {WHICH} ORDER BY a.attempted_at, a.id"
    ))
    .fetch_all(db)
    .await?;
    Ok(ladders
        .into_iter()
        .map(|row| Ladder {
            steps: steps
                .iter()
                .filter(|s| s.ladder_id == row.id)
                .map(|step| {
                    let mine = attempts
                        .iter()
                        .filter(|a| a.step_id == step.id)
                        .cloned()
                        .collect();
                    (step.clone(), mine)
                })
                .collect(),
            row,
        })
        .collect())
}
