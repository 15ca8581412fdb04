//! `/api/cbt/activities`: list, write, read, change and delete my activities.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::cbt::activities::{parse, ActivityInput};
use crate::cbt::store::{self, activities as records, Reader, Table};
use crate::cbt::views::{ActivityList, ActivityView};
use crate::cbt::{self, CbtError};
use crate::http::{ApiResult, ErrorResponse, Input, Path};
use crate::mood::today;
use crate::sessions::Patient;
use crate::state::AppState;
use crate::storage::Database;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_activities, add_activity))
        .routes(routes!(activity, change_activity, delete_activity))
}

async fn one(db: &Database, user_id: i64, id: i64) -> ApiResult<ActivityView> {
    let found = records::list(db, user_id, Some(id), Reader::Owner).await?;
    let record = found
        .into_iter()
        .next()
        .ok_or(CbtError::NotFound("activity"))?;
    Ok(ActivityView::from(record))
}

/// My activities, the latest planned first (private ones too).
#[utoipa::path(get, path = "/cbt/activities", tag = "cbt",
    security(("session_cookie" = ["patient"])),
    responses((status = 200, description = "My activities", body = ActivityList)))]
async fn my_activities(
    State(state): State<AppState>,
    Patient(me): Patient,
) -> ApiResult<Json<ActivityList>> {
    let rows = records::list(&state.db, me.user.id, None, Reader::Owner).await?;
    Ok(Json(ActivityList {
        activities: rows.into_iter().map(ActivityView::from).collect(),
    }))
}

/// Plans an activity; with `homework_id`, it does that homework.
#[utoipa::path(post, path = "/cbt/activities", tag = "cbt",
    request_body = ActivityInput,
    security(("session_cookie" = ["patient"], "csrf_token" = [])),
    responses(
        (status = 201, description = "Written", body = ActivityView),
        (status = 422, description = "`validation_failed`: `field` names the field (`planned_on`, `mastery`, `homework_id`...)", body = ErrorResponse),
    ))]
async fn add_activity(
    State(state): State<AppState>,
    Patient(me): Patient,
    Input(request): Input<ActivityInput>,
) -> ApiResult<(StatusCode, Json<ActivityView>)> {
    let new = parse(&request, today())?;
    let id = cbt::create_activity(&state.db, me.user.id, &new).await?;
    Ok((
        StatusCode::CREATED,
        Json(one(&state.db, me.user.id, id).await?),
    ))
}

/// One of my activities.
#[utoipa::path(get, path = "/cbt/activities/{id}", tag = "cbt",
    params(("id" = i64, Path, description = "The activity")),
    security(("session_cookie" = ["patient"])),
    responses(
        (status = 200, description = "The activity", body = ActivityView),
        (status = 404, description = "`not_found`: no activity of mine has this id", body = ErrorResponse),
    ))]
async fn activity(
    State(state): State<AppState>,
    Patient(me): Patient,
    Path(id): Path<i64>,
) -> ApiResult<Json<ActivityView>> {
    Ok(Json(one(&state.db, me.user.id, id).await?))
}

/// Replaces one of my activities. `private` and `homework_id` left out stay as
/// they were.
#[utoipa::path(put, path = "/cbt/activities/{id}", tag = "cbt",
    params(("id" = i64, Path, description = "The activity")),
    request_body = ActivityInput,
    security(("session_cookie" = ["patient"], "csrf_token" = [])),
    responses(
        (status = 200, description = "Changed", body = ActivityView),
        (status = 404, description = "`not_found`: no activity of mine has this id", body = ErrorResponse),
        (status = 422, description = "`validation_failed`: `field` names the field", body = ErrorResponse),
    ))]
async fn change_activity(
    State(state): State<AppState>,
    Patient(me): Patient,
    Path(id): Path<i64>,
    Input(request): Input<ActivityInput>,
) -> ApiResult<Json<ActivityView>> {
    let new = parse(&request, today())?;
    cbt::update_activity(&state.db, me.user.id, id, &new).await?;
    Ok(Json(one(&state.db, me.user.id, id).await?))
}

/// Deletes one of my activities for good.
#[utoipa::path(delete, path = "/cbt/activities/{id}", tag = "cbt",
    params(("id" = i64, Path, description = "The activity")),
    security(("session_cookie" = ["patient"], "csrf_token" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "`not_found`: no activity of mine has this id", body = ErrorResponse),
    ))]
async fn delete_activity(
    State(state): State<AppState>,
    Patient(me): Patient,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    if store::delete(&state.db, Table::Activities, me.user.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(CbtError::NotFound("activity").into())
    }
}
