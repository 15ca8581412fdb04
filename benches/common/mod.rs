//! What both benchmarks share: the real server started in this process, a database of
//! its own on a PostgreSQL server, and a minimal HTTP/1.1 response reader for the load
//! clients. A full client (reqwest, hyper) would spend more CPU than the server under
//! test on this 2-core machine, which is why the benches read responses by hand.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, ensure, Context};
use healing_space::config::Settings;
use healing_space::startup::Application;
use sqlx::Connection;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

const SECRET_KEY: &str = "bench-only-key-Q8w2Lz5Xk9Vr3Tn7Yb1Mc4Hd6Jf0Gs";

/// Runs `measure` against the real server (development mode, loopback, a free port) on
/// `url`, then stops the server and waits for it.
pub async fn with_server<T>(
    database: &str,
    url: &str,
    data_dir: &Path,
    measure: impl AsyncFnOnce(&Settings, SocketAddr) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    eprintln!("== {database}: starting the server (migrations)");
    let env: HashMap<&str, String> = HashMap::from([
        ("DEBUG", "1".to_owned()),
        ("HOST", "127.0.0.1".to_owned()),
        ("PORT", "0".to_owned()),
        ("SECRET_KEY", SECRET_KEY.to_owned()),
        ("DATABASE_URL", url.to_owned()),
        ("DATA_DIR", data_dir.display().to_string()),
        ("AUTH_RATE_LIMIT_PER_MINUTE", "1000000".to_owned()),
    ]);
    let source = move |name: &str| env.get(name).cloned();
    let settings = Settings::load(&source, true).map_err(|e| anyhow::anyhow!("{e}"))?;
    let app = Application::build(settings.clone()).await?;
    let addr = app.local_addr();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stop_rx.await;
    }));

    let outcome = measure(&settings, addr).await;

    let _ = stop_tx.send(());
    match tokio::time::timeout(Duration::from_secs(60), server).await {
        Ok(joined) => joined??,
        Err(_) => bail!("the {database} server did not stop within 60 s"),
    }
    outcome
}

/// Runs `run` with the URL of a new database `<prefix>_<random>` on the PostgreSQL server
/// of `admin_url`, and drops it afterwards, even when the run fails, unless `keep`.
pub async fn with_postgres_database<T>(
    admin_url: &str,
    prefix: &str,
    keep: bool,
    run: impl AsyncFnOnce(&str) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .context("TEST_POSTGRES_URL is not reachable")?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url, |(base, _)| base);
    let result = run(&format!("{base}/{name}")).await;
    if keep {
        eprintln!("== kept the PostgreSQL database: {base}/{name}");
        admin.close().await?;
        return result;
    }
    let dropped = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await;
    admin.close().await?;
    let figures = result?;
    dropped.with_context(|| format!("could not drop the bench database {name}"))?;
    Ok(figures)
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
