//! Liveness and readiness, for load balancers and the operator.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::{ErrorCode, STORAGE_RETRY_AFTER_SECONDS};
use crate::state::AppState;
use crate::storage::NotReady;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    status: &'static str,
    version: &'static str,
}

/// Whether this instance can serve requests.
#[derive(Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `unavailable`.
    status: &'static str,
    /// `sqlite` or `postgres`.
    database: &'static str,
    /// A fingerprint of the signing key, the same on every instance that shares it.
    key_fingerprint: String,
    /// How many older keys are still accepted (when ready).
    #[serde(skip_serializing_if = "Option::is_none")]
    fallback_keys: Option<usize>,
    /// Why not (when unavailable).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Unreadiness>,
}

/// Why an instance is not ready.
#[derive(Serialize, ToSchema)]
pub struct Unreadiness {
    code: ErrorCode,
    message: &'static str,
}

/// Liveness: answers without touching the database.
#[utoipa::path(get, path = "/health", tag = "health", responses(
    (status = 200, description = "The process is up", body = Health),
))]
async fn health() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Readiness: the database answers, is migrated, and (SQLite) can be written.
///
/// The fingerprint lets an operator see at a glance whether every instance runs with the
/// same key.
#[utoipa::path(get, path = "/ready", tag = "health", responses(
    (status = 200, description = "Ready to serve", body = Readiness),
    (status = 503, description = "`database_unavailable`: the database does not answer; `storage_unavailable`: SQLite cannot write its files; `not_ready`: the database is not migrated or otherwise needs an operator (no `Retry-After`)", body = Readiness,
        headers(("Retry-After" = u64, description = "Seconds to wait before trying again (not for `not_ready`)"))),
))]
async fn ready(State(state): State<AppState>) -> Response {
    let key_fingerprint = state.settings.keys.current.fingerprint();
    let database = state.db.kind().as_str();
    match state.db.is_ready().await {
        Ok(()) => Json(Readiness {
            status: "ready",
            database,
            key_fingerprint,
            fallback_keys: Some(state.settings.keys.fallbacks.len()),
            error: None,
        })
        .into_response(),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            let (code, retry_after) = not_ready_code(&reason);
            let body = Json(Readiness {
                status: "unavailable",
                database,
                key_fingerprint,
                fallback_keys: None,
                error: Some(Unreadiness {
                    code,
                    message: "The database is unavailable, cannot be written, or is not migrated; see the server log.",
                }),
            });
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
fn not_ready_code(reason: &NotReady) -> (ErrorCode, Option<u64>) {
    match reason {
        NotReady::Unavailable(_) => (ErrorCode::DatabaseUnavailable, Some(1)),
        NotReady::Unwritable(_) => (
            ErrorCode::StorageUnavailable,
            Some(STORAGE_RETRY_AFTER_SECONDS),
        ),
        NotReady::Other(_) => (ErrorCode::NotReady, None),
    }
}
