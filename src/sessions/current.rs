//! `CurrentUser`: the extractor that makes a handler require a live session. On
//! state-changing methods it also requires the CSRF token, so no route can forget it.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};

use super::store::StoredSession;
use super::{cookie, csrf, lookup, store, IssuedToken, Lookup, NotSignedIn, Refusal};
use crate::accounts::{Role, User};
use crate::http::{ApiError, AppState};
use crate::storage::now_ms;

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub session: StoredSession,
}

impl CurrentUser {
    pub fn session_id(&self) -> &str {
        &self.session.id
    }

    pub fn csrf_token(&self, state: &AppState) -> String {
        csrf::token_for(&state.settings.keys, &self.session.id)
    }

    pub fn is(&self, role: Role) -> bool {
        self.user.role == role
    }
}

/// The session state of a request, for endpoints that must answer either way.
pub enum SessionCheck {
    Live(Box<StoredSession>),
    NotSignedIn(Refusal),
}

impl SessionCheck {
    pub async fn of(headers: &HeaderMap, state: &AppState) -> Result<SessionCheck, ApiError> {
        let Some(token) = cookie::token_from(headers, &state.settings) else {
            return Ok(SessionCheck::NotSignedIn(Refusal::new(
                NotSignedIn::NoCookie,
            )));
        };
        Ok(
            match lookup(&state.db, &state.settings.sessions, &token).await? {
                Lookup::Live(session) => SessionCheck::Live(session),
                Lookup::Refused(refusal) => SessionCheck::NotSignedIn(refusal),
            },
        )
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = match SessionCheck::of(&parts.headers, state).await? {
            SessionCheck::Live(session) => *session,
            SessionCheck::NotSignedIn(refusal) => {
                return Err(refusal.into_error(&state.settings.sessions))
            }
        };
        if is_state_changing(&parts.method) {
            csrf::check_token(&state.settings.keys, &session.id, &parts.headers)?;
        }
        if gained_privileges(&session) {
            renew_token(state, &session, parts).await?;
        }
        Ok(CurrentUser {
            user: session.user.clone(),
            session,
        })
    }
}

/// A clinician approved since this session's token was issued.
fn gained_privileges(session: &StoredSession) -> bool {
    session.user.role == Role::Clinician
        && session
            .user
            .approved_at
            .is_some_and(|at| at > session.token_issued_at)
}

/// A new token after a privilege change, so a token known before it stops working.
async fn renew_token(
    state: &AppState,
    session: &StoredSession,
    parts: &Parts,
) -> Result<(), ApiError> {
    let token = IssuedToken::for_session(session.id.clone());
    let replaced =
        store::replace_token(&state.db, &token, now_ms(), session.token_issued_at, true).await?;
    if let (true, Some(slot)) = (replaced, parts.extensions.get::<cookie::RenewedCookie>()) {
        slot.set(cookie::issue(&state.settings, &token));
    }
    Ok(())
}

pub fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}
