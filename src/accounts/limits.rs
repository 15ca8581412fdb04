//! Brute-force limits. Failures live in the database so every instance shares them (the
//! per-address limit is `http::rate_limit`). They are counted per [`Counter`]: a browser
//! that has signed in to the account before (its device cookie), every other client of the
//! account together, or a signed-in session changing its password. So failures an
//! attacker causes lock out only clients like the attacker's, never the owner's devices.

use sha2::{Digest, Sha256};

use super::{AccountError, Tried};
use crate::config::LoginLimits;
use crate::storage::{self, millis, now_ms, Database, DbError};

/// One sign-in attempt for an account, counted as a failure before the password is
/// checked, so that guesses sent in parallel cannot all slip under the limit. Accounts
/// are keyed by a hash of the name typed, so a password typed into the username box is
/// never stored.
pub struct Attempt {
    key: String,
}

fn account_key(username: &str) -> String {
    hex::encode(Sha256::digest(username.trim().to_lowercase().as_bytes()))
}

/// Whose failures an attempt counts with.
pub enum Counter<'a> {
    /// Clients the account has never signed in from, together.
    UnknownClients { username: &'a str },
    /// One browser that signed in to the account before (its device cookie's id).
    KnownDevice { device: &'a str },
    /// A signed-in session, changing its password.
    Session { session_id: &'a str },
    /// The second step of one account's sign-ins: from one known device, or (`None`)
    /// from every other client together.
    SecondFactor {
        user_id: i64,
        device: Option<&'a str>,
    },
}

impl Counter<'_> {
    fn tried(&self) -> Tried {
        match self {
            Counter::UnknownClients { .. } | Counter::KnownDevice { .. } => Tried::SignIn,
            Counter::Session { .. } => Tried::PasswordInSession,
            Counter::SecondFactor { .. } => Tried::SecondFactor,
        }
    }

    fn key(&self) -> String {
        let tagged = |tag: &str, id: &str| hex::encode(Sha256::digest(format!("{tag}:{id}")));
        match self {
            // Unprefixed, as before device cookies: existing counts carry over.
            Counter::UnknownClients { username } => account_key(username),
            Counter::KnownDevice { device } => tagged("device", device),
            Counter::Session { session_id } => tagged("session", session_id),
            Counter::SecondFactor { user_id, device } => tagged(
                "second-factor",
                &format!("{user_id}:{}", device.unwrap_or("")),
            ),
        }
    }
}

/// Counts the attempt, or refuses it (without counting) when the account already had too
/// many recent failures, saying when to retry.
pub async fn begin_attempt(
    db: &Database,
    counter: Counter<'_>,
    limits: &LoginLimits,
) -> Result<Attempt, AccountError> {
    let key = counter.key();
    let window = millis(limits.failure_window);
    let now = now_ms();
    let id: i64 = storage::query_scalar(
        "INSERT INTO login_failures (username, failed_at) VALUES ($1, $2) RETURNING id",
    )
    .bind(&key)
    .bind(now)
    .fetch_one(db)
    .await?;
    let (attempts, oldest): (i64, Option<i64>) = storage::query(
        "SELECT COUNT(*) AS attempts, MIN(failed_at) AS oldest FROM login_failures \
         WHERE username = $1 AND failed_at > $2",
    )
    .bind(&key)
    .bind(now - window)
    .fetch_one(db)
    .await?;
    if attempts <= i64::from(limits.max_failures) {
        return Ok(Attempt { key });
    }
    storage::query("DELETE FROM login_failures WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    let retry_ms = oldest.map_or(window, |t| t + window - now);
    Err(AccountError::TooManyAttempts {
        retry_after_seconds: u64::try_from(retry_ms.div_euclid(1000) + 1).unwrap_or(1),
        tried: counter.tried(),
    })
}

impl Attempt {
    /// The password was right: the account starts afresh.
    pub async fn succeeded(self, db: &Database) -> Result<(), DbError> {
        storage::query("DELETE FROM login_failures WHERE username = $1")
            .bind(&self.key)
            .execute(db)
            .await?;
        Ok(())
    }
}

/// Lifts the lock-out of unknown clients: after a password reset the owner starts afresh.
pub async fn clear_failures(db: &Database, username: &str) -> Result<(), DbError> {
    Attempt {
        key: account_key(username),
    }
    .succeeded(db)
    .await
}

pub async fn purge_failures(db: &Database, limits: &LoginLimits) -> Result<u64, DbError> {
    let cutoff = now_ms() - millis(limits.failure_window);
    let result = storage::query("DELETE FROM login_failures WHERE failed_at < $1")
        .bind(cutoff)
        .execute(db)
        .await?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_keyed_without_keeping_what_was_typed() {
        assert_eq!(account_key(" Alice "), account_key("alice"));
        assert!(!account_key("my secret password").contains("secret"));
    }
}
