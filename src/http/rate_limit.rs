//! A per-address limit on requests, in memory (per instance), for sign-in and
//! registration.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::{ApiError, ErrorCode};

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
                ErrorCode::TooManyRequests,
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
}
