//! `POST /api/auth/change-password`. Failures count against this session only, so a
//! lock-out someone else causes on the account never stops its owner changing it.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::super::views::PasswordChanged;
use crate::accounts::limits::{self, Counter};
use crate::accounts::{check_new_password, store, PasswordRules};
use crate::audit::{Entry, Event};
use crate::http::client::ClientAddress;
use crate::http::{ApiError, ApiResult, ErrorCode, ErrorResponse, Input};
use crate::sessions::{self, cookie, CurrentUser, EndReason, IssuedToken};
use crate::state::AppState;
use crate::storage::now_ms;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(change_password))
}

#[derive(Deserialize, ToSchema)]
struct ChangePasswordRequest {
    #[schema(min_length = 1, max_length = 256)]
    current_password: String,
    #[schema(min_length = 10, max_length = 256)]
    new_password: String,
}

/// Changes my password: every other session ends; this one continues under a new token.
#[utoipa::path(post, path = "/auth/change-password", tag = "auth", request_body = ChangePasswordRequest,
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "Changed", body = PasswordChanged,
            headers(("Set-Cookie" = String, description = "This session's new cookie"))),
        (status = 403, description = "`wrong_password`: the current password is not correct", body = ErrorResponse),
        (status = 409, description = "`session_changed`: this session's token was renewed meanwhile; try again", body = ErrorResponse),
        (status = 429, description = "`too_many_attempts`: too many failed attempts for this account", body = ErrorResponse),
    ))]
async fn change_password(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    current: CurrentUser,
    Input(request): Input<ChangePasswordRequest>,
) -> ApiResult<Response> {
    let rules = PasswordRules {
        username: &current.user.username,
        display_name: &current.user.display_name,
        min_score: state.settings.login.password_min_score,
    };
    let new_password = check_new_password(request.new_password, "new_password", &rules)?;
    if request.current_password.is_empty() || request.current_password.chars().count() > 256 {
        return Err(ApiError::invalid(
            "current_password",
            "Enter your current password.",
        ));
    }
    let attempt =
        limits::begin_attempt(&state.db, session_counter(&current), &state.settings.login).await?;
    let stored = store::password_hash(&state.db, current.user.id).await?;
    let current_password = SecretString::from(request.current_password);
    if !state.hasher.verify(current_password, Some(stored)).await? {
        return Err(ApiError::forbidden(
            ErrorCode::WrongPassword,
            "Your current password is not correct.",
        )
        .with_field("current_password"));
    }
    attempt.succeeded(&state.db).await?;
    let hash = state.hasher.hash(new_password).await?;
    let token = IssuedToken::for_session(current.session.id.clone());
    let mut tx = state.db.begin().await?;
    store::set_password_hash(&mut tx, current.user.id, &hash).await?;
    let ended = sessions::store::end_all(
        &mut tx,
        current.user.id,
        Some(current.session_id()),
        EndReason::PasswordChanged,
        Some(current.user.id),
    )
    .await?;
    let replaced = sessions::store::replace_token(
        &mut tx,
        &token,
        now_ms(),
        current.session.token_issued_at,
        false,
    )
    .await?;
    if !replaced {
        // Another request renewed this session's token meanwhile (a double click).
        tx.rollback().await?;
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::SessionChanged,
            "Your sign-in changed while this was being saved. Please try again.",
        ));
    }
    tx.commit().await?;
    Entry::new(Event::PasswordChanged)
        .by(current.user.id)
        .about(current.user.id)
        .from_address(address)
        .record(&state.db)
        .await?;
    Ok((
        [(header::SET_COOKIE, cookie::issue(&state.settings, &token))],
        Json(PasswordChanged {
            password_changed: true,
            other_sessions_ended: ended,
            csrf_token: current.csrf_token(&state.settings),
        }),
    )
        .into_response())
}

fn session_counter(current: &CurrentUser) -> Counter<'_> {
    Counter::Session {
        session_id: &current.session.id,
    }
}
