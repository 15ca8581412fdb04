//! `/api/clinician/alerts`: the alert inbox of the clinicians of a patient's care team.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::store::{self, Resolution};
use super::views::{AlertChanged, AlertList, AlertView};
use super::AlertError;
use crate::audit::{Entry, Event};
use crate::care_teams::patient_in_care_of;
use crate::http::{
    ApiError, ApiResult, ErrorCode, ErrorResponse, Input, PageQuery, Paging, Path, Query,
};
use crate::sessions::Clinician;
use crate::state::AppState;
use crate::storage::{millis, now_ms};
use crate::text::{self, Lines};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(alert_inbox))
        .routes(routes!(acknowledge_alert))
        .routes(routes!(resolve_alert))
}

impl From<AlertError> for ApiError {
    fn from(error: AlertError) -> Self {
        match error {
            AlertError::NotFound => ApiError::not_found("alert"),
            AlertError::AlreadyResolved => ApiError::new(
                axum::http::StatusCode::CONFLICT,
                ErrorCode::AlertAlreadyResolved,
                "This alert is already resolved.",
            ),
            AlertError::Database(error) => error.into(),
        }
    }
}

/// An open urgent alert last triggered before this moment is overdue.
fn overdue_before(state: &AppState) -> i64 {
    now_ms() - millis(state.settings.alert_ack)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct InboxQuery {
    /// `open` (not yet acknowledged; the default), `acknowledged` or `resolved`.
    #[param(example = "open")]
    status: Option<String>,
    /// Only this patient's alerts (a username).
    patient: Option<String>,
    /// From 1.
    #[param(minimum = 1, maximum = 1_000_000)]
    page: Option<i64>,
    /// 1 to 100; 50 when not given.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
}

const STATUSES: [&str; 3] = ["open", "acknowledged", "resolved"];

/// Alerts about my patients in one status: urgent first, then the longest waiting.
#[utoipa::path(get, path = "/clinician/alerts", tag = "alerts", params(InboxQuery),
    security(("session_cookie" = ["clinician"])),
    responses(
        (status = 200, description = "A page of alerts", body = AlertList),
        (status = 404, description = "`not_found`: `patient` is not in my care team", body = ErrorResponse),
    ))]
async fn alert_inbox(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Query(query): Query<InboxQuery>,
) -> ApiResult<Json<AlertList>> {
    let status = query.status.as_deref().unwrap_or("open");
    if !STATUSES.contains(&status) {
        return Err(ApiError::invalid(
            "status",
            "status is open, acknowledged or resolved.",
        ));
    }
    let patient_id = match query.patient.as_deref() {
        None => None,
        Some(username) => Some(
            patient_in_care_of(&state.db, me.user.id, username)
                .await?
                .ok_or_else(|| ApiError::not_found("patient"))?
                .id,
        ),
    };
    let paging = Paging::parse(
        &PageQuery {
            page: query.page,
            limit: query.limit,
        },
        50,
    )?;
    let rows = store::for_clinician(
        &state.db,
        me.user.id,
        status,
        patient_id,
        paging.fetch(),
        paging.offset(),
    )
    .await?;
    let (rows, page) = paging.finish(rows);
    let overdue_before = overdue_before(&state);
    Ok(Json(AlertList {
        status: status.to_owned(),
        alerts: rows
            .into_iter()
            .map(|alert| AlertView::new(alert, overdue_before))
            .collect(),
        page,
    }))
}

/// The alert, when it is about one of my patients, after a change.
async fn changed(
    state: &AppState,
    clinician_id: i64,
    alert_id: i64,
) -> ApiResult<Json<AlertChanged>> {
    let alert = store::find_for_clinician(&state.db, clinician_id, alert_id)
        .await?
        .ok_or(AlertError::NotFound)?;
    Ok(Json(AlertChanged {
        alert: AlertView::new(alert, overdue_before(state)),
    }))
}

/// Acknowledges an alert: I have seen it. Acknowledging it again changes nothing.
#[utoipa::path(post, path = "/clinician/alerts/{id}/acknowledge", tag = "alerts",
    params(("id" = i64, Path, description = "The alert")),
    security(("session_cookie" = ["clinician"], "csrf_token" = [])),
    responses(
        (status = 200, description = "Acknowledged", body = AlertChanged),
        (status = 404, description = "`not_found`: no alert about my patients has this id", body = ErrorResponse),
        (status = 409, description = "`alert_already_resolved`", body = ErrorResponse),
    ))]
async fn acknowledge_alert(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Path(id): Path<i64>,
) -> ApiResult<Json<AlertChanged>> {
    let alert = store::find_for_clinician(&state.db, me.user.id, id)
        .await?
        .ok_or(AlertError::NotFound)?;
    if alert.status == "resolved" {
        return Err(AlertError::AlreadyResolved.into());
    }
    if store::acknowledge(&state.db, id, me.user.id, now_ms()).await? {
        Entry::new(Event::AlertAcknowledged)
            .by(me.user.id)
            .about(alert.patient_id)
            .detail(&alert.rule)
            .record(&state.db)
            .await?;
    }
    changed(&state, me.user.id, id).await
}

#[derive(Deserialize, ToSchema)]
struct ResolveRequest {
    /// `contacted_patient`, `no_action_needed`, `escalated` or `other`.
    #[schema(example = "contacted_patient")]
    outcome: String,
    /// For the care team; at most 2,000 characters. Never in the audit log.
    #[schema(max_length = 2000)]
    note: Option<String>,
}

const OUTCOMES: [&str; 4] = [
    "contacted_patient",
    "no_action_needed",
    "escalated",
    "other",
];

/// Resolves an alert with its outcome (and acknowledges it, if no one had).
#[utoipa::path(post, path = "/clinician/alerts/{id}/resolve", tag = "alerts",
    params(("id" = i64, Path, description = "The alert")), request_body = ResolveRequest,
    security(("session_cookie" = ["clinician"], "csrf_token" = [])),
    responses(
        (status = 200, description = "Resolved", body = AlertChanged),
        (status = 404, description = "`not_found`: no alert about my patients has this id", body = ErrorResponse),
        (status = 409, description = "`alert_already_resolved`", body = ErrorResponse),
    ))]
async fn resolve_alert(
    State(state): State<AppState>,
    Clinician(me): Clinician,
    Path(id): Path<i64>,
    Input(request): Input<ResolveRequest>,
) -> ApiResult<Json<AlertChanged>> {
    let outcome = request.outcome.as_str();
    if !OUTCOMES.contains(&outcome) {
        return Err(ApiError::invalid(
            "outcome",
            "outcome is contacted_patient, no_action_needed, escalated or other.",
        ));
    }
    let note = parse_note(request.note.as_deref())?;
    let alert = store::find_for_clinician(&state.db, me.user.id, id)
        .await?
        .ok_or(AlertError::NotFound)?;
    let resolution = Resolution { outcome, note };
    if !store::resolve(&state.db, id, me.user.id, &resolution, now_ms()).await? {
        return Err(AlertError::AlreadyResolved.into());
    }
    let detail = format!("{} {outcome}", alert.rule);
    Entry::new(Event::AlertResolved)
        .by(me.user.id)
        .about(alert.patient_id)
        .detail(&detail)
        .record(&state.db)
        .await?;
    changed(&state, me.user.id, id).await
}

fn parse_note(raw: Option<&str>) -> ApiResult<Option<&str>> {
    let Some(note) = raw.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if note.chars().count() > 2000 {
        return Err(ApiError::invalid(
            "note",
            "A note is at most 2,000 characters.",
        ));
    }
    text::check(note, Lines::Many)
        .map_err(|forbidden| ApiError::invalid("note", format!("A note {forbidden}.")))?;
    Ok(Some(note))
}
