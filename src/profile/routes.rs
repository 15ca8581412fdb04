//! `PATCH /api/me` (my display name, address and preferences), `GET /api/me/preferences`, and `POST /api/me/email/verify` (the
//! link mailed to an address, with or without a session).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::preferences::{self, PreferenceChanges, Preferences};
use super::{resend_verification, update, verify_email, Changes, NotResent, VerifyError};
use crate::accounts::UserView;
use crate::http::client::{ClientAddress, PublicBase};
use crate::http::{ApiError, ApiResult, ErrorCode, ErrorResponse, Input};
use crate::sessions::CurrentUser;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(update_me))
        .routes(routes!(my_preferences))
        .routes(routes!(verify_my_email))
        .routes(routes!(resend_confirmation))
}

/// The one place address checks' errors become HTTP answers.
impl From<VerifyError> for ApiError {
    fn from(error: VerifyError) -> Self {
        match error {
            VerifyError::Link(error) => error.into(),
            VerifyError::AddressTaken => ApiError::conflict(
                "email",
                "This address is already confirmed for another account. Use another address.",
            ),
            VerifyError::AddressChanged => ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::LinkUsed,
                "The account's address changed after this link was sent. Use the newest link.",
            )
            .with_field("token"),
        }
    }
}

/// A field that may be absent (leave it) or `null` (remove it).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ProfileChanges {
    /// Left as it is when absent.
    #[schema(max_length = 64)]
    display_name: Option<String>,
    /// A new address (mailed a link to confirm it), or `null` or `""` to remove it. Left
    /// as it is when absent.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 254)]
    email: Option<Option<String>>,
    /// Only the preferences given change.
    preferences: Option<PreferenceChanges>,
}

#[derive(Serialize, ToSchema)]
struct ProfileUpdated {
    user: UserView,
    /// A link to confirm the new address was mailed to it. `false` with a new address
    /// means this server sends no mail (`SMTP_URL` is not set), or three links wait
    /// already (`POST /api/me/email/resend` says which).
    verification_mailed: bool,
    preferences: Preferences,
}

/// Changes my display name, email address or preferences.
#[utoipa::path(patch, path = "/me", tag = "auth", request_body = ProfileChanges,
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "Changed", body = ProfileUpdated),
        (status = 422, description = "`validation_failed`: `display_name` or `email`", body = ErrorResponse),
        (status = 429, description = "`too_many_requests`: too many address changes from this network address", body = ErrorResponse),
    ))]
async fn update_me(
    State(state): State<AppState>,
    me: CurrentUser,
    ClientAddress(address): ClientAddress,
    PublicBase(base): PublicBase,
    Input(request): Input<ProfileChanges>,
) -> ApiResult<Json<ProfileUpdated>> {
    if request.email.is_some() {
        state.address_limiter.check(address)?;
    }
    let changes = Changes {
        display_name: request.display_name,
        email: request.email,
    };
    let (user, mailed) = update(&state.db, &state.mailer, &base, &me.user, changes).await?;
    let preferences = match &request.preferences {
        Some(changes) => preferences::change(&state.db, me.user.id, changes).await?,
        None => preferences::load(&state.db, me.user.id).await?,
    };
    Ok(Json(ProfileUpdated {
        user: UserView::from(&user),
        verification_mailed: mailed,
        preferences,
    }))
}

/// My preferences.
#[utoipa::path(get, path = "/me/preferences", tag = "auth",
    security(("session_cookie" = [])),
    responses((status = 200, description = "My preferences", body = Preferences)))]
async fn my_preferences(
    State(state): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<Preferences>> {
    Ok(Json(preferences::load(&state.db, me.user.id).await?))
}

#[derive(Deserialize, ToSchema)]
struct VerifyRequest {
    /// From the link, after `#token=`.
    token: String,
}

#[derive(Serialize, ToSchema)]
struct EmailVerified {
    username: String,
    email: Option<String>,
    email_verified: bool,
}

/// Confirms an address with the link mailed to it. The token is enough: no session needed.
#[utoipa::path(post, path = "/me/email/verify", tag = "auth", request_body = VerifyRequest,
    security((), ("session_cookie" = [])),
    responses(
        (status = 200, description = "Confirmed", body = EmailVerified),
        (status = 400, description = "`link_unknown`, `link_used` or `link_expired`", body = ErrorResponse),
        (status = 409, description = "`already_exists`: another account confirmed this address first; `link_used`: the account's address changed since", body = ErrorResponse),
        (status = 429, description = "`too_many_requests`: too many requests from this address", body = ErrorResponse),
    ))]
async fn verify_my_email(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Input(request): Input<VerifyRequest>,
) -> ApiResult<Json<EmailVerified>> {
    state.address_limiter.check(address)?;
    let user = verify_email(&state.db, &request.token).await?;
    Ok(Json(EmailVerified {
        username: user.username,
        email_verified: user.email_verified_at.is_some(),
        email: user.email,
    }))
}

#[derive(Serialize, ToSchema)]
struct ConfirmationSent {
    /// The address the new link went to.
    email: String,
}

/// Mails my unconfirmed address a new confirmation link (at most 3 alive at once).
#[utoipa::path(post, path = "/me/email/resend", tag = "auth",
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 202, description = "A new link is on its way", body = ConfirmationSent),
        (status = 409, description = "`not_pending`: no address, or it is confirmed already", body = ErrorResponse),
        (status = 429, description = "`too_many_requests`: three links are still waiting to be used", body = ErrorResponse),
        (status = 503, description = "`mail_unavailable`: this server sends no mail", body = ErrorResponse),
    ))]
async fn resend_confirmation(
    State(state): State<AppState>,
    me: CurrentUser,
    PublicBase(base): PublicBase,
) -> ApiResult<(StatusCode, Json<ConfirmationSent>)> {
    let refused = |status, code, message: &str| ApiError::new(status, code, message.to_owned());
    match resend_verification(&state.db, &state.mailer, &base, &me.user).await? {
        Ok(()) => Ok((
            StatusCode::ACCEPTED,
            Json(ConfirmationSent {
                email: me.user.email.clone().unwrap_or_default(),
            }),
        )),
        Err(NotResent::NoAddress) => Err(refused(StatusCode::CONFLICT, ErrorCode::NotPending, "There is no address to confirm: add one first.")),
        Err(NotResent::AlreadyConfirmed) => Err(refused(StatusCode::CONFLICT, ErrorCode::NotPending, "This address is confirmed already.")),
        Err(NotResent::TooMany) => Err(ApiError::too_many(
            ErrorCode::TooManyRequests,
            "Three links to this address are still waiting to be used: check your mail (and its spam folder), or try again later.",
            60 * 60,
        )),
        Err(NotResent::NoMail) => Err(refused(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::MailUnavailable,
            "This server sends no mail, so the address cannot be confirmed yet. Ask the service's administrators.",
        )),
    }
}
