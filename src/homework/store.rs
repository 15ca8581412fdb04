//! The `homework` table, and whether each homework has a record linked to it (read from
//! the CBT tables, whose `homework_id` points here).

use serde::Deserialize;

use crate::storage::{self, Database, DbError, On};

pub struct NewHomework<'a> {
    pub patient_id: i64,
    pub kind: &'a str,
    pub instructions: &'a str,
    pub due_on: Option<&'a str>,
    pub assigned_by: i64,
    pub assigned_at: i64,
}

pub async fn insert(db: &Database, new: &NewHomework<'_>) -> Result<i64, DbError> {
    storage::query_scalar(
        "INSERT INTO homework (patient_id, kind, instructions, due_on, assigned_by, assigned_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(new.patient_id)
    .bind(new.kind)
    .bind(new.instructions)
    .bind(new.due_on)
    .bind(new.assigned_by)
    .bind(new.assigned_at)
    .fetch_one(db)
    .await
}

/// The kind of the patient's homework with this id; none when it is not theirs.
pub async fn kind_of<'e>(
    executor: impl Into<On<'e>>,
    patient_id: i64,
    homework_id: i64,
) -> Result<Option<String>, DbError> {
    storage::query_scalar("SELECT kind FROM homework WHERE id = $1 AND patient_id = $2")
        .bind(homework_id)
        .bind(patient_id)
        .fetch_optional(executor)
        .await
}

/// Withdraws one of the patient's homework; records linked to it stay, unlinked.
pub async fn remove(db: &Database, patient_id: i64, homework_id: i64) -> Result<bool, DbError> {
    let removed = storage::query("DELETE FROM homework WHERE id = $1 AND patient_id = $2")
        .bind(homework_id)
        .bind(patient_id)
        .execute(db)
        .await?;
    Ok(removed == 1)
}

/// A homework with what is linked to it.
#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct Homework {
    pub id: i64,
    pub kind: String,
    pub instructions: String,
    pub due_on: Option<String>,
    /// The username of the clinician who assigned it.
    pub assigned_by: Option<String>,
    pub assigned_at: i64,
    /// When the first record linked to it was made; none while not done.
    pub done_at: Option<i64>,
    /// The first linked record the reader may see (for clinicians, not private).
    pub record_id: Option<i64>,
}

/// Every record that may complete a homework, whichever its kind.
const LINKED: &str = "SELECT homework_id, id, created_at, private FROM thought_records \
       WHERE homework_id IS NOT NULL \
     UNION ALL SELECT homework_id, id, created_at, private FROM cbt_activities \
       WHERE homework_id IS NOT NULL \
     UNION ALL SELECT homework_id, id, created_at, private FROM exposure_ladders \
       WHERE homework_id IS NOT NULL";

/// The SQL of [`of_patient`]: $1 the patient, $2 1 when private records may be named.
fn list_query() -> String {
    format!(
        "SELECT h.id, h.kind, h.instructions, h.due_on, u.username AS assigned_by, h.assigned_at, \
           MIN(CASE WHEN r.private = 0 OR $2 = 1 THEN r.created_at END) AS done_at, \
           MIN(CASE WHEN r.private = 0 OR $2 = 1 THEN r.id END) AS record_id \
         FROM homework h LEFT JOIN users u ON u.id = h.assigned_by \
         LEFT JOIN ({LINKED}) r ON r.homework_id = h.id \
         WHERE h.patient_id = $1 \
         GROUP BY h.id, h.kind, h.instructions, h.due_on, u.username, h.assigned_at \
         ORDER BY h.id DESC"
    )
}

/// A patient's homework, newest first. With `show_private` false (a clinician reading),
/// private records are invisible: homework done only with a private record reads as not
/// done, so not even its existence or time reaches the clinician.
pub async fn of_patient(
    db: &Database,
    patient_id: i64,
    show_private: bool,
) -> Result<Vec<Homework>, DbError> {
    storage::query(list_query())
        .bind(patient_id)
        .bind(i64::from(show_private))
        .fetch_all(db)
        .await
}
