//! Query plans of every statement the three endpoints run, with parameters bound.
//! `Param` and the SQLite plan tree are copied from `benches/scale/plans.rs`.

use healing_space::accounts::store::USER_COLUMNS;
use healing_space::config::DatabaseKind;
use healing_space::sessions;
use sqlx::AnyPool;

use crate::common::plans::{self, Param, Statement};
use crate::data::Shape;
use crate::sign_in::Account;
use crate::templates::TEMPLATES;
use crate::DAY_MS;

/// The SQL to explain: the inbox's and the history's come from `src/` itself, the
/// short ones are copied from `src/alerts/store.rs`, `src/measures/store.rs`,
/// `src/accounts/store.rs` and `src/care_teams/store.rs`.
fn plan_queries(
    shape: &Shape,
    patient: &Account,
    clinician: &Account,
    page_patient: i64,
    days: i64,
) -> Vec<Statement> {
    use Param::{Int, Text};
    let template = &TEMPLATES[3];
    vec![
        (
            "every request: session lookup",
            format!(
                "SELECT s.id AS session_id, s.created_at AS session_created_at, s.last_seen_at, s.expires_at, \
                 s.token_issued_at, s.previous_login_at, s.ended_at, s.end_reason, {USER_COLUMNS} \
                 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1"
            ),
            vec![Text(sessions::hash_token(&clinician.token))],
        ),
        (
            "POST response: the previous total (measures::store::previous_total)",
            "SELECT total FROM measure_responses WHERE user_id = $1 AND instrument = $2 \
             ORDER BY submitted_at DESC, id DESC LIMIT 1".into(),
            vec![Int(patient.id), Text("phq9".into())],
        ),
        (
            "POST response: raise an alert (alerts::store::upsert)",
            "INSERT INTO risk_alerts (patient_id, rule, rule_version, severity, status, first_triggered_at, triggered_at, trigger_count) \
             VALUES ($1, $2, $3, $4, 'open', $5, $5, 1) \
             ON CONFLICT (patient_id, rule) WHERE status <> 'resolved' DO UPDATE SET \
               trigger_count = risk_alerts.trigger_count + 1, triggered_at = excluded.triggered_at, \
               rule_version = excluded.rule_version, severity = excluded.severity, status = 'open' \
             RETURNING id".into(),
            vec![Int(patient.id), Text("phq9_item9".into()), Int(1), Text("urgent".into()), Int(shape.now)],
        ),
        (
            "POST response: who will see it (alerts::store::care_team_size)",
            "SELECT COUNT(*) FROM care_team_links l JOIN users c ON c.id = l.clinician_id \
             WHERE l.patient_id = $1 AND l.status = 'approved' AND c.disabled_at IS NULL".into(),
            vec![Int(patient.id)],
        ),
        (
            "POST response: store it (measures::store::insert)",
            "INSERT INTO measure_responses (user_id, instrument, version, answers, total, band, flags, \
               submitted_at, care_team_notified, idempotency_key, request_fingerprint) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id".into(),
            vec![
                Int(patient.id), Text("phq9".into()), Text("1".into()), Text(template.answers.into()),
                Int(16), Text(template.band.into()), Text(template.flags.into()), Int(shape.now),
                Int(1), Text("plan-key".into()), Text("plan-fingerprint".into()),
            ],
        ),
        (
            "GET alerts: the inbox page (alerts::store::inbox_query)",
            healing_space::alerts::store::inbox_query(),
            vec![Int(clinician.id), Text("open".into()), Int(0), Int(51), Int(0)],
        ),
        (
            "GET measures: the patient by username (accounts::store::find_by_username)",
            format!("SELECT {USER_COLUMNS} FROM users u WHERE u.username = $1"),
            vec![Text(format!("patient{page_patient}"))],
        ),
        (
            "GET measures: in my care team? (care_teams::store::is_member)",
            "SELECT id FROM care_team_links WHERE patient_id = $1 AND clinician_id = $2 AND status = 'approved'".into(),
            vec![Int(shape.patient_id(page_patient)), Int(clinician.id)],
        ),
        (
            "GET measures: the responses in the window (measures::store::since_query)",
            healing_space::measures::store::since_query(),
            vec![Int(shape.patient_id(page_patient)), Int(shape.now - days * DAY_MS), Text(String::new())],
        ),
        (
            "GET measures: the schedules (measures::store::schedules_of)",
            "SELECT s.id, s.instrument, s.every_days, s.starts_on, u.username AS created_by, s.created_at \
             FROM measure_schedules s LEFT JOIN users u ON u.id = s.created_by \
             WHERE s.patient_id = $1 ORDER BY s.instrument, s.id".into(),
            vec![Int(shape.patient_id(page_patient))],
        ),
    ]
}

pub async fn print_plans(
    raw: &AnyPool,
    kind: DatabaseKind,
    shape: &Shape,
    patient: &Account,
    clinician: &Account,
    days: i64,
) -> anyhow::Result<()> {
    // The clinician's first patient (whose measures page the load reads).
    let page_patient = (clinician.id - 2) * crate::data::TEAM;
    let statements = plan_queries(shape, patient, clinician, page_patient, days);
    plans::print_plans(raw, kind, statements).await
}
