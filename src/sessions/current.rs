//! `CurrentUser`: the extractor that makes a handler require a live session. On
//! state-changing methods it also requires the CSRF token, so no route can forget it.
//! This is where a session's refusals become HTTP answers.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};

use super::cookie::{self, ClearSessionCookie};
use super::csrf::{self, CsrfRefused};
use super::store::{self, StoredSession};
use super::{lookup, EndReason, IssuedToken, Lookup, NotSignedIn, Refusal};
use crate::accounts::{Role, User};
use crate::config::Settings;
use crate::http::{is_state_changing, ApiError, ErrorCode};
use crate::metrics::Metrics;
use crate::storage::{now_ms, Database};

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub session: StoredSession,
}

impl CurrentUser {
    pub fn session_id(&self) -> &str {
        &self.session.id
    }

    pub fn csrf_token(&self, settings: &Settings) -> String {
        csrf::token_for(&settings.keys, &self.session.id)
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
    /// Checks the request's session cookies, and counts the result in `metrics`: `live`,
    /// or the 401 code and reason the request is refused with.
    pub async fn of(
        headers: &HeaderMap,
        db: &Database,
        settings: &Settings,
        metrics: &Metrics,
    ) -> Result<SessionCheck, ApiError> {
        let check = SessionCheck::uncounted(headers, db, settings).await?;
        match &check {
            SessionCheck::Live(_) => metrics.session_looked_up("live", ""),
            SessionCheck::NotSignedIn(refusal) => metrics.session_looked_up(
                error_code(refusal.why).as_str(),
                refusal.why.reason().unwrap_or(""),
            ),
        }
        Ok(check)
    }

    async fn uncounted(
        headers: &HeaderMap,
        db: &Database,
        settings: &Settings,
    ) -> Result<SessionCheck, ApiError> {
        let mut refusal = Refusal::new(NotSignedIn::NoCookie);
        for token in cookie::tokens_from(headers, settings) {
            match lookup(db, &settings.sessions, &token).await? {
                Lookup::Live(session) => return Ok(SessionCheck::Live(session)),
                Lookup::Refused(refused) => refusal = more_specific(refusal, refused),
            }
        }
        Ok(SessionCheck::NotSignedIn(refusal))
    }
}

/// Of two refusals for cookies of one request, the one that explains more: a session
/// that ended says why, where an unknown token says nothing. The first wins a tie.
fn more_specific(kept: Refusal, other: Refusal) -> Refusal {
    let rank = |why: NotSignedIn| match why {
        NotSignedIn::NoCookie => 0,
        NotSignedIn::Unknown => 1,
        NotSignedIn::Ended(_) | NotSignedIn::AccountDisabled | NotSignedIn::AccountClosed => 2,
    };
    if rank(other.why) > rank(kept.why) {
        other
    } else {
        kept
    }
}

impl<S> FromRequestParts<S> for CurrentUser
where
    S: Send + Sync,
    Database: FromRef<S>,
    Arc<Settings>: FromRef<S>,
    Metrics: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let db = Database::from_ref(state);
        let settings = Arc::<Settings>::from_ref(state);
        let metrics = Metrics::from_ref(state);
        let session = match SessionCheck::of(&parts.headers, &db, &settings, &metrics).await? {
            SessionCheck::Live(session) => *session,
            SessionCheck::NotSignedIn(refusal) => return Err(not_signed_in(refusal, &settings)),
        };
        if is_state_changing(&parts.method) {
            csrf::check_token(&settings.keys, &session.id, &parts.headers)?;
        }
        if gained_privileges(&session) {
            renew_token(&db, &settings, &session, parts).await?;
        }
        Ok(CurrentUser {
            user: session.user.clone(),
            session,
        })
    }
}

/// The 401 for a refused session, logged with its code and the session id (never the
/// token). Only a response that ends the session clears the cookie: a late answer to a
/// request sent with an old cookie must not delete the cookie of a newer sign-in.
pub fn not_signed_in(refusal: Refusal, settings: &Settings) -> ApiError {
    let why = refusal.why;
    tracing::info!(
        code = error_code(why).as_str(),
        reason = why.reason(),
        session_id = refusal.session_id,
        "request not signed in"
    );
    let mut error = ApiError::new(
        StatusCode::UNAUTHORIZED,
        error_code(why),
        why.message(&settings.sessions),
    );
    error.reason = why.reason();
    if refusal.ended_now {
        error = error.with_extension(ClearSessionCookie);
    }
    error
}

/// The 401 code for each reason a request is not signed in.
pub fn error_code(why: NotSignedIn) -> ErrorCode {
    match why {
        NotSignedIn::NoCookie => ErrorCode::NotAuthenticated,
        NotSignedIn::Unknown => ErrorCode::SessionUnknown,
        NotSignedIn::Ended(EndReason::IdleTimeout | EndReason::AbsoluteLifetime) => {
            ErrorCode::SessionExpired
        }
        NotSignedIn::Ended(EndReason::AccountDisabled) | NotSignedIn::AccountDisabled => {
            ErrorCode::AccountDisabled
        }
        NotSignedIn::Ended(EndReason::AccountClosed) | NotSignedIn::AccountClosed => {
            ErrorCode::AccountClosed
        }
        NotSignedIn::Ended(_) => ErrorCode::SessionRevoked,
    }
}

impl From<CsrfRefused> for ApiError {
    fn from(refused: CsrfRefused) -> Self {
        ApiError::forbidden(ErrorCode::CsrfFailed, refused.to_string())
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
    db: &Database,
    settings: &Settings,
    session: &StoredSession,
    parts: &Parts,
) -> Result<(), ApiError> {
    let token = IssuedToken::for_session(session.id.clone());
    let replaced =
        store::replace_token(db, &token, now_ms(), session.token_issued_at, true).await?;
    if let (true, Some(slot)) = (replaced, parts.extensions.get::<cookie::RenewedCookie>()) {
        slot.set(cookie::issue(settings, &token));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_has_its_code() {
        let expired = NotSignedIn::Ended(EndReason::IdleTimeout);
        assert_eq!(error_code(expired), ErrorCode::SessionExpired);
        let revoked = NotSignedIn::Ended(EndReason::Admin);
        assert_eq!(error_code(revoked), ErrorCode::SessionRevoked);
        assert_eq!(
            error_code(NotSignedIn::AccountDisabled),
            ErrorCode::AccountDisabled
        );
        assert_eq!(
            error_code(NotSignedIn::NoCookie),
            ErrorCode::NotAuthenticated
        );
        assert_eq!(error_code(NotSignedIn::Unknown), ErrorCode::SessionUnknown);
    }

    #[test]
    fn the_refusal_that_explains_more_is_kept() {
        let unknown = || Refusal::new(NotSignedIn::Unknown);
        let revoked = || Refusal::new(NotSignedIn::Ended(EndReason::SignedOut));
        let expired = || Refusal::new(NotSignedIn::Ended(EndReason::IdleTimeout));
        assert_eq!(more_specific(unknown(), revoked()).why, revoked().why);
        assert_eq!(more_specific(revoked(), unknown()).why, revoked().why);
        assert_eq!(more_specific(revoked(), expired()).why, revoked().why);
    }
}
