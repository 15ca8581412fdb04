//! Query plans of every query the four endpoints run.

use healing_space::accounts::store::USER_COLUMNS;
use healing_space::config::DatabaseKind;
use healing_space::messaging::store as messages;
use healing_space::sessions;
use sqlx::AnyPool;

use crate::common::plans::{self, Param, Statement};
use crate::data::Shape;
use crate::sign_in::Account;
use crate::DAY_MS;

/// The SQL to explain, with `$n` parameters: the inbox's comes from `src/` itself, the
/// rest is copied from it. Only for plans: the timings and the load go through the real code.
fn plan_queries(
    kind: DatabaseKind,
    shape: &Shape,
    patient: &Account,
    clinician: &Account,
) -> Vec<Statement> {
    use Param::{Int, Text};
    let conversation = clinician.conversations[clinician.conversations.len() / 2];
    let patient_of_conversation = shape.patient_id(conversation - 1);
    let inbox = messages::inbox_query();
    let year_ago = shape.now - 366 * DAY_MS;
    let queries = vec![
        (
            "session lookup (every request)",
            format!(
                "SELECT s.id AS session_id, s.created_at AS session_created_at, s.last_seen_at, s.expires_at, \
                 s.token_issued_at, s.previous_login_at, s.ended_at, s.end_reason, {USER_COLUMNS} \
                 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1"
            ),
            vec![Text(sessions::hash_token(&clinician.token))],
        ),
        (
            "session touch (once a minute per session)",
            "UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $3 AND ended_at IS NULL".into(),
            vec![Int(shape.now), Text("0123456789abcdef0123456789abcdef".into()), Int(shape.now - 60_000)],
        ),
        (
            "inbox list (clinician)",
            inbox.clone(),
            vec![Int(clinician.id), Int(0), Int(0), Int(21), Int(0)],
        ),
        (
            "inbox list (patient)",
            inbox,
            vec![Int(patient.id), Int(0), Int(0), Int(21), Int(0)],
        ),
        (
            "inbox counts (alone only for an empty page; otherwise part of the inbox list)",
            messages::inbox_counts_query(),
            vec![Int(clinician.id), Int(0), Int(0)],
        ),
        (
            "total unread (inbox, home)",
            "SELECT CAST(COALESCE(SUM(unread_count), 0) AS BIGINT) FROM conversation_members WHERE user_id = $1".into(),
            vec![Int(clinician.id)],
        ),
        (
            "conversation header, with the other person and their care-team link (conversation, send)",
            messages::header_query(),
            vec![Int(conversation), Int(clinician.id)],
        ),
        (
            "conversation page (newest 51)",
            "SELECT m.id, m.sender_id, m.content, m.sent_at FROM messages m \
             WHERE m.conversation_id = $2 AND m.id < $3 AND NOT EXISTS (SELECT 1 FROM hidden_messages h \
             WHERE h.user_id = $1 AND h.message_id = m.id) ORDER BY m.id DESC LIMIT $4".into(),
            vec![Int(clinician.id), Int(conversation), Int(i64::MAX), Int(51)],
        ),
    ];
    let send = match kind {
        DatabaseKind::Sqlite => vec![
            (
                "send: insert message",
                messages::INSERT_MESSAGE.into(),
                vec![
                    Int(conversation),
                    Int(clinician.id),
                    Text("plan".into()),
                    Int(shape.now),
                ],
            ),
            (
                "send: both members",
                messages::UPDATE_MEMBERS.into(),
                vec![
                    Int(conversation),
                    Int(patient_of_conversation),
                    Int(shape.messages + 1),
                    Int(shape.now),
                    Int(clinician.id),
                    Text("plan".into()),
                ],
            ),
        ],
        DatabaseKind::Postgres => vec![(
            "send: the whole reply, checked, in one statement (with an idempotency key)",
            messages::reply_statement(&healing_space::accounts::User {
                id: clinician.id,
                username: String::new(),
                display_name: String::new(),
                email: None,
                role: healing_space::accounts::Role::Clinician,
                approved_at: Some(0),
                disabled_at: None,
                created_at: 0,
                last_login_at: None,
                email_verified_at: None,
                closed_at: None,
            }),
            vec![
                Int(conversation),
                Int(clinician.id),
                Text("plan".into()),
                Int(shape.now),
                Text("plan-key".into()),
                Text("plan-fingerprint".into()),
            ],
        )],
    };
    let home = vec![
        (
            "home: recent check-ins, the newest in full (patient)",
            healing_space::mood::store::RECENT_CHECK_INS.into(),
            vec![Int(patient.id), Int(year_ago)],
        ),
        (
            "home: unread and care team (patient)",
            healing_space::home::store::patient_overview_query(),
            vec![Int(patient.id)],
        ),
        (
            "home: unread, patients and requests (clinician)",
            healing_space::home::store::clinician_counts_query(),
            vec![Int(clinician.id)],
        ),
    ];
    queries.into_iter().chain(send).chain(home).collect()
}

pub async fn print_plans(
    raw: &AnyPool,
    kind: DatabaseKind,
    shape: &Shape,
    patient: &Account,
    clinician: &Account,
) -> anyhow::Result<()> {
    plans::print_plans(raw, kind, plan_queries(kind, shape, patient, clinician)).await
}
