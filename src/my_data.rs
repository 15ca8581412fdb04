//! `GET /api/me/export`: everything stored about me, as one JSON document, for a
//! person's right of access. Session tokens are never stored, so none can be exported.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use sqlx::Row;

use crate::accounts::UserView;
use crate::care_teams::store::for_patient;
use crate::http::{ApiResult, AppState};
use crate::sessions::CurrentUser;
use crate::storage::{now_ms, rfc3339, rfc3339_opt};
use crate::{feedback, messaging, mood};

pub fn router() -> Router<AppState> {
    Router::new().route("/me/export", get(export))
}

async fn export(State(state): State<AppState>, me: CurrentUser) -> ApiResult<impl IntoResponse> {
    let id = me.user.id;
    let care_team: Vec<Value> = for_patient(&state.db, id)
        .await?
        .into_iter()
        .map(|l| json!({ "clinician": l.username, "status": l.status, "requested_at": rfc3339(l.requested_at), "decided_at": rfc3339_opt(l.decided_at) }))
        .collect();
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
    let sessions = sqlx::query("SELECT id, created_at, last_seen_at, client, ended_at, end_reason FROM sessions WHERE user_id = $1 ORDER BY created_at")
        .bind(id)
        .fetch_all(state.db.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(json!({
                "id": row.try_get::<String, _>("id")?,
                "created_at": rfc3339(row.try_get("created_at")?),
                "last_seen_at": rfc3339(row.try_get("last_seen_at")?),
                "client": row.try_get::<String, _>("client")?,
                "ended_at": rfc3339_opt(row.try_get("ended_at")?),
                "end_reason": row.try_get::<Option<String>, _>("end_reason")?,
            }))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let document = json!({
        "exported_at": rfc3339(now_ms()),
        "profile": UserView::from(&me.user),
        "care_team": care_team,
        "messages": messages,
        "mood_check_ins": mood,
        "feedback": feedback::store::mine(&state.db, id).await?,
        "sessions": sessions,
    });
    let disposition = format!(
        "attachment; filename=\"healing-space-{}.json\"",
        me.user.username
    );
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(document)))
}
