//! The HTTP toolkit every part of the product uses: the one error type and JSON error
//! shape, extractors that name the field at fault, paging, the client's address, a
//! per-address rate limit, and the conventions every response follows (security headers,
//! request ids, timeouts, limits on a request's head). It knows no feature; `app.rs`
//! assembles the router.

pub mod client;
pub mod error;
mod error_code;
pub mod extract;
pub mod idempotency;
pub mod limits;
pub mod middleware;
pub mod openapi;
pub mod paging;
pub mod rate_limit;
pub mod uncompressed;

pub use error::{ApiError, ApiResult, ErrorCode, ErrorResponse};
pub use extract::{Input, Path, Query};
pub use paging::{PageInfo, PageQuery, Paging};

/// Whether a request may change something, and so needs the CSRF checks.
pub fn is_state_changing(method: &axum::http::Method) -> bool {
    use axum::http::Method;
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}
