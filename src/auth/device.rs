//! Device cookies (OWASP's "slow brute force protection with device cookies"): a browser
//! that signed in to an account gets a long-lived cookie bound to that account, signed
//! with the signing key. Sign-in failures from that browser count against that browser
//! only; failures from browsers without one lock the account for such browsers only. So
//! an attacker can make the owner wait on a new device, but never on one they have used.

use axum::http::{header, HeaderMap, HeaderValue};
use axum_extra::extract::cookie::{Cookie, SameSite};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::{SecretKey, Settings, SigningKeys};

/// Each account a browser signed in to has a cookie of its own, `hs_device_` and a hash
/// of the username, so a browser that people share stays known to each of them. (A
/// cookie named only `hs_device`, from before, is still read.)
const NAME: &str = "hs_device";
/// Only sign-in reads it.
const PATH: &str = "/api/auth";
/// A year: the device is remembered as long as people keep a phone.
const MAX_AGE_DAYS: i64 = 365;

fn sign(key: &SecretKey, username: &str, device: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.bytes()).expect("HMAC takes any key");
    mac.update(b"healing-space device v1:");
    mac.update(username.as_bytes());
    mac.update(b":");
    mac.update(device.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// This account's cookie name: the prefix and 12 hex digits of the SHA-256 of the
/// username, which names no one and does not change with the signing key.
fn cookie_name(username: &str) -> String {
    let digest = Sha256::digest(format!("healing-space device:{}", username.to_lowercase()));
    format!("{NAME}_{}", &hex::encode(digest)[..12])
}

/// The cookie for a browser that just signed in to `username`: a new device id, or the
/// one it had for this account.
pub fn issue(settings: &Settings, username: &str, known: Option<&str>) -> HeaderValue {
    let device = known.map(str::to_owned).unwrap_or_else(|| {
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        URL_SAFE_NO_PAD.encode(bytes)
    });
    let signature = sign(&settings.keys.current, username, &device);
    let cookie = Cookie::build((cookie_name(username), format!("{device}.{signature}")))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path(PATH)
        .secure(settings.mode.is_production())
        .max_age(time::Duration::days(MAX_AGE_DAYS))
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("cookie text is a valid header")
}

/// The id of this browser's device cookie when it was issued for `username` under a key
/// still accepted; none for any other browser.
pub fn known(headers: &HeaderMap, keys: &SigningKeys, username: &str) -> Option<String> {
    let own_name = cookie_name(username);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == own_name || *name == NAME)
        .find_map(|(_, value)| verify(keys, username, value))
}

fn verify(keys: &SigningKeys, username: &str, value: &str) -> Option<String> {
    let (device, signature) = value.split_once('.')?;
    keys.verification_keys()
        .any(|key| {
            bool::from(
                sign(key, username, device)
                    .as_bytes()
                    .ct_eq(signature.as_bytes()),
            )
        })
        .then(|| device.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> SigningKeys {
        SigningKeys {
            current: SecretKey::parse("test-key-A-0123456789-abcdefghijklmnopqrstuvwxyz").unwrap(),
            next: None,
            fallbacks: Vec::new(),
            source: crate::config::secret_key::KeySource::Environment,
        }
    }

    fn cookie_header(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn a_device_cookie_is_known_only_for_its_account_and_only_when_signed() {
        let keys = keys();
        let signature = sign(&keys.current, "alex", "device1");
        let good = cookie_header(&format!("other=1; hs_device=device1.{signature}"));
        assert_eq!(known(&good, &keys, "alex").as_deref(), Some("device1"));
        assert_eq!(known(&good, &keys, "sam"), None, "bound to its account");
        let forged = cookie_header("hs_device=device2.".to_owned().as_str());
        assert_eq!(known(&forged, &keys, "alex"), None);
        let swapped = cookie_header(&format!("hs_device=device2.{signature}"));
        assert_eq!(known(&swapped, &keys, "alex"), None);
        assert_eq!(known(&HeaderMap::new(), &keys, "alex"), None);
    }

    #[test]
    fn a_shared_browser_keeps_a_cookie_for_each_account() {
        let keys = keys();
        let cookie_of = |username: &str, device: &str| {
            let value = format!("{device}.{}", sign(&keys.current, username, device));
            format!("{}={value}", cookie_name(username))
        };
        let both = cookie_header(&format!(
            "{}; {}",
            cookie_of("alex", "d-alex"),
            cookie_of("sam", "d-sam")
        ));
        assert_eq!(known(&both, &keys, "alex").as_deref(), Some("d-alex"));
        assert_eq!(known(&both, &keys, "sam").as_deref(), Some("d-sam"));
        assert_eq!(known(&both, &keys, "kim"), None);
        assert_ne!(cookie_name("alex"), cookie_name("sam"));
        assert_eq!(cookie_name("Alex"), cookie_name("alex"));
        assert!(!cookie_name("alex").contains("alex"));
    }
}
