//! The `safety_plan_versions` and `safety_plan_reviews` tables.

use serde::Deserialize;

use crate::storage::{self, Database, DbError, On};

/// One saved version of a plan, with its author named (none once their account is gone).
#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct StoredVersion {
    pub version: i64,
    /// The sections as JSON.
    pub sections: String,
    pub created_at: i64,
    pub author_username: Option<String>,
    pub author_display_name: Option<String>,
    pub author_role: Option<String>,
}

const VERSION_COLUMNS: &str =
    "v.version, v.sections, v.created_at, u.username AS author_username, \
     u.display_name AS author_display_name, u.role AS author_role \
     FROM safety_plan_versions v LEFT JOIN users u ON u.id = v.author_id";

/// The patient's current plan: their highest version.
pub async fn current(db: &Database, patient_id: i64) -> Result<Option<StoredVersion>, DbError> {
    storage::query(format!(
        "SELECT {VERSION_COLUMNS} WHERE v.patient_id = $1 ORDER BY v.version DESC LIMIT 1"
    ))
    .bind(patient_id)
    .fetch_optional(db)
    .await
}

/// Every version of the patient's plan, newest first.
pub async fn versions(db: &Database, patient_id: i64) -> Result<Vec<StoredVersion>, DbError> {
    storage::query(format!(
        "SELECT {VERSION_COLUMNS} WHERE v.patient_id = $1 ORDER BY v.version DESC"
    ))
    .bind(patient_id)
    .fetch_all(db)
    .await
}

/// The version to add, made from `based_on`.
pub struct NewVersion<'a> {
    pub patient_id: i64,
    pub based_on: i64,
    pub sections: &'a str,
    pub author_id: i64,
    pub created_at: i64,
}

/// Adds version `based_on + 1` when `based_on` is still the current version (0: no plan
/// yet). False when it is not; a save racing this one from the same version makes the
/// unique (patient, version) index refuse one of the two, which is also a false.
pub async fn add_version(db: &Database, new: &NewVersion<'_>) -> Result<bool, DbError> {
    // Worked out here: a version near i64::MAX from a made-up ETag must not overflow in SQL.
    let Some(next) = new.based_on.checked_add(1).filter(|next| *next >= 1) else {
        return Ok(false);
    };
    let result = storage::query(
        "INSERT INTO safety_plan_versions (patient_id, version, sections, author_id, created_at) \
         SELECT $1, $2, $3, $4, $5 WHERE $6 = \
           (SELECT COALESCE(MAX(version), 0) FROM safety_plan_versions WHERE patient_id = $1)",
    )
    .bind(new.patient_id)
    .bind(next)
    .bind(new.sections)
    .bind(new.author_id)
    .bind(new.created_at)
    .bind(new.based_on)
    .execute(db)
    .await;
    match result {
        Ok(inserted) => Ok(inserted == 1),
        Err(e) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e),
    }
}

/// The latest "reviewed with the patient", with the reviewer named.
#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct Review {
    pub version: i64,
    pub reviewed_at: i64,
    pub reviewer_username: Option<String>,
    pub reviewer_display_name: Option<String>,
}

pub async fn latest_review(db: &Database, patient_id: i64) -> Result<Option<Review>, DbError> {
    storage::query(
        "SELECT r.version, r.reviewed_at, u.username AS reviewer_username, \
           u.display_name AS reviewer_display_name \
         FROM safety_plan_reviews r LEFT JOIN users u ON u.id = r.reviewed_by \
         WHERE r.patient_id = $1 ORDER BY r.reviewed_at DESC, r.id DESC LIMIT 1",
    )
    .bind(patient_id)
    .fetch_optional(db)
    .await
}

pub async fn add_review<'e>(
    executor: impl Into<On<'e>>,
    patient_id: i64,
    version: i64,
    reviewer_id: i64,
    at: i64,
) -> Result<(), DbError> {
    storage::query(
        "INSERT INTO safety_plan_reviews (patient_id, version, reviewed_by, reviewed_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(patient_id)
    .bind(version)
    .bind(reviewer_id)
    .bind(at)
    .execute(executor)
    .await?;
    Ok(())
}
