//! `GET /api/me/export`: everything stored about me, as one JSON document, for a
//! person's right of access. Session tokens are never stored, so none can be exported.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts::UserView;
use crate::http::ApiResult;
use crate::mood::views::MoodEntryView;
use crate::sessions::CurrentUser;
use crate::state::AppState;
use crate::storage::{now_ms, rfc3339};
use crate::{feedback, messaging, mood};
use views::{Export, ExportMessage};

mod store;
pub mod views;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export))
}

/// Each row as its view.
fn views<Row, View: From<Row>>(rows: Vec<Row>) -> Vec<View> {
    rows.into_iter().map(View::from).collect()
}

/// Everything stored about me, as a JSON file to download.
#[utoipa::path(get, path = "/me/export", tag = "my data",
    security(("session_cookie" = [])),
    responses((status = 200, description = "My data", body = Export,
        headers(("Content-Disposition" = String, description = "An attachment named after me")))))]
async fn export(State(state): State<AppState>, me: CurrentUser) -> ApiResult<impl IntoResponse> {
    let id = me.user.id;
    let db = &state.db;
    let messages = messaging::store::all_for(db, id).await?;
    let document = Export {
        exported_at: rfc3339(now_ms()),
        profile: UserView::from(&me.user),
        care_team: views(store::care_team_links(db, id).await?),
        messages: messages
            .into_iter()
            .map(|m| ExportMessage::new(m, id))
            .collect(),
        mood_check_ins: mood::store::all_for(db, id)
            .await?
            .iter()
            .map(MoodEntryView::from)
            .collect(),
        feedback: feedback::store::mine(db, id)
            .await?
            .iter()
            .map(feedback::views::own)
            .collect(),
        sessions: views(store::sessions(db, id).await?),
        security_events: views(store::security_events(db, id).await?),
    };
    let disposition = format!(
        "attachment; filename=\"healing-space-{}.json\"",
        me.user.username
    );
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(document)))
}
