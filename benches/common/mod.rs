//! What the benchmarks share: the real server started in this process and a database of
//! its own on a PostgreSQL server, from the tests' harness (`tests/common/app.rs` and
//! `tests/common/db.rs`), and a minimal HTTP/1.1 response reader for the load clients. A
//! full client (reqwest, hyper) would spend more CPU than the server under test on this
//! 2-core machine, which is why the benches read responses by hand.

#[path = "../../tests/common/app.rs"]
pub mod app;
#[path = "../../tests/common/db.rs"]
pub mod db;
pub mod plans;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::{ensure, Context};
use healing_space::config::Settings;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

pub use db::with_postgres_database;

const SECRET_KEY: &str = "bench-only-key-Q8w2Lz5Xk9Vr3Tn7Yb1Mc4Hd6Jf0Gs";

/// Runs `measure` against the real server (development mode, loopback, a free port) on
/// `url`, then stops the server and waits for it.
pub async fn with_server<T>(
    database: &str,
    url: &str,
    data_dir: &Path,
    measure: impl AsyncFnOnce(&Settings, SocketAddr) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    with_server_and(database, url, data_dir, &[], measure).await
}

/// [`with_server`] with `extra` environment variables.
pub async fn with_server_and<T>(
    database: &str,
    url: &str,
    data_dir: &Path,
    extra: &[(&str, &str)],
    measure: impl AsyncFnOnce(&Settings, SocketAddr) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    eprintln!("== {database}: starting the server (migrations)");
    let mut env = BTreeMap::from(
        [
            ("DEBUG", "1".to_owned()),
            ("HOST", "127.0.0.1".to_owned()),
            ("PORT", "0".to_owned()),
            ("SECRET_KEY", SECRET_KEY.to_owned()),
            ("DATABASE_URL", url.to_owned()),
            ("DATA_DIR", data_dir.display().to_string()),
            ("AUTH_RATE_LIMIT_PER_MINUTE", "100000".to_owned()),
        ]
        .map(|(name, value)| (name.to_owned(), value)),
    );
    env.extend(
        extra
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string())),
    );
    let mut server = app::App::spawn(env).await?;

    let outcome = measure(server.settings(), server.addr()).await;

    server
        .stop()
        .await
        .with_context(|| format!("the {database} server"))?;
    outcome
}

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

/// The `hs_session` token a sign-in or registration response set.
pub fn session_cookie(response: &reqwest::Response) -> anyhow::Result<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("hs_session="))
        .and_then(|v| v.split(';').next())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .context("the response set no hs_session cookie")
}

/// Signs `username` in over HTTP: the session token and the CSRF token. (Used by the
/// scale and measures benches; the sessions bench registers instead.)
#[allow(dead_code)]
pub async fn sign_in(
    client: &reqwest::Client,
    addr: SocketAddr,
    username: &str,
    password: &str,
) -> anyhow::Result<(String, String)> {
    let response = client
        .post(format!("http://{addr}/api/auth/login"))
        .json(&serde_json::json!({ "username": username, "password": password }))
        .send()
        .await?;
    ensure!(
        response.status() == reqwest::StatusCode::OK,
        "signing in {username} answered {}",
        response.status()
    );
    let token = session_cookie(&response)?;
    let body: serde_json::Value = response.json().await?;
    let csrf = body["csrf_token"]
        .as_str()
        .context("sign-in answered no csrf_token")?
        .to_owned();
    Ok((token, csrf))
}

/// A number from the environment (`1_000` allowed), or `default` when unset or empty.
/// (Used by the scale, measures and events benches.)
#[allow(dead_code)]
pub fn env_number<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(name).ok().filter(|v| !v.trim().is_empty()) {
        None => Ok(default),
        Some(text) => text
            .trim()
            .replace('_', "")
            .parse()
            .map_err(|_| anyhow::anyhow!("{name} must be a number, not {text:?}")),
    }
}
