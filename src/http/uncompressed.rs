//! Compression for every answer except at a few paths (the event stream). tower-http's
//! compressed body keeps room for its encoders inline, about 6 KB, even when the answer
//! is sent as it is. A request holds that for a moment; an event stream holds it for as
//! long as it is open, 58 MB for 10,000 streams. So those paths skip the compression
//! layer altogether, and their bodies are only their own.

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::http::{Request, Response};
use futures_util::future::BoxFuture;
use tower::{Layer, Service, ServiceExt};
use tower_http::compression::predicate::Predicate;
use tower_http::compression::{Compression, CompressionLayer};

/// `compression` for every path but `skipped`.
#[derive(Clone)]
pub struct CompressExcept<P> {
    compression: CompressionLayer<P>,
    skipped: &'static [&'static str],
}

impl<P> CompressExcept<P> {
    pub fn new(compression: CompressionLayer<P>, skipped: &'static [&'static str]) -> Self {
        CompressExcept {
            compression,
            skipped,
        }
    }
}

impl<S: Clone, P: Predicate> Layer<S> for CompressExcept<P> {
    type Service = CompressExceptService<S, P>;

    fn layer(&self, inner: S) -> Self::Service {
        CompressExceptService {
            compressed: self.compression.layer(inner.clone()),
            plain: inner,
            skipped: self.skipped,
        }
    }
}

#[derive(Clone)]
pub struct CompressExceptService<S, P> {
    compressed: Compression<S, P>,
    plain: S,
    skipped: &'static [&'static str],
}

impl<S, P> Service<Request<Body>> for CompressExceptService<S, P>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    P: Predicate + Send + Sync + 'static,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Each call below waits for its own clone to be ready (`oneshot`).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        if self.skipped.contains(&request.uri().path()) {
            let plain = self.plain.clone();
            return Box::pin(plain.oneshot(request));
        }
        let compressed = self.compressed.clone();
        Box::pin(async move {
            let response = compressed.oneshot(request).await?;
            Ok(response.map(Body::new))
        })
    }
}

#[cfg(test)]
mod tests {
    use axum::http::header;
    use tower::service_fn;

    use super::*;

    /// Whether the answer at `path` leaves compressed, with a compression that would
    /// compress anything, for a client that accepts gzip.
    async fn compressed_at(path: &str) -> bool {
        let everything = CompressionLayer::new()
            .gzip(true)
            .compress_when(|_: _, _: _, _: &_, _: &_| true);
        let skipping = CompressExcept::new(everything, &["/api/events"]);
        let service = skipping.layer(service_fn(|_: Request<Body>| async {
            Ok::<_, Infallible>(
                Response::builder()
                    .header(header::CONTENT_TYPE, "text/plain")
                    .body(Body::from("x".repeat(4096)))
                    .unwrap(),
            )
        }));
        let request = Request::builder()
            .uri(path)
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap();
        let response = service.oneshot(request).await.unwrap();
        response.headers().contains_key(header::CONTENT_ENCODING)
    }

    #[tokio::test]
    async fn the_skipped_paths_bypass_compression_and_the_rest_do_not() {
        assert!(!compressed_at("/api/events").await);
        assert!(compressed_at("/api/events/").await);
        assert!(compressed_at("/api/messages/inbox").await);
        assert!(compressed_at("/").await);
    }
}
