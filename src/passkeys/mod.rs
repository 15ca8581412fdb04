//! Passkeys (WebAuthn, through webauthn-rs): a person registers one from Settings and then
//! signs in with it instead of a password. Sign-in is discoverable (the authenticator
//! says whose passkey it is, so nobody types a username) and always verifies the user
//! (a PIN or biometric), so a passkey is a whole sign-in on its own; it ends like every
//! other in `auth::start`.
//!
//! The relying party is this deployment's public origin: `PUBLIC_URL`, or in development
//! the address the request came to. WebAuthn needs a domain name, so at an IP address
//! (`http://127.0.0.1:8000`) passkeys are not offered; `http://localhost:8000` works.
//!
//! A ceremony (start, then finish) may reach two instances behind the load balancer, so
//! its webauthn-rs state is stored in the database under the SHA-256 of a random id the
//! browser holds, for five minutes, and taken out when it is finished: each works once.

pub mod routes;
pub mod store;
pub mod views;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    CreationChallengeResponse, CredentialID, DiscoverableAuthentication, Passkey,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse, Url, Uuid, Webauthn, WebauthnBuilder,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use crate::accounts::links::new_token;
use crate::accounts::store::{self as users, User};
use crate::storage::{now_ms, Database, DbError};
use crate::text::{self, Lines};

/// How long a ceremony may take, from its start to its finish.
pub const CEREMONY_MINUTES: i64 = 5;
/// The longest name a passkey may have, in characters.
pub const NAME_MAX: usize = 60;

const RP_NAME: &str = "Healing Space";

#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// This deployment's origin is no domain name (or no origin at all).
    #[error("passkeys are not available at this address")]
    Unavailable,
    /// Unknown, already finished, expired, or another person's.
    #[error("no such ceremony in progress")]
    CeremonyUnusable,
    /// The credential of a registration did not verify.
    #[error("the new passkey was not accepted: {0}")]
    NotRegistered(String),
    /// A sign-in did not verify; whose passkey it claimed to be, when known.
    #[error("the passkey was not accepted: {why}")]
    NotAccepted { user_id: Option<i64>, why: String },
    #[error("this credential is registered already")]
    AlreadyRegistered,
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

fn not_accepted(user_id: Option<i64>, why: impl ToString) -> PasskeyError {
    PasskeyError::NotAccepted {
        user_id,
        why: why.to_string(),
    }
}

/// The relying party of `origin` (`https://care.example.org`): its id is the origin's
/// host, which must be a domain name.
pub fn relying_party(origin: &str) -> Result<Webauthn, PasskeyError> {
    let url = Url::parse(origin).map_err(|_| PasskeyError::Unavailable)?;
    let rp_id = url.domain().ok_or(PasskeyError::Unavailable)?.to_owned();
    WebauthnBuilder::new(&rp_id, &url)
        .and_then(|builder| builder.rp_name(RP_NAME).build())
        .map_err(|_| PasskeyError::Unavailable)
}

/// The name a person gives a passkey: one line of 1 to 60 characters; when none is given,
/// the browser and system it was made on ("Chrome on Android").
pub fn parse_name(given: Option<&str>, client: &str) -> Result<String, PasskeyError> {
    let invalid = |message: String| PasskeyError::Invalid {
        field: "name",
        message,
    };
    let name = given.map(str::trim).filter(|name| !name.is_empty());
    let Some(name) = name else {
        return Ok(client.chars().take(NAME_MAX).collect());
    };
    if name.chars().count() > NAME_MAX {
        return Err(invalid(format!(
            "A passkey's name is at most {NAME_MAX} characters."
        )));
    }
    text::check(name, Lines::One).map_err(|forbidden| invalid(format!("A name {forbidden}.")))?;
    Ok(name.to_owned())
}

/// What a registration keeps between its start and its finish.
#[derive(Serialize, Deserialize)]
struct Registering {
    user_handle: Uuid,
    registration: PasskeyRegistration,
}

/// A ceremony just started: its id (for the browser, stored only hashed), the options
/// for `navigator.credentials`, and when it expires.
pub struct Started<T> {
    pub ceremony: String,
    pub options: T,
    pub expires_at: i64,
}

async fn save_ceremony(
    db: &Database,
    user_id: Option<i64>,
    kind: store::Kind,
    state: &impl Serialize,
) -> Result<(String, i64), PasskeyError> {
    let ceremony = new_token();
    let now = now_ms();
    let expires_at = now + CEREMONY_MINUTES * 60 * 1000;
    let state = serde_json::to_string(state).map_err(anyhow::Error::from)?;
    let row = store::NewCeremony {
        id: &ceremony,
        user_id,
        kind,
        state: &state,
        now,
        expires_at,
    };
    store::insert_ceremony(db, &row).await?;
    Ok((ceremony, expires_at))
}

/// The ceremony's state, once: unknown, finished, expired, or another person's are all
/// the same refusal.
async fn take_ceremony<T: for<'de> Deserialize<'de>>(
    db: &Database,
    ceremony: &str,
    kind: store::Kind,
    user_id: Option<i64>,
) -> Result<T, PasskeyError> {
    let taken = store::take_ceremony(db, ceremony.trim(), kind).await?;
    let ceremony = taken
        .filter(|c| c.user_id == user_id && c.expires_at > now_ms())
        .ok_or(PasskeyError::CeremonyUnusable)?;
    Ok(serde_json::from_str(&ceremony.state).map_err(anyhow::Error::from)?)
}

fn credential_id(id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(id)
}

/// Starts registering a passkey for `user`: it must be made with user verification, be
/// discoverable, and not be one of theirs already.
pub async fn start_registration(
    db: &Database,
    webauthn: &Webauthn,
    user: &User,
) -> Result<Started<CreationChallengeResponse>, PasskeyError> {
    // Every passkey of one person carries the same handle, so an authenticator keeps one
    // passkey per person here rather than piling them up.
    let user_handle = store::user_handle(db, user.id)
        .await?
        .and_then(|handle| Uuid::parse_str(&handle).ok())
        .unwrap_or_else(Uuid::new_v4);
    let exclude: Vec<CredentialID> = store::credential_ids(db, user.id)
        .await?
        .iter()
        .filter_map(|id| URL_SAFE_NO_PAD.decode(id).ok())
        .collect();
    let (mut options, registration) = webauthn
        .start_passkey_registration(
            user_handle,
            &user.username,
            &user.display_name,
            Some(exclude).filter(|ids| !ids.is_empty()),
        )
        .map_err(anyhow::Error::from)?;
    // webauthn-rs leaves discoverability to the authenticator; signing in without a
    // username needs it.
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.resident_key = Some(ResidentKeyRequirement::Required);
        selection.require_resident_key = true;
    }
    let state = Registering {
        user_handle,
        registration,
    };
    let (ceremony, expires_at) =
        save_ceremony(db, Some(user.id), store::Kind::Register, &state).await?;
    Ok(Started {
        ceremony,
        options,
        expires_at,
    })
}

/// Finishes a registration: verifies the new credential against the ceremony and keeps it.
pub async fn finish_registration(
    db: &Database,
    webauthn: &Webauthn,
    user: &User,
    ceremony: &str,
    name: &str,
    credential: &RegisterPublicKeyCredential,
) -> Result<store::Listed, PasskeyError> {
    let state: Registering =
        take_ceremony(db, ceremony, store::Kind::Register, Some(user.id)).await?;
    let passkey = webauthn
        .finish_passkey_registration(credential, &state.registration)
        .map_err(|error| PasskeyError::NotRegistered(error.to_string()))?;
    let serialised = serde_json::to_string(&passkey).map_err(anyhow::Error::from)?;
    let new = store::NewPasskey {
        user_id: user.id,
        credential_id: &credential_id(passkey.cred_id()),
        user_handle: &state.user_handle.to_string(),
        passkey: &serialised,
        name,
        now: now_ms(),
    };
    let id = match store::insert(db, &new).await {
        Ok(id) => id,
        Err(error) if error.is_unique_violation() => return Err(PasskeyError::AlreadyRegistered),
        Err(error) => return Err(error.into()),
    };
    store::find_listed(db, user.id, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("a passkey just stored is missing").into())
}

/// Starts a sign-in with whichever passkey the person picks.
pub async fn start_sign_in(
    db: &Database,
    webauthn: &Webauthn,
) -> Result<Started<RequestChallengeResponse>, PasskeyError> {
    let (mut options, state): (RequestChallengeResponse, DiscoverableAuthentication) = webauthn
        .start_discoverable_authentication()
        .map_err(anyhow::Error::from)?;
    // webauthn-rs asks for the autofill ("conditional") prompt; this is a button.
    options.mediation = None;
    let (ceremony, expires_at) = save_ceremony(db, None, store::Kind::SignIn, &state).await?;
    Ok(Started {
        ceremony,
        options,
        expires_at,
    })
}

/// Finishes a sign-in: whose passkey it is (the credential id, and the user handle it was
/// made for), that it signed this ceremony's challenge with the user verified, and that
/// its counter moved on. Answers the account, open or not: the caller decides.
pub async fn finish_sign_in(
    db: &Database,
    webauthn: &Webauthn,
    ceremony: &str,
    credential: &PublicKeyCredential,
) -> Result<User, PasskeyError> {
    let state: DiscoverableAuthentication =
        take_ceremony(db, ceremony, store::Kind::SignIn, None).await?;
    let (user_handle, id) = webauthn
        .identify_discoverable_authentication(credential)
        .map_err(|error| not_accepted(None, error))?;
    let stored = store::find_by_credential(db, &credential_id(id))
        .await?
        .ok_or_else(|| not_accepted(None, "no account has this passkey"))?;
    if stored.user_handle != user_handle.to_string() {
        return Err(not_accepted(
            Some(stored.user_id),
            "the passkey names another user handle",
        ));
    }
    let mut passkey: Passkey =
        serde_json::from_str(&stored.passkey).map_err(anyhow::Error::from)?;
    let result = webauthn
        .finish_discoverable_authentication_v2(credential, state, &passkey)
        .map_err(|error| not_accepted(Some(stored.user_id), error))?;
    passkey.update_credential(&result);
    let serialised = serde_json::to_string(&passkey).map_err(anyhow::Error::from)?;
    store::record_use(db, stored.id, &serialised, now_ms()).await?;
    users::find_by_id(db, stored.user_id)
        .await?
        .ok_or_else(|| not_accepted(None, "the account is gone"))
}
