//! What the HTTP layer refuses before any route sees it, over raw TCP: an address or
//! headers too large, and requests that are not HTTP. Each answer has the JSON error
//! shape, whether our limits answered (`http/limits.rs`) or hyper's did (`server/`).

use crate::common::raw::{RawConnection, RawResponse};
use crate::common::*;

async fn answer_to(server: &App, request: &[u8]) -> RawResponse {
    let mut connection = RawConnection::open(server.addr()).await;
    connection.send(request).await;
    connection.read_response().await
}

fn get_with_headers(path: &str, headers: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n{headers}\r\n").into_bytes()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_too_long_is_answered_414_in_json() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    // Over our limit (8 KiB), and over hyper's own (64 KiB).
    for length in [10 * 1024, 70 * 1024] {
        let path = format!("/api/health?q={}", "a".repeat(length));
        let answer = answer_to(&server, &get_with_headers(&path, "")).await;
        answer.expect_error(414, "uri_too_long");
    }
    // Just under the limit is served.
    let path = format!("/api/health?q={}", "a".repeat(7 * 1024));
    assert_eq!(
        answer_to(&server, &get_with_headers(&path, ""))
            .await
            .status,
        200
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn headers_too_large_are_answered_431_in_json() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    // One header over our limit (32 KiB).
    let big = format!("X-Big: {}\r\n", "b".repeat(40 * 1024));
    let answer = answer_to(&server, &get_with_headers("/api/health", &big)).await;
    answer.expect_error(431, "headers_too_large");
    // More headers than hyper takes (100): hyper's own refusal, given the JSON shape.
    let many: String = (0..120).map(|i| format!("X-Many-{i}: {i}\r\n")).collect();
    let answer = answer_to(&server, &get_with_headers("/api/health", &many)).await;
    let body = answer.expect_error(431, "headers_too_large");
    assert!(body["error"].get("field").is_none());
    assert_eq!(answer.header("connection"), Some("close"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_that_is_not_http_is_answered_400_in_json() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    for request in [
        &b"NOT HTTP AT ALL\r\n\r\n"[..],
        b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nA header without a colon\r\n\r\n",
        b"GET /api/\x01health HTTP/1.1\r\nHost: localhost\r\n\r\n",
        b"GET /api/health HTTP/9.9\r\nHost: localhost\r\n\r\n",
        b"POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Length: many\r\n\r\n",
    ] {
        let answer = answer_to(&server, request).await;
        answer.expect_error(400, "malformed_request");
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
    }
}

/// The server's own 400s, on a connection that was already served, keep their codes:
/// only hyper's answers are replaced.
#[tokio::test(flavor = "multi_thread")]
async fn the_apps_own_errors_are_not_replaced() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let mut connection = RawConnection::open(server.addr()).await;
    for _ in 0..3 {
        assert_eq!(connection.get("/api/health").await.status, 200);
        let body = b"{not json";
        connection
            .send(format!(
                "POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            ))
            .await;
        connection.send(body).await;
        connection
            .read_response()
            .await
            .expect_error(400, "malformed_json");
    }
    // And hyper's answer on a kept-alive connection is replaced too.
    connection.send(b"BROKEN\r\n\r\n").await;
    connection
        .read_response()
        .await
        .expect_error(400, "malformed_request");
}
