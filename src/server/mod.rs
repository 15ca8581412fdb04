//! The server loop: accepts connections and serves each with hyper's HTTP/1, within
//! limits `axum::serve` does not offer.
//!
//! - A connection has `HEADER_READ_TIMEOUT_SECONDS` to send a request's headers and
//!   `KEEP_ALIVE_TIMEOUT_SECONDS` to start its next request; then it is closed
//!   ([`timed_io`]).
//! - At most `MAX_CONNECTIONS` are served at once. A connection over the cap is answered
//!   `503 server_busy` with `Retry-After` and closed; at most [`BUSY_ANSWERS_AT_ONCE`] of
//!   those at a time, and beyond that a connection is closed unanswered, so that a flood
//!   cannot use up the open-file limit ([`open_files`]).
//! - hyper's own answers to requests it cannot parse get the JSON error shape
//!   ([`answers`]).
//! - On shutdown it stops accepting, lets requests in flight finish and closes idle
//!   connections (hyper-util's graceful shutdown, as `axum::serve` does).

pub mod answers;
pub mod open_files;
mod timed_io;

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt;

use crate::config::ConnectionSettings;
use answers::HttpLayerAnswers;
use timed_io::{RequestCount, TimedIo, Timeouts};

/// Connections over the cap being answered 503 at one time.
pub const BUSY_ANSWERS_AT_ONCE: usize = 64;
/// How long to pause after a failed accept that is not the client's doing (out of open
/// files, say), so that the loop does not spin.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

struct Shared {
    router: Router,
    timeouts: Timeouts,
    answers: Arc<HttpLayerAnswers>,
}

/// Serves `router` on `listener` until `shutdown` resolves, then until every connection
/// has closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    settings: &ConnectionSettings,
    shutdown: impl Future<Output = ()>,
) {
    let shared = Arc::new(Shared {
        router,
        timeouts: Timeouts {
            header_read: settings.header_read_timeout,
            keep_alive: settings.keep_alive_timeout,
        },
        answers: Arc::new(HttpLayerAnswers::render().await),
    });
    let connections = Arc::new(Semaphore::new(settings.max_connections));
    let busy_answers = Arc::new(Semaphore::new(BUSY_ANSWERS_AT_ONCE));
    let graceful = GracefulShutdown::new();
    let mut full = false;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    pause_after(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Ok(permit) = connections.clone().try_acquire_owned() {
            if std::mem::take(&mut full) {
                tracing::info!("below MAX_CONNECTIONS again; serving new connections");
            }
            serve_app(&graceful, shared.clone(), stream, peer, permit);
            continue;
        }
        if !std::mem::replace(&mut full, true) {
            tracing::warn!(
                max_connections = settings.max_connections,
                "MAX_CONNECTIONS reached; answering new connections 503 until some close"
            );
        }
        if let Ok(permit) = busy_answers.clone().try_acquire_owned() {
            answer_busy(&graceful, &shared, stream, permit);
        }
    }
    drop(listener);
    graceful.shutdown().await;
}

/// One connection to the app, each request with the peer's address (for `ClientAddress`)
/// and counted for the connection's deadlines.
fn serve_app(
    graceful: &GracefulShutdown,
    shared: Arc<Shared>,
    stream: TcpStream,
    peer: SocketAddr,
    permit: OwnedSemaphorePermit,
) {
    let requests = Arc::new(RequestCount::default());
    let io = TimedIo::new(
        stream,
        requests.clone(),
        shared.timeouts,
        shared.answers.clone(),
    );
    let service = service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let in_flight = requests.start();
        let answer = shared.router.clone().oneshot(request);
        async move {
            let response = answer.await?;
            // The request counts as served until hyper drops the body: it has it all.
            Ok::<_, Infallible>(response.map(|body| {
                Body::new(body.map_frame(move |frame| {
                    let _served_until_dropped = &in_flight;
                    frame
                }))
            }))
        }
    });
    let connection = http1::Builder::new()
        // TimedIo keeps this deadline, apart from the keep-alive one.
        .header_read_timeout(None)
        .serve_connection(TokioIo::new(io), service);
    let connection = graceful.watch(connection);
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%error, "connection ended with an error");
        }
        drop(permit);
    });
}

/// Reads the request (so the client sees the answer rather than a reset) and answers
/// `503 server_busy` to a connection over the cap.
fn answer_busy(
    graceful: &GracefulShutdown,
    shared: &Shared,
    stream: TcpStream,
    permit: OwnedSemaphorePermit,
) {
    let requests = Arc::new(RequestCount::default());
    let io = TimedIo::new(
        stream,
        requests.clone(),
        shared.timeouts,
        shared.answers.clone(),
    );
    let service = service_fn(move |_request: Request<Incoming>| {
        let _counted = requests.start();
        async { Ok::<_, Infallible>(answers::server_busy()) }
    });
    let connection = http1::Builder::new()
        .keep_alive(false)
        .header_read_timeout(None)
        .serve_connection(TokioIo::new(io), service);
    let connection = graceful.watch(connection);
    tokio::spawn(async move {
        let _ = connection.await;
        drop(permit);
    });
}

async fn pause_after(error: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::warn!(%error, "could not accept a connection");
    tokio::time::sleep(ACCEPT_RETRY).await;
}
