//! How signing in, the current session and password changes appear in answers.

use serde::Serialize;
use utoipa::ToSchema;

use super::two_factor::Purpose;
use crate::accounts::{Role, UserView};

/// The answer to signing in or registering: who, and the token for `X-CSRF-Token`.
#[derive(Serialize, ToSchema)]
pub struct SignedIn {
    pub user: UserView,
    pub role: Role,
    pub session_id: String,
    /// Send it as `X-CSRF-Token` on every state-changing request.
    pub csrf_token: String,
}

/// The current session, as `/api/auth/me` and a signed-in `/api/auth/status` answer it.
#[derive(Serialize, ToSchema)]
pub struct SessionView {
    /// Always true here.
    pub authenticated: bool,
    pub user: UserView,
    pub role: Role,
    pub session_id: String,
    pub csrf_token: String,
    pub session: SessionTimes,
}

#[derive(Serialize, ToSchema)]
pub struct SessionTimes {
    pub created_at: String,
    /// The end of the session's maximum lifetime.
    pub expires_at: String,
    pub idle_timeout_seconds: u64,
}

/// Not signed in, and why: the code a `401` would carry.
#[derive(Serialize, ToSchema)]
pub struct SignedOutView {
    /// Always false here.
    pub authenticated: bool,
    /// The `401` code: `not_authenticated`, `session_unknown`, `session_expired`,
    /// `session_revoked` or `account_disabled`.
    pub reason: crate::http::ErrorCode,
    /// The finer reason, as in a `401`'s `reason`.
    pub detail: Option<&'static str>,
    pub message: String,
}

/// `/api/auth/status`: 200 either way.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum SessionStatus {
    SignedIn(Box<SessionView>),
    SignedOut(SignedOutView),
}

#[derive(Serialize, ToSchema)]
pub struct SignedOut {
    /// Always true.
    pub signed_out: bool,
}

#[derive(Serialize, ToSchema)]
pub struct PasswordChanged {
    /// Always true.
    pub password_changed: bool,
    /// How many other sessions were signed out.
    pub other_sessions_ended: u64,
    /// This session continues under a new cookie; the CSRF token stays valid.
    pub csrf_token: String,
}

/// A right password when a second step must follow: no session yet, only the second
/// step's cookie, for `POST /api/auth/2fa/verify` (or, to set up the second factor the
/// role requires, `/api/auth/2fa/totp/setup` and `/confirm`).
#[derive(Serialize, ToSchema)]
pub struct SecondStepRequired {
    /// `two_factor_required` or `two_factor_enrolment_required`.
    #[schema(example = "two_factor_required")]
    pub status: &'static str,
    pub message: &'static str,
}

impl SecondStepRequired {
    pub fn new(purpose: Purpose) -> Self {
        match purpose {
            Purpose::Verify => SecondStepRequired {
                status: "two_factor_required",
                message: "Enter the 6-digit code from your authenticator app, or a recovery code.",
            },
            Purpose::Enrol => SecondStepRequired {
                status: "two_factor_enrolment_required",
                message: "Your role signs in with a second factor. Set up an authenticator app to finish signing in.",
            },
        }
    }
}

/// What `POST /api/auth/login` answers with a right password.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum LoginAnswer {
    SignedIn(SignedIn),
    SecondStep(SecondStepRequired),
}
