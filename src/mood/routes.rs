//! `/api/mood/...` for patients, and a patient's mood for the clinicians of their care team.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::{CheckedIn, MoodEntryView, MoodHistory, PatientMoodHistory};
use super::{daily_averages, store, MoodEntry};
use crate::alerts::{self, Raised};
use crate::care_teams::{patient_in_care_of, views::PersonView};
use crate::clinical::rules;
use crate::http::{ApiError, ApiResult, Input, Path, Query};
use crate::sessions::{Clinician, Patient};
use crate::state::AppState;
use crate::storage::now_ms;
use crate::text::{self, Lines};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(check_in))
        .routes(routes!(history))
        .routes(routes!(patient_history))
}

#[derive(Deserialize, ToSchema)]
struct CheckIn {
    /// 1 (worst) to 10 (best).
    #[schema(minimum = 1, maximum = 10)]
    score: i64,
    /// 0 to 24.
    #[schema(minimum = 0, maximum = 24)]
    sleep_hours: Option<f64>,
    /// At most 2,000 characters.
    #[schema(max_length = 2000)]
    note: Option<String>,
}

/// Records how I feel now (several check-ins a day are fine).
#[utoipa::path(post, path = "/mood", tag = "mood", request_body = CheckIn,
    security(("session_cookie" = ["patient"], "csrf_token" = [])),
    responses((status = 201, description = "Recorded", body = CheckedIn)))]
async fn check_in(
    State(state): State<AppState>,
    Patient(me): Patient,
    Input(request): Input<CheckIn>,
) -> ApiResult<(StatusCode, Json<CheckedIn>)> {
    if !(1..=10).contains(&request.score) {
        return Err(ApiError::invalid(
            "score",
            "score is a whole number from 1 to 10.",
        ));
    }
    if request
        .sleep_hours
        .is_some_and(|h| !(0.0..=24.0).contains(&h))
    {
        return Err(ApiError::invalid(
            "sleep_hours",
            "sleep_hours is a number of hours from 0 to 24.",
        ));
    }
    let note = request
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 2000) {
        return Err(ApiError::invalid(
            "note",
            "A note is at most 2,000 characters.",
        ));
    }
    if let Some(Err(forbidden)) = note.map(|n| text::check(n, Lines::Many)) {
        return Err(ApiError::invalid("note", format!("A note {forbidden}.")));
    }
    let (entry, raised) = store_with_alert(&state, me.user.id, &request, note).await?;
    alerts::audit_raised(&state.db, me.user.id, &raised).await;
    Ok((
        StatusCode::CREATED,
        Json(CheckedIn {
            entry: MoodEntryView::from(&entry),
            alert_raised: !raised.rules.is_empty(),
            care_team_notified: raised.care_team_notified(),
        }),
    ))
}

/// Stores the check-in and, in the same transaction, the low-mood alert it may raise.
async fn store_with_alert(
    state: &AppState,
    user_id: i64,
    request: &CheckIn,
    note: Option<&str>,
) -> ApiResult<(MoodEntry, Raised)> {
    let mut tx = state.db.begin().await?;
    let entry = store::insert(&mut tx, user_id, request.score, request.sleep_hours, note).await?;
    // Only a low check-in can complete a low run: the others read nothing more.
    let mut raised = Raised::default();
    if entry.score <= rules::MOOD_LOW_SCORE {
        let days = i64::try_from(rules::MOOD_LOW_DAYS).unwrap_or(i64::MAX);
        let lowest = store::lowest_by_day(&mut tx, user_id, days).await?;
        if let Some(rule) = rules::for_mood(entry.score, &lowest) {
            raised = alerts::raise(&mut tx, user_id, &[rule]).await?;
        }
    }
    tx.commit().await?;
    Ok((entry, raised))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct HistoryQuery {
    /// 1 to 365; 30 when not given.
    #[param(minimum = 1, maximum = 365)]
    days: Option<i64>,
}

fn parse_days(query: &HistoryQuery) -> ApiResult<i64> {
    let days = query.days.unwrap_or(30);
    if (1..=365).contains(&days) {
        Ok(days)
    } else {
        Err(ApiError::invalid("days", "days is a number from 1 to 365."))
    }
}

/// Entries newest first and the daily averages oldest first, over the last `days` days.
async fn history_of(state: &AppState, user_id: i64, days: i64) -> ApiResult<MoodHistory> {
    let since = now_ms() - days * 24 * 60 * 60 * 1000;
    let entries = store::since(&state.db, user_id, since).await?;
    Ok(MoodHistory {
        days,
        daily: daily_averages(&entries),
        entries: entries.iter().map(MoodEntryView::from).collect(),
    })
}

/// My check-ins and daily averages over the last `days` days.
#[utoipa::path(get, path = "/mood/history", tag = "mood", params(HistoryQuery),
    security(("session_cookie" = ["patient"])),
    responses((status = 200, description = "My mood history", body = MoodHistory)))]
async fn history(
    State(state): State<AppState>,
    Patient(me): Patient,
    Query(query): Query<HistoryQuery>,
) -> ApiResult<Json<MoodHistory>> {
    let days = parse_days(&query)?;
    Ok(Json(history_of(&state, me.user.id, days).await?))
}

/// A patient's check-ins, for a clinician of their care team.
#[utoipa::path(get, path = "/clinician/patients/{username}/mood", tag = "mood",
    params(("username" = String, Path, description = "The patient's username"), HistoryQuery),
    security(("session_cookie" = ["clinician"])),
    responses((status = 200, description = "The patient's mood history", body = PatientMoodHistory)))]
async fn patient_history(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Path(username): Path<String>,
    Query(query): Query<HistoryQuery>,
) -> ApiResult<Json<PatientMoodHistory>> {
    let patient = patient_in_care_of(&state.db, me.user.id, &username)
        .await?
        .ok_or_else(|| ApiError::not_found("patient"))?;
    let days = parse_days(&query)?;
    Ok(Json(PatientMoodHistory {
        history: history_of(&state, patient.id, days).await?,
        patient: PersonView::new(&patient.username, &patient.display_name, patient.role),
    }))
}
