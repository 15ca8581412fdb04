//! `/api/cbt/exposure-ladders`: my ladders, and the attempts at each step under
//! `.../{id}/steps/{step}/attempts`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::cbt::exposure::{parse_attempt, parse_ladder, AttemptInput, LadderInput};
use crate::cbt::store::{self, exposure as ladders, Reader, Table};
use crate::cbt::views::{AttemptList, AttemptView, LadderList, LadderView};
use crate::cbt::{self, CbtError};
use crate::http::{ApiResult, ErrorResponse, Input, Path};
use crate::sessions::Patient;
use crate::state::AppState;
use crate::storage::Database;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_exposure_ladders, add_exposure_ladder))
        .routes(routes!(
            exposure_ladder,
            change_exposure_ladder,
            delete_exposure_ladder
        ))
        .routes(routes!(step_attempts, add_step_attempt))
        .routes(routes!(delete_step_attempt))
}

async fn one(db: &Database, user_id: i64, id: i64) -> ApiResult<LadderView> {
    let found = ladders::list(db, user_id, Some(id), Reader::Owner).await?;
    let ladder = found
        .into_iter()
        .next()
        .ok_or(CbtError::NotFound("exposure ladder"))?;
    Ok(LadderView::from(ladder))
}

/// My exposure ladders, newest first (private ones too), with their steps and attempts.
#[utoipa::path(get, path = "/cbt/exposure-ladders", tag = "cbt",
    security(("session_cookie" = ["patient"])),
    responses((status = 200, description = "My exposure ladders", body = LadderList)))]
async fn my_exposure_ladders(
    State(state): State<AppState>,
    Patient(me): Patient,
) -> ApiResult<Json<LadderList>> {
    let rows = ladders::list(&state.db, me.user.id, None, Reader::Owner).await?;
    Ok(Json(LadderList {
        exposure_ladders: rows.into_iter().map(LadderView::from).collect(),
    }))
}

/// Builds an exposure ladder; with `homework_id`, it does that homework.
#[utoipa::path(post, path = "/cbt/exposure-ladders", tag = "cbt",
    request_body = LadderInput,
    security(("session_cookie" = ["patient"], "csrf_token" = [])),
    responses(
        (status = 201, description = "Built", body = LadderView),
        (status = 422, description = "`validation_failed`: `field` names the field (`steps.1.expected_suds`, `homework_id`...)", body = ErrorResponse),
    ))]
async fn add_exposure_ladder(
    State(state): State<AppState>,
    Patient(me): Patient,
    Input(request): Input<LadderInput>,
) -> ApiResult<(StatusCode, Json<LadderView>)> {
    let new = parse_ladder(&request)?;
    let id = cbt::create_ladder(&state.db, me.user.id, &new).await?;
    Ok((
        StatusCode::CREATED,
        Json(one(&state.db, me.user.id, id).await?),
    ))
}

/// One of my exposure ladders.
#[utoipa::path(get, path = "/cbt/exposure-ladders/{id}", tag = "cbt",
    params(("id" = i64, Path, description = "The ladder")),
    security(("session_cookie" = ["patient"])),
    responses(
        (status = 200, description = "The ladder", body = LadderView),
        (status = 404, description = "`not_found`: no ladder of mine has this id", body = ErrorResponse),
    ))]
async fn exposure_ladder(
    State(state): State<AppState>,
    Patient(me): Patient,
    Path(id): Path<i64>,
) -> ApiResult<Json<LadderView>> {
    Ok(Json(one(&state.db, me.user.id, id).await?))
}

/// Replaces one of my ladders. Steps sent with their `id` keep their attempts; steps
/// left out are removed with theirs. `private` and `homework_id` left out stay.
#[utoipa::path(put, path = "/cbt/exposure-ladders/{id}", tag = "cbt",
    params(("id" = i64, Path, description = "The ladder")),
    request_body = LadderInput,
    security(("session_cookie" = ["patient"], "csrf_token" = [])),
    responses(
        (status = 200, description = "Changed", body = LadderView),
        (status = 404, description = "`not_found`: no ladder of mine has this id", body = ErrorResponse),
        (status = 422, description = "`validation_failed`: `field` names the field (`steps.0.id` for a step of another ladder)", body = ErrorResponse),
    ))]
async fn change_exposure_ladder(
    State(state): State<AppState>,
    Patient(me): Patient,
    Path(id): Path<i64>,
    Input(request): Input<LadderInput>,
) -> ApiResult<Json<LadderView>> {
    let new = parse_ladder(&request)?;
    cbt::update_ladder(&state.db, me.user.id, id, &new).await?;
    Ok(Json(one(&state.db, me.user.id, id).await?))
}

/// Deletes one of my ladders with its steps and attempts.
#[utoipa::path(delete, path = "/cbt/exposure-ladders/{id}", tag = "cbt",
    params(("id" = i64, Path, description = "The ladder")),
    security(("session_cookie" = ["patient"], "csrf_token" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "`not_found`: no ladder of mine has this id", body = ErrorResponse),
    ))]
async fn delete_exposure_ladder(
    State(state): State<AppState>,
    Patient(me): Patient,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    if store::delete(&state.db, Table::ExposureLadders, me.user.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(CbtError::NotFound("exposure ladder").into())
    }
}

/// My attempts at a step, oldest first.
#[utoipa::path(get, path = "/cbt/exposure-ladders/{id}/steps/{step}/attempts", tag = "cbt",
    params(("id" = i64, Path, description = "The ladder"), ("step" = i64, Path, description = "The step's id")),
    security(("session_cookie" = ["patient"])),
    responses(
        (status = 200, description = "The attempts", body = AttemptList),
        (status = 404, description = "`not_found`: no such step on a ladder of mine", body = ErrorResponse),
    ))]
async fn step_attempts(
    State(state): State<AppState>,
    Patient(me): Patient,
    Path((id, step)): Path<(i64, i64)>,
) -> ApiResult<Json<AttemptList>> {
    let ladder = one(&state.db, me.user.id, id).await?;
    let step = ladder
        .steps
        .into_iter()
        .find(|s| s.id == step)
        .ok_or(CbtError::NotFound("step"))?;
    Ok(Json(AttemptList {
        attempts: step.attempts,
    }))
}

/// Records an attempt at a step: distress before, at its peak and after.
#[utoipa::path(post, path = "/cbt/exposure-ladders/{id}/steps/{step}/attempts", tag = "cbt",
    params(("id" = i64, Path, description = "The ladder"), ("step" = i64, Path, description = "The step's id")),
    request_body = AttemptInput,
    security(("session_cookie" = ["patient"], "csrf_token" = [])),
    responses(
        (status = 201, description = "Recorded", body = AttemptView),
        (status = 404, description = "`not_found`: no such step on a ladder of mine", body = ErrorResponse),
        (status = 422, description = "`validation_failed`: `field` names `suds_before`, `suds_peak`, `suds_after` or `attempted_at`", body = ErrorResponse),
    ))]
async fn add_step_attempt(
    State(state): State<AppState>,
    Patient(me): Patient,
    Path((id, step)): Path<(i64, i64)>,
    Input(request): Input<AttemptInput>,
) -> ApiResult<(StatusCode, Json<AttemptView>)> {
    let new = parse_attempt(&request, Utc::now())?;
    let attempt = cbt::add_attempt(&state.db, me.user.id, id, step, &new).await?;
    Ok((
        StatusCode::CREATED,
        Json(AttemptView {
            id: attempt,
            suds_before: new.suds_before,
            suds_peak: new.suds_peak,
            suds_after: new.suds_after,
            attempted_at: crate::storage::rfc3339(new.attempted_at),
        }),
    ))
}

/// Deletes one of my attempts at a step.
#[utoipa::path(delete, path = "/cbt/exposure-ladders/{id}/steps/{step}/attempts/{attempt}", tag = "cbt",
    params(("id" = i64, Path, description = "The ladder"), ("step" = i64, Path, description = "The step's id"),
        ("attempt" = i64, Path, description = "The attempt")),
    security(("session_cookie" = ["patient"], "csrf_token" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "`not_found`: no such attempt at a step of mine", body = ErrorResponse),
    ))]
async fn delete_step_attempt(
    State(state): State<AppState>,
    Patient(me): Patient,
    Path((id, step, attempt)): Path<(i64, i64, i64)>,
) -> ApiResult<StatusCode> {
    if ladders::delete_attempt(&state.db, me.user.id, id, step, attempt).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(CbtError::NotFound("attempt").into())
    }
}
