//! The `care_team_links` table: one row per request, with its outcome.

use crate::storage::now_ms;

/// Records a patient's request to join a clinician's care team, unless one is already
/// pending or approved.
pub async fn request_link<'c, E>(
    executor: E,
    patient_id: i64,
    clinician_id: i64,
) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO care_team_links (patient_id, clinician_id, status, requested_at) \
         SELECT $1, $2, 'pending', $3 WHERE NOT EXISTS (SELECT 1 FROM care_team_links \
         WHERE patient_id = $1 AND clinician_id = $2 AND status IN ('pending', 'approved'))",
    )
    .bind(patient_id)
    .bind(clinician_id)
    .bind(now_ms())
    .execute(executor)
    .await?;
    Ok(())
}
