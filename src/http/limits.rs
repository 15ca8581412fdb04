//! Limits on a request's address and headers, answered in the JSON error shape.
//!
//! hyper refuses only far larger heads (a URI over 64 KiB, headers over its ~400 KiB read
//! buffer, more than 100 headers), and with an empty body; `server/` gives those answers
//! the JSON shape too. Below hyper's limits, this layer answers with the tighter limits
//! a request to this service never needs to exceed.

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{ApiError, ErrorCode};

/// The longest path and query accepted, in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// The most header bytes accepted, counted as on the wire (`name: value\r\n`).
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

pub async fn refuse_oversized_head(request: Request, next: Next) -> Response {
    if uri_length(&request) > MAX_URI_BYTES {
        return uri_too_long().into_response();
    }
    if header_bytes(request.headers()) > MAX_HEADER_BYTES {
        return headers_too_large().into_response();
    }
    next.run(request).await
}

pub fn uri_too_long() -> ApiError {
    ApiError::new(
        StatusCode::URI_TOO_LONG,
        ErrorCode::UriTooLong,
        format!("The address is too long; at most {MAX_URI_BYTES} bytes are accepted."),
    )
}

pub fn headers_too_large() -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        ErrorCode::HeadersTooLarge,
        format!(
            "The request's headers are too large; at most {MAX_HEADER_BYTES} bytes are accepted."
        ),
    )
}

pub fn malformed_request() -> ApiError {
    ApiError::bad_request(
        ErrorCode::MalformedRequest,
        "The request is not valid HTTP/1.1.",
    )
}

fn uri_length(request: &Request) -> usize {
    request
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len())
}

fn header_bytes(headers: &HeaderMap) -> usize {
    headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + ": \r\n".len())
        .sum()
}
