//! `/api/auth/...`: registration, sign-in and sign-out, the current account. Changing a
//! password is in `routes/password.rs`.

mod password;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::password_step::{check_password, PasswordProved};
use super::start::{refuse_closed_or_disabled, start_session};
use super::two_factor;
use super::views::{
    LoginAnswer, SecondStepRequired, SessionStatus, SessionTimes, SessionView, SignedOut,
    SignedOutView,
};
use crate::accounts::addresses::send_verification;
use crate::accounts::{
    check_new_password, find_approved_clinician, parse_display_name, parse_email,
    refuse_claimed_role, store, AccountError, PasswordRules, Role, Tried, UserView, Username,
};
use crate::audit::{Entry, Event};
use crate::http::client::{ClientAddress, PublicBase};
use crate::http::{ApiError, ApiResult, ErrorCode, ErrorResponse, Input};
use crate::sessions::current::not_signed_in;
use crate::sessions::{self, cookie, CurrentUser, EndReason, SessionCheck};
use crate::state::AppState;
use crate::storage::{millis, now_ms, rfc3339};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(status))
        .routes(routes!(session_deadline))
        .merge(password::router())
        .merge(two_factor::routes::router())
}

#[derive(Deserialize, ToSchema)]
struct RegisterRequest {
    /// 3 to 32 characters of `a-z 0-9 . _ -`, stored in lower case.
    #[schema(example = "jordan.lee", min_length = 3, max_length = 32)]
    username: String,
    #[schema(example = "a long passphrase", min_length = 10, max_length = 256)]
    password: String,
    /// The username when not given.
    #[schema(example = "Jordan Lee", max_length = 80)]
    display_name: Option<String>,
    #[schema(example = "jordan@example.org", max_length = 254)]
    email: Option<String>,
    /// `patient` (the default) or `clinician` (pending until an administrator approves).
    #[schema(example = "patient")]
    role: Option<String>,
    /// A patient may ask to join this clinician's care team at once (a username).
    #[schema(example = "dr.morgan")]
    clinician: Option<String>,
}

/// Registers a patient or a clinician, and signs them in.
#[utoipa::path(post, path = "/auth/register", tag = "auth", request_body = RegisterRequest,
    security((), ("session_cookie" = [])),
    responses(
        (status = 201, description = "Registered and signed in (a cookie sent before is signed out); or, for a role that must have two-factor sign-in, `two_factor_enrolment_required` and no session until it is set up", body = LoginAnswer,
            headers(("Set-Cookie" = String, description = "The new session cookie, or the second step's"))),
        (status = 409, description = "`already_exists`: the username is taken", body = ErrorResponse),
        (status = 429, description = "`too_many_requests`: too many requests from this address", body = ErrorResponse),
    ))]
async fn register(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    PublicBase(base): PublicBase,
    headers: HeaderMap,
    Input(request): Input<RegisterRequest>,
) -> ApiResult<Response> {
    state.address_limiter.check(address)?;
    let username = Username::parse(&request.username)?;
    let role = match request.role.as_deref() {
        None | Some("patient") => Role::Patient,
        Some("clinician") => Role::Clinician,
        Some(_) => {
            return Err(ApiError::invalid(
                "role",
                "role is either \"patient\" or \"clinician\".",
            ))
        }
    };
    refuse_claimed_role(username.as_str(), role, "username")?;
    let display_name = parse_display_name(
        request.display_name.as_deref().unwrap_or(username.as_str()),
        role,
    )?;
    let email = parse_email(request.email.as_deref())?;
    let clinician = match request
        .clinician
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(_) if role != Role::Patient => {
            return Err(ApiError::invalid(
                "clinician",
                "Only patients ask to join a clinician's care team.",
            ))
        }
        Some(name) => Some(find_approved_clinician(&state.db, name).await?),
        None => None,
    };
    let rules = PasswordRules {
        username: username.as_str(),
        display_name: &display_name,
        min_score: state.settings.login.password_min_score,
    };
    let password = check_new_password(request.password, "password", &rules)?;
    let hash = state.hasher.hash(password).await?;

    let mut tx = state.db.begin().await?;
    let user_id = store::insert_user(
        &mut tx,
        store::NewUser {
            username: &username,
            display_name: &display_name,
            email: email.as_deref(),
            role,
            password_hash: &hash,
            approved: role != Role::Clinician,
        },
    )
    .await?;
    if let Some(clinician) = &clinician {
        crate::care_teams::store::request_link(&mut tx, user_id, clinician.id).await?;
    }
    tx.commit().await?;

    let user = store::find_by_id(&state.db, user_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("a user just created is missing"))?;
    Entry::new(Event::AccountCreated)
        .by(user.id)
        .about(user.id)
        .detail(role.as_str())
        .from_address(address)
        .record(&state.db)
        .await?;
    if let Some(clinician) = &clinician {
        Entry::new(Event::CareTeamRequested)
            .by(user.id)
            .about(clinician.id)
            .record(&state.db)
            .await?;
    }
    if let Some(email) = &user.email {
        // Whether it was mailed shows in the account's `email_verified` and in settings.
        let _ = send_verification(&state.db, &state.mailer, &base, &user, email).await?;
    }
    let mut response = if two_factor::required(&state.settings.two_factor, role) {
        // Staff set up their second factor before their first session, as at sign-in.
        let purpose = two_factor::Purpose::Enrol;
        let cookie =
            two_factor::open_second_step(&state.db, &state.settings, user.id, purpose, None)
                .await?;
        (
            [(header::SET_COOKIE, cookie)],
            Json(SecondStepRequired::new(purpose)),
        )
            .into_response()
    } else {
        let started = start_session(&state, &user, &headers, address, None).await?;
        started.remember_device(&state, &user, None).into_response()
    };
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

#[derive(Deserialize, ToSchema)]
struct LoginRequest {
    #[schema(example = "jordan.lee", min_length = 1, max_length = 64)]
    username: String,
    #[schema(example = "a long passphrase", min_length = 1, max_length = 256)]
    password: String,
}

/// Signs in with a username and password.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    security((), ("session_cookie" = [])),
    responses(
        (status = 200, description = "Signed in (a cookie sent before is signed out); or, with two-factor sign-in on or required for the role, `two_factor_required` or `two_factor_enrolment_required` and no session, only the second step's cookie", body = LoginAnswer,
            headers(("Set-Cookie" = String, description = "The new session cookie, or the second step's"))),
        (status = 401, description = "`invalid_credentials`: the username or password is not correct (the same answer for both); `account_disabled`", body = ErrorResponse),
        (status = 429, description = "`too_many_requests`: too many requests from this address; `too_many_attempts`: too many failed attempts for this account", body = ErrorResponse),
    ))]
async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Input(request): Input<LoginRequest>,
) -> ApiResult<Response> {
    let PasswordProved { user, device } = check_password(
        &state,
        &headers,
        address,
        request.username,
        request.password,
    )
    .await?;
    refuse_closed_or_disabled(&state, &user)?;
    if let Some(purpose) =
        two_factor::after_password(&state.db, &state.settings.two_factor, &user).await?
    {
        let cookie = two_factor::open_second_step(
            &state.db,
            &state.settings,
            user.id,
            purpose,
            device.as_deref(),
        )
        .await?;
        return Ok((
            [(header::SET_COOKIE, cookie)],
            Json(SecondStepRequired::new(purpose)),
        )
            .into_response());
    }
    Entry::new(Event::SignInSucceeded)
        .by(user.id)
        .about(user.id)
        .from_address(address)
        .record(&state.db)
        .await?;
    let started = start_session(&state, &user, &headers, address, user.last_login_at).await?;
    Ok(started
        .remember_device(&state, &user, device.as_deref())
        .into_response())
}

/// Signs out this session.
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "Signed out", body = SignedOut,
            headers(("Set-Cookie" = String, description = "Clears the session cookie"))),
    ))]
async fn logout(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Response> {
    sessions::store::end_one(
        &state.db,
        current.user.id,
        current.session_id(),
        EndReason::SignedOut,
        Some(current.user.id),
    )
    .await?;
    Entry::new(Event::SignedOut)
        .by(current.user.id)
        .about(current.user.id)
        .record(&state.db)
        .await?;
    Ok((
        [(header::SET_COOKIE, cookie::clear(&state.settings))],
        Json(SignedOut { signed_out: true }),
    )
        .into_response())
}

fn describe_session(state: &AppState, current: &CurrentUser) -> SessionView {
    let session = &current.session;
    SessionView {
        authenticated: true,
        user: UserView::from(&current.user),
        role: current.user.role,
        session_id: session.id.clone(),
        csrf_token: current.csrf_token(&state.settings),
        session: SessionTimes {
            created_at: rfc3339(session.created_at),
            expires_at: rfc3339(session.expires_at),
            idle_timeout_seconds: state.settings.sessions.idle_timeout.as_secs(),
        },
    }
}

/// The current session: who is signed in, and the CSRF token.
#[utoipa::path(get, path = "/auth/me", tag = "auth",
    security(("session_cookie" = [])),
    responses((status = 200, description = "Signed in", body = SessionView)))]
async fn me(State(state): State<AppState>, current: CurrentUser) -> Json<SessionView> {
    Json(describe_session(&state, &current))
}

/// Whether this browser is signed in, and if not, why: 200 either way, never 401.
#[utoipa::path(get, path = "/auth/status", tag = "auth",
    security((), ("session_cookie" = [])),
    responses((status = 200, description = "Signed in, or not and why", body = SessionStatus)))]
async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Json<SessionStatus>> {
    Ok(Json(
        match SessionCheck::of(&headers, &state.db, &state.settings, &state.metrics).await? {
            SessionCheck::Live(session) => {
                let current = CurrentUser {
                    user: session.user.clone(),
                    session: *session,
                };
                SessionStatus::SignedIn(Box::new(describe_session(&state, &current)))
            }
            SessionCheck::NotSignedIn(sessions::Refusal { why, .. }) => {
                SessionStatus::SignedOut(SignedOutView {
                    authenticated: false,
                    reason: sessions::current::error_code(why),
                    detail: why.reason(),
                    message: why.message(&state.settings.sessions),
                })
            }
        },
    ))
}

/// When this session ends if nothing more is done.
#[derive(Serialize, ToSchema)]
struct SessionDeadline {
    /// Seconds until the session ends, at its idle timeout or its absolute lifetime,
    /// whichever is sooner, unless the person does something.
    seconds_left: i64,
    /// `idle` or `absolute`: which limit that is.
    ends_by: &'static str,
}

/// When this session will end if nothing more is done, read without counting as activity
/// (the web app warns a minute before). Any other request is activity and moves it.
#[utoipa::path(get, path = "/auth/session-deadline", tag = "auth",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The deadline", body = SessionDeadline),
        (status = 401, description = "Not signed in, and why", body = ErrorResponse),
    ))]
async fn session_deadline(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Json<SessionDeadline>> {
    let live = sessions::peek(&state.db, &state.settings, &headers)
        .await?
        .map_err(|why| not_signed_in(sessions::Refusal::new(why), &state.settings))?;
    let idle_end = live.last_seen_at + millis(state.settings.sessions.idle_timeout);
    let (end, ends_by) = if idle_end <= live.expires_at {
        (idle_end, "idle")
    } else {
        (live.expires_at, "absolute")
    };
    Ok(Json(SessionDeadline {
        seconds_left: ((end - now_ms()) / 1000).max(0),
        ends_by,
    }))
}

/// What to do after too many unsuccessful attempts, by what was being tried.
fn too_many_attempts_message(tried: Tried) -> &'static str {
    match tried {
        Tried::SignIn => {
            "Too many unsuccessful sign-in attempts for this account from this device. Wait and try again, or use \"Forgot password?\" for a reset link, which always works. On a device you have signed in with before, your password still works."
        }
        Tried::PasswordInSession => {
            "Too many wrong passwords in this session. Wait and try again. If you have forgotten your password, sign out and use \"Forgot password?\" on the sign-in page for a reset link."
        }
        Tried::SecondFactor => {
            "Too many wrong codes for this account from this device. Wait and try again. If you have lost your authenticator, use one of your recovery codes, or ask an administrator to reset your two-step sign-in."
        }
    }
}

/// The one place an account's errors become HTTP answers.
impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Invalid { field, message } => ApiError::invalid(field, message),
            AccountError::UsernameTaken => {
                ApiError::conflict("username", "This username is taken. Please choose another.")
            }
            AccountError::TooManyAttempts {
                retry_after_seconds,
                tried,
            } => ApiError::too_many(
                ErrorCode::TooManyAttempts,
                too_many_attempts_message(tried),
                retry_after_seconds,
            ),
            AccountError::Database(error) => error.into(),
            AccountError::Other(error) => ApiError::internal(error),
        }
    }
}
