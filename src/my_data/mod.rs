//! `GET /api/me/export`: everything stored about me, as one JSON document, for a
//! person's right of access. Session tokens are never stored, so none can be exported.
//! With `?format=fhir`, my questionnaires and mood check-ins as a FHIR R4 bundle
//! ([`fhir`]), for another health record to import.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts::{User, UserView};
use crate::audit::{Entry, Event};
use crate::auth::password_step::{check_password, PasswordProved};
use crate::http::client::ClientAddress;
use crate::http::{ApiError, ErrorCode, ErrorResponse, Input};
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
    OpenApiRouter::new()
        .routes(routes!(export))
        .routes(routes!(closed_account_export))
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
            let document = document(&state, &me.user).await?;
            ([(header::CONTENT_DISPOSITION, disposition)], Json(document)).into_response()
        }
        ExportFormat::Fhir => {
            let bundle = bundle(&state, &me.user).await?;
            let headers = [
                (header::CONTENT_TYPE, "application/fhir+json".to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ];
            (headers, Json(bundle)).into_response()
        }
    })
}

async fn document(state: &AppState, me: &User) -> ApiResult<Export> {
    let id = me.id;
    let db = &state.db;
    let messages = messaging::store::all_for(db, id).await?;
    Ok(Export {
        exported_at: rfc3339(now_ms()),
        profile: UserView::from(me),
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
        cbt: crate::cbt::mine(db, id).await?,
        homework: crate::homework::mine(db, id).await?,
        sessions: views(store::sessions(db, id).await?),
        security_events: views(store::security_events(db, id).await?),
    })
}

/// My responses and check-ins, oldest first, as a FHIR bundle.
async fn bundle(state: &AppState, me: &User) -> ApiResult<FhirBundle> {
    let id = me.id;
    let mut responses = measures::store::since(&state.db, id, None, i64::MIN).await?;
    responses.reverse();
    let mut mood = mood::store::all_for(&state.db, id).await?;
    mood.reverse();
    Ok(fhir::bundle(&fhir::Sources {
        user: me,
        responses: &responses,
        mood: &mood,
        exported_at: now_ms(),
    }))
}

#[derive(Deserialize, ToSchema)]
struct ClosedAccountExportRequest {
    #[schema(example = "jordan.lee", max_length = 64)]
    username: String,
    #[schema(max_length = 256)]
    password: String,
}

/// Everything stored about me, for the owner of a closed account until its personal
/// details are erased (it can no longer sign in): the username and password stand in for
/// a session, and count like sign-in attempts. Healing Space's own JSON. Audited.
#[utoipa::path(post, path = "/auth/closed-account/export", tag = "my data",
    request_body = ClosedAccountExportRequest,
    security(()),
    responses(
        (status = 200, description = "My data", body = Export,
            headers(("Content-Disposition" = String, description = "An attachment named after me"))),
        (status = 401, description = "`invalid_credentials`: the username or password is not correct (also once the account is erased)", body = ErrorResponse),
        (status = 409, description = "`not_closed`: the account is open: sign in and download it from Settings", body = ErrorResponse),
        (status = 429, description = "`too_many_requests` or `too_many_attempts`, as for signing in", body = ErrorResponse),
    ))]
async fn closed_account_export(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Input(request): Input<ClosedAccountExportRequest>,
) -> ApiResult<Response> {
    let PasswordProved { user, .. } = check_password(
        &state,
        &headers,
        address,
        request.username,
        request.password,
    )
    .await?;
    if user.closed_at.is_none() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::NotClosed,
            "This account is open: sign in, and download your data from Settings.",
        ));
    }
    Entry::new(Event::ClosedAccountExported)
        .by(user.id)
        .about(user.id)
        .from_address(address)
        .record(&state.db)
        .await?;
    let disposition = format!(
        "attachment; filename=\"healing-space-{}.json\"",
        user.username
    );
    let document = document(&state, &user).await?;
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(document)).into_response())
}
