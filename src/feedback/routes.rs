//! `/api/feedback` for everyone signed in, `/api/admin/feedback` for administrators.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::store::{self, CATEGORIES, STATUSES};
use super::views::{self, FeedbackPage, FeedbackSent, FeedbackTriaged, MyFeedback};
use crate::http::{ApiError, ApiResult, Input, PageQuery, Paging, Path, Query};
use crate::sessions::{Admin, CurrentUser};
use crate::state::AppState;
use crate::text::{self, Lines};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(mine, send))
        .routes(routes!(all))
        .routes(routes!(triage))
}

#[derive(Deserialize, ToSchema)]
struct NewFeedback {
    /// `bug`, `feature`, `content` or `other`.
    #[schema(example = "feature")]
    category: String,
    /// 1 to 5,000 characters.
    #[schema(
        example = "A dark theme would help in the evening.",
        min_length = 1,
        max_length = 5000
    )]
    message: String,
}

/// Sends feedback about Healing Space.
#[utoipa::path(post, path = "/feedback", tag = "feedback", request_body = NewFeedback,
    operation_id = "send_feedback",
    security(("session_cookie" = [], "csrf_token" = [])),
    responses((status = 201, description = "Sent", body = FeedbackSent)))]
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
    if let Err(forbidden) = text::check(message, Lines::Many) {
        return Err(ApiError::invalid(
            "message",
            format!("Feedback {forbidden}."),
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

/// The feedback I sent, newest first, with its status.
#[utoipa::path(get, path = "/feedback", tag = "feedback", operation_id = "my_feedback",
    security(("session_cookie" = [])),
    responses((status = 200, description = "My feedback", body = MyFeedback)))]
async fn mine(State(state): State<AppState>, me: CurrentUser) -> ApiResult<Json<MyFeedback>> {
    let mine = store::mine(&state.db, me.user.id).await?;
    let feedback = mine.iter().map(views::own).collect();
    Ok(Json(MyFeedback { feedback }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AllQuery {
    /// Only of this status: `new`, `in_progress`, `resolved` or `wont_fix`.
    #[param(example = "new")]
    status: Option<String>,
    /// From 1.
    #[param(minimum = 1, maximum = 1_000_000)]
    page: Option<i64>,
    /// 1 to 100; 50 when not given.
    #[param(minimum = 1, maximum = 100)]
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

/// Everyone's feedback, newest first.
#[utoipa::path(get, path = "/admin/feedback", tag = "admin", params(AllQuery),
    operation_id = "all_feedback",
    security(("session_cookie" = ["admin"])),
    responses((status = 200, description = "A page of feedback", body = FeedbackPage)))]
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

#[derive(Deserialize, ToSchema)]
struct Triage {
    /// `new`, `in_progress`, `resolved` or `wont_fix`.
    #[schema(example = "resolved")]
    status: String,
    /// A note to the author, at most 2,000 characters; unchanged when not given.
    #[schema(max_length = 2000)]
    admin_note: Option<String>,
}

/// Sets a piece of feedback's status, and a note to its author.
#[utoipa::path(patch, path = "/admin/feedback/{id}", tag = "admin", request_body = Triage,
    params(("id" = i64, Path, description = "The feedback's id")),
    security(("session_cookie" = ["admin"], "csrf_token" = [])),
    responses((status = 200, description = "Triaged", body = FeedbackTriaged)))]
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
    if let Some(Err(forbidden)) = note.map(|n| text::check(n, Lines::Many)) {
        return Err(ApiError::invalid(
            "admin_note",
            format!("A note {forbidden}."),
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
