//! Counting and timing every request the router answers, by the route it matched.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use super::Metrics;
use crate::http::middleware::{method_label, Route};

/// A layer for `Router::layer` (which runs after routing, so the route is known). Added
/// last, it also counts the answers of the layers inside it: timeouts, panics, refusals
/// of oversized requests. The time is to the answer's headers; a body streamed after
/// them (a download, an event stream) is not waited for.
pub async fn track_requests(
    State(metrics): State<Metrics>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = Route::of(&request);
    let response = next.run(request).await;
    let status = response.status();
    // Every address nobody serves counts as one, whichever fallback answered it.
    let label = match route {
        Route::Web if status == StatusCode::NOT_FOUND => Route::Unmatched.as_str(),
        ref route => route.as_str(),
    };
    metrics.request_answered(method, label, status, started.elapsed());
    response
}
