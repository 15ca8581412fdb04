//! Brute-force limits. Failures per account live in the database so every instance
//! shares them; the per-address limit is per instance, in memory.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sqlx::Row;

use crate::config::LoginLimits;
use crate::http::ApiError;
use crate::storage::{now_ms, Database};

/// Refuses sign-in for an account with too many recent failures, saying when to retry.
pub async fn check_account(
    db: &Database,
    username: &str,
    limits: &LoginLimits,
) -> Result<(), ApiError> {
    let window = crate::sessions::millis(limits.failure_window);
    let now = now_ms();
    let row = sqlx::query("SELECT COUNT(*) AS failures, MIN(failed_at) AS oldest FROM login_failures WHERE username = $1 AND failed_at > $2")
        .bind(username)
        .bind(now - window)
        .fetch_one(db.pool())
        .await?;
    let failures: i64 = row.try_get("failures")?;
    if failures < i64::from(limits.max_failures) {
        return Ok(());
    }
    let oldest: Option<i64> = row.try_get("oldest")?;
    let retry_ms = oldest.map_or(window, |t| t + window - now);
    Err(ApiError::too_many(
        "too_many_attempts",
        "Too many unsuccessful sign-in attempts for this account. Please wait before trying again, or reset your password with your care team.",
        u64::try_from(retry_ms.div_euclid(1000) + 1).unwrap_or(1),
    ))
}

pub async fn record_failure(db: &Database, username: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO login_failures (username, failed_at) VALUES ($1, $2)")
        .bind(username)
        .bind(now_ms())
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn clear_failures(db: &Database, username: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1")
        .bind(username)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn purge_failures(db: &Database, limits: &LoginLimits) -> Result<u64, sqlx::Error> {
    let cutoff = now_ms() - crate::sessions::millis(limits.failure_window);
    let result = sqlx::query("DELETE FROM login_failures WHERE failed_at < $1")
        .bind(cutoff)
        .execute(db.pool())
        .await?;
    Ok(result.rows_affected())
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
        self.limiter.check_key(&address).map_err(|not_until| {
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
