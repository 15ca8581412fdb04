//! `GET /api/me/export`: everything stored about me, as one JSON document, for a
//! person's right of access. Session tokens are never stored, so none can be exported.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::accounts::UserView;
use crate::http::{ApiResult, AppState};
use crate::sessions::CurrentUser;
use crate::storage::{self, now_ms, rfc3339, rfc3339_opt};
use crate::{feedback, messaging, mood};

pub fn router() -> Router<AppState> {
    Router::new().route("/me/export", get(export))
}

async fn export(State(state): State<AppState>, me: CurrentUser) -> ApiResult<impl IntoResponse> {
    let id = me.user.id;
    let care_team = rows_as_json(
        &state,
        "SELECT l.status, l.requested_at, l.decided_at, p.username AS patient, c.username AS clinician \
         FROM care_team_links l JOIN users p ON p.id = l.patient_id JOIN users c ON c.id = l.clinician_id \
         WHERE l.patient_id = $1 OR l.clinician_id = $1 ORDER BY l.id",
        id,
        &["status", "patient", "clinician"],
        &["requested_at", "decided_at"],
    )
    .await?;
    let messages: Vec<Value> = messaging::store::all_for(&state.db, id)
        .await?
        .into_iter()
        .map(|m| json!({ "id": m.id, "conversation_id": m.conversation_id, "from": m.sender_username, "sent_by_me": m.sender_id == id, "content": m.content, "sent_at": rfc3339(m.sent_at) }))
        .collect();
    let mood: Vec<Value> = mood::store::all_for(&state.db, id)
        .await?
        .iter()
        .map(|e| e.to_json())
        .collect();
    let sessions = storage::query("SELECT id, created_at, last_seen_at, client, ended_at, end_reason FROM sessions WHERE user_id = $1 ORDER BY created_at")
        .bind(id)
        .fetch_all(&state.db, |row| {
            Ok(json!({
                "id": row.try_get::<String>("id")?,
                "created_at": rfc3339(row.try_get("created_at")?),
                "last_seen_at": rfc3339(row.try_get("last_seen_at")?),
                "client": row.try_get::<String>("client")?,
                "ended_at": rfc3339_opt(row.try_get("ended_at")?),
                "end_reason": row.try_get::<Option<String>>("end_reason")?,
            }))
        })
        .await?;
    let security_events = rows_as_json(
        &state,
        "SELECT a.event, a.at, a.detail, actor.username AS actor FROM audit_log a \
         LEFT JOIN users actor ON actor.id = a.actor_id WHERE a.actor_id = $1 OR a.subject_id = $1 ORDER BY a.id",
        id,
        &["event", "detail", "actor"],
        &["at"],
    )
    .await?;
    let document = json!({
        "exported_at": rfc3339(now_ms()),
        "profile": UserView::from(&me.user),
        "care_team": care_team,
        "messages": messages,
        "mood_check_ins": mood,
        "feedback": feedback::store::mine(&state.db, id).await?,
        "sessions": sessions,
        "security_events": security_events,
    });
    let disposition = format!(
        "attachment; filename=\"healing-space-{}.json\"",
        me.user.username
    );
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(document)))
}

/// Rows of a query about one person, with text columns as they are and time columns as
/// RFC 3339.
async fn rows_as_json(
    state: &AppState,
    sql: &str,
    id: i64,
    text: &[&str],
    times: &[&str],
) -> ApiResult<Vec<Value>> {
    let rows = storage::query(sql)
        .bind(id)
        .fetch_all(&state.db, |row| {
            let mut item = json!({});
            for column in text {
                item[*column] = json!(row.try_get::<Option<String>>(column)?);
            }
            for column in times {
                item[*column] = json!(rfc3339_opt(row.try_get(column)?));
            }
            Ok(item)
        })
        .await?;
    Ok(rows)
}
