//! The second factors of accounts (`totp_credentials`, `recovery_codes`) and the sign-ins
//! waiting for one (`second_steps`). Each check that uses something up is one guarded
//! statement, so two requests racing with the same code cannot both succeed.

use serde::Deserialize;

use crate::storage::{self, Database, DbError, On, Transaction};

#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct TotpCredential {
    pub secret: String,
    pub confirmed_at: Option<i64>,
}

pub async fn totp<'e>(
    executor: impl Into<On<'e>>,
    user_id: i64,
) -> Result<Option<TotpCredential>, DbError> {
    storage::query("SELECT secret, confirmed_at FROM totp_credentials WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(executor)
        .await
}

/// Whether the person has a confirmed TOTP factor.
pub async fn has_totp(db: &Database, user_id: i64) -> Result<bool, DbError> {
    Ok(totp(db, user_id)
        .await?
        .is_some_and(|credential| credential.confirmed_at.is_some()))
}

/// Keeps a new secret for a person enrolling (replacing one they never confirmed); false
/// when they already have a confirmed one.
pub async fn start_enrolment(
    db: &Database,
    user_id: i64,
    secret: &str,
    now: i64,
) -> Result<bool, DbError> {
    let changed = storage::query(
        "INSERT INTO totp_credentials (user_id, secret, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, \
         created_at = excluded.created_at, last_step = NULL \
         WHERE totp_credentials.confirmed_at IS NULL",
    )
    .bind(user_id)
    .bind(secret)
    .bind(now)
    .execute(db)
    .await?;
    Ok(changed == 1)
}

/// Makes the enrolling secret a factor, its first code used; false when it already was.
pub async fn confirm<'e>(
    executor: impl Into<On<'e>>,
    user_id: i64,
    step: i64,
    now: i64,
) -> Result<bool, DbError> {
    let changed = storage::query(
        "UPDATE totp_credentials SET confirmed_at = $2, last_step = $3 \
         WHERE user_id = $1 AND confirmed_at IS NULL",
    )
    .bind(user_id)
    .bind(now)
    .bind(step)
    .execute(executor)
    .await?;
    Ok(changed == 1)
}

/// Accepts a code's time step once: false for a step already used (a replayed code) or
/// an earlier one.
pub async fn use_step(db: &Database, user_id: i64, step: i64) -> Result<bool, DbError> {
    let changed = storage::query(
        "UPDATE totp_credentials SET last_step = $2 WHERE user_id = $1 \
         AND confirmed_at IS NOT NULL AND (last_step IS NULL OR last_step < $2)",
    )
    .bind(user_id)
    .bind(step)
    .execute(db)
    .await?;
    Ok(changed == 1)
}

/// Replaces every recovery code of the person with these (hashed) ones.
pub async fn replace_recovery_codes(
    tx: &mut Transaction,
    user_id: i64,
    hashes: &[String],
) -> Result<(), DbError> {
    storage::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    for hash in hashes {
        storage::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(hash.as_str())
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Uses up one recovery code; false when it is not the person's or was used.
pub async fn use_recovery_code(
    db: &Database,
    user_id: i64,
    hash: &str,
    now: i64,
) -> Result<bool, DbError> {
    let changed = storage::query(
        "UPDATE recovery_codes SET used_at = $3 \
         WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(hash)
    .bind(now)
    .execute(db)
    .await?;
    Ok(changed >= 1)
}

pub async fn recovery_codes_left(db: &Database, user_id: i64) -> Result<i64, DbError> {
    storage::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(db)
    .await
}

/// Removes every second factor of the person, and the sign-ins waiting for one.
pub async fn remove_all(tx: &mut Transaction, user_id: i64) -> Result<bool, DbError> {
    let removed = storage::query("DELETE FROM totp_credentials WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    for table in ["recovery_codes", "second_steps"] {
        storage::query(format!("DELETE FROM {table} WHERE user_id = $1"))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    Ok(removed == 1)
}

/// What a second step is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The person has a second factor: give a code.
    Verify,
    /// The person's role requires one they do not have: set it up.
    Enrol,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Verify => "verify",
            Purpose::Enrol => "enrol",
        }
    }
}

pub struct NewSecondStep<'a> {
    pub token_hash: &'a str,
    pub user_id: i64,
    pub purpose: Purpose,
    pub device: Option<&'a str>,
    pub now: i64,
    pub expires_at: i64,
}

pub async fn insert_second_step(db: &Database, step: &NewSecondStep<'_>) -> Result<(), DbError> {
    storage::query(
        "INSERT INTO second_steps (token_hash, user_id, purpose, device, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(step.token_hash)
    .bind(step.user_id)
    .bind(step.purpose.as_str())
    .bind(step.device)
    .bind(step.now)
    .bind(step.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct SecondStep {
    pub user_id: i64,
    pub purpose: String,
    pub device: Option<String>,
}

impl SecondStep {
    pub fn purpose(&self) -> Purpose {
        if self.purpose == "enrol" {
            Purpose::Enrol
        } else {
            Purpose::Verify
        }
    }
}

/// A second step still open: not finished, not expired, not given up after failures.
pub async fn find_second_step(
    db: &Database,
    token_hash: &str,
    now: i64,
) -> Result<Option<SecondStep>, DbError> {
    storage::query(
        "SELECT user_id, purpose, device FROM second_steps \
         WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Counts a wrong code; after `max` of them the step is gone and the person starts again
/// with their password. Returns the failures so far.
pub async fn count_failure(db: &Database, token_hash: &str, max: i64) -> Result<i64, DbError> {
    let failures: Option<i64> = storage::query_scalar(
        "UPDATE second_steps SET failures = failures + 1 WHERE token_hash = $1 RETURNING failures",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await?;
    let failures = failures.unwrap_or(max);
    if failures >= max {
        finish_second_step(db, token_hash).await?;
    }
    Ok(failures)
}

/// Ends the step; false when another request ended it first (each opens one session).
pub async fn finish_second_step<'e>(
    executor: impl Into<On<'e>>,
    token_hash: &str,
) -> Result<bool, DbError> {
    let removed = storage::query("DELETE FROM second_steps WHERE token_hash = $1")
        .bind(token_hash)
        .execute(executor)
        .await?;
    Ok(removed == 1)
}

pub async fn purge_second_steps(db: &Database, now: i64) -> Result<u64, DbError> {
    storage::query("DELETE FROM second_steps WHERE expires_at < $1")
        .bind(now)
        .execute(db)
        .await
}
