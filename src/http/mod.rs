//! The HTTP layer: shared state, the router of every part of the product, and the
//! conventions every response follows (JSON errors, request ids, security headers, limits).

pub mod client;
pub mod error;
pub mod extract;
mod health;
pub mod paging;

use std::sync::Arc;

use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::{header, HeaderName, HeaderValue, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{BoxError, Router};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::accounts::limits::AddressLimiter;
use crate::accounts::password::Hasher;
use crate::config::Settings;
use crate::sessions::{cookie, csrf};
use crate::storage::Database;
pub use error::{ApiError, ApiResult};
pub use extract::{Input, Path, Query};
pub use paging::{PageQuery, Paging};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Database,
    pub hasher: Hasher,
    pub address_limiter: AddressLimiter,
}

impl AppState {
    pub fn new(settings: Settings, db: Database) -> Self {
        AppState {
            address_limiter: AddressLimiter::per_minute(settings.login.per_address_per_minute),
            settings: Arc::new(settings),
            db,
            hasher: Hasher::new(),
        }
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The whole application: `/api/...` for the JSON API, everything else for the web app.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(health::router())
        .merge(crate::accounts::routes::router())
        .merge(crate::sessions::routes::router())
        .merge(crate::care_teams::routes::router())
        .merge(crate::messaging::routes::router())
        .merge(crate::home::router())
        .merge(crate::mood::routes::router())
        .merge(crate::feedback::routes::router())
        .merge(crate::admin::router())
        .merge(crate::my_data::router())
        .fallback(error::route_not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let production = state.settings.mode.is_production();
    let timeout = state.settings.request_timeout;
    let body_limit = state.settings.body_limit_bytes;
    let app = Router::new()
        .nest("/api", api)
        // The web app answers every path outside /api; a route of its own merged here
        // would also catch /api paths that match no API route.
        .fallback_service(
            crate::web::router()
                .method_not_allowed_fallback(error::method_not_allowed)
                .with_state(state.clone()),
        )
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session_cookie_guard,
        ));
    with_security_headers(app, production)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(request_span))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(HandleErrorLayer::new(timeout_response))
                .timeout(timeout),
        )
        .with_state(state)
}

fn with_security_headers(mut app: Router<AppState>, production: bool) -> Router<AppState> {
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ),
    ];
    for (name, value) in fixed {
        app = app.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    if production {
        app = app.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    app
}

/// Refuses state-changing requests from other sites (login and registration included),
/// and applies the session cookie changes a request's handling decided on.
async fn session_cookie_guard(
    State(state): State<AppState>,
    mut request: axum::extract::Request,
    next: Next,
) -> Response {
    if crate::sessions::current::is_state_changing(request.method()) {
        if let Err(error) = csrf::check_origin(&state.settings, request.headers()) {
            return error.into_response();
        }
    }
    let renewed = cookie::RenewedCookie::default();
    request.extensions_mut().insert(renewed.clone());
    let mut response = next.run(request).await;
    cookie::apply_changes(&state.settings, &renewed, &mut response);
    response
}

/// Every log line of a request carries its id.
fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %request.method(),
        path = %request.uri().path(),
    )
}

async fn timeout_response(error: BoxError) -> ApiError {
    if error.is::<tower::timeout::error::Elapsed>() {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "request_timeout",
            "The server took too long to answer. Please try again.",
        )
    } else {
        ApiError::internal(anyhow::anyhow!("middleware error: {error}"))
    }
}

fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal(anyhow::anyhow!("a handler panicked")).into_response()
}
