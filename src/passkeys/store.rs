//! Passkeys and ceremonies in progress (the `passkeys` and `passkey_ceremonies` tables).
//! A ceremony is found by the SHA-256 of its id, so a copy of the database cannot finish
//! anyone's ceremony.

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::storage::{self, Database, DbError, Transaction};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Register,
    SignIn,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Register => "register",
            Kind::SignIn => "sign_in",
        }
    }
}

fn hash(ceremony: &str) -> String {
    hex::encode(Sha256::digest(ceremony.as_bytes()))
}

pub struct NewCeremony<'a> {
    pub id: &'a str,
    pub user_id: Option<i64>,
    pub kind: Kind,
    pub state: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

#[tracing::instrument(skip_all, fields(kind = ceremony.kind.as_str()))]
pub async fn insert_ceremony(db: &Database, ceremony: &NewCeremony<'_>) -> Result<(), DbError> {
    storage::query(
        "INSERT INTO passkey_ceremonies (id_hash, user_id, kind, state, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(hash(ceremony.id))
    .bind(ceremony.user_id)
    .bind(ceremony.kind.as_str())
    .bind(ceremony.state)
    .bind(ceremony.now)
    .bind(ceremony.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// A ceremony in progress, as stored.
#[derive(Debug, sqlx::FromRow, Deserialize)]
pub struct Ceremony {
    pub user_id: Option<i64>,
    pub state: String,
    pub expires_at: i64,
}

/// Takes the ceremony out of the table: whatever comes of it, it cannot be finished again,
/// and of two requests finishing it at once only one gets it.
#[tracing::instrument(skip_all, fields(kind = kind.as_str()))]
pub async fn take_ceremony(
    db: &Database,
    id: &str,
    kind: Kind,
) -> Result<Option<Ceremony>, DbError> {
    storage::query(
        "DELETE FROM passkey_ceremonies WHERE id_hash = $1 AND kind = $2 \
         RETURNING user_id, state, expires_at",
    )
    .bind(hash(id))
    .bind(kind.as_str())
    .fetch_optional(db)
    .await
}

/// Forgets ceremonies nobody finished.
pub async fn purge_ceremonies(db: &Database, now: i64) -> Result<u64, DbError> {
    storage::query("DELETE FROM passkey_ceremonies WHERE expires_at < $1")
        .bind(now)
        .execute(db)
        .await
}

/// The WebAuthn user handle of the person's passkeys, if they have any.
pub async fn user_handle(db: &Database, user_id: i64) -> Result<Option<String>, DbError> {
    storage::query_scalar("SELECT user_handle FROM passkeys WHERE user_id = $1 ORDER BY id LIMIT 1")
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// The credential ids (base64url) of the person's passkeys.
pub async fn credential_ids(db: &Database, user_id: i64) -> Result<Vec<String>, DbError> {
    storage::query_scalar("SELECT credential_id FROM passkeys WHERE user_id = $1 ORDER BY id")
        .bind(user_id)
        .fetch_all(db)
        .await
}

pub struct NewPasskey<'a> {
    pub user_id: i64,
    pub credential_id: &'a str,
    pub user_handle: &'a str,
    pub passkey: &'a str,
    pub name: &'a str,
    pub now: i64,
}

/// Stores a passkey; a credential already registered (to anyone) is a unique violation.
#[tracing::instrument(skip_all, fields(user_id = passkey.user_id))]
pub async fn insert(db: &Database, passkey: &NewPasskey<'_>) -> Result<i64, DbError> {
    storage::query_scalar(
        "INSERT INTO passkeys (user_id, credential_id, user_handle, passkey, name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(passkey.user_id)
    .bind(passkey.credential_id)
    .bind(passkey.user_handle)
    .bind(passkey.passkey)
    .bind(passkey.name)
    .bind(passkey.now)
    .fetch_one(db)
    .await
}

/// How a passkey appears in its owner's list.
#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct Listed {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

#[tracing::instrument(skip(db))]
pub async fn list(db: &Database, user_id: i64) -> Result<Vec<Listed>, DbError> {
    storage::query(
        "SELECT id, name, created_at, last_used_at FROM passkeys WHERE user_id = $1 \
         ORDER BY created_at, id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// One of the person's passkeys, by id.
pub async fn find_listed(db: &Database, user_id: i64, id: i64) -> Result<Option<Listed>, DbError> {
    storage::query(
        "SELECT id, name, created_at, last_used_at FROM passkeys WHERE user_id = $1 AND id = $2",
    )
    .bind(user_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// A passkey as a sign-in needs it: whose, and the credential to check against.
#[derive(Debug, sqlx::FromRow, Deserialize)]
pub struct Stored {
    pub id: i64,
    pub user_id: i64,
    pub user_handle: String,
    pub passkey: String,
}

#[tracing::instrument(skip_all)]
pub async fn find_by_credential(
    db: &Database,
    credential_id: &str,
) -> Result<Option<Stored>, DbError> {
    storage::query(
        "SELECT id, user_id, user_handle, passkey FROM passkeys WHERE credential_id = $1",
    )
    .bind(credential_id)
    .fetch_optional(db)
    .await
}

/// After a sign-in: when it was used, and the credential with its new counter.
#[tracing::instrument(skip(db, passkey))]
pub async fn record_use(db: &Database, id: i64, passkey: &str, now: i64) -> Result<(), DbError> {
    storage::query("UPDATE passkeys SET passkey = $1, last_used_at = $2 WHERE id = $3")
        .bind(passkey)
        .bind(now)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Removes one of the person's passkeys; false when they have none with this id.
#[tracing::instrument(skip(db))]
pub async fn remove(db: &Database, user_id: i64, id: i64) -> Result<bool, DbError> {
    let removed = storage::query("DELETE FROM passkeys WHERE user_id = $1 AND id = $2")
        .bind(user_id)
        .bind(id)
        .execute(db)
        .await?;
    Ok(removed == 1)
}

/// Forgets every passkey and ceremony of the person: an erased account keeps no way in.
pub async fn forget_all(tx: &mut Transaction, user_id: i64) -> Result<(), DbError> {
    storage::query("DELETE FROM passkeys WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    storage::query("DELETE FROM passkey_ceremonies WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
