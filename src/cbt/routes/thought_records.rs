//! `/api/cbt/thought-records`: list, write, read, change and delete my thought records.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::cbt::store::{self, thought_records as records, Reader, Table};
use crate::cbt::thought_records::{parse, ThoughtRecordInput};
use crate::cbt::views::{ThoughtRecordList, ThoughtRecordView};
use crate::cbt::{self, CbtError};
use crate::http::{ApiResult, ErrorResponse, Input, Path};
use crate::sessions::Patient;
use crate::state::AppState;
use crate::storage::Database;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_thought_records, add_thought_record))
        .routes(routes!(
            thought_record,
            change_thought_record,
            delete_thought_record
        ))
}

async fn one(db: &Database, user_id: i64, id: i64) -> ApiResult<ThoughtRecordView> {
    let found = records::list(db, user_id, Some(id), Reader::Owner).await?;
    let record = found
        .into_iter()
        .next()
        .ok_or(CbtError::NotFound("thought record"))?;
    Ok(ThoughtRecordView::from(record))
}

/// My thought records, newest first (private ones too).
#[utoipa::path(get, path = "/cbt/thought-records", tag = "cbt",
    security(("session_cookie" = ["patient"])),
    responses((status = 200, description = "My thought records", body = ThoughtRecordList)))]
async fn my_thought_records(
    State(state): State<AppState>,
    Patient(me): Patient,
) -> ApiResult<Json<ThoughtRecordList>> {
    let rows = records::list(&state.db, me.user.id, None, Reader::Owner).await?;
    Ok(Json(ThoughtRecordList {
        thought_records: rows.into_iter().map(ThoughtRecordView::from).collect(),
    }))
}

/// Writes a thought record; with `homework_id`, it does that homework.
#[utoipa::path(post, path = "/cbt/thought-records", tag = "cbt",
    request_body = ThoughtRecordInput,
    security(("session_cookie" = ["patient"], "csrf_token" = [])),
    responses(
        (status = 201, description = "Written", body = ThoughtRecordView),
        (status = 422, description = "`validation_failed`: `field` names the field (`emotions.0.before`, `thinking_traps.2`, `homework_id`...)", body = ErrorResponse),
    ))]
async fn add_thought_record(
    State(state): State<AppState>,
    Patient(me): Patient,
    Input(request): Input<ThoughtRecordInput>,
) -> ApiResult<(StatusCode, Json<ThoughtRecordView>)> {
    let new = parse(&request)?;
    let id = cbt::create_thought_record(&state.db, me.user.id, &new).await?;
    Ok((
        StatusCode::CREATED,
        Json(one(&state.db, me.user.id, id).await?),
    ))
}

/// One of my thought records.
#[utoipa::path(get, path = "/cbt/thought-records/{id}", tag = "cbt",
    params(("id" = i64, Path, description = "The thought record")),
    security(("session_cookie" = ["patient"])),
    responses(
        (status = 200, description = "The thought record", body = ThoughtRecordView),
        (status = 404, description = "`not_found`: no thought record of mine has this id", body = ErrorResponse),
    ))]
async fn thought_record(
    State(state): State<AppState>,
    Patient(me): Patient,
    Path(id): Path<i64>,
) -> ApiResult<Json<ThoughtRecordView>> {
    Ok(Json(one(&state.db, me.user.id, id).await?))
}

/// Replaces one of my thought records. `private` and `homework_id` left out stay as
/// they were.
#[utoipa::path(put, path = "/cbt/thought-records/{id}", tag = "cbt",
    params(("id" = i64, Path, description = "The thought record")),
    request_body = ThoughtRecordInput,
    security(("session_cookie" = ["patient"], "csrf_token" = [])),
    responses(
        (status = 200, description = "Changed", body = ThoughtRecordView),
        (status = 404, description = "`not_found`: no thought record of mine has this id", body = ErrorResponse),
        (status = 422, description = "`validation_failed`: `field` names the field", body = ErrorResponse),
    ))]
async fn change_thought_record(
    State(state): State<AppState>,
    Patient(me): Patient,
    Path(id): Path<i64>,
    Input(request): Input<ThoughtRecordInput>,
) -> ApiResult<Json<ThoughtRecordView>> {
    let new = parse(&request)?;
    cbt::update_thought_record(&state.db, me.user.id, id, &new).await?;
    Ok(Json(one(&state.db, me.user.id, id).await?))
}

/// Deletes one of my thought records for good.
#[utoipa::path(delete, path = "/cbt/thought-records/{id}", tag = "cbt",
    params(("id" = i64, Path, description = "The thought record")),
    security(("session_cookie" = ["patient"], "csrf_token" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "`not_found`: no thought record of mine has this id", body = ErrorResponse),
    ))]
async fn delete_thought_record(
    State(state): State<AppState>,
    Patient(me): Patient,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    if store::delete(&state.db, Table::ThoughtRecords, me.user.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(CbtError::NotFound("thought record").into())
    }
}
