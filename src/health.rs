//! Liveness and readiness, for load balancers and the operator.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
}

/// Liveness: answers without touching the database.
async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

/// Readiness: the database answers and is migrated. The fingerprint lets an operator see
/// at a glance whether every instance runs with the same key.
async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
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
        ),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({
                    "status": "unavailable",
                    "database": database,
                    "key_fingerprint": fingerprint,
                    "error": {
                        "code": "not_ready",
                        "message": "The database is unavailable or not migrated; see the server log.",
                    },
                })),
            )
        }
    }
}
