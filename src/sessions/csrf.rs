//! CSRF protection, two ways: a token that is an HMAC of the session id under the signing
//! key (current or fallback, so rotation does not break open pages), and a check that a
//! request's `Origin` (or `Referer`) is this site.

use axum::http::{header, HeaderMap, HeaderName};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use url::Url;

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
/// which cannot carry a victim's cookie by accident. One that is repeated, unreadable or
/// not a web address is refused: a forger must not get past by confusing the check.
pub fn check_origin(settings: &Settings, headers: &HeaderMap) -> Result<(), CsrfRefused> {
    let Some(claimed) = claimed_origin(headers)? else {
        return Ok(());
    };
    let same_site = match &settings.public_url {
        Some(public) => &claimed.origin().ascii_serialization() == public,
        None => {
            origin_of_host(headers, claimed.scheme()).is_some_and(|own| own == claimed.origin())
        }
    };
    if same_site {
        Ok(())
    } else {
        Err(failed("This request came from another site."))
    }
}

/// Where a request claims to come from: its `Origin` header, or its `Referer`; an
/// http(s) address with a host.
fn claimed_origin(headers: &HeaderMap) -> Result<Option<Url>, CsrfRefused> {
    let (text, not_an_address) = match only_value(headers, header::ORIGIN)? {
        Some(origin) => (origin, "This request's Origin header is not a web address."),
        None => match only_value(headers, header::REFERER)? {
            Some(referer) => (
                referer,
                "This request's Referer header is not a web address.",
            ),
            None => return Ok(None),
        },
    };
    Url::parse(text.trim())
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.origin().is_tuple())
        .map(Some)
        .ok_or_else(|| failed(not_an_address))
}

/// The one value of a header that may appear once, if present.
fn only_value(headers: &HeaderMap, name: HeaderName) -> Result<Option<&str>, CsrfRefused> {
    let mut values = headers.get_all(&name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(failed(if name == header::ORIGIN {
            "This request has more than one Origin header."
        } else {
            "This request has more than one Referer header."
        }));
    }
    first
        .to_str()
        .map(Some)
        .map_err(|_| failed("This request's Origin or Referer header is unreadable."))
}

/// Without `PUBLIC_URL` (development): this site is whatever the request's `Host` names.
fn origin_of_host(headers: &HeaderMap, scheme: &str) -> Option<url::Origin> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let url = Url::parse(&format!("{scheme}://{}", host.trim())).ok()?;
    (url.path() == "/" && url.query().is_none()).then(|| url.origin())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::config::{KeySource, SecretKey};

    fn keys(current: &str, fallbacks: &[&str]) -> SigningKeys {
        SigningKeys {
            current: SecretKey::parse(current).unwrap(),
            next: None,
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

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn referer_gives_the_origin() {
        let claimed = claimed_origin(&headers(&[("referer", "https://A.org:8443/x?y")]));
        assert_eq!(
            claimed.unwrap().unwrap().origin().ascii_serialization(),
            "https://a.org:8443"
        );
    }

    #[test]
    fn repeated_or_unreadable_origins_are_refused() {
        let both = headers(&[("origin", "https://a.org"), ("origin", "https://evil.org")]);
        assert!(claimed_origin(&both).is_err());
        for bad in [
            vec![("referer", "not a url")],
            vec![("referer", "/relative/path")],
            vec![("origin", "null")],
            vec![("origin", "file:///etc/passwd")],
            vec![("referer", "https://a.org/"), ("referer", "https://a.org/")],
        ] {
            assert!(claimed_origin(&headers(&bad)).is_err(), "{bad:?}");
        }
        assert!(claimed_origin(&HeaderMap::new()).unwrap().is_none());
    }

    #[test]
    fn without_a_public_url_the_host_is_this_site() {
        let ok = headers(&[
            ("host", "127.0.0.1:8000"),
            ("origin", "http://127.0.0.1:8000"),
        ]);
        let claimed = claimed_origin(&ok).unwrap().unwrap();
        assert_eq!(origin_of_host(&ok, "http"), Some(claimed.origin()));
        let other = headers(&[
            ("host", "127.0.0.1:8000"),
            ("origin", "http://127.0.0.1:9000"),
        ]);
        let claimed = claimed_origin(&other).unwrap().unwrap();
        assert_ne!(origin_of_host(&other, "http"), Some(claimed.origin()));
    }

    #[test]
    fn a_staged_key_verifies_before_it_signs() {
        let mut on_old = keys(OLD, &[]);
        on_old.next = Some(SecretKey::parse(NEW).unwrap());
        let from_new = token_for(&keys(NEW, &[OLD]), "session-1");
        assert!(token_is_valid(&on_old, "session-1", &from_new));
        assert_eq!(
            token_for(&on_old, "session-1"),
            token_for(&keys(OLD, &[]), "session-1")
        );
    }

    proptest! {
        #[test]
        fn only_the_sessions_own_token_passes(
            session_id in any::<String>(),
            presented in any::<String>(),
        ) {
            let keys = keys(OLD, &[NEW]);
            let mut headers = HeaderMap::new();
            if let Ok(value) = presented.parse() {
                headers.insert(HEADER, value);
            }
            let passed = check_token(&keys, &session_id, &headers).is_ok();
            let right = token_for(&keys, &session_id) == presented.trim();
            prop_assert_eq!(passed, right && headers.contains_key(HEADER));
        }

        #[test]
        fn a_token_verifies_wherever_its_key_is_staged_or_kept(session_id in any::<String>()) {
            let from_new = token_for(&keys(NEW, &[OLD]), &session_id);
            let mut staged = keys(OLD, &[]);
            staged.next = Some(SecretKey::parse(NEW).unwrap());
            prop_assert!(token_is_valid(&staged, &session_id, &from_new));
            prop_assert!(!token_is_valid(&keys(OLD, &[]), &session_id, &from_new));
            let from_old = token_for(&staged, &session_id);
            prop_assert!(token_is_valid(&keys(NEW, &[OLD]), &session_id, &from_old));
        }

        #[test]
        fn only_this_sites_origin_passes(
            origins in prop::collection::vec(
                prop_oneof![
                    any::<String>(),
                    "(https?|null|ftp)(://)?[a-z.]{0,12}(:[0-9]{1,5})?(/[ -~]{0,8})?",
                    Just("https://care.example.org".to_owned()),
                ],
                0..3,
            ),
            referer in proptest::option::of(any::<String>()),
        ) {
            let settings = development_with_public_url();
            let mut headers = HeaderMap::new();
            for origin in &origins {
                if let Ok(value) = origin.parse() {
                    headers.append(header::ORIGIN, value);
                }
            }
            if let Some(value) = referer.and_then(|r| r.parse().ok()) {
                headers.append(header::REFERER, value);
            }
            if check_origin(&settings, &headers).is_ok() {
                let claimed = headers.get(header::ORIGIN).or(headers.get(header::REFERER));
                if let Some(claimed) = claimed {
                    let url = Url::parse(claimed.to_str().unwrap().trim()).unwrap();
                    prop_assert_eq!(url.origin().ascii_serialization(), "https://care.example.org");
                    prop_assert!(headers.get_all(header::ORIGIN).iter().count() <= 1);
                }
            }
        }
    }

    fn development_with_public_url() -> Settings {
        let source = |name: &str| match name {
            "DEBUG" => Some("1".to_owned()),
            "SECRET_KEY" => Some(OLD.to_owned()),
            "PUBLIC_URL" => Some("https://care.example.org".to_owned()),
            _ => None,
        };
        Settings::load(&source, true).unwrap()
    }
}
