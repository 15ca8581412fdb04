//! The session cookie: `HttpOnly`, `SameSite=Lax`, `Path=/`; in production `Secure` and
//! `__Host-` (or `__Secure-` with an operator-chosen domain); plain in development so it
//! works over `http://localhost`.

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};

use super::{csrf, expose, IssuedToken};
use crate::config::{Mode, Settings};
use crate::http::{is_state_changing, ApiError};

const BASE_NAME: &str = "hs_session";

pub fn name(settings: &Settings) -> String {
    match (settings.mode, &settings.sessions.cookie_domain) {
        (Mode::Development, _) => BASE_NAME.to_owned(),
        (Mode::Production, None) => format!("__Host-{BASE_NAME}"),
        (Mode::Production, Some(_)) => format!("__Secure-{BASE_NAME}"),
    }
}

fn build(settings: &Settings, value: String) -> Cookie<'static> {
    let mut cookie = Cookie::build((name(settings), value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(settings.mode.is_production());
    if let (Mode::Production, Some(domain)) = (settings.mode, &settings.sessions.cookie_domain) {
        cookie = cookie.domain(domain.clone());
    }
    cookie.build()
}

/// The cookie for a new token. It outlives the session by the retention period, so that
/// a browser coming back after expiry still sends it and learns why it was signed out.
pub fn issue(settings: &Settings, token: &IssuedToken) -> HeaderValue {
    let mut cookie = build(settings, expose(token).to_owned());
    let sessions = &settings.sessions;
    let max_age = sessions
        .absolute_lifetime
        .saturating_add(sessions.retention)
        .as_secs();
    cookie.set_max_age(time::Duration::seconds(
        i64::try_from(max_age).unwrap_or(i64::MAX),
    ));
    HeaderValue::from_str(&cookie.to_string()).expect("cookie text is a valid header")
}

pub fn clear(settings: &Settings) -> HeaderValue {
    let mut cookie = build(settings, String::new());
    cookie.make_removal();
    HeaderValue::from_str(&cookie.to_string()).expect("cookie text is a valid header")
}

/// How many session cookies of one request are looked up, at most: a browser holds one
/// per domain it was set for, so a few; a request with more does not get more work done.
pub const MAX_CANDIDATES: usize = 4;

/// The tokens the request carries, in the order sent, without repeats. More than one
/// comes from a browser that still holds a stale cookie (say, set for a parent domain)
/// beside the current one; the caller tries each.
pub fn tokens_from(headers: &HeaderMap, settings: &Settings) -> Vec<String> {
    let wanted = name(settings);
    let mut tokens: Vec<String> = Vec::new();
    let cookies = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok);
    for cookie in cookies {
        if cookie.name() == wanted
            && !cookie.value().is_empty()
            && !tokens.iter().any(|t| t == cookie.value())
        {
            tokens.push(cookie.value().to_owned());
            if tokens.len() == MAX_CANDIDATES {
                break;
            }
        }
    }
    tokens
}

/// Where an extractor leaves a renewed cookie for the response; the session layer puts
/// an empty one in every request and copies what it finds into the response.
#[derive(Clone, Default)]
pub struct RenewedCookie(Arc<Mutex<Option<HeaderValue>>>);

impl RenewedCookie {
    pub fn set(&self, cookie: HeaderValue) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(cookie);
    }

    fn take(&self) -> Option<HeaderValue> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// Marks an error response whose request ended the session: the layer clears the cookie.
#[derive(Clone, Copy, Debug)]
pub struct ClearSessionCookie;

/// The session layer, around every route: refuses state-changing requests from other
/// sites (sign-in and registration included), and applies the cookie changes that the
/// request's handling decided on.
pub async fn layer(
    State(settings): State<Arc<Settings>>,
    mut request: Request,
    next: Next,
) -> Response {
    if is_state_changing(request.method()) {
        if let Err(refused) = csrf::check_origin(&settings, request.headers()) {
            return ApiError::from(refused).into_response();
        }
    }
    let renewed = RenewedCookie::default();
    request.extensions_mut().insert(renewed.clone());
    let mut response = next.run(request).await;
    apply_changes(&settings, &renewed, &mut response);
    response
}

/// Adds to a response the cookie changes that the request's handling decided on: a
/// removal when an error ended the session, or a renewed token.
fn apply_changes(settings: &Settings, renewed: &RenewedCookie, response: &mut Response) {
    if response.extensions().get::<ClearSessionCookie>().is_some() {
        response
            .headers_mut()
            .append(header::SET_COOKIE, clear(settings));
    } else if let Some(cookie) = renewed.take() {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn development() -> Settings {
        let source = |name: &str| match name {
            "DEBUG" => Some("1".to_owned()),
            "SECRET_KEY" => Some("a-good-key-0123456789-abcdefghijklmnopqrstuv".to_owned()),
            _ => None,
        };
        Settings::load(&source, true).unwrap()
    }

    fn cookie_headers(values: &[Vec<u8>]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            if let Ok(value) = HeaderValue::from_bytes(value) {
                headers.append(header::COOKIE, value);
            }
        }
        headers
    }

    proptest! {
        #[test]
        fn any_cookie_header_gives_a_few_distinct_tokens(
            values in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..200), 0..4),
            text in "(hs_session=[^;]{0,12}; ?|[a-z]{1,3}=[a-z]{0,3}; ?){0,10}",
        ) {
            let settings = development();
            let mut values = values;
            values.push(text.into_bytes());
            let tokens = tokens_from(&cookie_headers(&values), &settings);
            prop_assert!(tokens.len() <= MAX_CANDIDATES);
            for (index, token) in tokens.iter().enumerate() {
                prop_assert!(!token.is_empty());
                prop_assert!(!tokens[..index].contains(token));
            }
        }

        #[test]
        fn every_session_cookie_is_found_in_order(
            tokens in prop::collection::vec("[A-Za-z0-9_-]{1,43}", 1..4),
        ) {
            let settings = development();
            let mut header = String::from("theme=dark");
            for token in &tokens {
                header.push_str(&format!("; hs_session={token}; other=1"));
            }
            let found = tokens_from(&cookie_headers(&[header.into_bytes()]), &settings);
            let mut expected: Vec<String> = Vec::new();
            for token in tokens {
                if !expected.contains(&token) {
                    expected.push(token);
                }
            }
            prop_assert_eq!(found, expected);
        }
    }

    #[test]
    fn the_longest_settings_give_a_cookie() {
        let mut settings = development();
        settings.sessions.absolute_lifetime = std::time::Duration::MAX;
        let token = IssuedToken::new_session();
        assert!(issue(&settings, &token)
            .to_str()
            .unwrap()
            .contains("Max-Age="));
    }
}
