//! The `risk_alerts` table. A patient's alerts are seen by the clinicians of their care
//! team at the time of asking, so a clinician who leaves hands them to those who stay.

use serde::Deserialize;

use crate::clinical::Rule;
use crate::storage::{self, Database, DbError, On};

/// Adds a trigger to the patient's unresolved alert for this rule, or opens one. A new
/// trigger on an acknowledged alert opens it again: something new happened.
pub async fn upsert<'e>(
    executor: impl Into<On<'e>>,
    patient_id: i64,
    rule: Rule,
    now: i64,
) -> Result<i64, DbError> {
    storage::query_scalar(
        "INSERT INTO risk_alerts (patient_id, rule, rule_version, severity, status, first_triggered_at, triggered_at, trigger_count) \
         VALUES ($1, $2, $3, $4, 'open', $5, $5, 1) \
         ON CONFLICT (patient_id, rule) WHERE status <> 'resolved' DO UPDATE SET \
           trigger_count = risk_alerts.trigger_count + 1, triggered_at = excluded.triggered_at, \
           rule_version = excluded.rule_version, severity = excluded.severity, status = 'open' \
         RETURNING id",
    )
    .bind(patient_id)
    .bind(rule.id())
    .bind(rule.version())
    .bind(rule.severity().as_str())
    .bind(now)
    .fetch_one(executor)
    .await
}

/// How many clinicians (approved, not disabled) are in the patient's care team now.
pub async fn care_team_size<'e>(
    executor: impl Into<On<'e>>,
    patient_id: i64,
) -> Result<i64, DbError> {
    storage::query_scalar(
        "SELECT COUNT(*) FROM care_team_links l JOIN users c ON c.id = l.clinician_id \
         WHERE l.patient_id = $1 AND l.status = 'approved' AND c.disabled_at IS NULL",
    )
    .bind(patient_id)
    .fetch_one(executor)
    .await
}

/// An alert as the clinicians of the care team see it (no answers, no note).
#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct Alert {
    pub id: i64,
    pub patient_id: i64,
    pub patient_username: String,
    pub patient_display_name: String,
    pub rule: String,
    pub rule_version: i64,
    pub severity: String,
    pub status: String,
    pub first_triggered_at: i64,
    pub triggered_at: i64,
    pub trigger_count: i64,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<i64>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<i64>,
    pub outcome: Option<String>,
    /// When a clinician last went through the patient's safety plan with them.
    pub plan_reviewed_at: Option<i64>,
}

/// The alerts of a clinician's ($1) patients, joined for the inbox.
const VISIBLE: &str = "SELECT a.id, a.patient_id, p.username AS patient_username, \
       p.display_name AS patient_display_name, a.rule, a.rule_version, a.severity, a.status, \
       a.first_triggered_at, a.triggered_at, a.trigger_count, \
       ack.username AS acknowledged_by, a.acknowledged_at, \
       res.username AS resolved_by, a.resolved_at, a.outcome, \
       (SELECT MAX(r.reviewed_at) FROM safety_plan_reviews r WHERE r.patient_id = a.patient_id) \
         AS plan_reviewed_at \
     FROM care_team_links l \
     JOIN risk_alerts a ON a.patient_id = l.patient_id \
     JOIN users p ON p.id = l.patient_id \
     LEFT JOIN users ack ON ack.id = a.acknowledged_by \
     LEFT JOIN users res ON res.id = a.resolved_by \
     WHERE l.clinician_id = $1 AND l.status = 'approved' AND p.disabled_at IS NULL";

/// Urgent first, then the longest waiting.
const INBOX_ORDER: &str =
    "ORDER BY CASE a.severity WHEN 'urgent' THEN 0 ELSE 1 END, a.first_triggered_at, a.id";

/// The SQL of [`for_clinician`]: $1 the clinician, $2 the status, $3 one patient or 0,
/// $4 and $5 the page. Public for the benchmark's query plans (`benches/measures`).
pub fn inbox_query() -> String {
    format!(
        "{VISIBLE} AND a.status = $2 AND ($3 = 0 OR a.patient_id = $3) {INBOX_ORDER} LIMIT $4 OFFSET $5"
    )
}

/// One page of a clinician's alerts in one status, optionally for one patient.
pub async fn for_clinician(
    db: &Database,
    clinician_id: i64,
    status: &str,
    patient_id: Option<i64>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Alert>, DbError> {
    storage::query(inbox_query())
        .bind(clinician_id)
        .bind(status)
        .bind(patient_id.unwrap_or(0))
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await
}

/// One alert, when it is about one of the clinician's patients.
pub async fn find_for_clinician(
    db: &Database,
    clinician_id: i64,
    alert_id: i64,
) -> Result<Option<Alert>, DbError> {
    storage::query(format!("{VISIBLE} AND a.id = $2"))
        .bind(clinician_id)
        .bind(alert_id)
        .fetch_optional(db)
        .await
}

/// Marks an open alert acknowledged; false when it was not open.
pub async fn acknowledge(
    db: &Database,
    alert_id: i64,
    clinician_id: i64,
    now: i64,
) -> Result<bool, DbError> {
    let changed = storage::query(
        "UPDATE risk_alerts SET status = 'acknowledged', acknowledged_by = $1, acknowledged_at = $2 \
         WHERE id = $3 AND status = 'open'",
    )
    .bind(clinician_id)
    .bind(now)
    .bind(alert_id)
    .execute(db)
    .await?;
    Ok(changed == 1)
}

pub struct Resolution<'a> {
    pub outcome: &'a str,
    pub note: Option<&'a str>,
}

/// Resolves an alert that is not yet resolved; false when it was. Resolving an open alert
/// also acknowledges it.
pub async fn resolve(
    db: &Database,
    alert_id: i64,
    clinician_id: i64,
    resolution: &Resolution<'_>,
    now: i64,
) -> Result<bool, DbError> {
    let changed = storage::query(
        "UPDATE risk_alerts SET status = 'resolved', resolved_by = $1, resolved_at = $2, \
           outcome = $3, note = $4, \
           acknowledged_by = COALESCE(acknowledged_by, $1), acknowledged_at = COALESCE(acknowledged_at, $2) \
         WHERE id = $5 AND status <> 'resolved'",
    )
    .bind(clinician_id)
    .bind(now)
    .bind(resolution.outcome)
    .bind(resolution.note)
    .bind(alert_id)
    .execute(db)
    .await?;
    Ok(changed == 1)
}

/// Open urgent alerts as an administrator may see them: counts, no clinical content.
#[derive(Debug, Clone, Copy, sqlx::FromRow, Deserialize)]
pub struct UrgentCounts {
    pub open: i64,
    /// Not acknowledged within the time allowed.
    pub overdue: i64,
    /// About a patient who has no clinician to see them.
    pub unattended: i64,
}

pub async fn urgent_counts(db: &Database, overdue_before: i64) -> Result<UrgentCounts, DbError> {
    storage::query(
        "SELECT COUNT(*) AS open, \
           COALESCE(SUM(CASE WHEN a.triggered_at < $1 THEN 1 ELSE 0 END), 0) AS overdue, \
           COALESCE(SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM care_team_links l \
               JOIN users c ON c.id = l.clinician_id \
               WHERE l.patient_id = a.patient_id AND l.status = 'approved' AND c.disabled_at IS NULL) \
             THEN 1 ELSE 0 END), 0) AS unattended \
         FROM risk_alerts a WHERE a.severity = 'urgent' AND a.status = 'open'",
    )
    .bind(overdue_before)
    .fetch_one(db)
    .await
}

/// How many alerts of one severity wait to be acknowledged.
#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct OpenBySeverity {
    pub severity: String,
    pub alerts: i64,
}

/// Alerts waiting to be acknowledged, by severity, for the metrics: counts only.
pub async fn open_by_severity(db: &Database) -> Result<Vec<OpenBySeverity>, DbError> {
    storage::query(
        "SELECT severity, COUNT(*) AS alerts FROM risk_alerts WHERE status = 'open' \
         GROUP BY severity ORDER BY severity",
    )
    .fetch_all(db)
    .await
}

/// Alerts not yet acknowledged of a clinician's ($1) patients, for the home screen.
pub const CLINICIAN_ALERT_COUNTS: &str =
    "SELECT COALESCE(SUM(CASE WHEN a.severity = 'urgent' THEN 1 ELSE 0 END), 0) AS urgent, \
            COALESCE(SUM(CASE WHEN a.severity = 'review' THEN 1 ELSE 0 END), 0) AS review \
     FROM care_team_links l JOIN users p ON p.id = l.patient_id \
     JOIN risk_alerts a ON a.patient_id = l.patient_id AND a.status = 'open' \
     WHERE l.clinician_id = $1 AND l.status = 'approved' AND p.disabled_at IS NULL";
