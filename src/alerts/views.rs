//! How risk alerts appear to the clinicians of the care team.

use serde::Serialize;
use utoipa::ToSchema;

use super::store::Alert;
use crate::accounts::Role;
use crate::care_teams::views::PersonView;
use crate::clinical::Rule;
use crate::http::paging::PageInfo;
use crate::storage::{rfc3339, rfc3339_opt};

/// One alert: which rule, about whom, and who has acted on it. Never the answers.
#[derive(Serialize, ToSchema)]
pub struct AlertView {
    pub id: i64,
    pub patient: PersonView,
    /// The rule's id, e.g. `phq9_item9`.
    pub rule: String,
    pub rule_version: i64,
    /// What the rule means, in a line.
    pub summary: String,
    /// `urgent` or `review`.
    pub severity: String,
    /// `open`, `acknowledged` or `resolved`.
    pub status: String,
    /// When it last triggered.
    pub triggered_at: String,
    pub first_triggered_at: String,
    /// How many results have triggered it.
    pub trigger_count: i64,
    /// Urgent, still open, and older than `ALERT_ACK_MINUTES`.
    pub overdue: bool,
    /// The username of the clinician who acknowledged it.
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    /// `contacted_patient`, `no_action_needed`, `escalated` or `other`.
    pub outcome: Option<String>,
    /// When a clinician last went through the patient's safety plan with them; `null`
    /// when never.
    pub plan_reviewed_at: Option<String>,
}

impl AlertView {
    /// `overdue_before`: an open urgent alert last triggered before this moment is overdue.
    pub fn new(alert: Alert, overdue_before: i64) -> AlertView {
        let summary = Rule::parse(&alert.rule)
            .map(|rule| rule.summary().to_owned())
            .unwrap_or_else(|| alert.rule.clone());
        AlertView {
            overdue: alert.severity == "urgent"
                && alert.status == "open"
                && alert.triggered_at < overdue_before,
            id: alert.id,
            patient: PersonView::new(
                &alert.patient_username,
                &alert.patient_display_name,
                Role::Patient,
            ),
            summary,
            rule: alert.rule,
            rule_version: alert.rule_version,
            severity: alert.severity,
            status: alert.status,
            triggered_at: rfc3339(alert.triggered_at),
            first_triggered_at: rfc3339(alert.first_triggered_at),
            trigger_count: alert.trigger_count,
            acknowledged_by: alert.acknowledged_by,
            acknowledged_at: rfc3339_opt(alert.acknowledged_at),
            resolved_by: alert.resolved_by,
            resolved_at: rfc3339_opt(alert.resolved_at),
            outcome: alert.outcome,
            plan_reviewed_at: rfc3339_opt(alert.plan_reviewed_at),
        }
    }
}

/// `GET /api/clinician/alerts`: urgent first, then the longest waiting.
#[derive(Serialize, ToSchema)]
pub struct AlertList {
    pub status: String,
    pub alerts: Vec<AlertView>,
    #[serde(flatten)]
    pub page: PageInfo,
}

#[derive(Serialize, ToSchema)]
pub struct AlertChanged {
    pub alert: AlertView,
}

/// Alerts not yet acknowledged, by severity.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema, sqlx::FromRow, serde::Deserialize)]
pub struct AlertCounts {
    pub urgent: i64,
    pub review: i64,
}
