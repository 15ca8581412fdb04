//! The last step of every way of signing in (a password, a second factor, a passkey):
//! the account must still be open, the browser gets a brand-new session, and it is
//! remembered as a device the account has used.

use std::net::IpAddr;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::device;
use super::views::SignedIn;
use crate::accounts::{store, User, UserView};
use crate::http::{ApiError, ApiResult, ErrorCode};
use crate::sessions::current::not_signed_in;
use crate::sessions::{self, cookie, csrf, EndReason, IssuedToken, SessionCheck};
use crate::state::AppState;
use crate::storage::{millis, now_ms};

/// A wrong password and an unknown user get the same answer in the same time.
pub fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
        "The username or password is not correct.",
    )
}

/// A closed or disabled account signs in no more, whatever it proved.
pub fn refuse_closed_or_disabled(state: &AppState, user: &User) -> ApiResult<()> {
    let closed_or_disabled = if user.closed_at.is_some() {
        Some(sessions::NotSignedIn::AccountClosed)
    } else {
        user.disabled_at
            .map(|_| sessions::NotSignedIn::AccountDisabled)
    };
    match closed_or_disabled {
        Some(why) => Err(not_signed_in(sessions::Refusal::new(why), &state.settings)),
        None => Ok(()),
    }
}

/// A session just started: what signing in answers, and the cookies that carry it.
pub struct Started {
    pub signed_in: SignedIn,
    pub cookies: Vec<HeaderValue>,
}

impl Started {
    /// Also marks this browser as one the account has signed in from.
    pub fn remember_device(mut self, state: &AppState, user: &User, known: Option<&str>) -> Self {
        let cookie = device::issue(&state.settings, &user.username, known);
        self.cookies.push(cookie);
        self
    }

    pub fn with_cookie(mut self, cookie: HeaderValue) -> Self {
        self.cookies.push(cookie);
        self
    }

    /// Answers with a body made from what signing in answers, and the cookies.
    pub fn answer_with<T: Serialize>(self, body: impl FnOnce(SignedIn) -> T) -> Response {
        let mut response = Json(body(self.signed_in)).into_response();
        for cookie in self.cookies {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
        response
    }
}

impl IntoResponse for Started {
    fn into_response(self) -> Response {
        self.answer_with(|signed_in| signed_in)
    }
}

/// Starts a session with a brand-new token (a cookie sent before sign-in never becomes
/// signed in), closes the one this browser had, and answers with the cookie.
pub async fn start_session(
    state: &AppState,
    user: &User,
    headers: &HeaderMap,
    address: IpAddr,
    previous_login_at: Option<i64>,
) -> ApiResult<Started> {
    if let SessionCheck::Live(old) =
        SessionCheck::of(headers, &state.db, &state.settings, &state.metrics).await?
    {
        sessions::store::end_one(
            &state.db,
            old.user.id,
            &old.id,
            EndReason::SignedInAgain,
            Some(user.id),
        )
        .await?;
    }
    let now = now_ms();
    let token = IssuedToken::new_session();
    let client = sessions::describe_client(
        headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
    );
    sessions::store::insert(
        &state.db,
        &token,
        sessions::store::NewSession {
            user_id: user.id,
            client: &client,
            address: &sessions::shorten_address(address),
            previous_login_at,
            now,
            expires_at: now + millis(state.settings.sessions.absolute_lifetime),
        },
    )
    .await?;
    store::record_login(&state.db, user.id, now).await?;
    let body = SignedIn {
        user: UserView::from(user),
        role: user.role,
        csrf_token: csrf::token_for(&state.settings.keys, &token.session_id),
        session_id: token.session_id.clone(),
    };
    Ok(Started {
        signed_in: body,
        cookies: vec![cookie::issue(&state.settings, &token)],
    })
}
