//! Raw HTTP/1.1 over a TCP stream, for what a well-behaved client never does: sending
//! headers slowly, staying idle, sending malformed or oversized requests, and watching
//! whether the server closes the connection.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Longest any read here waits for the server; a test fails rather than hangs.
pub const READ_AT_MOST: Duration = Duration::from_secs(10);

pub struct RawConnection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(key, _)| key.trim().eq_ignore_ascii_case(name))
            .map(|(_, value)| value.trim())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            panic!(
                "not JSON: {}\n{}",
                self.head,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Asserts the status and the JSON error shape with `code`; the body.
    pub fn expect_error(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "{}", self.head);
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{}",
            self.head
        );
        let body = self.json();
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(body["error"]["message"].is_string(), "{body}");
        body
    }
}

impl RawConnection {
    pub async fn open(addr: SocketAddr) -> RawConnection {
        RawConnection {
            stream: TcpStream::connect(addr).await.expect("connect"),
            buffer: Vec::new(),
        }
    }

    pub async fn send(&mut self, bytes: impl AsRef<[u8]>) {
        self.stream
            .write_all(bytes.as_ref())
            .await
            .expect("send to the server");
    }

    /// Sends, or false if the server has closed the connection (a write after the
    /// server's close is reset, and the next one fails).
    pub async fn try_send(&mut self, bytes: impl AsRef<[u8]>) -> bool {
        self.stream.write_all(bytes.as_ref()).await.is_ok()
    }

    /// A complete GET with `Host`, kept alive.
    pub async fn get(&mut self, path: &str) -> RawResponse {
        self.send(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n"))
            .await;
        self.read_response().await
    }

    /// One response with a `Content-Length` body (every answer of this server has one).
    pub async fn read_response(&mut self) -> RawResponse {
        tokio::time::timeout(READ_AT_MOST, self.read_response_now())
            .await
            .expect("a response within READ_AT_MOST")
    }

    async fn read_response_now(&mut self) -> RawResponse {
        let head_end = loop {
            if let Some(end) = self.buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            assert!(
                self.fill().await,
                "the server closed the connection before answering"
            );
        };
        let head = String::from_utf8_lossy(&self.buffer[..head_end]).into_owned();
        let mut response = RawResponse {
            status: head.split(' ').nth(1).unwrap().parse().unwrap(),
            head,
            body: Vec::new(),
        };
        let length: usize = response
            .header("content-length")
            .expect("a Content-Length")
            .parse()
            .unwrap();
        while self.buffer.len() < head_end + 4 + length {
            assert!(
                self.fill().await,
                "the server closed the connection mid-body"
            );
        }
        response.body = self.buffer[head_end + 4..head_end + 4 + length].to_vec();
        self.buffer.drain(..head_end + 4 + length);
        response
    }

    /// Reads more; false once the server has closed (or reset) the connection.
    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 16 * 1024];
        match self.stream.read(&mut chunk).await {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buffer.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }

    /// Whether the server closes the connection within `wait`, reading whatever it sends
    /// until then.
    pub async fn closed_within(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, async { while self.fill().await {} })
            .await
            .is_ok()
    }
}
