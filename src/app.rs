//! The whole application, assembled in one place above every feature: `/api/...` for
//! the JSON API, `/metrics` for the operator's Prometheus, everything else for the web
//! app, and the layers every request goes through (compression, request ids, timeouts,
//! and the count of every answer). Each feature's router also carries its part of the
//! OpenAPI document, so the routes and the published contract come from the same
//! declarations.

use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::{middleware, Extension, Router};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa_axum::router::OpenApiRouter;

use crate::http::error::{method_not_allowed, route_not_found};
use crate::http::limits::refuse_oversized_head;
use crate::http::middleware::{
    compression, panic_response, request_span, timeout_response, weaken_etag_when_encoded,
    with_security_headers, REQUEST_ID,
};
use crate::http::uncompressed::CompressExcept;
use crate::state::AppState;
use crate::{
    admin, alerts, auth, care_teams, cbt, closing, events, feedback, health, home, homework,
    measures, messaging, metrics, mood, my_data, notifications, passkeys, profile, recovery,
    reference, safety_plan, scrape, sessions, web,
};

/// Event streams are never compressed (`compression` says why), and skip the layer
/// altogether so that an open one does not hold the compressor's room.
const UNCOMPRESSED: &[&str] = &["/api/events"];

pub fn router(state: AppState) -> Router {
    let (api, document) = OpenApiRouter::with_openapi(reference::base())
        .merge(health::router())
        .merge(auth::routes::router())
        .merge(recovery::routes::router())
        .merge(profile::routes::router())
        .merge(passkeys::routes::router())
        .merge(closing::routes::router())
        .merge(sessions::routes::router())
        .merge(care_teams::routes::router())
        .merge(messaging::routes::router())
        .merge(home::router())
        .merge(mood::routes::router())
        .merge(measures::routes::router())
        .merge(alerts::routes::router())
        .merge(cbt::routes::router())
        .merge(homework::routes::router())
        .merge(safety_plan::routes::router())
        .merge(feedback::routes::router())
        .merge(admin::router())
        .merge(my_data::router())
        .merge(events::routes::router())
        .merge(notifications::routes::router())
        .merge(reference::router())
        .split_for_parts();
    let published = reference::finish(document, &state.settings);
    let api = api
        .layer(Extension(published))
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let settings = state.settings.clone();
    let web_app = web::router()
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone());
    let app = Router::new()
        .nest(reference::PREFIX, api)
        // Routed before the web app's fallback; what it refuses, the web app answers.
        .merge(scrape::router(web_app.clone()))
        // The web app answers every other path outside /api; a route of its own merged
        // here would also catch /api paths that match no API route.
        .fallback_service(web_app)
        .layer(DefaultBodyLimit::max(settings.body_limit_bytes))
        .layer(middleware::from_fn_with_state(
            settings.clone(),
            sessions::cookie::layer,
        ))
        .layer(middleware::from_fn(refuse_oversized_head));
    // The web app's page has one inline script, its import map, allowed by its hash.
    let inline_scripts: Vec<&str> = web::script_hash().into_iter().collect();
    with_security_headers(app, settings.mode.is_production(), &inline_scripts)
        .layer(CompressExcept::new(compression(), UNCOMPRESSED))
        .layer(middleware::map_response(weaken_etag_when_encoded))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(request_span))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(HandleErrorLayer::new(timeout_response))
                .timeout(settings.request_timeout),
        )
        // Outermost, so it counts every answer the router gives, timeouts included.
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track_requests,
        ))
        .with_state(state)
}
