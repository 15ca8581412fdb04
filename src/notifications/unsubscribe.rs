//! The token of a mail's one-click unsubscribe link: the person's id, signed with the
//! signing key (any key still accepted verifies it, so rotation breaks no link in an
//! inbox). It can only switch that person's new-message mail off.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::config::{SecretKey, SigningKeys};

fn sign(key: &SecretKey, user_id: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.bytes()).expect("HMAC takes any key");
    mac.update(b"healing-space unsubscribe v1:");
    mac.update(user_id.to_string().as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

pub fn token_for(keys: &SigningKeys, user_id: i64) -> String {
    format!("{user_id}.{}", sign(&keys.current, user_id))
}

/// Whose token this is, when it is one of ours.
pub fn verify(keys: &SigningKeys, token: &str) -> Option<i64> {
    let (id, signature) = token.trim().split_once('.')?;
    let user_id: i64 = id.parse().ok()?;
    keys.verification_keys()
        .any(|key| bool::from(sign(key, user_id).as_bytes().ct_eq(signature.as_bytes())))
        .then_some(user_id)
}
