//! `GET /api/me/export`: everything stored about me, as one JSON document, for a
//! person's right of access. Session tokens are never stored, so none can be exported.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::accounts::UserView;
use crate::http::ApiResult;
use crate::sessions::CurrentUser;
use crate::state::AppState;
use crate::storage::{now_ms, rfc3339, rfc3339_opt};
use crate::{feedback, messaging, mood};

mod store;

pub fn router() -> Router<AppState> {
    Router::new().route("/me/export", get(export))
}

async fn export(State(state): State<AppState>, me: CurrentUser) -> ApiResult<impl IntoResponse> {
    let id = me.user.id;
    let db = &state.db;
    let care_team: Vec<Value> = store::care_team_links(db, id)
        .await?
        .into_iter()
        .map(|l| json!({ "status": l.status, "patient": l.patient, "clinician": l.clinician, "requested_at": rfc3339(l.requested_at), "decided_at": rfc3339_opt(l.decided_at) }))
        .collect();
    let messages: Vec<Value> = messaging::store::all_for(db, id)
        .await?
        .into_iter()
        .map(|m| json!({ "id": m.id, "conversation_id": m.conversation_id, "from": m.sender_username, "sent_by_me": m.sender_id == id, "content": m.content, "sent_at": rfc3339(m.sent_at) }))
        .collect();
    let mood: Vec<Value> = mood::store::all_for(db, id)
        .await?
        .iter()
        .map(|e| e.to_json())
        .collect();
    let sessions: Vec<Value> = store::sessions(db, id)
        .await?
        .into_iter()
        .map(|s| json!({ "id": s.id, "created_at": rfc3339(s.created_at), "last_seen_at": rfc3339(s.last_seen_at), "client": s.client, "ended_at": rfc3339_opt(s.ended_at), "end_reason": s.end_reason }))
        .collect();
    let security_events: Vec<Value> = store::security_events(db, id)
        .await?
        .into_iter()
        .map(|e| json!({ "event": e.event, "detail": e.detail, "actor": e.actor, "at": rfc3339(e.at) }))
        .collect();
    let feedback: Vec<Value> = feedback::store::mine(db, id)
        .await?
        .iter()
        .map(feedback::views::own)
        .collect();
    let document = json!({
        "exported_at": rfc3339(now_ms()),
        "profile": UserView::from(&me.user),
        "care_team": care_team,
        "messages": messages,
        "mood_check_ins": mood,
        "feedback": feedback,
        "sessions": sessions,
        "security_events": security_events,
    });
    let disposition = format!(
        "attachment; filename=\"healing-space-{}.json\"",
        me.user.username
    );
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(document)))
}
