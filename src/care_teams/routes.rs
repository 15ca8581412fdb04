//! `/api/care-team/...` for patients, `/api/clinician/...` for clinicians.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::store;
use super::views::{
    care_team_views, CareTeam, CareTeamClinician, CareTeamLeft, CareTeamRequestMade, ClinicianList,
    Decision, PatientList, PatientRequest, PatientRequests, PendingCareTeamRequest, PersonView,
    RequestDecided,
};
use crate::accounts::{find_approved_clinician, store as users, Username};
use crate::audit::{Entry, Event};
use crate::http::{ApiError, ApiResult, Input, Path};
use crate::sessions::{Clinician, CurrentUser, Patient};
use crate::state::AppState;
use crate::storage::rfc3339;

type CareTeamLists = (Vec<CareTeamClinician>, Vec<PendingCareTeamRequest>);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/care-team", get(my_care_team))
        .route("/care-team/requests", post(ask_to_join))
        .route("/care-team/{clinician}", delete(leave))
        .route("/clinicians", get(approved_clinicians))
        .route("/clinician/requests", get(pending_requests))
        .route("/clinician/requests/{id}/approve", post(approve))
        .route("/clinician/requests/{id}/decline", post(decline))
        .route("/clinician/patients", get(my_patients))
}

/// A patient's clinicians and pending requests, as the home screen also shows them.
pub async fn care_team_of(state: &AppState, patient_id: i64) -> ApiResult<CareTeamLists> {
    Ok(care_team_views(
        store::for_patient(&state.db, patient_id).await?,
    ))
}

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

#[derive(Deserialize)]
struct JoinRequest {
    clinician: String,
}

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
async fn approved_clinicians(
    State(state): State<AppState>,
    _me: CurrentUser,
) -> ApiResult<Json<ClinicianList>> {
    let clinicians = users::approved_clinicians(&state.db)
        .await?
        .into_iter()
        .map(|p| PersonView::new(&p.username, &p.display_name))
        .collect();
    Ok(Json(ClinicianList { clinicians }))
}

async fn pending_requests(
    State(state): State<AppState>,
    Clinician(me): Clinician,
) -> ApiResult<Json<PatientRequests>> {
    let requests = store::pending_for_clinician(&state.db, me.user.id)
        .await?
        .into_iter()
        .map(|link| PatientRequest {
            id: link.id,
            patient: PersonView::new(&link.username, &link.display_name),
            requested_at: rfc3339(link.requested_at),
        })
        .collect();
    Ok(Json(PatientRequests { requests }))
}

async fn approve(
    state: State<AppState>,
    me: Clinician,
    id: Path<i64>,
) -> ApiResult<Json<RequestDecided>> {
    decide(state, me, id, true).await
}

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
