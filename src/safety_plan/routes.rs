//! `/api/safety-plan`: the patient's own plan. What the care team uses is in
//! `routes/clinician.rs`; both go through the same steps here.

mod clinician;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::{etag, PlanView, VersionList, VersionView};
use super::{current, history, replace, PlanError, Sections, SectionsInput};
use crate::accounts::store::User;
use crate::accounts::Role;
use crate::care_teams::{store as care_teams, views::PersonView};
use crate::http::{ApiError, ApiResult, ErrorCode, ErrorResponse, Input};
use crate::sessions::Patient;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_safety_plan, replace_my_safety_plan))
        .routes(routes!(my_safety_plan_versions))
        .merge(clinician::router())
}

/// The one place a safety plan's errors become HTTP answers.
impl From<PlanError> for ApiError {
    fn from(error: PlanError) -> Self {
        match error {
            PlanError::Invalid(invalid) => ApiError::invalid(invalid.field, invalid.message),
            PlanError::Stale { current } => stale(current),
            PlanError::VersionRequired => ApiError::new(
                StatusCode::PRECONDITION_REQUIRED,
                ErrorCode::PreconditionRequired,
                "Say which version of the plan you changed: send its ETag in If-Match. Load the plan to get it.",
            )
            .with_field("If-Match"),
            PlanError::NothingToReview => ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::NothingToReview,
                "There is no safety plan to review yet: write it together first.",
            ),
            PlanError::Database(error) => error.into(),
        }
    }
}

fn stale(current: i64) -> ApiError {
    let mut error = ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        ErrorCode::PreconditionFailed,
        format!(
            "Someone else saved the plan first; version {current} is current now. Load it, then make your change again."
        ),
    )
    .with_field("If-Match");
    error.current_version = Some(current);
    error
}

/// Stands for an entity tag that is not one of ours (or `*`): no version has it, so a
/// save made from it is refused as stale, after its input is checked.
const NO_SUCH_VERSION: i64 = -1;

/// The version `If-Match` says a save was made from; none without the header.
fn based_on(headers: &HeaderMap) -> Option<i64> {
    let value = headers.get(header::IF_MATCH)?;
    let tag = value.to_str().unwrap_or_default().trim();
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    let version = tag
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .and_then(|version| version.parse::<i64>().ok())
        .filter(|version| *version >= 0);
    Some(version.unwrap_or(NO_SUCH_VERSION))
}

/// The plan as the patient and their care team see it, with its `ETag`.
async fn plan_response(state: &AppState, patient: &User) -> ApiResult<Response> {
    let plan = current(&state.db, patient.id).await?;
    let care_team = care_teams::for_patient(&state.db, patient.id)
        .await?
        .into_iter()
        .filter(|link| link.status == "approved")
        .map(|link| PersonView::new(&link.username, &link.display_name, Role::Clinician))
        .collect();
    let view = PlanView::new(
        PersonView::new(&patient.username, &patient.display_name, patient.role),
        plan,
        state.settings.crisis_resources.clone(),
        care_team,
    );
    let tag =
        HeaderValue::from_str(&etag(view.version)).map_err(|e| ApiError::internal(e.into()))?;
    Ok(([(header::ETAG, tag)], Json(view)).into_response())
}

/// Saves a new version of the patient's plan by `author`, then answers with it.
async fn save(
    state: &AppState,
    patient: &User,
    author_id: i64,
    headers: &HeaderMap,
    sections: Sections,
) -> ApiResult<Response> {
    replace(
        &state.db,
        patient.id,
        author_id,
        based_on(headers),
        sections,
    )
    .await?;
    plan_response(state, patient).await
}

async fn versions_of(state: &AppState, patient: &User) -> ApiResult<Json<VersionList>> {
    let versions = history(&state.db, patient.id)
        .await?
        .into_iter()
        .map(|(saved, sections)| VersionView::new(saved, sections))
        .collect();
    Ok(Json(VersionList { versions }))
}

/// My safety plan: my entries, the crisis resources and my care team. `version` is 0 and
/// every section empty until the plan is first saved.
#[utoipa::path(get, path = "/safety-plan", tag = "safety plan",
    security(("session_cookie" = ["patient"])),
    responses((status = 200, description = "My plan", body = PlanView,
        headers(("ETag" = String, description = "The version, quoted: send it in If-Match to save")))))]
async fn my_safety_plan(
    State(state): State<AppState>,
    Patient(me): Patient,
) -> ApiResult<Response> {
    plan_response(&state, &me.user).await
}

/// Replaces my plan with a new version. Every earlier version is kept.
#[utoipa::path(put, path = "/safety-plan", tag = "safety plan", request_body = SectionsInput,
    params(("If-Match" = Option<String>, Header, description = "The ETag of the version this change was made from; required once a plan exists")),
    security(("session_cookie" = ["patient"], "csrf_token" = [])),
    responses(
        (status = 200, description = "Saved: the new version", body = PlanView,
            headers(("ETag" = String, description = "The new version, quoted"))),
        (status = 412, description = "`precondition_failed`: someone saved first; `current_version` says which version is current", body = ErrorResponse),
        (status = 422, description = "`validation_failed`: `field` names the section or entry (`warning_signs[2]`)", body = ErrorResponse),
        (status = 428, description = "`precondition_required`: a plan exists and If-Match is missing", body = ErrorResponse),
    ))]
async fn replace_my_safety_plan(
    State(state): State<AppState>,
    Patient(me): Patient,
    headers: HeaderMap,
    Input(sections): Input<SectionsInput>,
) -> ApiResult<Response> {
    save(&state, &me.user, me.user.id, &headers, sections.into()).await
}

/// Every version of my plan, whole, with who wrote it and when; newest first.
#[utoipa::path(get, path = "/safety-plan/versions", tag = "safety plan",
    security(("session_cookie" = ["patient"])),
    responses((status = 200, description = "Every version", body = VersionList)))]
async fn my_safety_plan_versions(
    State(state): State<AppState>,
    Patient(me): Patient,
) -> ApiResult<Json<VersionList>> {
    versions_of(&state, &me.user).await
}
