//! Slow, idle and surplus connections, over raw TCP: a connection that takes too long
//! to send its headers, or sits idle between requests, is closed; over `MAX_CONNECTIONS`
//! a new connection is answered `503 server_busy` and served again once others close.
//! The timeouts are set to fractions of a second; the waits here are generous bounds on
//! them, not measurements.

use std::time::Duration;

use crate::common::raw::RawConnection;
use crate::common::*;

/// Long enough for any timeout set below to pass several times over.
const CLOSES_WITHIN: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_that_sends_its_headers_slowly_is_closed() {
    let db = TestDb::new().await;
    let server = App::start(
        &db,
        &[
            ("HEADER_READ_TIMEOUT_SECONDS", "0.3"),
            ("KEEP_ALIVE_TIMEOUT_SECONDS", "30"),
        ],
    )
    .await;

    // A byte every 100 ms keeps the socket busy but never finishes the headers.
    let mut slow = RawConnection::open(server.addr()).await;
    slow.send("GET /api/health HTTP/1.1\r\nHost: localhost\r\n")
        .await;
    let trickle = async {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if !slow.try_send("X").await {
                return;
            }
        }
    };
    assert!(
        tokio::time::timeout(CLOSES_WITHIN, trickle).await.is_ok(),
        "the server kept a connection that never finished its headers"
    );

    // One that opens and sends nothing is closed too.
    let mut silent = RawConnection::open(server.addr()).await;
    assert!(silent.closed_within(CLOSES_WITHIN).await);

    // A prompt client is served as before.
    let mut prompt = RawConnection::open(server.addr()).await;
    assert_eq!(prompt.get("/api/health").await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout() {
    let db = TestDb::new().await;
    let server = App::start(
        &db,
        &[
            ("HEADER_READ_TIMEOUT_SECONDS", "0.5"),
            ("KEEP_ALIVE_TIMEOUT_SECONDS", "3"),
        ],
    )
    .await;
    let mut connection = RawConnection::open(server.addr()).await;
    assert_eq!(connection.get("/api/health").await.status, 200);

    // Idle for longer than the header timeout but well within the keep-alive timeout
    // (a slow machine may stall between two steps): the next request is served on the
    // same connection.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let second = connection.get("/api/health").await;
    assert_eq!(second.status, 200);
    assert_eq!(second.json()["status"], "ok");

    // Then idle for good: closed.
    assert!(
        connection.closed_within(CLOSES_WITHIN).await,
        "an idle keep-alive connection stayed open"
    );
}

/// Opens a connection and has it served once, so that it holds one of the server's
/// connection slots.
async fn served_connection(server: &App) -> RawConnection {
    let mut connection = RawConnection::open(server.addr()).await;
    assert_eq!(connection.get("/api/health").await.status, 200);
    connection
}

#[tokio::test(flavor = "multi_thread")]
async fn over_the_cap_a_connection_is_answered_503_and_capacity_returns() {
    let db = TestDb::new().await;
    let server = App::start(
        &db,
        &[
            ("MAX_CONNECTIONS", "3"),
            ("KEEP_ALIVE_TIMEOUT_SECONDS", "30"),
        ],
    )
    .await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(served_connection(&server).await);
    }

    let mut surplus = RawConnection::open(server.addr()).await;
    let busy = surplus.get("/api/health").await;
    let body = busy.expect_error(503, "server_busy");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("connections"));
    assert_eq!(busy.header("retry-after"), Some("1"));
    assert_eq!(busy.header("connection"), Some("close"));
    assert!(surplus.closed_within(CLOSES_WITHIN).await);

    // The connections being served are not disturbed.
    assert_eq!(open[0].get("/api/health").await.status, 200);

    // Once one closes, a new connection is served; the server may take a moment to see
    // the close, so a 503 before then is retried.
    drop(open.pop());
    let served = async {
        loop {
            let mut connection = RawConnection::open(server.addr()).await;
            let reply = connection.get("/api/health").await;
            if reply.status == 200 {
                return reply;
            }
            reply.expect_error(503, "server_busy");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let health = tokio::time::timeout(CLOSES_WITHIN, served)
        .await
        .expect("served once a connection closed");
    assert_eq!(health.json()["status"], "ok");
}
