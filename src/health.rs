//! Liveness and readiness, for load balancers and the operator.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::ErrorCode;
use crate::state::AppState;

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
    error: Option<NotReady>,
}

#[derive(Serialize, ToSchema)]
pub struct NotReady {
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

/// Readiness: the database answers and is migrated.
///
/// The fingerprint lets an operator see at a glance whether every instance runs with the
/// same key.
#[utoipa::path(get, path = "/ready", tag = "health", responses(
    (status = 200, description = "Ready to serve", body = Readiness),
    (status = 503, description = "`not_ready`: the database is unavailable or not migrated", body = Readiness),
))]
async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let key_fingerprint = state.settings.keys.current.fingerprint();
    let database = state.db.kind().as_str();
    match state.db.is_ready().await {
        Ok(()) => (
            StatusCode::OK,
            Json(Readiness {
                status: "ready",
                database,
                key_fingerprint,
                fallback_keys: Some(state.settings.keys.fallbacks.len()),
                error: None,
            }),
        ),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Readiness {
                    status: "unavailable",
                    database,
                    key_fingerprint,
                    fallback_keys: None,
                    error: Some(NotReady {
                        code: ErrorCode::NotReady,
                        message: "The database is unavailable or not migrated; see the server log.",
                    }),
                }),
            )
        }
    }
}
