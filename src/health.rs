//! Liveness and readiness, for load balancers and the operator.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::http::error::{ErrorCode, STORAGE_RETRY_AFTER_SECONDS};
use crate::state::AppState;
use crate::storage::NotReady;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
}

/// Liveness: answers without touching the database.
async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

/// Readiness: the database answers, is migrated, and (SQLite) can be written. The
/// fingerprint lets an operator see at a glance whether every instance runs with the same
/// key.
async fn ready(State(state): State<AppState>) -> Response {
    let fingerprint = state.settings.keys.current.fingerprint();
    let database = state.db.kind().as_str();
    match state.db.is_ready().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({
                "status": "ready",
                "database": database,
                "key_fingerprint": fingerprint,
                "fallback_keys": state.settings.keys.fallbacks.len(),
            })),
        )
            .into_response(),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            let (code, retry_after) = not_ready_code(&reason);
            let body = Json(json!({
                "status": "unavailable",
                "database": database,
                "key_fingerprint": fingerprint,
                "error": {
                    "code": code,
                    "message": "The database is unavailable, cannot be written, or is not migrated; see the server log.",
                },
            }));
            let mut response = (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, seconds.into());
            }
            response
        }
    }
}

/// The same codes and `Retry-After` as requests get, for a database that is down or
/// cannot be written; `not_ready` for what needs an operator (the schema, say).
fn not_ready_code(reason: &NotReady) -> (&'static str, Option<u64>) {
    match reason {
        NotReady::Unavailable(_) => (ErrorCode::DatabaseUnavailable.as_str(), Some(1)),
        NotReady::Unwritable(_) => (
            ErrorCode::StorageUnavailable.as_str(),
            Some(STORAGE_RETRY_AFTER_SECONDS),
        ),
        NotReady::Other(_) => ("not_ready", None),
    }
}
