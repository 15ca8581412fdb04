//! The conventions every response follows, as layers: security headers, a request id on
//! every log line, compression, and JSON answers for a timeout or a panic.

use axum::extract::MatchedPath;
use axum::http::{header, HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{BoxError, Router};
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use super::{ApiError, ErrorCode};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// `script-src` is `'self'` and the inline scripts named by their hash (the web app's
/// import map); everything else is this.
const CONTENT_SECURITY_POLICY_REST: &str = "style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
     worker-src 'self'; manifest-src 'self'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The Content-Security-Policy, allowing scripts from this origin and the inline ones
/// whose `'sha256-...'` sources are given.
pub fn content_security_policy(inline_scripts: &[&str]) -> String {
    let mut script_src = String::from("'self'");
    for source in inline_scripts {
        script_src.push(' ');
        script_src.push_str(source);
    }
    format!("default-src 'self'; script-src {script_src}; {CONTENT_SECURITY_POLICY_REST}")
}

/// The headers every response carries (a handler may set its own first), and HSTS in
/// production. `inline_scripts` are the `'sha256-...'` sources of the inline scripts
/// the CSP allows.
pub fn with_security_headers<S: Clone + Send + Sync + 'static>(
    mut app: Router<S>,
    production: bool,
    inline_scripts: &[&str],
) -> Router<S> {
    let policy = content_security_policy(inline_scripts);
    if let Ok(value) = HeaderValue::from_str(&policy) {
        app = app.layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            value,
        ));
    }
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
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

/// Every log line of a request carries its id, and the route it matched rather than its
/// address, which may hold a username (`/api/clinician/patients/jordan.lee/mood`).
pub fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        request_id = %request_id,
        method = method_label(request.method()),
        route = Route::of(request).as_str(),
    )
}

/// What a request is logged and counted under: the template of the route it matched
/// (`/api/messages/conversations/{id}`), never the address asked for.
#[derive(Debug, Clone)]
pub enum Route {
    Matched(MatchedPath),
    /// An address under `/api` that no route matches.
    Unmatched,
    /// The web app's: its files, its screens and its "not found" page.
    Web,
}

impl Route {
    /// Known once the router has matched, so in layers added with `Router::layer`.
    pub fn of<B>(request: &Request<B>) -> Route {
        match request.extensions().get::<MatchedPath>() {
            // A nested router's fallback is matched under a wildcard of axum's own.
            Some(matched) if !matched.as_str().contains("__private__") => {
                Route::Matched(matched.clone())
            }
            _ if is_api(request.uri().path()) => Route::Unmatched,
            _ => Route::Web,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Route::Matched(matched) => matched.as_str(),
            Route::Unmatched => "unmatched",
            Route::Web => "web",
        }
    }
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// The methods the service answers by name; anything else (a client may send any
/// token) is `other`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Answers smaller than this are sent as they are: the saving would not pay for the work.
pub const COMPRESS_FROM_BYTES: u16 = 1024;

/// gzip or brotli (quality 4, as nginx compresses on the fly), as the client prefers, for
/// the web app's files and JSON. Never an event stream, whose events a compressor would
/// hold back until enough bytes gather, nor images that are compressed already.
pub fn compression() -> CompressionLayer<impl Predicate> {
    let worth_it = SizeAbove::new(COMPRESS_FROM_BYTES)
        .and(NotForContentType::SSE)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::GRPC);
    CompressionLayer::new()
        .gzip(true)
        .br(true)
        .compress_when(worth_it)
}

/// A compressed answer is another representation of the resource, so its `ETag` becomes
/// weak (`W/"…"`), as nginx does: a cache then never mixes its bytes with the plain
/// answer's, and `If-None-Match` (a weak comparison, see `web/`) still gets a `304`.
/// Answers no cache keeps (`no-store`: the whole API) keep their tag as documented, like
/// the safety plan's version for `If-Match`.
pub async fn weaken_etag_when_encoded<B>(mut response: Response<B>) -> Response<B> {
    let headers = response.headers_mut();
    let storable = headers
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .all(|value| !value.contains("no-store"));
    if !headers.contains_key(header::CONTENT_ENCODING) || !storable {
        return response;
    }
    let weak = headers
        .get(header::ETAG)
        .and_then(|etag| etag.to_str().ok())
        .filter(|etag| etag.starts_with('"'))
        .and_then(|etag| HeaderValue::from_str(&format!("W/{etag}")).ok());
    if let Some(weak) = weak {
        headers.insert(header::ETAG, weak);
    }
    response
}

pub async fn timeout_response(error: BoxError) -> ApiError {
    if error.is::<tower::timeout::error::Elapsed>() {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::RequestTimeout,
            "The server took too long to answer. Please try again.",
        )
    } else {
        ApiError::internal(anyhow::anyhow!("middleware error: {error}"))
    }
}

pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal(anyhow::anyhow!("a handler panicked")).into_response()
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use axum::body::Body;
    use tower::{ServiceBuilder, ServiceExt};

    use super::*;

    /// Whether an answer of this type and size leaves compressed, for a client that
    /// accepts gzip.
    async fn compressed(content_type: &'static str, size: usize) -> bool {
        let service = ServiceBuilder::new().layer(compression()).service_fn(
            move |_: Request<Body>| async move {
                Ok::<_, Infallible>(
                    Response::builder()
                        .header(header::CONTENT_TYPE, content_type)
                        .body(Body::from("x".repeat(size)))
                        .unwrap(),
                )
            },
        );
        let request = Request::builder()
            .header(header::ACCEPT_ENCODING, "gzip, br")
            .body(Body::empty())
            .unwrap();
        let response = service.oneshot(request).await.unwrap();
        response.headers().contains_key(header::CONTENT_ENCODING)
    }

    #[tokio::test]
    async fn event_streams_images_and_small_answers_are_not_compressed() {
        let big = 64 * 1024;
        assert!(compressed("application/json", big).await);
        assert!(compressed("text/javascript; charset=utf-8", big).await);
        assert!(compressed("image/svg+xml; charset=utf-8", big).await);
        // A compressor would hold events back until enough bytes gathered.
        assert!(!compressed("text/event-stream", big).await);
        assert!(!compressed("image/png", big).await);
        assert!(!compressed("application/json", 1023).await);
        assert!(compressed("application/json", 1024).await);
    }

    #[tokio::test]
    async fn a_compressed_answer_has_a_weak_etag() {
        let answer = |encoding: Option<&str>, etag: &str| {
            let mut response = Response::builder().header(header::ETAG, etag);
            if let Some(encoding) = encoding {
                response = response.header(header::CONTENT_ENCODING, encoding);
            }
            response.body(()).unwrap()
        };
        let etag = |response: Response<()>| response.headers()[header::ETAG].clone();
        let weakened = weaken_etag_when_encoded(answer(Some("br"), "\"abc\"")).await;
        assert_eq!(etag(weakened), "W/\"abc\"");
        let plain = weaken_etag_when_encoded(answer(None, "\"abc\"")).await;
        assert_eq!(etag(plain), "\"abc\"");
        let weak = weaken_etag_when_encoded(answer(Some("gzip"), "W/\"abc\"")).await;
        assert_eq!(etag(weak), "W/\"abc\"");
        let mut api = answer(Some("gzip"), "\"7\"");
        let no_store = HeaderValue::from_static("no-store");
        api.headers_mut().insert(header::CACHE_CONTROL, no_store);
        let api = weaken_etag_when_encoded(api).await;
        assert_eq!(etag(api), "\"7\"", "the API's versions stay as documented");
    }
}
