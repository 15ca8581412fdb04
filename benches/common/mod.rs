//! What both benchmarks share: a minimal HTTP/1.1 response reader for the load clients.
//! A full client (reqwest, hyper) would spend more CPU than the server under test on this
//! 2-core machine, which is why the benches read responses by hand.

use anyhow::{ensure, Context};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// Reads one response with a `Content-Length` body; its status code and body.
pub async fn read_response<'b>(
    stream: &mut TcpStream,
    buffer: &'b mut Vec<u8>,
) -> anyhow::Result<(u16, &'b [u8])> {
    buffer.clear();
    let mut chunk = [0u8; 16 * 1024];
    let (head_len, content_length, status) = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buffer[..end])?;
            let status: u16 = head.split(' ').nth(1).context("no status line")?.parse()?;
            let length = head
                .lines()
                .filter_map(|line| line.split_once(':'))
                .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
                .context("response without Content-Length")?
                .1
                .trim()
                .parse::<usize>()?;
            break (end + 4, length, status);
        }
        let n = stream.read(&mut chunk).await?;
        ensure!(n > 0, "the server closed the connection");
        buffer.extend_from_slice(&chunk[..n]);
    };
    while buffer.len() < head_len + content_length {
        let n = stream.read(&mut chunk).await?;
        ensure!(n > 0, "the server closed the connection mid-body");
        buffer.extend_from_slice(&chunk[..n]);
    }
    Ok((status, &buffer[head_len..head_len + content_length]))
}
