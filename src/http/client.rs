//! The client's address, for rate limits and the audit log.

use std::net::{IpAddr, SocketAddr};

use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;

use super::ApiError;
use crate::config::Settings;

#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub IpAddr);

impl<S> FromRequestParts<S> for ClientAddress
where
    S: Send + Sync,
    Arc<Settings>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([127, 0, 0, 1]), |info| info.0.ip());
        if !Arc::<Settings>::from_ref(state).trust_proxy {
            return Ok(ClientAddress(peer));
        }
        // Behind a trusted proxy the last entry, which the proxy appended, is the client;
        // earlier entries are whatever the client chose to send and are never used.
        let last_hop = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back();
        let forwarded = last_hop.and_then(parse_forwarded_address);
        Ok(ClientAddress(forwarded.unwrap_or(peer)))
    }
}

/// One `X-Forwarded-For` entry, with or without a port (`1.2.3.4:5678`, `[::1]:80`).
fn parse_forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(address) = entry.parse() {
        return Some(address);
    }
    if let Ok(socket) = entry.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    entry
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_entries_with_ports_are_read() {
        assert_eq!(
            parse_forwarded_address(" 203.0.113.9 "),
            "203.0.113.9".parse().ok()
        );
        assert_eq!(
            parse_forwarded_address("203.0.113.9:4711"),
            "203.0.113.9".parse().ok()
        );
        assert_eq!(
            parse_forwarded_address("[2001:db8::1]:80"),
            "2001:db8::1".parse().ok()
        );
        assert_eq!(parse_forwarded_address("unknown"), None);
    }
}

/// Where links in mail point: `PUBLIC_URL`, or in development (where it may be unset)
/// the address this request came to.
#[derive(Debug, Clone)]
pub struct PublicBase(pub String);

impl<S> FromRequestParts<S> for PublicBase
where
    S: Send + Sync,
    Arc<Settings>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(url) = &Arc::<Settings>::from_ref(state).public_url {
            return Ok(PublicBase(url.trim_end_matches('/').to_owned()));
        }
        let host = parts
            .headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1");
        Ok(PublicBase(format!("http://{host}")))
    }
}
