//! CSRF protection, two ways: a token that is an HMAC of the session id under the signing
//! key (current or fallback, so rotation does not break open pages), and a check that a
//! request's `Origin` (or `Referer`) is this site.

use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::config::{SecretKey, Settings, SigningKeys};

pub const HEADER: &str = "x-csrf-token";

fn sign(key: &SecretKey, session_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.bytes()).expect("HMAC takes any key");
    mac.update(b"healing-space csrf v1:");
    mac.update(session_id.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// The token for a session, always under the current key.
pub fn token_for(keys: &SigningKeys, session_id: &str) -> String {
    sign(&keys.current, session_id)
}

fn token_is_valid(keys: &SigningKeys, session_id: &str, presented: &str) -> bool {
    keys.verification_keys()
        .any(|key| bool::from(sign(key, session_id).as_bytes().ct_eq(presented.as_bytes())))
}

/// A state-changing request that may have been forged, and what it lacked.
#[derive(Debug, thiserror::Error)]
#[error("{0} Fetch a fresh token from /api/auth/me and try again.")]
pub struct CsrfRefused(&'static str);

fn failed(why: &'static str) -> CsrfRefused {
    tracing::info!(code = "csrf_failed", why, "request refused");
    CsrfRefused(why)
}

/// For a state-changing request that carries a session.
pub fn check_token(
    keys: &SigningKeys,
    session_id: &str,
    headers: &HeaderMap,
) -> Result<(), CsrfRefused> {
    match headers.get(HEADER).and_then(|v| v.to_str().ok()) {
        None => Err(failed("This request needs the X-CSRF-Token header.")),
        Some(token) if token_is_valid(keys, session_id, token.trim()) => Ok(()),
        Some(_) => Err(failed(
            "The X-CSRF-Token header does not match this session.",
        )),
    }
}

/// For every state-changing request, signed in or not: a browser's `Origin` (or, without
/// one, `Referer`) must be this site. Requests with neither come from non-browser clients,
/// which cannot carry a victim's cookie by accident.
pub fn check_origin(settings: &Settings, headers: &HeaderMap) -> Result<(), CsrfRefused> {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            headers
                .get(header::REFERER)
                .and_then(|v| v.to_str().ok())
                .and_then(origin_of_url)
        });
    let Some(origin) = origin else { return Ok(()) };
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let same_site = match &settings.public_url {
        Some(public) => &origin == public,
        None => {
            host_of_origin(&origin)
                == headers
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_ascii_lowercase)
        }
    };
    if same_site {
        Ok(())
    } else {
        Err(failed("This request came from another site."))
    }
}

fn origin_of_url(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{host}"))
}

fn host_of_origin(origin: &str) -> Option<String> {
    origin.split_once("://").map(|(_, host)| host.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{KeySource, SecretKey};

    fn keys(current: &str, fallbacks: &[&str]) -> SigningKeys {
        SigningKeys {
            current: SecretKey::parse(current).unwrap(),
            fallbacks: fallbacks
                .iter()
                .map(|k| SecretKey::parse(k).unwrap())
                .collect(),
            source: KeySource::Environment,
        }
    }

    const OLD: &str = "old-key-0123456789-abcdefghijklmnopqrstuv";
    const NEW: &str = "new-key-9876543210-zyxwvutsrqponmlkjihgfe";

    #[test]
    fn tokens_from_a_fallback_key_still_verify() {
        let old_token = token_for(&keys(OLD, &[]), "session-1");
        assert!(token_is_valid(&keys(NEW, &[OLD]), "session-1", &old_token));
        assert!(!token_is_valid(&keys(NEW, &[]), "session-1", &old_token));
        assert!(!token_is_valid(&keys(OLD, &[]), "session-2", &old_token));
    }

    #[test]
    fn referer_gives_the_origin() {
        assert_eq!(
            origin_of_url("https://a.org:8443/x?y").as_deref(),
            Some("https://a.org:8443")
        );
    }
}
