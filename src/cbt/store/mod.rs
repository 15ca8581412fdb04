//! The CBT tables. Every read takes the owner, so no id reaches another patient's
//! records, and says whether private records count (for the patient) or do not exist (for
//! a clinician).

pub mod activities;
pub mod exposure;
pub mod thought_records;

use serde::Deserialize;

use crate::storage::{self, Database, DbError, On};

/// The homework a record completes, and whether it is hidden from clinicians.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub homework_id: Option<i64>,
    pub private: bool,
}

/// Who reads: the patient sees all their records; a clinician never a private one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Owner,
    CareTeam,
}

impl Reader {
    /// The `$n = 0 OR private = 0` parameter: 1 hides private records.
    fn hides_private(self) -> i64 {
        i64::from(self == Reader::CareTeam)
    }
}

/// The three kinds of record, by table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    ThoughtRecords,
    Activities,
    ExposureLadders,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::ThoughtRecords => "thought_records",
            Table::Activities => "cbt_activities",
            Table::ExposureLadders => "exposure_ladders",
        }
    }
}

/// A record's owner-only facts, read before it changes.
#[derive(Debug, Clone, Copy, sqlx::FromRow, Deserialize)]
pub struct Owned {
    pub homework_id: Option<i64>,
    #[serde(deserialize_with = "storage::flag")]
    pub private: bool,
}

/// The record's link and privacy, when it is this person's.
pub async fn owned<'e>(
    executor: impl Into<On<'e>>,
    table: Table,
    user_id: i64,
    id: i64,
) -> Result<Option<Owned>, DbError> {
    storage::query(format!(
        "SELECT homework_id, private <> 0 AS private FROM {} WHERE id = $1 AND user_id = $2",
        table.name()
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(executor)
    .await
}

/// Deletes a record of this person's with what belongs to it (emotions, steps and
/// attempts go by cascade); false when they have none with this id.
pub async fn delete(db: &Database, table: Table, user_id: i64, id: i64) -> Result<bool, DbError> {
    let deleted = storage::query(format!(
        "DELETE FROM {} WHERE id = $1 AND user_id = $2",
        table.name()
    ))
    .bind(id)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(deleted == 1)
}

/// The `$2` of a query that reads every record (0) or one (`only`). Ids start at 1, so an
/// id that is not positive becomes one no record has: `/thought-records/0` is a 404, not
/// the newest record.
pub fn which(only: Option<i64>) -> i64 {
    match only {
        None => 0,
        Some(id) if id > 0 => id,
        Some(_) => -1,
    }
}
