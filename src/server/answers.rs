//! Answers the server gives outside the router, in the one JSON error shape: to a
//! request hyper could not parse (written in place of hyper's own bodiless answer), and
//! to a connection over the cap.

use axum::body::Bytes;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::http::limits::{headers_too_large, malformed_request, uri_too_long};
use crate::http::{ApiError, ErrorCode};

/// The JSON answers to what hyper refuses before any route sees the request, rendered
/// once as the bytes of a whole HTTP/1.1 response.
pub struct HttpLayerAnswers {
    by_status: Vec<(StatusCode, Bytes)>,
}

impl HttpLayerAnswers {
    /// hyper answers 400 to a malformed request, 414 to a URI over 64 KiB and 431 to
    /// headers over its buffer or more than 100 of them (`on_error` in hyper's
    /// `proto/h1/role.rs`).
    pub async fn render() -> HttpLayerAnswers {
        let mut by_status = Vec::new();
        for error in [malformed_request(), uri_too_long(), headers_too_large()] {
            by_status.push((error.status, raw_response(error).await));
        }
        HttpLayerAnswers { by_status }
    }

    /// The JSON answer for the status of the response `written` begins, if it is one
    /// of hyper's.
    pub fn in_place_of(&self, written: &[u8]) -> Option<Bytes> {
        let status_line = written
            .strip_prefix(b"HTTP/1.1 ")
            .or_else(|| written.strip_prefix(b"HTTP/1.0 "))?;
        self.by_status
            .iter()
            .find(|(status, _)| status_line.starts_with(status.as_str().as_bytes()))
            .map(|(_, answer)| answer.clone())
    }
}

/// 503 with `Retry-After` to a connection over `MAX_CONNECTIONS`, which is then closed.
pub fn server_busy() -> Response {
    let mut busy = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::ServerBusy,
        "The server is handling as many connections as it can. Please try again in a moment.",
    );
    busy.retry_after_seconds = Some(1);
    closing(busy.into_response())
}

/// What the router's layers would add and the connection's end.
fn closing(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The error as the bytes of an HTTP/1.1 response that closes the connection.
async fn raw_response(error: ApiError) -> Bytes {
    let (parts, body) = closing(error.into_response()).into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let mut raw = format!(
        "HTTP/1.1 {} {}\r\n",
        parts.status.as_str(),
        parts.status.canonical_reason().unwrap_or("")
    )
    .into_bytes();
    for (name, value) in parts
        .headers
        .iter()
        .filter(|(name, _)| *name != header::CONTENT_LENGTH)
    {
        raw.extend_from_slice(name.as_str().as_bytes());
        raw.extend_from_slice(b": ");
        raw.extend_from_slice(value.as_bytes());
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
    raw.extend_from_slice(&body);
    Bytes::from(raw)
}
