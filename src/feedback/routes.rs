//! `/api/feedback` for everyone signed in, `/api/admin/feedback` for administrators.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde::Deserialize;

use super::store::{self, CATEGORIES, STATUSES};
use super::views::{self, FeedbackPage, FeedbackSent, FeedbackTriaged, MyFeedback};
use crate::http::{ApiError, ApiResult, Input, PageQuery, Paging, Path, Query};
use crate::sessions::{Admin, CurrentUser};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/feedback", get(mine).post(send))
        .route("/admin/feedback", get(all))
        .route("/admin/feedback/{id}", patch(triage))
}

#[derive(Deserialize)]
struct NewFeedback {
    category: String,
    message: String,
}

async fn send(
    State(state): State<AppState>,
    me: CurrentUser,
    Input(request): Input<NewFeedback>,
) -> ApiResult<(StatusCode, Json<FeedbackSent>)> {
    if !CATEGORIES.contains(&request.category.as_str()) {
        return Err(ApiError::invalid(
            "category",
            "category is one of bug, feature, content or other.",
        ));
    }
    let message = request.message.trim();
    let length = message.chars().count();
    if length == 0 || length > 5000 {
        return Err(ApiError::invalid(
            "message",
            "Feedback is 1 to 5,000 characters.",
        ));
    }
    let feedback = store::insert(&state.db, me.user.id, &request.category, message).await?;
    Ok((
        StatusCode::CREATED,
        Json(FeedbackSent {
            feedback: views::own(&feedback),
        }),
    ))
}

async fn mine(State(state): State<AppState>, me: CurrentUser) -> ApiResult<Json<MyFeedback>> {
    let mine = store::mine(&state.db, me.user.id).await?;
    let feedback = mine.iter().map(views::own).collect();
    Ok(Json(MyFeedback { feedback }))
}

#[derive(Deserialize)]
struct AllQuery {
    status: Option<String>,
    page: Option<i64>,
    limit: Option<i64>,
}

fn parse_status(status: &str) -> ApiResult<&str> {
    if STATUSES.contains(&status) {
        Ok(status)
    } else {
        Err(ApiError::invalid(
            "status",
            "status is one of new, in_progress, resolved or wont_fix.",
        ))
    }
}

async fn all(
    State(state): State<AppState>,
    _admin: Admin,
    Query(query): Query<AllQuery>,
) -> ApiResult<Json<FeedbackPage>> {
    let status = query
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(parse_status)
        .transpose()?;
    let paging = Paging::parse(
        &PageQuery {
            page: query.page,
            limit: query.limit,
        },
        50,
    )?;
    let items = store::all(&state.db, status, paging.fetch(), paging.offset()).await?;
    let (items, page) = paging.finish(items);
    let feedback = items.iter().map(views::with_author).collect();
    Ok(Json(FeedbackPage { page, feedback }))
}

#[derive(Deserialize)]
struct Triage {
    status: String,
    admin_note: Option<String>,
}

async fn triage(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<i64>,
    Input(request): Input<Triage>,
) -> ApiResult<Json<FeedbackTriaged>> {
    let status = parse_status(&request.status)?;
    let note = request.admin_note.as_deref().map(str::trim);
    if note.is_some_and(|n| n.chars().count() > 2000) {
        return Err(ApiError::invalid(
            "admin_note",
            "A note is at most 2,000 characters.",
        ));
    }
    if !store::triage(&state.db, id, status, note).await? {
        return Err(ApiError::not_found("feedback"));
    }
    let feedback = store::find(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("feedback"))?;
    Ok(Json(FeedbackTriaged {
        feedback: views::with_author(&feedback),
    }))
}
