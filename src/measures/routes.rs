//! `/api/measures/...` for patients: the catalogue, answering, my history and what is due.
//! What clinicians see and schedule is in `routes/clinician.rs`.

mod clinician;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::{
    Catalogue, DueList, InstrumentView, ResponseHistory, ResponseSubmitted, ResponseView,
};
use super::{due_for, guidance, store, submit, MeasureError};
use crate::accounts::Role;
use crate::clinical::InstrumentId;
use crate::http::idempotency::{idempotency_key, IDEMPOTENCY_FIELD};
use crate::http::{ApiError, ApiResult, ErrorCode, ErrorResponse, Input, Path, Query};
use crate::sessions::{CurrentUser, Patient};
use crate::state::AppState;
use crate::storage::{now_ms, Database, DbError};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(measures_catalogue))
        .routes(routes!(submit_response))
        .routes(routes!(my_responses))
        .routes(routes!(my_due))
        .merge(clinician::router())
}

/// The one place the measures' errors become HTTP answers.
impl From<MeasureError> for ApiError {
    fn from(error: MeasureError) -> Self {
        match error {
            MeasureError::Invalid(invalid) => ApiError::invalid(invalid.field, invalid.message),
            MeasureError::KeyReused => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::IdempotencyKeyReused,
                "This Idempotency-Key was already used for different answers. Use a new key for each new response, and the same key only to retry the same one.",
            )
            .with_field(IDEMPOTENCY_FIELD),
            MeasureError::Database(error) => error.into(),
        }
    }
}

fn parse_instrument(text: &str) -> ApiResult<InstrumentId> {
    InstrumentId::parse(text).ok_or_else(|| ApiError::not_found("instrument"))
}

/// Every questionnaire with its items and answers; for a patient, when each was last done.
#[utoipa::path(get, path = "/measures", tag = "measures",
    security(("session_cookie" = [])),
    responses((status = 200, description = "The questionnaires", body = Catalogue)))]
async fn measures_catalogue(
    State(state): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<Catalogue>> {
    // Only patients answer questionnaires; nobody else has anything to look up.
    let last = match me.user.role {
        Role::Patient => store::last_done(&state.db, me.user.id).await?,
        _ => Vec::new(),
    };
    let last_of = |id: InstrumentId| {
        last.iter()
            .find(|done| done.instrument == id.as_str())
            .map(|done| done.submitted_at)
    };
    Ok(Json(Catalogue {
        instruments: InstrumentId::ALL
            .into_iter()
            .map(|id| InstrumentView::new(id.instrument(), last_of(id)))
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
struct ResponseRequest {
    /// By item id: 0 to 3 for PHQ-9 and GAD-7, `true`/`false` for the C-SSRS.
    #[schema(value_type = Object, example = json!({"1": 0, "2": 1, "3": 0, "4": 2, "5": 0, "6": 0, "7": 1, "8": 0, "9": 0}))]
    answers: Map<String, Value>,
}

/// Answers a questionnaire. Scored on the server; a risk alert reaches the care team in
/// the same step, and `guidance` says what happens next.
#[utoipa::path(post, path = "/measures/{instrument}/responses", tag = "measures",
    params(("instrument" = String, Path, description = "`phq9`, `gad7` or `cssrs`"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 200 visible characters: a retry with the same key stores nothing new")),
    request_body = ResponseRequest,
    security(("session_cookie" = ["patient"], "csrf_token" = [])),
    responses(
        (status = 201, description = "Stored and scored", body = ResponseSubmitted),
        (status = 404, description = "`not_found`: no such questionnaire", body = ErrorResponse),
        (status = 422, description = "`validation_failed`: `field` names the item (`answers.9`); or `idempotency_key_reused`", body = ErrorResponse),
    ))]
async fn submit_response(
    State(state): State<AppState>,
    Patient(me): Patient,
    Path(instrument): Path<String>,
    headers: HeaderMap,
    Input(request): Input<ResponseRequest>,
) -> ApiResult<(StatusCode, Json<ResponseSubmitted>)> {
    let instrument = parse_instrument(&instrument)?;
    let key = idempotency_key(&headers)?;
    let submitted = submit(
        &state.db,
        me.user.id,
        instrument,
        &request.answers,
        key.as_deref(),
    )
    .await?;
    let response = ResponseView::from(&submitted.response);
    let guidance = guidance::for_response(
        &response,
        submitted.care_team_size,
        &state.settings.crisis_resources,
    );
    Ok((
        StatusCode::CREATED,
        Json(ResponseSubmitted { response, guidance }),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HistoryQuery {
    /// `phq9`, `gad7` or `cssrs`; every questionnaire when not given.
    #[param(example = "phq9")]
    instrument: Option<String>,
    /// 1 to 365; 90 when not given.
    #[param(minimum = 1, maximum = 365)]
    days: Option<i64>,
}

impl HistoryQuery {
    /// The questionnaire asked for (none for all) and the window in days.
    fn parse(&self) -> ApiResult<(Option<InstrumentId>, i64)> {
        let instrument = match self.instrument.as_deref().filter(|i| !i.is_empty()) {
            None => None,
            Some(text) => Some(InstrumentId::parse(text).ok_or_else(|| {
                ApiError::invalid("instrument", "instrument is phq9, gad7 or cssrs.")
            })?),
        };
        let days = self.days.unwrap_or(90);
        if !(1..=365).contains(&days) {
            return Err(ApiError::invalid("days", "days is a number from 1 to 365."));
        }
        Ok((instrument, days))
    }
}

/// A person's responses over the last `days` days, newest first.
async fn responses_of(
    db: &Database,
    user_id: i64,
    instrument: Option<InstrumentId>,
    days: i64,
) -> Result<Vec<ResponseView>, DbError> {
    let since = now_ms() - days * 24 * 60 * 60 * 1000;
    let rows = store::since(db, user_id, instrument.map(InstrumentId::as_str), since).await?;
    Ok(rows.iter().map(ResponseView::from).collect())
}

/// My responses, with every item answer, newest first.
#[utoipa::path(get, path = "/measures/responses", tag = "measures", params(HistoryQuery),
    security(("session_cookie" = ["patient"])),
    responses((status = 200, description = "My responses", body = ResponseHistory)))]
async fn my_responses(
    State(state): State<AppState>,
    Patient(me): Patient,
    Query(query): Query<HistoryQuery>,
) -> ApiResult<Json<ResponseHistory>> {
    let (instrument, days) = query.parse()?;
    Ok(Json(ResponseHistory {
        days,
        responses: responses_of(&state.db, me.user.id, instrument, days).await?,
    }))
}

/// The questionnaires my care team asked me to answer, and when.
#[utoipa::path(get, path = "/measures/due", tag = "measures",
    security(("session_cookie" = ["patient"])),
    responses((status = 200, description = "What is due", body = DueList)))]
async fn my_due(State(state): State<AppState>, Patient(me): Patient) -> ApiResult<Json<DueList>> {
    Ok(Json(due_for(&state.db, me.user.id).await?))
}
