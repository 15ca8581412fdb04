//! `GET /api/me/export`: everything stored about me, as one JSON document, for a
//! person's right of access. Session tokens are never stored, so none can be exported.
//! With `?format=fhir`, my questionnaires and mood check-ins as a FHIR R4 bundle
//! ([`fhir`]), for another health record to import.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts::UserView;
use crate::http::{ApiResult, Query};
use crate::measures::views::ResponseView;
use crate::mood::views::MoodEntryView;
use crate::safety_plan::views::VersionView;
use crate::sessions::CurrentUser;
use crate::state::AppState;
use crate::storage::{now_ms, rfc3339};
use crate::{feedback, measures, messaging, mood, safety_plan};
use fhir::resources::FhirBundle;
use views::{Export, ExportMessage};

pub mod fhir;
mod store;
pub mod views;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export))
}

/// Each row as its view.
fn views<Row, View: From<Row>>(rows: Vec<Row>) -> Vec<View> {
    rows.into_iter().map(View::from).collect()
}

/// What the export is written as.
#[derive(Deserialize, ToSchema, Clone, Copy, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// Everything stored about me, in Healing Space's own JSON.
    #[default]
    Json,
    /// My questionnaires and mood check-ins as a FHIR R4 `Bundle`.
    Fhir,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ExportQuery {
    /// `json` (when not given) or `fhir`.
    #[param(inline)]
    format: Option<ExportFormat>,
}

/// Everything stored about me, as a file to download.
///
/// Healing Space's own JSON, or with `format=fhir` a FHIR R4 `Bundle`
/// (`application/fhir+json`) of my `Patient`, my questionnaire responses
/// (`QuestionnaireResponse`, with every answer), the PHQ-9 and GAD-7 totals and my mood
/// check-ins (`Observation`s; the totals coded with LOINC).
#[utoipa::path(get, path = "/me/export", tag = "my data", params(ExportQuery),
    security(("session_cookie" = [])),
    responses((status = 200, description = "My data",
        content((Export = "application/json"), (FhirBundle = "application/fhir+json")),
        headers(("Content-Disposition" = String, description = "An attachment named after me")))))]
async fn export(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(query): Query<ExportQuery>,
) -> ApiResult<Response> {
    let format = query.format.unwrap_or_default();
    let name = match format {
        ExportFormat::Json => format!("healing-space-{}.json", me.user.username),
        ExportFormat::Fhir => format!("healing-space-{}.fhir.json", me.user.username),
    };
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok(match format {
        ExportFormat::Json => {
            let document = document(&state, &me).await?;
            ([(header::CONTENT_DISPOSITION, disposition)], Json(document)).into_response()
        }
        ExportFormat::Fhir => {
            let bundle = bundle(&state, &me).await?;
            let headers = [
                (header::CONTENT_TYPE, "application/fhir+json".to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ];
            (headers, Json(bundle)).into_response()
        }
    })
}

async fn document(state: &AppState, me: &CurrentUser) -> ApiResult<Export> {
    let id = me.user.id;
    let db = &state.db;
    let messages = messaging::store::all_for(db, id).await?;
    Ok(Export {
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
        questionnaire_responses: measures::store::since(db, id, None, i64::MIN)
            .await?
            .iter()
            .map(ResponseView::from)
            .collect(),
        safety_plan_versions: safety_plan::history(db, id)
            .await?
            .into_iter()
            .map(|(saved, sections)| VersionView::new(saved, sections))
            .collect(),
        feedback: feedback::store::mine(db, id)
            .await?
            .iter()
            .map(feedback::views::own)
            .collect(),
        sessions: views(store::sessions(db, id).await?),
        security_events: views(store::security_events(db, id).await?),
    })
}

/// My responses and check-ins, oldest first, as a FHIR bundle.
async fn bundle(state: &AppState, me: &CurrentUser) -> ApiResult<FhirBundle> {
    let id = me.user.id;
    let mut responses = measures::store::since(&state.db, id, None, i64::MIN).await?;
    responses.reverse();
    let mut mood = mood::store::all_for(&state.db, id).await?;
    mood.reverse();
    Ok(fhir::bundle(&fhir::Sources {
        user: &me.user,
        responses: &responses,
        mood: &mood,
        exported_at: now_ms(),
    }))
}
