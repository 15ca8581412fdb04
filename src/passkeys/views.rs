//! How passkeys and ceremonies appear in answers. No credential material: a passkey is
//! shown by its name and dates only.

use serde::Serialize;
use utoipa::ToSchema;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse};

use super::store::Listed;
use crate::storage::{rfc3339, rfc3339_opt};

/// One of my passkeys.
#[derive(Serialize, ToSchema)]
pub struct PasskeyView {
    pub id: i64,
    #[schema(example = "Chrome on Android")]
    pub name: String,
    pub created_at: String,
    /// When it last signed in; never yet when absent.
    pub last_used_at: Option<String>,
}

impl From<Listed> for PasskeyView {
    fn from(passkey: Listed) -> Self {
        PasskeyView {
            id: passkey.id,
            name: passkey.name,
            created_at: rfc3339(passkey.created_at),
            last_used_at: rfc3339_opt(passkey.last_used_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PasskeyList {
    pub passkeys: Vec<PasskeyView>,
}

#[derive(Serialize, ToSchema)]
pub struct PasskeyRemoved {
    /// Always true.
    pub removed: bool,
    pub id: i64,
}

/// A registration begun: pass `options.publicKey` (its base64url fields as bytes) to
/// `navigator.credentials.create`, then send the result to `.../register/finish` with
/// `ceremony`, before `expires_at`.
#[derive(Serialize, ToSchema)]
pub struct RegistrationStarted {
    /// Names this registration when finishing it; works once.
    pub ceremony: String,
    pub expires_at: String,
    /// WebAuthn `PublicKeyCredentialCreationOptions` under `publicKey`.
    #[schema(value_type = Object)]
    pub options: CreationChallengeResponse,
}

/// A sign-in begun: pass `options.publicKey` to `navigator.credentials.get`, then send
/// the result to `.../sign-in/finish` with `ceremony`, before `expires_at`.
#[derive(Serialize, ToSchema)]
pub struct SignInStarted {
    /// Names this sign-in when finishing it; works once.
    pub ceremony: String,
    pub expires_at: String,
    /// WebAuthn `PublicKeyCredentialRequestOptions` under `publicKey`.
    #[schema(value_type = Object)]
    pub options: RequestChallengeResponse,
}
