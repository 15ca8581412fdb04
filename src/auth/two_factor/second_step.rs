//! The cookie of a sign-in waiting for its second step. It is not a session: nothing but
//! the second-step routes reads it, it lasts a few minutes, and it holds a random token
//! the database keeps only hashed.

use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue};
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::config::Settings;

pub const NAME: &str = "hs_second_step";
/// Only the second-step routes read it.
const PATH: &str = "/api/auth/2fa";
/// Long enough to find the phone and set up an app; short enough to be useless later.
pub const LIFETIME: Duration = Duration::from_secs(10 * 60);
/// Wrong codes one second step may take before the person starts again with their password.
pub const MAX_FAILURES: i64 = 5;

pub fn issue(settings: &Settings, token: &str) -> HeaderValue {
    let lifetime = time::Duration::seconds(i64::try_from(LIFETIME.as_secs()).unwrap_or(600));
    build(settings, token.to_owned(), lifetime)
}

pub fn clear(settings: &Settings) -> HeaderValue {
    build(settings, String::new(), time::Duration::ZERO)
}

fn build(settings: &Settings, value: String, max_age: time::Duration) -> HeaderValue {
    let cookie = Cookie::build((NAME, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path(PATH)
        .secure(settings.mode.is_production())
        .max_age(max_age)
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("cookie text is a valid header")
}

/// The token of this browser's second step, if it sent one.
pub fn token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(NAME)?.strip_prefix('='))
        .find(|value| !value.is_empty())
        .map(str::to_owned)
}
