//! `/api/clinician/patients/{username}/cbt/...`: a patient's CBT records that are not
//! private, for the clinicians of their care team (anyone else gets 404). Each read goes
//! to the audit log, without content.

use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts::store::User;
use crate::audit::{Entry, Event};
use crate::care_teams::{my_patient, views::PersonView};
use crate::cbt::store::{activities, exposure, thought_records, Reader};
use crate::cbt::views::{
    ActivityView, LadderView, PatientActivities, PatientLadders, PatientThoughtRecords,
    ThoughtRecordView,
};
use crate::http::{ApiResult, ErrorResponse, Path};
use crate::sessions::Clinician;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(patient_thought_records))
        .routes(routes!(patient_activities))
        .routes(routes!(patient_exposure_ladders))
}

/// The patient, when in my care team, once the read is in the audit log.
async fn audited_patient(
    state: &AppState,
    clinician_id: i64,
    username: &str,
    what: &str,
) -> ApiResult<(User, PersonView)> {
    let patient = my_patient(&state.db, clinician_id, username).await?;
    Entry::new(Event::CbtRecordsViewed)
        .by(clinician_id)
        .about(patient.id)
        .detail(what)
        .record(&state.db)
        .await?;
    let person = PersonView::new(&patient.username, &patient.display_name, patient.role);
    Ok((patient, person))
}

/// A patient's thought records that are not private, newest first.
#[utoipa::path(get, path = "/clinician/patients/{username}/cbt/thought-records", tag = "cbt",
    params(("username" = String, Path, description = "The patient's username")),
    security(("session_cookie" = ["clinician"])),
    responses(
        (status = 200, description = "The patient's thought records", body = PatientThoughtRecords),
        (status = 404, description = "`not_found`: not a patient of my care team", body = ErrorResponse),
    ))]
async fn patient_thought_records(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Path(username): Path<String>,
) -> ApiResult<Json<PatientThoughtRecords>> {
    let (patient, person) =
        audited_patient(&state, me.user.id, &username, "thought_records").await?;
    let rows = thought_records::list(&state.db, patient.id, None, Reader::CareTeam).await?;
    Ok(Json(PatientThoughtRecords {
        patient: person,
        thought_records: rows.into_iter().map(ThoughtRecordView::from).collect(),
    }))
}

/// A patient's planned activities that are not private, the latest planned first.
#[utoipa::path(get, path = "/clinician/patients/{username}/cbt/activities", tag = "cbt",
    params(("username" = String, Path, description = "The patient's username")),
    security(("session_cookie" = ["clinician"])),
    responses(
        (status = 200, description = "The patient's activities", body = PatientActivities),
        (status = 404, description = "`not_found`: not a patient of my care team", body = ErrorResponse),
    ))]
async fn patient_activities(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Path(username): Path<String>,
) -> ApiResult<Json<PatientActivities>> {
    let (patient, person) = audited_patient(&state, me.user.id, &username, "activities").await?;
    let rows = activities::list(&state.db, patient.id, None, Reader::CareTeam).await?;
    Ok(Json(PatientActivities {
        patient: person,
        activities: rows.into_iter().map(ActivityView::from).collect(),
    }))
}

/// A patient's exposure ladders that are not private, newest first, with their attempts.
#[utoipa::path(get, path = "/clinician/patients/{username}/cbt/exposure-ladders", tag = "cbt",
    params(("username" = String, Path, description = "The patient's username")),
    security(("session_cookie" = ["clinician"])),
    responses(
        (status = 200, description = "The patient's exposure ladders", body = PatientLadders),
        (status = 404, description = "`not_found`: not a patient of my care team", body = ErrorResponse),
    ))]
async fn patient_exposure_ladders(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Path(username): Path<String>,
) -> ApiResult<Json<PatientLadders>> {
    let (patient, person) =
        audited_patient(&state, me.user.id, &username, "exposure_ladders").await?;
    let rows = exposure::list(&state.db, patient.id, None, Reader::CareTeam).await?;
    Ok(Json(PatientLadders {
        patient: person,
        exposure_ladders: rows.into_iter().map(LadderView::from).collect(),
    }))
}
