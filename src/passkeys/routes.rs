//! `/api/auth/passkeys...`: my passkeys (list, register, remove), and signing in with one.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

use super::views::{PasskeyList, PasskeyRemoved, PasskeyView, RegistrationStarted, SignInStarted};
use super::{
    finish_registration, finish_sign_in, parse_name, relying_party, start_registration,
    start_sign_in, store, PasskeyError,
};
use crate::audit::{Entry, Event};
use crate::auth::device;
use crate::auth::start::{refuse_closed_or_disabled, start_session};
use crate::auth::views::SignedIn;
use crate::http::client::{ClientAddress, PublicBase};
use crate::http::{ApiError, ApiResult, ErrorCode, ErrorResponse, Input, Path};
use crate::metrics::SignInStep;
use crate::sessions::{describe_client, CurrentUser};
use crate::state::AppState;
use crate::storage::rfc3339;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_passkeys))
        .routes(routes!(remove_passkey))
        .routes(routes!(start_passkey_registration))
        .routes(routes!(finish_passkey_registration))
        .routes(routes!(start_passkey_sign_in))
        .routes(routes!(finish_passkey_sign_in))
}

/// The one place a passkey's errors become HTTP answers.
impl From<PasskeyError> for ApiError {
    fn from(error: PasskeyError) -> Self {
        match error {
            PasskeyError::Unavailable => ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::PasskeysUnavailable,
                "Passkeys are not available at this address: they need the service to be reached at a domain name (such as https://care.example.org, or http://localhost in development), not an IP address. Sign in with your password instead.",
            ),
            PasskeyError::CeremonyUnusable => ApiError::bad_request(
                ErrorCode::PasskeyCeremonyExpired,
                "This passkey request has expired or was already used. Please start again.",
            )
            .with_field("ceremony"),
            PasskeyError::NotRegistered(why) => {
                tracing::info!(why, "a new passkey was not accepted");
                ApiError::bad_request(
                    ErrorCode::PasskeyNotAccepted,
                    "This passkey could not be added: your device's answer did not check out. Please try again, or use another device.",
                )
                .with_field("credential")
            }
            PasskeyError::NotAccepted { why, .. } => {
                tracing::info!(why, "a passkey sign-in was not accepted");
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    ErrorCode::PasskeyNotAccepted,
                    "This passkey was not accepted. It may have been removed from your account. Sign in with your password, or try another passkey.",
                )
                .with_field("credential")
            }
            PasskeyError::AlreadyRegistered => ApiError::conflict(
                "credential",
                "This passkey is already registered to an account.",
            ),
            PasskeyError::Invalid { field, message } => ApiError::invalid(field, message),
            PasskeyError::Database(error) => error.into(),
            PasskeyError::Other(error) => ApiError::internal(error),
        }
    }
}

/// My passkeys, oldest first.
#[utoipa::path(get, path = "/auth/passkeys", tag = "passkeys",
    security(("session_cookie" = [])),
    responses((status = 200, description = "My passkeys", body = PasskeyList)))]
async fn list_passkeys(
    State(state): State<AppState>,
    current: CurrentUser,
) -> ApiResult<Json<PasskeyList>> {
    let passkeys = store::list(&state.db, current.user.id).await?;
    Ok(Json(PasskeyList {
        passkeys: passkeys.into_iter().map(PasskeyView::from).collect(),
    }))
}

/// Removes one of my passkeys: it signs in no more. Audited.
#[utoipa::path(delete, path = "/auth/passkeys/{id}", tag = "passkeys",
    params(("id" = i64, Path, description = "A passkey's id, from the list")),
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "Removed", body = PasskeyRemoved),
        (status = 404, description = "`not_found`: no passkey of mine has this id", body = ErrorResponse),
    ))]
async fn remove_passkey(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<PasskeyRemoved>> {
    if !store::remove(&state.db, current.user.id, id).await? {
        return Err(ApiError::not_found("passkey"));
    }
    let detail = format!("passkey {id}");
    Entry::new(Event::PasskeyRemoved)
        .by(current.user.id)
        .about(current.user.id)
        .detail(&detail)
        .record(&state.db)
        .await?;
    Ok(Json(PasskeyRemoved { removed: true, id }))
}

/// Starts adding a passkey to my account: the options for
/// `navigator.credentials.create` (user verification required, a discoverable
/// credential, none of mine already), valid for five minutes.
#[utoipa::path(post, path = "/auth/passkeys/register/start", tag = "passkeys",
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "The options, and the ceremony to finish", body = RegistrationStarted),
        (status = 409, description = "`passkeys_unavailable`: this deployment's address is no domain name, so passkeys cannot be offered", body = ErrorResponse),
    ))]
async fn start_passkey_registration(
    State(state): State<AppState>,
    current: CurrentUser,
    PublicBase(base): PublicBase,
) -> ApiResult<Json<RegistrationStarted>> {
    let webauthn = relying_party(&base)?;
    let started = start_registration(&state.db, &webauthn, &current.user).await?;
    Ok(Json(RegistrationStarted {
        ceremony: started.ceremony,
        expires_at: rfc3339(started.expires_at),
        options: started.options,
    }))
}

#[derive(Deserialize, ToSchema)]
struct RegistrationFinish {
    /// From `.../register/start`.
    ceremony: String,
    /// 1 to 60 characters; the browser and system when absent or empty.
    #[schema(example = "My phone", max_length = 60)]
    name: Option<String>,
    /// The `PublicKeyCredential` that `navigator.credentials.create` made, its byte
    /// fields base64url: `id`, `rawId`, `type`, `response.attestationObject`,
    /// `response.clientDataJSON`, `extensions`.
    #[schema(value_type = Object)]
    credential: RegisterPublicKeyCredential,
}

/// Finishes adding a passkey: the new credential is checked against the ceremony (this
/// site, its challenge, the user verified) and kept under its name. Audited.
#[utoipa::path(post, path = "/auth/passkeys/register/finish", tag = "passkeys",
    request_body = RegistrationFinish,
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 201, description = "The passkey is added", body = PasskeyView),
        (status = 400, description = "`passkey_ceremony_expired`: the ceremony is unknown, finished, expired or another person's; `passkey_not_accepted`: the credential did not verify", body = ErrorResponse),
        (status = 409, description = "`passkeys_unavailable`: this deployment's address is no domain name; `already_exists`: this credential is registered already", body = ErrorResponse),
    ))]
async fn finish_passkey_registration(
    State(state): State<AppState>,
    current: CurrentUser,
    PublicBase(base): PublicBase,
    headers: HeaderMap,
    Input(request): Input<RegistrationFinish>,
) -> ApiResult<(StatusCode, Json<PasskeyView>)> {
    let client = describe_client(
        headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
    );
    let name = parse_name(request.name.as_deref(), &client)?;
    let webauthn = relying_party(&base)?;
    let user = &current.user;
    let passkey = finish_registration(
        &state.db,
        &webauthn,
        user,
        &request.ceremony,
        &name,
        &request.credential,
    )
    .await?;
    let detail = format!("passkey {}", passkey.id);
    Entry::new(Event::PasskeyAdded)
        .by(user.id)
        .about(user.id)
        .detail(&detail)
        .record(&state.db)
        .await?;
    Ok((StatusCode::CREATED, Json(PasskeyView::from(passkey))))
}

/// Starts signing in with a passkey, no username needed: the options for
/// `navigator.credentials.get`, valid for five minutes.
#[utoipa::path(post, path = "/auth/passkeys/sign-in/start", tag = "passkeys",
    security(()),
    responses(
        (status = 200, description = "The options, and the ceremony to finish", body = SignInStarted),
        (status = 409, description = "`passkeys_unavailable`: this deployment's address is no domain name, so passkeys cannot be offered", body = ErrorResponse),
        (status = 429, description = "`too_many_requests`: too many requests from this address", body = ErrorResponse),
    ))]
async fn start_passkey_sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    PublicBase(base): PublicBase,
) -> ApiResult<Json<SignInStarted>> {
    state.address_limiter.check(address)?;
    let webauthn = relying_party(&base)?;
    let started = start_sign_in(&state.db, &webauthn).await?;
    Ok(Json(SignInStarted {
        ceremony: started.ceremony,
        expires_at: rfc3339(started.expires_at),
        options: started.options,
    }))
}

#[derive(Deserialize, ToSchema)]
struct SignInFinish {
    /// From `.../sign-in/start`.
    ceremony: String,
    /// The `PublicKeyCredential` that `navigator.credentials.get` gave, its byte fields
    /// base64url: `id`, `rawId`, `type`, `response.authenticatorData`,
    /// `response.clientDataJSON`, `response.signature`, `response.userHandle`,
    /// `extensions`.
    #[schema(value_type = Object)]
    credential: PublicKeyCredential,
}

/// Signs in with a passkey, and answers exactly as `POST /auth/login` does.
#[utoipa::path(post, path = "/auth/passkeys/sign-in/finish", tag = "passkeys",
    request_body = SignInFinish,
    security((), ("session_cookie" = [])),
    responses(
        (status = 200, description = "Signed in; a cookie sent before is signed out", body = SignedIn,
            headers(("Set-Cookie" = String, description = "The new session cookie"))),
        (status = 400, description = "`passkey_ceremony_expired`: the ceremony is unknown, finished or expired", body = ErrorResponse),
        (status = 401, description = "`passkey_not_accepted`: the passkey did not verify, or belongs to no account; `account_disabled`; `account_closed`", body = ErrorResponse),
        (status = 409, description = "`passkeys_unavailable`: this deployment's address is no domain name", body = ErrorResponse),
    ))]
async fn finish_passkey_sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    PublicBase(base): PublicBase,
    headers: HeaderMap,
    Input(request): Input<SignInFinish>,
) -> ApiResult<Response> {
    let webauthn = relying_party(&base)?;
    let user =
        match finish_sign_in(&state.db, &webauthn, &request.ceremony, &request.credential).await {
            Ok(user) => user,
            Err(PasskeyError::NotAccepted { user_id, why }) => {
                state.metrics.sign_in_failed(SignInStep::Passkey);
                let mut entry = Entry::new(Event::SignInFailed)
                    .detail("passkey")
                    .from_address(address);
                if let Some(id) = user_id {
                    entry = entry.about(id);
                }
                entry.record(&state.db).await?;
                return Err(PasskeyError::NotAccepted { user_id, why }.into());
            }
            Err(error) => return Err(error.into()),
        };
    refuse_closed_or_disabled(&state, &user)?;
    Entry::new(Event::SignInSucceeded)
        .by(user.id)
        .about(user.id)
        .detail("passkey")
        .from_address(address)
        .record(&state.db)
        .await?;
    let device = device::known(&headers, &state.settings.keys, &user.username);
    let started = start_session(&state, &user, &headers, address, user.last_login_at).await?;
    Ok(started
        .remember_device(&state, &user, device.as_deref())
        .into_response())
}
