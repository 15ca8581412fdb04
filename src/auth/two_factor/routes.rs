//! `/api/auth/2fa/...`: setting up TOTP, the second step of signing in, recovery codes,
//! turning it off; and `/api/admin/users/{username}/2fa/reset` for administrators.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Pending, Purpose, TwoFactorError};
use crate::accounts::limits::{self, Counter};
use crate::accounts::{store as users, AccountError, User};
use crate::audit::{Entry, Event};
use crate::auth::start::{refuse_closed_or_disabled, start_session, Started};
use crate::auth::views::SignedIn;
use crate::http::client::ClientAddress;
use crate::http::{ApiError, ApiResult, ErrorCode, ErrorResponse, Input, Path};
use crate::metrics::SignInStep;
use crate::sessions::{Admin, CurrentUser};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(two_factor_status))
        .routes(routes!(setup_totp))
        .routes(routes!(confirm_totp))
        .routes(routes!(verify_second_factor))
        .routes(routes!(renew_recovery_codes))
        .routes(routes!(turn_off_totp))
        .routes(routes!(reset_two_factor))
}

/// The one place a second factor's errors become HTTP answers.
impl From<TwoFactorError> for ApiError {
    fn from(error: TwoFactorError) -> Self {
        match error {
            TwoFactorError::NoSecondStep => ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::SecondStepMissing,
                "This sign-in has expired or was finished elsewhere. Sign in again with your username and password.",
            ),
            TwoFactorError::WrongCode { attempts_left: 0 } => ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::SecondStepMissing,
                "That code is not right, and this sign-in has had too many wrong codes. Sign in again with your username and password.",
            ),
            TwoFactorError::WrongCode { attempts_left } => ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidCode,
                format!(
                    "That code is not right. Enter the 6-digit code your authenticator app shows now, or one of your recovery codes ({attempts_left} more tries)."
                ),
            )
            .with_field("code"),
            TwoFactorError::WrongConfirmationCode => ApiError::invalid(
                "code",
                "That code does not match. Enter the 6-digit code your authenticator app shows for Healing Space now (check that the phone's clock is right).",
            ),
            TwoFactorError::AlreadyOn => ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::TwoFactorAlreadyOn,
                "Two-factor sign-in is already on for this account. To use a new phone, turn it off first (or ask an administrator to reset it).",
            ),
            TwoFactorError::NotStarted => ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::TwoFactorNotStarted,
                "Two-factor sign-in is not set up: start with /api/auth/2fa/totp/setup.",
            ),
            TwoFactorError::Required => ApiError::forbidden(
                ErrorCode::Forbidden,
                "Your role must sign in with a second factor, so it cannot be turned off. An administrator can reset it if you lost your phone.",
            ),
            TwoFactorError::Database(error) => error.into(),
            TwoFactorError::Other(error) => ApiError::internal(error),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct TwoFactorStatus {
    /// Whether signing in asks for a TOTP code.
    totp_enabled: bool,
    /// Whether the person's role must have it (`REQUIRE_2FA`).
    required: bool,
    /// Unused recovery codes.
    recovery_codes_left: i64,
}

/// My two-factor sign-in: on or off, required or not, recovery codes left.
#[utoipa::path(get, path = "/auth/2fa", tag = "auth",
    security(("session_cookie" = [])),
    responses((status = 200, description = "My two-factor sign-in", body = TwoFactorStatus)))]
async fn two_factor_status(
    State(state): State<AppState>,
    current: CurrentUser,
) -> ApiResult<Json<TwoFactorStatus>> {
    let user_id = current.user.id;
    Ok(Json(TwoFactorStatus {
        totp_enabled: super::store::has_totp(&state.db, user_id).await?,
        required: super::required(&state.settings.two_factor, current.user.role),
        recovery_codes_left: super::store::recovery_codes_left(&state.db, user_id).await?,
    }))
}

/// Who is setting up TOTP: someone signed in (with the CSRF token), or someone whose
/// password was right and whose role requires a second factor they do not have yet
/// (the second step's cookie).
enum Enroller {
    SignedIn(Box<CurrentUser>),
    SigningIn(Pending, Box<User>),
}

impl Enroller {
    fn user(&self) -> &User {
        match self {
            Enroller::SignedIn(current) => &current.user,
            Enroller::SigningIn(_, user) => user,
        }
    }
}

impl FromRequestParts<AppState> for Enroller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        if let Some(pending) = Pending::find(&state.db, &parts.headers, Purpose::Enrol).await? {
            let user = users::find_by_id(&state.db, pending.user_id)
                .await?
                .ok_or(TwoFactorError::NoSecondStep)?;
            refuse_closed_or_disabled(state, &user)?;
            return Ok(Enroller::SigningIn(pending, Box::new(user)));
        }
        let current = CurrentUser::from_request_parts(parts, state).await?;
        Ok(Enroller::SignedIn(Box::new(current)))
    }
}

#[derive(Serialize, ToSchema)]
struct TotpSetup {
    /// The secret, base32, for typing into an authenticator app; shown only now.
    secret: String,
    /// The same, as the `otpauth://` address the QR code carries.
    otpauth_url: String,
    /// The QR code, an SVG document drawn by the server.
    qr_svg: String,
}

/// Starts setting up TOTP: a new secret for an authenticator app. Nothing changes at
/// sign-in until a code from the app confirms it. Signed in, or at the second step of a
/// sign-in whose role requires a second factor.
#[utoipa::path(post, path = "/auth/2fa/totp/setup", tag = "auth",
    security(("session_cookie" = [], "csrf_token" = []), ("second_step_cookie" = [])),
    responses(
        (status = 200, description = "A new secret, shown once", body = TotpSetup),
        (status = 409, description = "`two_factor_already_enabled`", body = ErrorResponse),
    ))]
async fn setup_totp(
    State(state): State<AppState>,
    enroller: Enroller,
) -> ApiResult<Json<TotpSetup>> {
    let enrolment = super::start_enrolment(&state.db, enroller.user()).await?;
    Ok(Json(TotpSetup {
        secret: enrolment.secret,
        otpauth_url: enrolment.otpauth_url,
        qr_svg: enrolment.qr_svg,
    }))
}

#[derive(Deserialize, ToSchema)]
struct CodeRequest {
    /// The 6-digit code the authenticator app shows (or, at sign-in, a recovery code).
    #[schema(example = "123456", max_length = 32)]
    code: String,
}

#[derive(Serialize, ToSchema)]
struct TotpConfirmed {
    /// 10 single-use codes for when the phone is not at hand; shown only now.
    recovery_codes: Vec<String>,
    /// When this finished a sign-in: the session, as signing in answers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    signed_in: Option<SignedIn>,
}

/// Confirms TOTP with a code from the app: sign-in asks for codes from now on. Answers
/// with the recovery codes; at the second step of a sign-in, also starts the session.
#[utoipa::path(post, path = "/auth/2fa/totp/confirm", tag = "auth", request_body = CodeRequest,
    security(("session_cookie" = [], "csrf_token" = []), ("second_step_cookie" = [])),
    responses(
        (status = 200, description = "On; the recovery codes, shown once", body = TotpConfirmed),
        (status = 409, description = "`two_factor_not_started` or `two_factor_already_enabled`", body = ErrorResponse),
        (status = 422, description = "`validation_failed`: `code` does not match", body = ErrorResponse),
    ))]
async fn confirm_totp(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    enroller: Enroller,
    Input(request): Input<CodeRequest>,
) -> ApiResult<Response> {
    let user = enroller.user().clone();
    let recovery_codes = super::confirm_enrolment(&state.db, user.id, &request.code).await?;
    Entry::new(Event::TwoFactorEnabled)
        .by(user.id)
        .about(user.id)
        .from_address(address)
        .record(&state.db)
        .await?;
    let Enroller::SigningIn(pending, _) = enroller else {
        return Ok(Json(TotpConfirmed {
            recovery_codes,
            signed_in: None,
        })
        .into_response());
    };
    let started = finish_sign_in(&state, &pending, &user, &headers, address, "totp").await?;
    Ok(started.answer_with(|signed_in| TotpConfirmed {
        recovery_codes,
        signed_in: Some(signed_in),
    }))
}

/// The end of a sign-in's second step: the step is used up (so it opens one session),
/// the session starts, the device is remembered and the step's cookie cleared.
async fn finish_sign_in(
    state: &AppState,
    pending: &Pending,
    user: &User,
    headers: &HeaderMap,
    address: std::net::IpAddr,
    proof: &str,
) -> ApiResult<Started> {
    pending.finish(&state.db).await?;
    Entry::new(Event::SignInSucceeded)
        .by(user.id)
        .about(user.id)
        .detail(proof)
        .from_address(address)
        .record(&state.db)
        .await?;
    let started = start_session(state, user, headers, address, user.last_login_at).await?;
    Ok(started
        .remember_device(state, user, pending.device.as_deref())
        .with_cookie(super::clear_second_step(&state.settings)))
}

/// Finishes signing in with a code: a TOTP code from the app (each accepted once) or a
/// recovery code (each works once). Reads the second step's cookie, which a right
/// password set; like signing in, it needs no CSRF token, but the Origin check applies.
/// Wrong codes count against the step (5, then the password again) and, like passwords,
/// against this device or all unknown ones.
#[utoipa::path(post, path = "/auth/2fa/verify", tag = "auth", request_body = CodeRequest,
    security(("second_step_cookie" = [])),
    responses(
        (status = 200, description = "Signed in", body = SignedIn,
            headers(("Set-Cookie" = String, description = "The new session cookie; the second step's cookie cleared"))),
        (status = 401, description = "`invalid_code`: the code is not right; `second_step_missing`: no sign-in is waiting for a code (expired, finished, or too many wrong codes); `account_disabled`, `account_closed`", body = ErrorResponse),
        (status = 429, description = "`too_many_attempts`: too many wrong codes for this account from this device", body = ErrorResponse),
    ))]
async fn verify_second_factor(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Input(request): Input<CodeRequest>,
) -> ApiResult<Response> {
    state.address_limiter.check(address)?;
    let pending = Pending::find(&state.db, &headers, Purpose::Verify)
        .await?
        .ok_or(TwoFactorError::NoSecondStep)?;
    let user = users::find_by_id(&state.db, pending.user_id)
        .await?
        .ok_or(TwoFactorError::NoSecondStep)?;
    refuse_closed_or_disabled(&state, &user)?;
    let counter = Counter::SecondFactor {
        user_id: user.id,
        device: pending.device.as_deref(),
    };
    let attempt = match limits::begin_attempt(&state.db, counter, &state.settings.login).await {
        Ok(attempt) => attempt,
        Err(locked @ AccountError::TooManyAttempts { .. }) => {
            state.metrics.sign_in_locked_out(SignInStep::SecondFactor);
            return Err(locked.into());
        }
        Err(error) => return Err(error.into()),
    };
    let Some(proof) = super::check_code(&state.db, user.id, &request.code).await? else {
        state.metrics.sign_in_failed(SignInStep::SecondFactor);
        Entry::new(Event::SignInFailed)
            .about(user.id)
            .detail("second factor")
            .from_address(address)
            .record(&state.db)
            .await?;
        return Err(pending.failed(&state.db).await?.into());
    };
    attempt.succeeded(&state.db).await?;
    let started =
        finish_sign_in(&state, &pending, &user, &headers, address, proof.as_str()).await?;
    Ok(started.into_response())
}

#[derive(Deserialize, ToSchema)]
struct PasswordRequest {
    #[schema(min_length = 1, max_length = 256)]
    password: String,
}

/// Asks for the person's password again before a change to how they sign in. Failures
/// count against this session only, as for changing a password.
async fn confirm_password(
    state: &AppState,
    current: &CurrentUser,
    password: String,
) -> ApiResult<()> {
    if password.is_empty() || password.chars().count() > 256 {
        return Err(ApiError::invalid("password", "Enter your password."));
    }
    let counter = Counter::Session {
        session_id: &current.session.id,
    };
    let attempt = limits::begin_attempt(&state.db, counter, &state.settings.login).await?;
    let stored = users::password_hash(&state.db, current.user.id).await?;
    if !state
        .hasher
        .verify(SecretString::from(password), Some(stored))
        .await?
    {
        return Err(
            ApiError::forbidden(ErrorCode::WrongPassword, "Your password is not correct.")
                .with_field("password"),
        );
    }
    attempt.succeeded(&state.db).await?;
    Ok(())
}

#[derive(Serialize, ToSchema)]
struct RecoveryCodes {
    /// 10 new single-use codes; every earlier one no longer works. Shown only now.
    recovery_codes: Vec<String>,
}

/// New recovery codes in place of all the old ones. Asks for the password again.
#[utoipa::path(post, path = "/auth/2fa/recovery-codes", tag = "auth", request_body = PasswordRequest,
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "The new codes, shown once", body = RecoveryCodes),
        (status = 403, description = "`wrong_password`", body = ErrorResponse),
        (status = 409, description = "`two_factor_not_started`: two-factor sign-in is off", body = ErrorResponse),
        (status = 429, description = "`too_many_attempts`", body = ErrorResponse),
    ))]
async fn renew_recovery_codes(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    current: CurrentUser,
    Input(request): Input<PasswordRequest>,
) -> ApiResult<Json<RecoveryCodes>> {
    confirm_password(&state, &current, request.password).await?;
    let recovery_codes = super::renew_recovery_codes(&state.db, current.user.id).await?;
    Entry::new(Event::RecoveryCodesRenewed)
        .by(current.user.id)
        .about(current.user.id)
        .from_address(address)
        .record(&state.db)
        .await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}

#[derive(Serialize, ToSchema)]
struct TwoFactorOff {
    /// Always false.
    totp_enabled: bool,
}

/// Turns two-factor sign-in off, where the person's role does not require it. Asks for
/// the password again.
#[utoipa::path(delete, path = "/auth/2fa/totp", tag = "auth", request_body = PasswordRequest,
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "Off", body = TwoFactorOff),
        (status = 403, description = "`wrong_password`; `forbidden`: the role requires it", body = ErrorResponse),
        (status = 409, description = "`two_factor_not_started`: it was off", body = ErrorResponse),
        (status = 429, description = "`too_many_attempts`", body = ErrorResponse),
    ))]
async fn turn_off_totp(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    current: CurrentUser,
    Input(request): Input<PasswordRequest>,
) -> ApiResult<Json<TwoFactorOff>> {
    if super::required(&state.settings.two_factor, current.user.role) {
        return Err(TwoFactorError::Required.into());
    }
    confirm_password(&state, &current, request.password).await?;
    if !super::store::has_totp(&state.db, current.user.id).await? {
        return Err(TwoFactorError::NotStarted.into());
    }
    super::remove(&state.db, current.user.id).await?;
    Entry::new(Event::TwoFactorDisabled)
        .by(current.user.id)
        .about(current.user.id)
        .from_address(address)
        .record(&state.db)
        .await?;
    Ok(Json(TwoFactorOff {
        totp_enabled: false,
    }))
}

#[derive(Serialize, ToSchema)]
struct TwoFactorWasReset {
    /// Whether the person had a second factor (or was setting one up).
    had_two_factor: bool,
    /// Whether their role must set one up again at their next sign-in.
    must_enrol_again: bool,
}

/// Removes another person's second factor and recovery codes, for someone who lost their
/// phone and their codes. Their sessions continue; if their role requires a second
/// factor, the next sign-in sets up a new one. Audited.
#[utoipa::path(post, path = "/admin/users/{username}/2fa/reset", tag = "admin",
    params(("username" = String, Path, description = "Whose second factor to reset")),
    security(("session_cookie" = ["admin"], "csrf_token" = [])),
    responses(
        (status = 200, description = "Reset", body = TwoFactorWasReset),
        (status = 404, description = "`not_found`: no such account", body = ErrorResponse),
    ))]
async fn reset_two_factor(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Admin(me): Admin,
    Path(username): Path<String>,
) -> ApiResult<Json<TwoFactorWasReset>> {
    let user = users::find_by_username(&state.db, username.trim())
        .await?
        .ok_or_else(|| ApiError::not_found("account"))?;
    let had_two_factor = super::remove(&state.db, user.id).await?;
    Entry::new(Event::TwoFactorReset)
        .by(me.user.id)
        .about(user.id)
        .from_address(address)
        .record(&state.db)
        .await?;
    Ok(Json(TwoFactorWasReset {
        had_two_factor,
        must_enrol_again: super::required(&state.settings.two_factor, user.role),
    }))
}
