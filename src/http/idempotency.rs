//! The `Idempotency-Key` request header: a retry with the same key does nothing new.

use axum::http::HeaderMap;

use super::{ApiError, ApiResult};

const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// How errors name the header as a field.
pub const IDEMPOTENCY_FIELD: &str = "Idempotency-Key";

/// The key, when the request carries one: 1 to 200 visible characters.
pub fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    match value.to_str().map(str::trim) {
        Ok(key) if !key.is_empty() && key.len() <= 200 => Ok(Some(key.to_owned())),
        _ => Err(ApiError::invalid(
            IDEMPOTENCY_FIELD,
            "The Idempotency-Key header is 1 to 200 visible characters.",
        )),
    }
}
