//! Single-use links (the `link_tokens` table): password resets and address checks. The
//! token travels only in the link; the database keeps its SHA-256, so a copy of the
//! database opens nothing.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::storage::{self, Database, DbError, On};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    PasswordReset,
    VerifyEmail,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "password_reset",
            Purpose::VerifyEmail => "verify_email",
        }
    }
}

/// A new token: 32 random bytes, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored of a token: its SHA-256, in hex.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub struct NewLink<'a> {
    pub user_id: i64,
    pub purpose: Purpose,
    pub email: Option<&'a str>,
    pub now: i64,
    pub expires_at: i64,
}

/// Stores the link and returns its token, to put in the link and nowhere else.
pub async fn create<'e>(
    executor: impl Into<On<'e>>,
    link: &NewLink<'_>,
) -> Result<String, DbError> {
    let token = new_token();
    storage::query(
        "INSERT INTO link_tokens (token_hash, user_id, purpose, email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(hash(&token))
    .bind(link.user_id)
    .bind(link.purpose.as_str())
    .bind(link.email)
    .bind(link.now)
    .bind(link.expires_at)
    .execute(executor)
    .await?;
    Ok(token)
}

/// Stores the link unless the person already has `max` of this kind unused and unexpired,
/// and returns its token; none when the cap is reached. Counting and storing happen in
/// one transaction that first takes the person's row lock (a no-op update: portable,
/// and on PostgreSQL it makes concurrent requests for one person wait their turn, where
/// a count and an insert alone would let parallel requests all pass; SQLite's one writer
/// already serialises them).
pub async fn create_capped(
    db: &Database,
    link: &NewLink<'_>,
    max: i64,
) -> Result<Option<String>, DbError> {
    let mut tx = db.begin().await?;
    storage::query("UPDATE users SET id = id WHERE id = $1")
        .bind(link.user_id)
        .execute(&mut tx)
        .await?;
    let live: i64 = storage::query_scalar(
        "SELECT COUNT(*) FROM link_tokens WHERE user_id = $1 AND purpose = $2 \
         AND used_at IS NULL AND expires_at > $3",
    )
    .bind(link.user_id)
    .bind(link.purpose.as_str())
    .bind(link.now)
    .fetch_one(&mut tx)
    .await?;
    if live >= max {
        tx.rollback().await?;
        return Ok(None);
    }
    let token = create(&mut tx, link).await?;
    tx.commit().await?;
    Ok(Some(token))
}

/// A stored link, found by its token.
#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct Link {
    pub id: i64,
    pub user_id: i64,
    pub email: Option<String>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn find(db: &Database, token: &str, purpose: Purpose) -> Result<Option<Link>, DbError> {
    storage::query(
        "SELECT id, user_id, email, expires_at, used_at FROM link_tokens \
         WHERE token_hash = $1 AND purpose = $2",
    )
    .bind(hash(token))
    .bind(purpose.as_str())
    .fetch_optional(db)
    .await
}

/// Marks the link used; false when another request used it first.
pub async fn use_up<'e>(executor: impl Into<On<'e>>, id: i64, now: i64) -> Result<bool, DbError> {
    let changed =
        storage::query("UPDATE link_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(executor)
            .await?;
    Ok(changed == 1)
}

/// Ends every other unused link of this kind: after a reset, older reset links are void.
pub async fn use_up_all<'e>(
    executor: impl Into<On<'e>>,
    user_id: i64,
    purpose: Purpose,
    now: i64,
) -> Result<(), DbError> {
    storage::query(
        "UPDATE link_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(purpose.as_str())
    .execute(executor)
    .await?;
    Ok(())
}

/// Forgets every link of the person: an account that closes keeps none.
pub async fn forget_all<'e>(executor: impl Into<On<'e>>, user_id: i64) -> Result<(), DbError> {
    storage::query("DELETE FROM link_tokens WHERE user_id = $1")
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// Forgets links that ended more than a day ago.
pub async fn purge(db: &Database, now: i64) -> Result<u64, DbError> {
    storage::query("DELETE FROM link_tokens WHERE expires_at < $1")
        .bind(now - 24 * 60 * 60 * 1000)
        .execute(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_only_as_a_hash() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(hash(&a).len(), 64);
        assert!(!hash(&a).contains(&a));
    }
}
