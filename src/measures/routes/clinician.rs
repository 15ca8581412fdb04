//! `/api/clinician/patients/{username}/...`: a patient's questionnaires for the clinicians
//! of their care team (anyone else gets 404), and the schedules they set.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{Days, NaiveDate};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::super::store::{self, NewSchedule};
use super::super::views::{
    InstrumentTrend, PatientMeasures, ResponseView, ScheduleMade, ScheduleView,
};
use super::{responses_of, HistoryQuery};
use crate::care_teams::{my_patient, views::PersonView};
use crate::clinical::rules::reliable_change;
use crate::clinical::InstrumentId;
use crate::http::{ApiError, ApiResult, ErrorResponse, Input, Path, Query};
use crate::mood::today;
use crate::sessions::Clinician;
use crate::state::AppState;
use crate::storage::now_ms;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(patient_measures))
        .routes(routes!(add_schedule))
        .routes(routes!(remove_schedule))
}

/// A patient's responses to each questionnaire, how the totals moved, and the schedules.
#[utoipa::path(get, path = "/clinician/patients/{username}/measures", tag = "measures",
    params(("username" = String, Path, description = "The patient's username"), HistoryQuery),
    security(("session_cookie" = ["clinician"])),
    responses(
        (status = 200, description = "The patient's questionnaires", body = PatientMeasures),
        (status = 404, description = "`not_found`: not a patient of my care team", body = ErrorResponse),
    ))]
async fn patient_measures(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Path(username): Path<String>,
    Query(query): Query<HistoryQuery>,
) -> ApiResult<Json<PatientMeasures>> {
    let patient = my_patient(&state.db, me.user.id, &username).await?;
    let (only, days) = query.parse()?;
    let responses = responses_of(&state.db, patient.id, only, days).await?;
    let instruments = InstrumentId::ALL
        .into_iter()
        .filter(|id| only.is_none_or(|only| only == *id))
        .map(|id| trend(id, &responses))
        .collect();
    let schedules = store::schedules_of(&state.db, patient.id).await?;
    Ok(Json(PatientMeasures {
        patient: PersonView::new(&patient.username, &patient.display_name, patient.role),
        days,
        instruments,
        schedules: schedules.into_iter().map(ScheduleView::from).collect(),
    }))
}

/// One questionnaire's responses (newest first) and the change from the first total in
/// the window to the latest.
fn trend(id: InstrumentId, all: &[ResponseView]) -> InstrumentTrend {
    let responses: Vec<ResponseView> = all
        .iter()
        .filter(|r| r.instrument == id.as_str())
        .cloned()
        .collect();
    let totals: Vec<i64> = responses.iter().filter_map(|r| r.total).collect();
    let change = match (totals.first(), totals.last()) {
        (Some(latest), Some(first)) if totals.len() > 1 => Some(latest - first),
        _ => None,
    };
    InstrumentTrend {
        instrument: id.as_str(),
        name: id.instrument().name,
        reliable_change: change.and_then(|change| reliable_change(id, change)),
        change,
        responses,
    }
}

#[derive(Deserialize, ToSchema)]
struct ScheduleRequest {
    /// `phq9`, `gad7` or `cssrs`.
    #[schema(example = "phq9")]
    instrument: String,
    /// 7 to 90.
    #[schema(minimum = 7, maximum = 90)]
    every_days: i64,
    /// YYYY-MM-DD, within a year of today; today when not given.
    #[schema(example = "2026-12-07")]
    starts_on: Option<String>,
}

fn parse_start(raw: Option<&str>) -> ApiResult<NaiveDate> {
    let today = today();
    let Some(raw) = raw else { return Ok(today) };
    let invalid = || {
        ApiError::invalid(
            "starts_on",
            "starts_on is a date (YYYY-MM-DD) within a year of today.",
        )
    };
    let day: NaiveDate = raw.parse().map_err(|_| invalid())?;
    let year = Days::new(366);
    let earliest = today.checked_sub_days(year).unwrap_or(NaiveDate::MIN);
    let latest = today.checked_add_days(year).unwrap_or(NaiveDate::MAX);
    if day < earliest || day > latest {
        return Err(invalid());
    }
    Ok(day)
}

/// Asks a patient of my care team to answer a questionnaire every `every_days` days.
/// Two clinicians' schedules of one questionnaire make one item for the patient.
#[utoipa::path(post, path = "/clinician/patients/{username}/schedules", tag = "measures",
    params(("username" = String, Path, description = "The patient's username")),
    request_body = ScheduleRequest,
    security(("session_cookie" = ["clinician"], "csrf_token" = [])),
    responses(
        (status = 201, description = "Scheduled", body = ScheduleMade),
        (status = 404, description = "`not_found`: not a patient of my care team", body = ErrorResponse),
    ))]
async fn add_schedule(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Path(username): Path<String>,
    Input(request): Input<ScheduleRequest>,
) -> ApiResult<(StatusCode, Json<ScheduleMade>)> {
    let patient = my_patient(&state.db, me.user.id, &username).await?;
    let instrument = InstrumentId::parse(&request.instrument)
        .ok_or_else(|| ApiError::invalid("instrument", "instrument is phq9, gad7 or cssrs."))?;
    if !(7..=90).contains(&request.every_days) {
        return Err(ApiError::invalid(
            "every_days",
            "every_days is a number of days from 7 to 90.",
        ));
    }
    let starts_on = parse_start(request.starts_on.as_deref())?.to_string();
    let new = NewSchedule {
        patient_id: patient.id,
        instrument: instrument.as_str(),
        every_days: request.every_days,
        starts_on: &starts_on,
        created_by: me.user.id,
        created_at: now_ms(),
    };
    let id = store::add_schedule(&state.db, &new).await?;
    let schedule = ScheduleView {
        id,
        instrument: instrument.as_str().to_owned(),
        every_days: request.every_days,
        starts_on: starts_on.clone(),
        created_by: Some(me.user.username.clone()),
        created_at: crate::storage::rfc3339(new.created_at),
    };
    Ok((StatusCode::CREATED, Json(ScheduleMade { schedule })))
}

/// Removes one of a patient's schedules (any clinician of the care team may).
#[utoipa::path(delete, path = "/clinician/patients/{username}/schedules/{id}", tag = "measures",
    params(("username" = String, Path, description = "The patient's username"),
        ("id" = i64, Path, description = "The schedule")),
    security(("session_cookie" = ["clinician"], "csrf_token" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "`not_found`: no such schedule for a patient of my care team", body = ErrorResponse),
    ))]
async fn remove_schedule(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Path((username, id)): Path<(String, i64)>,
) -> ApiResult<StatusCode> {
    let patient = my_patient(&state.db, me.user.id, &username).await?;
    if store::remove_schedule(&state.db, patient.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("schedule"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_must_be_a_date_within_a_year() {
        assert_eq!(parse_start(None).unwrap(), today());
        let ok = today().checked_add_days(Days::new(30)).unwrap().to_string();
        assert!(parse_start(Some(&ok)).is_ok());
        for bad in ["tomorrow", "2026-13-01", "", "1970-01-01", "2999-01-01"] {
            assert_eq!(
                parse_start(Some(bad)).unwrap_err().field.as_deref(),
                Some("starts_on"),
                "{bad}"
            );
        }
    }
}
