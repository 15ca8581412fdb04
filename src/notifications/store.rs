//! Claims on mail, so that of the instances that all hear an event exactly one mails.

use crate::storage::{self, Database, DbError};

/// Claims the person's new-message mail, unless one went out less than `every_ms` ago.
pub async fn claim_message_mail(
    db: &Database,
    user_id: i64,
    now: i64,
    every_ms: i64,
) -> Result<bool, DbError> {
    let claimed = storage::query(
        "INSERT INTO notification_state (user_id, last_message_mail_at) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO UPDATE SET last_message_mail_at = excluded.last_message_mail_at \
         WHERE notification_state.last_message_mail_at <= $3",
    )
    .bind(user_id)
    .bind(now)
    .bind(now - every_ms)
    .execute(db)
    .await?;
    Ok(claimed == 1)
}

/// Claims one alert mail (`raised` or `overdue`) to one clinician; false when it was sent.
pub async fn claim_alert_mail(
    db: &Database,
    alert_id: i64,
    clinician_id: i64,
    kind: &str,
    now: i64,
) -> Result<bool, DbError> {
    let claimed = storage::query(
        "INSERT INTO alert_mails (alert_id, clinician_id, kind, sent_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (alert_id, clinician_id, kind) DO NOTHING",
    )
    .bind(alert_id)
    .bind(clinician_id)
    .bind(kind)
    .bind(now)
    .execute(db)
    .await?;
    Ok(claimed == 1)
}

#[derive(Debug, sqlx::FromRow, serde::Deserialize)]
pub struct Overdue {
    pub alert_id: i64,
    pub clinician_id: i64,
}

/// Urgent alerts still open since before `before`, and the care-team clinicians not yet
/// mailed that they are overdue.
pub async fn overdue_unmailed(db: &Database, before: i64) -> Result<Vec<Overdue>, DbError> {
    storage::query(
        "SELECT a.id AS alert_id, l.clinician_id FROM risk_alerts a \
         JOIN care_team_links l ON l.patient_id = a.patient_id AND l.status = 'approved' \
         WHERE a.severity = 'urgent' AND a.status = 'open' AND a.triggered_at < $1 \
         AND NOT EXISTS (SELECT 1 FROM alert_mails m WHERE m.alert_id = a.id \
           AND m.clinician_id = l.clinician_id AND m.kind = 'overdue') \
         LIMIT 100",
    )
    .bind(before)
    .fetch_all(db)
    .await
}
