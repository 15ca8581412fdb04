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
