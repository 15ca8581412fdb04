//! Brute-force limits. Failures per account live in the database so every instance
//! shares them; the per-address limit is per instance, in memory.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};

use crate::config::LoginLimits;
use crate::http::ApiError;
use crate::storage::{self, now_ms, Database, DbError};

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

/// Counts the attempt, or refuses it (without counting) when the account already had too
/// many recent failures, saying when to retry.
pub async fn begin_attempt(
    db: &Database,
    username: &str,
    limits: &LoginLimits,
) -> Result<Attempt, ApiError> {
    let key = account_key(username);
    let window = crate::sessions::millis(limits.failure_window);
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
    .fetch_one(db, |row| {
        Ok((row.try_get("attempts")?, row.try_get("oldest")?))
    })
    .await?;
    if attempts <= i64::from(limits.max_failures) {
        return Ok(Attempt { key });
    }
    storage::query("DELETE FROM login_failures WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    let retry_ms = oldest.map_or(window, |t| t + window - now);
    Err(ApiError::too_many(
        "too_many_attempts",
        "Too many unsuccessful sign-in attempts for this account. Please wait before trying again, or ask your care team to help you reset your password.",
        u64::try_from(retry_ms.div_euclid(1000) + 1).unwrap_or(1),
    ))
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

pub async fn purge_failures(db: &Database, limits: &LoginLimits) -> Result<u64, DbError> {
    let cutoff = now_ms() - crate::sessions::millis(limits.failure_window);
    let result = storage::query("DELETE FROM login_failures WHERE failed_at < $1")
        .bind(cutoff)
        .execute(db)
        .await?;
    Ok(result)
}

/// An IPv6 client usually holds a whole /64, so that is what the limit counts.
fn network_of(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
    }
}

/// Sign-in and registration attempts per client address.
#[derive(Clone)]
pub struct AddressLimiter {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl AddressLimiter {
    pub fn per_minute(count: u32) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(count.max(1)).expect("at least one"));
        AddressLimiter {
            limiter: Arc::new(RateLimiter::keyed(quota)),
        }
    }

    pub fn check(&self, address: IpAddr) -> Result<(), ApiError> {
        self.limiter.check_key(&network_of(address)).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::too_many(
                "too_many_requests",
                "Too many sign-in or registration attempts from this address. Please wait a moment and try again.",
                wait.as_secs() + 1,
            )
        })
    }

    /// Drops addresses whose allowance is full again, so memory stays bounded.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_are_limited_by_their_64_bit_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(network_of(a), network_of(b));
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(network_of(v4), v4);
    }

    #[test]
    fn accounts_are_keyed_without_keeping_what_was_typed() {
        assert_eq!(account_key(" Alice "), account_key("alice"));
        assert!(!account_key("my secret password").contains("secret"));
    }
}
