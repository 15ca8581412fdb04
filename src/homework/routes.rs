//! `/api/homework` for the patient, and `/api/clinician/patients/{username}/homework`
//! for the clinicians of their care team (anyone else gets 404).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::store::{self, NewHomework};
use super::views::{HomeworkAssigned, HomeworkView, MyHomework, PatientHomework};
use super::{parse_due_on, parse_instructions, Invalid, Kind};
use crate::audit::{Entry, Event};
use crate::care_teams::{my_patient, views::PersonView};
use crate::http::{ApiError, ApiResult, ErrorResponse, Input, Path};
use crate::mood::today;
use crate::sessions::{Clinician, Patient};
use crate::state::AppState;
use crate::storage::now_ms;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_homework))
        .routes(routes!(assign_homework, patient_homework))
        .routes(routes!(withdraw_homework))
}

impl From<Invalid> for ApiError {
    fn from(invalid: Invalid) -> Self {
        ApiError::invalid(invalid.field, invalid.message)
    }
}

/// The homework my care team gave me, newest first, each with its status.
#[utoipa::path(get, path = "/homework", tag = "cbt",
    security(("session_cookie" = ["patient"])),
    responses((status = 200, description = "My homework", body = MyHomework)))]
async fn my_homework(
    State(state): State<AppState>,
    Patient(me): Patient,
) -> ApiResult<Json<MyHomework>> {
    Ok(Json(MyHomework {
        homework: super::mine(&state.db, me.user.id).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
struct AssignRequest {
    /// `thought_record`, `activity` or `exposure`.
    #[schema(example = "thought_record")]
    kind: String,
    /// 1 to 1,000 characters; several lines allowed.
    #[schema(
        min_length = 1,
        max_length = 1000,
        example = "Fill in a thought record after the next difficult moment at work."
    )]
    instructions: String,
    /// YYYY-MM-DD, from today (UTC) to a year from now; none for no due day.
    #[schema(example = "2026-12-14")]
    due_on: Option<String>,
}

/// Assigns homework to a patient of my care team.
#[utoipa::path(post, path = "/clinician/patients/{username}/homework", tag = "cbt",
    params(("username" = String, Path, description = "The patient's username")),
    request_body = AssignRequest,
    security(("session_cookie" = ["clinician"], "csrf_token" = [])),
    responses(
        (status = 201, description = "Assigned", body = HomeworkAssigned),
        (status = 404, description = "`not_found`: not a patient of my care team", body = ErrorResponse),
        (status = 422, description = "`validation_failed`: `field` names `kind`, `instructions` or `due_on`", body = ErrorResponse),
    ))]
async fn assign_homework(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Path(username): Path<String>,
    Input(request): Input<AssignRequest>,
) -> ApiResult<(StatusCode, Json<HomeworkAssigned>)> {
    let patient = my_patient(&state.db, me.user.id, &username).await?;
    let kind = Kind::parse(&request.kind).ok_or_else(|| {
        ApiError::invalid("kind", "kind is thought_record, activity or exposure.")
    })?;
    let instructions = parse_instructions(&request.instructions)?;
    let today = today();
    let due_on = match request.due_on.as_deref() {
        None => None,
        Some(raw) => Some(parse_due_on(raw, today)?.to_string()),
    };
    let new = NewHomework {
        patient_id: patient.id,
        kind: kind.as_str(),
        instructions: &instructions,
        due_on: due_on.as_deref(),
        assigned_by: me.user.id,
        assigned_at: now_ms(),
    };
    let id = store::insert(&state.db, &new).await?;
    Entry::new(Event::HomeworkAssigned)
        .by(me.user.id)
        .about(patient.id)
        .detail(kind.as_str())
        .record(&state.db)
        .await?;
    let homework = store::of_patient(&state.db, patient.id, false)
        .await?
        .into_iter()
        .find(|h| h.id == id)
        .ok_or_else(|| ApiError::not_found("homework"))?;
    Ok((
        StatusCode::CREATED,
        Json(HomeworkAssigned {
            homework: HomeworkView::new(homework, today),
        }),
    ))
}

/// A patient's homework, newest first: assigned, done or overdue. Homework done with a
/// private record shows as done, without naming the record.
#[utoipa::path(get, path = "/clinician/patients/{username}/homework", tag = "cbt",
    params(("username" = String, Path, description = "The patient's username")),
    security(("session_cookie" = ["clinician"])),
    responses(
        (status = 200, description = "The patient's homework", body = PatientHomework),
        (status = 404, description = "`not_found`: not a patient of my care team", body = ErrorResponse),
    ))]
async fn patient_homework(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Path(username): Path<String>,
) -> ApiResult<Json<PatientHomework>> {
    let patient = my_patient(&state.db, me.user.id, &username).await?;
    let rows = store::of_patient(&state.db, patient.id, false).await?;
    Entry::new(Event::CbtRecordsViewed)
        .by(me.user.id)
        .about(patient.id)
        .detail("homework")
        .record(&state.db)
        .await?;
    let today = today();
    Ok(Json(PatientHomework {
        patient: PersonView::new(&patient.username, &patient.display_name, patient.role),
        homework: rows
            .into_iter()
            .map(|h| HomeworkView::new(h, today))
            .collect(),
    }))
}

/// Withdraws a homework (any clinician of the care team may). Records the patient linked
/// to it stay theirs, no longer linked.
#[utoipa::path(delete, path = "/clinician/patients/{username}/homework/{id}", tag = "cbt",
    params(("username" = String, Path, description = "The patient's username"),
        ("id" = i64, Path, description = "The homework")),
    security(("session_cookie" = ["clinician"], "csrf_token" = [])),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 404, description = "`not_found`: no such homework for a patient of my care team", body = ErrorResponse),
    ))]
async fn withdraw_homework(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Path((username, id)): Path<(String, i64)>,
) -> ApiResult<StatusCode> {
    let patient = my_patient(&state.db, me.user.id, &username).await?;
    if !store::remove(&state.db, patient.id, id).await? {
        return Err(ApiError::not_found("homework"));
    }
    Entry::new(Event::HomeworkWithdrawn)
        .by(me.user.id)
        .about(patient.id)
        .record(&state.db)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
