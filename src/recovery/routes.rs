//! `/api/auth/password-reset...` for anyone, and `/api/admin/users/{username}/reset-link`
//! for administrators.

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::Rng;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{admin_link, complete_reset, request_reset, reset_url, LinkError, LinkRefused};
use crate::accounts::store as users;
use crate::auth::device;
use crate::http::client::{ClientAddress, PublicBase};
use crate::http::{ApiError, ApiResult, ErrorCode, ErrorResponse, Input, Path};
use crate::sessions::Admin;
use crate::state::AppState;
use crate::storage::rfc3339;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(request_password_reset))
        .routes(routes!(complete_password_reset))
        .routes(routes!(create_reset_link))
}

/// The one place a link's errors become HTTP answers.
impl From<LinkError> for ApiError {
    fn from(error: LinkError) -> Self {
        let bad = |code, message: &str| {
            ApiError::bad_request(code, message.to_owned()).with_field("token")
        };
        match error {
            LinkError::Unknown => bad(
                ErrorCode::LinkUnknown,
                "This link is not one we sent, or it was copied incompletely. Ask for a new one.",
            ),
            LinkError::Used => bad(
                ErrorCode::LinkUsed,
                "This link was already used: each link works once. Ask for a new one if you need it.",
            ),
            LinkError::Expired => bad(
                ErrorCode::LinkExpired,
                "This link has expired. Ask for a new one.",
            ),
            LinkError::Account(error) => error.into(),
            LinkError::Database(error) => error.into(),
            LinkError::Other(error) => ApiError::internal(error),
        }
    }
}

#[derive(Deserialize, ToSchema)]
struct ResetRequest {
    /// A username, or a verified email address.
    #[schema(example = "alex", max_length = 254)]
    username_or_email: String,
}

/// How long after answering a reset request the account is looked up, at random.
const LOOKUP_AFTER_MS: std::ops::RangeInclusive<u64> = 50..=250;

#[derive(Serialize, ToSchema)]
struct ResetRequested {
    /// Always `accepted`, whether or not an account matched.
    status: &'static str,
    message: &'static str,
}

/// Mails a password reset link, valid for 30 minutes, when the account has a verified
/// address. The answer, and its timing, are the same whether or not the account exists.
#[utoipa::path(post, path = "/auth/password-reset", tag = "auth", request_body = ResetRequest,
    security(()),
    responses(
        (status = 202, description = "Accepted (always, for any name)", body = ResetRequested),
        (status = 429, description = "`too_many_requests`: too many requests from this address", body = ErrorResponse),
        (status = 503, description = "`mail_unavailable`: this server sends no mail (the same for everyone): ask for a reset link instead", body = ErrorResponse),
    ))]
async fn request_password_reset(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    PublicBase(base): PublicBase,
    Input(request): Input<ResetRequest>,
) -> ApiResult<(StatusCode, Json<ResetRequested>)> {
    state.address_limiter.check(address)?;
    if !state.mailer.is_enabled() {
        // True of the server, not of any account, so it reveals nothing about who exists.
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::MailUnavailable,
            "This service sends no mail, so a reset link cannot be mailed. Ask your care team or the service's administrators for a reset link.",
        ));
    }
    if request.username_or_email.chars().count() > 254 {
        return Err(ApiError::invalid(
            "username_or_email",
            "Enter your username or email address.",
        ));
    }
    // Looked up after answering, so the answer cannot tell who has an account; and a
    // moment later, so the lookup and the link's write never run while the answer is
    // still being sent (measured: run at once, they made answers for existing accounts
    // slower, `cargo bench --bench reset_timing`).
    let pause = Duration::from_millis(rand::thread_rng().gen_range(LOOKUP_AFTER_MS));
    tokio::spawn(async move {
        tokio::time::sleep(pause).await;
        let who = request.username_or_email;
        if let Err(error) = request_reset(&state.db, &state.mailer, &base, &who).await {
            tracing::error!(%error, "could not make a password reset link");
        }
    });
    Ok((
        StatusCode::ACCEPTED,
        Json(ResetRequested {
            status: "accepted",
            message: "If this matches an account with a verified email address, we have mailed it a link to choose a new password. It works once, for 30 minutes. No mail? Check the spelling, or ask your care team or the service's administrators for a reset link.",
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
struct CompleteRequest {
    /// From the link, after `#token=`.
    token: String,
    #[schema(min_length = 10, max_length = 256)]
    new_password: String,
}

#[derive(Serialize, ToSchema)]
struct PasswordWasReset {
    password_reset: bool,
    /// Whose password it was, to sign in with.
    username: String,
}

/// Sets a new password with a reset link. Every session of the account ends (they answer
/// 401 `session_revoked`, reason `password_changed`) and a sign-in lock-out is lifted.
#[utoipa::path(post, path = "/auth/password-reset/complete", tag = "auth", request_body = CompleteRequest,
    security(()),
    responses(
        (status = 200, description = "The password is set", body = PasswordWasReset,
            headers(("Set-Cookie" = String, description = "This browser's device cookie: it signs in past a lock-out caused by others"))),
        (status = 400, description = "`link_unknown`, `link_used` or `link_expired`", body = ErrorResponse),
        (status = 422, description = "`validation_failed`: `new_password`", body = ErrorResponse),
        (status = 429, description = "`too_many_requests`: too many requests from this address", body = ErrorResponse),
    ))]
async fn complete_password_reset(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Input(request): Input<CompleteRequest>,
) -> ApiResult<Response> {
    state.address_limiter.check(address)?;
    let user = complete_reset(
        &state.db,
        &state.hasher,
        &state.mailer,
        &request.token,
        request.new_password,
        state.settings.login.password_min_score,
    )
    .await?;
    // The link proved the owner is here: this browser becomes a known device, so an
    // attacker still failing from unknown clients cannot keep the owner out.
    let device = device::issue(&state.settings, &user.username, None);
    let body = Json(PasswordWasReset {
        password_reset: true,
        username: user.username,
    });
    Ok(([(header::SET_COOKIE, device)], body).into_response())
}

#[derive(Serialize, ToSchema)]
struct ResetLink {
    /// Shown once: hand it to the person; it is not stored and cannot be shown again.
    url: String,
    expires_at: String,
}

fn refused(why: LinkRefused) -> ApiError {
    let message = match why {
        LinkRefused::HasConfirmedAddress => "This person has a confirmed email address: they can use \"Forgot password?\" themselves, so nobody else should hold a way into their account.",
        LinkRefused::Administrator => "Administrators do not make reset links for each other: use `healing-space admin create` on the server for a new administrator account.",
        LinkRefused::NotActive => "This account is closed or disabled: enable or reopen it first.",
    };
    ApiError::new(StatusCode::CONFLICT, ErrorCode::ResetLinkRefused, message)
}

/// A single-use reset link for someone without a confirmed email address (not an
/// administrator; not closed or disabled), valid for 24 hours, shown once. The
/// administrator never sees or sets the password. Audited.
#[utoipa::path(post, path = "/admin/users/{username}/reset-link", tag = "admin",
    params(("username" = String, Path, description = "Whose password to reset")),
    security(("session_cookie" = ["admin"], "csrf_token" = [])),
    responses(
        (status = 201, description = "The link, shown once", body = ResetLink),
        (status = 404, description = "`not_found`: no such account", body = ErrorResponse),
        (status = 409, description = "`reset_link_refused`: a confirmed address, an administrator, or a closed or disabled account", body = ErrorResponse),
    ))]
async fn create_reset_link(
    State(state): State<AppState>,
    Admin(me): Admin,
    PublicBase(base): PublicBase,
    Path(username): Path<String>,
) -> ApiResult<(StatusCode, Json<ResetLink>)> {
    let user = users::find_by_username(&state.db, username.trim())
        .await?
        .ok_or_else(|| ApiError::not_found("account"))?;
    let (token, expires_at) = admin_link(&state.db, me.user.id, &user)
        .await?
        .map_err(refused)?;
    Ok((
        StatusCode::CREATED,
        Json(ResetLink {
            url: reset_url(&base, &token),
            expires_at: rfc3339(expires_at),
        }),
    ))
}
