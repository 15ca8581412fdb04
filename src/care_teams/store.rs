//! The `care_team_links` table: one row per request, with its outcome.

use serde::Deserialize;

use crate::storage::{self, now_ms, Database, DbError, On};

/// Records a patient's request to join a clinician's care team; false when one is
/// already pending or approved.
pub async fn request_link<'e>(
    executor: impl Into<On<'e>>,
    patient_id: i64,
    clinician_id: i64,
) -> Result<bool, DbError> {
    let result = storage::query(
        "INSERT INTO care_team_links (patient_id, clinician_id, status, requested_at) \
         SELECT $1, $2, 'pending', $3 WHERE NOT EXISTS (SELECT 1 FROM care_team_links \
         WHERE patient_id = $1 AND clinician_id = $2 AND status IN ('pending', 'approved'))",
    )
    .bind(patient_id)
    .bind(clinician_id)
    .bind(now_ms())
    .execute(executor)
    .await;
    match result {
        Ok(inserted) => Ok(inserted == 1),
        Err(e) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e),
    }
}

/// Whether the patient is in the clinician's care team now.
pub async fn is_member(db: &Database, patient_id: i64, clinician_id: i64) -> Result<bool, DbError> {
    let found: Option<i64> = storage::query_scalar(
        "SELECT id FROM care_team_links WHERE patient_id = $1 AND clinician_id = $2 AND status = 'approved'",
    )
    .bind(patient_id)
    .bind(clinician_id)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// A care-team link, with the other person named.
#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct Link {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub status: String,
    pub requested_at: i64,
    pub decided_at: Option<i64>,
}

/// A patient's clinicians (approved) and requests (pending), with the clinician named.
pub async fn for_patient(db: &Database, patient_id: i64) -> Result<Vec<Link>, DbError> {
    storage::query(format!(
        "{PATIENT_LINKS} ORDER BY u.display_name, u.username"
    ))
    .bind(patient_id)
    .fetch_all(db)
    .await
}

/// A patient's ($1) open links, with the clinician named, in no particular order.
pub const PATIENT_LINKS: &str =
    "SELECT l.id, u.username, u.display_name, l.status, l.requested_at, l.decided_at \
     FROM care_team_links l JOIN users u ON u.id = l.clinician_id \
     WHERE l.patient_id = $1 AND l.status IN ('pending', 'approved') AND u.disabled_at IS NULL";

/// A clinician's pending requests, with the patient named.
pub async fn pending_for_clinician(db: &Database, clinician_id: i64) -> Result<Vec<Link>, DbError> {
    storage::query(
        "SELECT l.id, u.username, u.display_name, l.status, l.requested_at, l.decided_at \
         FROM care_team_links l JOIN users u ON u.id = l.patient_id \
         WHERE l.clinician_id = $1 AND l.status = 'pending' AND u.disabled_at IS NULL ORDER BY l.requested_at",
    )
    .bind(clinician_id)
    .fetch_all(db)
    .await
}

/// Approves or declines a pending request addressed to this clinician; the patient's id
/// when it was one.
pub async fn decide(
    db: &Database,
    link_id: i64,
    clinician_id: i64,
    approve: bool,
) -> Result<Option<i64>, DbError> {
    storage::query_scalar(
        "UPDATE care_team_links SET status = $1, decided_at = $2 \
         WHERE id = $3 AND clinician_id = $4 AND status = 'pending' RETURNING patient_id",
    )
    .bind(if approve { "approved" } else { "declined" })
    .bind(now_ms())
    .bind(link_id)
    .bind(clinician_id)
    .fetch_optional(db)
    .await
}

/// A patient leaves a care team, or withdraws a request; false when there was neither.
pub async fn leave(db: &Database, patient_id: i64, clinician_id: i64) -> Result<bool, DbError> {
    let result = storage::query(
        "UPDATE care_team_links SET status = 'left', decided_at = $1 \
         WHERE patient_id = $2 AND clinician_id = $3 AND status IN ('pending', 'approved')",
    )
    .bind(now_ms())
    .bind(patient_id)
    .bind(clinician_id)
    .execute(db)
    .await?;
    Ok(result > 0)
}

#[derive(sqlx::FromRow, Deserialize)]
pub struct PatientSummary {
    pub username: String,
    pub display_name: String,
    pub since: i64,
    pub unread_messages: i64,
    pub latest_mood_score: Option<i64>,
    pub latest_mood_at: Option<i64>,
    pub urgent_alerts: i64,
    pub review_alerts: i64,
    pub latest_phq9: Option<String>,
    pub latest_gad7: Option<String>,
    pub latest_cssrs: Option<String>,
}

/// The band of a patient's (`p`) latest response to one questionnaire.
fn latest_band(instrument: &str) -> String {
    format!(
        "(SELECT band FROM measure_responses WHERE user_id = p.id AND instrument = '{instrument}' \
          ORDER BY submitted_at DESC, id DESC LIMIT 1) AS latest_{instrument}"
    )
}

/// A patient's (`p`) alerts of one severity not yet acknowledged.
fn open_alerts(severity: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM risk_alerts WHERE patient_id = p.id AND status = 'open' \
          AND severity = '{severity}') AS {severity}_alerts"
    )
}

/// A clinician's patients, with messages from them not yet read, their latest mood and
/// questionnaire results, and their open alerts.
pub async fn patients_of(db: &Database, clinician_id: i64) -> Result<Vec<PatientSummary>, DbError> {
    let clinical = [
        open_alerts("urgent"),
        open_alerts("review"),
        latest_band("phq9"),
        latest_band("gad7"),
        latest_band("cssrs"),
    ]
    .join(", ");
    storage::query(format!(
        "SELECT {clinical}, p.username, p.display_name, COALESCE(l.decided_at, 0) AS since, \
           (SELECT CAST(COALESCE(SUM(mine.unread_count), 0) AS BIGINT) FROM conversation_members mine \
              JOIN conversation_members theirs ON theirs.conversation_id = mine.conversation_id AND theirs.user_id = p.id \
              WHERE mine.user_id = $1) AS unread_messages, \
           (SELECT score FROM mood_entries WHERE user_id = p.id ORDER BY recorded_at DESC, id DESC LIMIT 1) AS latest_mood_score, \
           (SELECT recorded_at FROM mood_entries WHERE user_id = p.id ORDER BY recorded_at DESC, id DESC LIMIT 1) AS latest_mood_at \
         FROM care_team_links l JOIN users p ON p.id = l.patient_id \
         WHERE l.clinician_id = $1 AND l.status = 'approved' AND p.disabled_at IS NULL \
         ORDER BY p.display_name, p.username"
    ))
    .bind(clinician_id)
    .fetch_all(db)
    .await
}

/// A clinician's ($1) patients and pending requests, not counting disabled accounts.
pub const CLINICIAN_COUNTS: &str =
    "SELECT COALESCE(SUM(CASE WHEN l.status = 'approved' THEN 1 ELSE 0 END), 0) AS patients, \
            COALESCE(SUM(CASE WHEN l.status = 'pending' THEN 1 ELSE 0 END), 0) AS pending \
     FROM care_team_links l JOIN users p ON p.id = l.patient_id \
     WHERE l.clinician_id = $1 AND p.disabled_at IS NULL";
