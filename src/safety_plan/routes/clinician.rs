//! `/api/clinician/patients/{username}/safety-plan...`: a patient's plan for the
//! clinicians of their care team, with the same rules as the patient's own; anyone else
//! gets 404. Administrators never see plans.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::super::views::{PlanView, VersionList};
use super::super::{review, SectionsInput};
use super::{plan_response, save, versions_of};
use crate::care_teams::my_patient;
use crate::http::{ApiResult, ErrorResponse, Input, Path};
use crate::sessions::Clinician;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(patient_safety_plan, replace_patient_safety_plan))
        .routes(routes!(review_patient_safety_plan))
        .routes(routes!(patient_safety_plan_versions))
}

/// A patient's safety plan, as they see it.
#[utoipa::path(get, path = "/clinician/patients/{username}/safety-plan", tag = "safety plan",
    params(("username" = String, Path, description = "The patient's username")),
    security(("session_cookie" = ["clinician"])),
    responses(
        (status = 200, description = "The patient's plan", body = PlanView,
            headers(("ETag" = String, description = "The version, quoted: send it in If-Match to save"))),
        (status = 404, description = "`not_found`: not a patient of my care team", body = ErrorResponse),
    ))]
async fn patient_safety_plan(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Path(username): Path<String>,
) -> ApiResult<Response> {
    let patient = my_patient(&state.db, me.user.id, &username).await?;
    plan_response(&state, &patient).await
}

/// Replaces a patient's plan with a new version written with them. Every earlier version
/// is kept.
#[utoipa::path(put, path = "/clinician/patients/{username}/safety-plan", tag = "safety plan",
    request_body = SectionsInput,
    params(("username" = String, Path, description = "The patient's username"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the version this change was made from; required once a plan exists")),
    security(("session_cookie" = ["clinician"], "csrf_token" = [])),
    responses(
        (status = 200, description = "Saved: the new version", body = PlanView,
            headers(("ETag" = String, description = "The new version, quoted"))),
        (status = 404, description = "`not_found`: not a patient of my care team", body = ErrorResponse),
        (status = 412, description = "`precondition_failed`: someone saved first; `current_version` says which version is current", body = ErrorResponse),
        (status = 422, description = "`validation_failed`: `field` names the section or entry", body = ErrorResponse),
        (status = 428, description = "`precondition_required`: a plan exists and If-Match is missing", body = ErrorResponse),
    ))]
async fn replace_patient_safety_plan(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Path(username): Path<String>,
    headers: HeaderMap,
    Input(sections): Input<SectionsInput>,
) -> ApiResult<Response> {
    let patient = my_patient(&state.db, me.user.id, &username).await?;
    save(&state, &patient, me.user.id, &headers, sections.into()).await
}

/// Records that I went through the current plan with the patient.
#[utoipa::path(post, path = "/clinician/patients/{username}/safety-plan/review", tag = "safety plan",
    params(("username" = String, Path, description = "The patient's username")),
    security(("session_cookie" = ["clinician"], "csrf_token" = [])),
    responses(
        (status = 200, description = "Recorded: the plan with `reviewed_at` and `reviewed_by`", body = PlanView,
            headers(("ETag" = String, description = "The version, quoted"))),
        (status = 404, description = "`not_found`: not a patient of my care team", body = ErrorResponse),
        (status = 409, description = "`nothing_to_review`: the patient has no plan yet", body = ErrorResponse),
    ))]
async fn review_patient_safety_plan(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Path(username): Path<String>,
) -> ApiResult<Response> {
    let patient = my_patient(&state.db, me.user.id, &username).await?;
    review(&state.db, patient.id, me.user.id).await?;
    plan_response(&state, &patient).await
}

/// Every version of a patient's plan, whole, newest first.
#[utoipa::path(get, path = "/clinician/patients/{username}/safety-plan/versions", tag = "safety plan",
    params(("username" = String, Path, description = "The patient's username")),
    security(("session_cookie" = ["clinician"])),
    responses(
        (status = 200, description = "Every version", body = VersionList),
        (status = 404, description = "`not_found`: not a patient of my care team", body = ErrorResponse),
    ))]
async fn patient_safety_plan_versions(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Path(username): Path<String>,
) -> ApiResult<Json<VersionList>> {
    let patient = my_patient(&state.db, me.user.id, &username).await?;
    versions_of(&state, &patient).await
}
