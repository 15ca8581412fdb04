//! SIGTERM, as platforms send it on a redeploy: requests in flight finish, then the
//! process exits cleanly.

use std::io::{Read, Write};
use std::time::Duration;

use crate::common::*;

#[tokio::test]
async fn sigterm_lets_a_request_in_flight_finish_then_exits_cleanly() {
    let db = TestDb::new().await;
    let mut server = Server::start(&db, &[]).await;
    let body = br#"{"username":"nobody.here","password":"not the password"}"#;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let head = format!(
        "POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..10]).unwrap();
    // Time for the server to take the connection and start reading the request, so the
    // request is in flight when the signal comes, even on a busy machine.
    std::thread::sleep(Duration::from_millis(1000));
    let started = std::time::Instant::now();
    let status = {
        let pid = server.pid();
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid as i32),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap();
        std::thread::sleep(Duration::from_millis(500));
        // Still finishing the request: new connections are refused, the old one is served.
        stream.write_all(&body[10..]).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
        assert!(answer.contains("invalid_credentials"), "{answer}");
        server.stop_waiting().await
    };
    assert!(status.success(), "exit status {status:?}");
    assert!(started.elapsed() < Duration::from_secs(15));
    assert!(server.logs().contains("shutting down"));
}
