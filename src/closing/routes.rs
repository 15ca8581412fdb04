//! `POST /api/me/close`: closing my own account.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{close, CloseError, ReopenError};
use crate::http::{ApiError, ApiResult, ErrorCode, ErrorResponse, Input};
use crate::sessions::{cookie, CurrentUser};
use crate::state::AppState;
use crate::storage::{millis, rfc3339};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(close_my_account))
}

/// The one place closing's errors become HTTP answers.
impl From<CloseError> for ApiError {
    fn from(error: CloseError) -> Self {
        match error {
            CloseError::WrongPassword => ApiError::forbidden(
                ErrorCode::WrongPassword,
                "Your password is not correct, so the account stays open.",
            )
            .with_field("password"),
            CloseError::LastAdministrator => ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::CannotDisableSelf,
                "You are the only administrator: make another administrator before closing your account.",
            ),
            CloseError::Account(error) => error.into(),
            CloseError::Database(error) => error.into(),
            CloseError::Other(error) => ApiError::internal(error),
        }
    }
}

impl From<ReopenError> for ApiError {
    fn from(error: ReopenError) -> Self {
        match error {
            ReopenError::NotClosed => ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::NotClosed,
                "This account is not closed.",
            ),
            ReopenError::Erased => ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::AccountErased,
                "This account was closed longer ago than the grace period: its personal details are erased, so it cannot be reopened.",
            ),
            ReopenError::Database(error) => error.into(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
struct CloseRequest {
    /// My password, to show it is me.
    #[schema(min_length = 1, max_length = 256)]
    password: String,
}

#[derive(Serialize, ToSchema)]
struct AccountClosed {
    closed: bool,
    closed_at: String,
    /// Until then an administrator can reopen it; then its personal details are erased.
    reopenable_until: String,
}

/// Closes my account: every session ends (`401 account_closed`), others see "Former
/// member". An administrator can reopen it during the grace period; after that my
/// personal details are erased, and my clinical records are kept for the retention
/// period (docs/PRIVACY.md).
#[utoipa::path(post, path = "/me/close", tag = "auth", request_body = CloseRequest,
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "Closed; this browser is signed out", body = AccountClosed,
            headers(("Set-Cookie" = String, description = "Clears the session cookie"))),
        (status = 403, description = "`wrong_password`", body = ErrorResponse),
        (status = 409, description = "`cannot_disable_self`: the only administrator", body = ErrorResponse),
        (status = 422, description = "`validation_failed`: `password`", body = ErrorResponse),
        (status = 429, description = "`too_many_attempts`: too many wrong passwords in this session", body = ErrorResponse),
    ))]
async fn close_my_account(
    State(state): State<AppState>,
    me: CurrentUser,
    Input(request): Input<CloseRequest>,
) -> ApiResult<Response> {
    if request.password.is_empty() || request.password.chars().count() > 256 {
        return Err(ApiError::invalid("password", "Enter your password."));
    }
    let settings = &state.settings;
    let closed_at = close(
        &state.db,
        &state.hasher,
        &settings.login,
        &me.user,
        &me.session.id,
        request.password,
    )
    .await?;
    let body = AccountClosed {
        closed: true,
        closed_at: rfc3339(closed_at),
        reopenable_until: rfc3339(closed_at + millis(settings.closing.grace)),
    };
    Ok(([(header::SET_COOKIE, cookie::clear(settings))], Json(body)).into_response())
}
