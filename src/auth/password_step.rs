//! The password step of signing in, shared by every route that takes a username and a
//! password instead of a session: the per-address limit, the account's failure counts
//! (per known device, or for all unknown clients together), the check itself, and the
//! audit of failures. What a right password then opens is the caller's business.

use std::net::IpAddr;

use axum::http::HeaderMap;
use secrecy::SecretString;

use super::device;
use super::start::invalid_credentials;
use crate::accounts::limits::{self, Counter};
use crate::accounts::{store, AccountError, User};
use crate::audit::{Entry, Event};
use crate::http::{ApiError, ApiResult};
use crate::metrics::SignInStep;
use crate::state::AppState;
use crate::storage::Both;
use crate::text::{self, Lines};

/// A right password for this account, from this browser (its device cookie's id, if any).
pub struct PasswordProved {
    pub user: User,
    pub device: Option<String>,
}

pub async fn check_password(
    state: &AppState,
    headers: &HeaderMap,
    address: IpAddr,
    username: String,
    password: String,
) -> ApiResult<PasswordProved> {
    state.address_limiter.check(address)?;
    let username = username.trim().to_ascii_lowercase();
    if username.is_empty() || username.chars().count() > 64 {
        return Err(ApiError::invalid("username", "Enter your username."));
    }
    if let Err(forbidden) = text::check(&username, Lines::One) {
        return Err(ApiError::invalid(
            "username",
            format!("A username {forbidden}."),
        ));
    }
    if password.is_empty() || password.chars().count() > 256 {
        return Err(ApiError::invalid(
            "password",
            "Enter your password (at most 256 characters).",
        ));
    }
    let found = store::credentials(&state.db, &username).await?;
    let (user, hash) = found.map_or((None, None), |Both(user, hash)| {
        (Some(user), Some(hash.password_hash))
    });
    // What was typed as a username is kept only when it names a real account: people
    // sometimes type their password there.
    let audit = |event| {
        let entry = Entry::new(event).from_address(address);
        match &user {
            Some(user) => entry.about(user.id),
            None => entry.detail("unknown username"),
        }
    };
    // A browser that signed in to this account before counts its failures on its own.
    let device = device::known(headers, &state.settings.keys, &username);
    let counter = match &device {
        Some(device) => Counter::KnownDevice { device },
        None => Counter::UnknownClients {
            username: &username,
        },
    };
    let attempt = match limits::begin_attempt(&state.db, counter, &state.settings.login).await {
        Ok(attempt) => attempt,
        Err(locked @ AccountError::TooManyAttempts { .. }) => {
            state.metrics.sign_in_locked_out(SignInStep::Password);
            audit(Event::SignInLockedOut).record(&state.db).await?;
            return Err(locked.into());
        }
        Err(error) => return Err(error.into()),
    };
    let password = SecretString::from(password);
    if !state.hasher.verify(password, hash).await? {
        state.metrics.sign_in_failed(SignInStep::Password);
        audit(Event::SignInFailed).record(&state.db).await?;
        return Err(invalid_credentials());
    }
    let user = user.ok_or_else(invalid_credentials)?;
    attempt.succeeded(&state.db).await?;
    Ok(PasswordProved { user, device })
}
