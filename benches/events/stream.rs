//! A minimal event-stream client over a raw socket: one `GET /api/events`, the chunked
//! body decoded by hand and split into frames. Thousands of them are open at once, so
//! each is a socket and two small buffers, not a full HTTP client.

use std::net::SocketAddr;

use anyhow::{bail, ensure, Context};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One frame: an event (with its name, id and data) or a comment (a heartbeat).
#[derive(Debug, Default)]
pub struct Frame {
    pub event: String,
    pub data: String,
}

pub struct EventStream {
    socket: TcpStream,
    /// Bytes read and not yet de-chunked.
    raw: Vec<u8>,
    /// The de-chunked body not yet split into frames.
    body: Vec<u8>,
}

impl EventStream {
    /// Opens a stream with the session `token` and reads up to its first frame, which
    /// must be `ready`.
    pub async fn open(addr: SocketAddr, token: &str) -> anyhow::Result<EventStream> {
        let mut socket = TcpStream::connect(addr).await?;
        socket.set_nodelay(true)?;
        let request = format!(
            "GET /api/events HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: hs-events-bench\r\n\
             Accept: text/event-stream\r\nCookie: hs_session={token}\r\n\r\n"
        );
        socket.write_all(request.as_bytes()).await?;
        let mut stream = EventStream {
            socket,
            raw: Vec::with_capacity(1024),
            body: Vec::with_capacity(256),
        };
        let head_end = loop {
            if let Some(end) = stream.raw.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            ensure!(
                stream.fill().await?,
                "the server closed the stream before its head"
            );
        };
        let head = String::from_utf8_lossy(&stream.raw[..head_end]).into_owned();
        stream.raw.drain(..head_end + 4);
        ensure!(
            head.starts_with("HTTP/1.1 200"),
            "GET /api/events answered {}",
            head.lines().next().unwrap_or("")
        );
        ensure!(
            head.to_ascii_lowercase()
                .contains("transfer-encoding: chunked"),
            "the event stream is not chunked: {head}"
        );
        let first = stream.next().await?.context("the stream ended at once")?;
        ensure!(
            first.event == "ready",
            "the first event was {:?}",
            first.event
        );
        Ok(stream)
    }

    /// Reads more bytes; false at the end of the connection.
    async fn fill(&mut self) -> anyhow::Result<bool> {
        let mut chunk = [0u8; 2048];
        let n = self.socket.read(&mut chunk).await?;
        self.raw.extend_from_slice(&chunk[..n]);
        Ok(n > 0)
    }

    /// The next frame, or `None` when the stream ended.
    pub async fn next(&mut self) -> anyhow::Result<Option<Frame>> {
        loop {
            if let Some(end) = self.body.windows(2).position(|w| w == b"\n\n") {
                let frame = parse(&self.body[..end]);
                self.body.drain(..end + 2);
                return Ok(Some(frame));
            }
            match self.dechunk()? {
                Chunk::Data => continue,
                Chunk::Last => return Ok(None),
                Chunk::Incomplete => {
                    if !self.fill().await? {
                        return Ok(None);
                    }
                }
            }
        }
    }

    /// Moves one whole chunk from `raw` to `body`.
    fn dechunk(&mut self) -> anyhow::Result<Chunk> {
        let Some(line_end) = self.raw.windows(2).position(|w| w == b"\r\n") else {
            return Ok(Chunk::Incomplete);
        };
        let line = std::str::from_utf8(&self.raw[..line_end])?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            bail!("a bad chunk size: {line:?}");
        };
        if size == 0 {
            return Ok(Chunk::Last);
        }
        let start = line_end + 2;
        if self.raw.len() < start + size + 2 {
            return Ok(Chunk::Incomplete);
        }
        self.body.extend_from_slice(&self.raw[start..start + size]);
        self.raw.drain(..start + size + 2);
        Ok(Chunk::Data)
    }
}

enum Chunk {
    Data,
    Last,
    Incomplete,
}

fn parse(frame: &[u8]) -> Frame {
    let mut parsed = Frame::default();
    for line in String::from_utf8_lossy(frame).lines() {
        if let Some(rest) = line.strip_prefix("event:") {
            parsed.event = rest.trim().to_owned();
        } else if let Some(rest) = line.strip_prefix("data:") {
            parsed.data.push_str(rest.trim());
        }
    }
    parsed
}
