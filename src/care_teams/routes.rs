//! `/api/care-team/...` for patients, `/api/clinician/...` for clinicians.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::store;
use super::views::{
    care_team_views, CareTeam, CareTeamClinician, CareTeamLeft, CareTeamRequestMade, ClinicianList,
    Decision, PatientList, PatientRequest, PatientRequests, PendingCareTeamRequest, PersonView,
    RequestDecided,
};
use crate::accounts::{find_approved_clinician, store as users, Role, Username};
use crate::audit::{Entry, Event};
use crate::http::{ApiError, ApiResult, ErrorResponse, Input, Path};
use crate::sessions::{Clinician, CurrentUser, Patient};
use crate::state::AppState;
use crate::storage::rfc3339;

type CareTeamLists = (Vec<CareTeamClinician>, Vec<PendingCareTeamRequest>);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_care_team))
        .routes(routes!(ask_to_join))
        .routes(routes!(leave))
        .routes(routes!(approved_clinicians))
        .routes(routes!(pending_requests))
        .routes(routes!(approve))
        .routes(routes!(decline))
        .routes(routes!(my_patients))
}

/// The one place a clinician's unreachable patient becomes an HTTP answer.
impl From<super::NotMyPatient> for ApiError {
    fn from(error: super::NotMyPatient) -> Self {
        match error {
            super::NotMyPatient::NotFound => ApiError::not_found("patient"),
            super::NotMyPatient::Database(error) => error.into(),
        }
    }
}

/// A patient's clinicians and pending requests, as the home screen also shows them.
pub async fn care_team_of(state: &AppState, patient_id: i64) -> ApiResult<CareTeamLists> {
    Ok(care_team_views(
        store::for_patient(&state.db, patient_id).await?,
    ))
}

/// My clinicians, and my requests to join a care team not yet decided.
#[utoipa::path(get, path = "/care-team", tag = "care team",
    security(("session_cookie" = ["patient"])),
    responses((status = 200, description = "My care team", body = CareTeam)))]
async fn my_care_team(
    State(state): State<AppState>,
    Patient(me): Patient,
) -> ApiResult<Json<CareTeam>> {
    let (clinicians, pending) = care_team_of(&state, me.user.id).await?;
    Ok(Json(CareTeam {
        clinicians,
        pending,
    }))
}

#[derive(Deserialize, ToSchema)]
struct JoinRequest {
    /// The clinician's username.
    #[schema(example = "dr.morgan")]
    clinician: String,
}

/// Asks to join an approved clinician's care team.
#[utoipa::path(post, path = "/care-team/requests", tag = "care team", request_body = JoinRequest,
    security(("session_cookie" = ["patient"], "csrf_token" = [])),
    responses(
        (status = 201, description = "Asked", body = CareTeamRequestMade),
        (status = 409, description = "`already_exists`: already in this care team, or already asked", body = ErrorResponse),
    ))]
async fn ask_to_join(
    State(state): State<AppState>,
    Patient(me): Patient,
    Input(request): Input<JoinRequest>,
) -> ApiResult<(StatusCode, Json<CareTeamRequestMade>)> {
    let clinician = find_approved_clinician(&state.db, &request.clinician).await?;
    if !store::request_link(&state.db, me.user.id, clinician.id).await? {
        return Err(ApiError::conflict(
            "clinician",
            "You are already in this clinician's care team, or have asked to join it.",
        ));
    }
    Entry::new(Event::CareTeamRequested)
        .by(me.user.id)
        .about(clinician.id)
        .record(&state.db)
        .await?;
    let (_, pending) = care_team_of(&state, me.user.id).await?;
    let request = pending
        .into_iter()
        .find(|p| p.clinician.username == clinician.username)
        .ok_or_else(|| anyhow::anyhow!("a request just made is missing"))?;
    Ok((StatusCode::CREATED, Json(CareTeamRequestMade { request })))
}

/// Leaves a clinician's care team, or withdraws a request to join it.
#[utoipa::path(delete, path = "/care-team/{clinician}", tag = "care team",
    params(("clinician" = String, Path, description = "The clinician's username")),
    security(("session_cookie" = ["patient"], "csrf_token" = [])),
    responses((status = 200, description = "Left", body = CareTeamLeft)))]
async fn leave(
    State(state): State<AppState>,
    Patient(me): Patient,
    Path(clinician): Path<String>,
) -> ApiResult<Json<CareTeamLeft>> {
    let not_found = || ApiError::not_found("care team");
    let username = Username::parse(&clinician).map_err(|_| not_found())?;
    let clinician = users::find_by_username(&state.db, username.as_str())
        .await?
        .ok_or_else(not_found)?;
    if !store::leave(&state.db, me.user.id, clinician.id).await? {
        return Err(not_found());
    }
    Entry::new(Event::CareTeamLeft)
        .by(me.user.id)
        .about(clinician.id)
        .record(&state.db)
        .await?;
    Ok(Json(CareTeamLeft { left: true }))
}

/// Approved clinicians, so a patient can choose whose care team to ask to join.
#[utoipa::path(get, path = "/clinicians", tag = "care team",
    security(("session_cookie" = [])),
    responses((status = 200, description = "Approved clinicians, by name", body = ClinicianList)))]
async fn approved_clinicians(
    State(state): State<AppState>,
    _me: CurrentUser,
) -> ApiResult<Json<ClinicianList>> {
    let clinicians = users::approved_clinicians(&state.db)
        .await?
        .into_iter()
        .map(|p| PersonView::new(&p.username, &p.display_name, Role::Clinician))
        .collect();
    Ok(Json(ClinicianList { clinicians }))
}

/// Patients' requests to join my care team, oldest first.
#[utoipa::path(get, path = "/clinician/requests", tag = "care team",
    security(("session_cookie" = ["clinician"])),
    responses((status = 200, description = "Pending requests", body = PatientRequests)))]
async fn pending_requests(
    State(state): State<AppState>,
    Clinician(me): Clinician,
) -> ApiResult<Json<PatientRequests>> {
    let requests = store::pending_for_clinician(&state.db, me.user.id)
        .await?
        .into_iter()
        .map(|link| PatientRequest {
            id: link.id,
            patient: PersonView::new(&link.username, &link.display_name, Role::Patient),
            requested_at: rfc3339(link.requested_at),
        })
        .collect();
    Ok(Json(PatientRequests { requests }))
}

/// Takes a patient into my care team.
#[utoipa::path(post, path = "/clinician/requests/{id}/approve", tag = "care team",
    params(("id" = i64, Path, description = "The request's id")),
    security(("session_cookie" = ["clinician"], "csrf_token" = [])),
    responses((status = 200, description = "Approved", body = RequestDecided)))]
async fn approve(
    state: State<AppState>,
    me: Clinician,
    id: Path<i64>,
) -> ApiResult<Json<RequestDecided>> {
    decide(state, me, id, true).await
}

/// Declines a patient's request to join my care team.
#[utoipa::path(post, path = "/clinician/requests/{id}/decline", tag = "care team",
    params(("id" = i64, Path, description = "The request's id")),
    security(("session_cookie" = ["clinician"], "csrf_token" = [])),
    responses((status = 200, description = "Declined", body = RequestDecided)))]
async fn decline(
    state: State<AppState>,
    me: Clinician,
    id: Path<i64>,
) -> ApiResult<Json<RequestDecided>> {
    decide(state, me, id, false).await
}

async fn decide(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Path(id): Path<i64>,
    approve: bool,
) -> ApiResult<Json<RequestDecided>> {
    let patient_id = store::decide(&state.db, id, me.user.id, approve)
        .await?
        .ok_or_else(|| ApiError::not_found("request"))?;
    let event = if approve {
        Event::CareTeamApproved
    } else {
        Event::CareTeamDeclined
    };
    Entry::new(event)
        .by(me.user.id)
        .about(patient_id)
        .record(&state.db)
        .await?;
    let status = if approve { "approved" } else { "declined" };
    Ok(Json(RequestDecided {
        request: Decision { id, status },
    }))
}

/// My patients, with their unread messages and latest mood.
#[utoipa::path(get, path = "/clinician/patients", tag = "care team",
    security(("session_cookie" = ["clinician"])),
    responses((status = 200, description = "My patients, by name", body = PatientList)))]
async fn my_patients(
    State(state): State<AppState>,
    Clinician(me): Clinician,
) -> ApiResult<Json<PatientList>> {
    let patients = store::patients_of(&state.db, me.user.id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(PatientList { patients }))
}
