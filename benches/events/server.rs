//! The release server binary as a process of its own, so that its resident memory is its
//! own and two instances share a database as in production.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

const BINARY: &str = env!("CARGO_BIN_EXE_healing-space");
const SECRET_KEY: &str = "bench-only-key-Q8w2Lz5Xk9Vr3Tn7Yb1Mc4Hd6Jf0Gs";
/// Migrations on a new database take a few seconds on this machine.
const START_WITHIN: Duration = Duration::from_secs(120);
const STOP_WITHIN: Duration = Duration::from_secs(30);

pub struct Server {
    pub name: &'static str,
    pub addr: SocketAddr,
    child: Option<Child>,
}

impl Server {
    /// `healing-space serve` in development mode on loopback, on `database_url`, with
    /// sign-in limits out of the way and room for `max_connections`.
    pub async fn start(
        name: &'static str,
        database_url: &str,
        data_dir: &Path,
        max_connections: usize,
    ) -> anyhow::Result<Server> {
        // A free port, picked here: the server is then polled on it until it answers.
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let data_dir = data_dir.join(name);
        std::fs::create_dir_all(&data_dir)?;
        let child = Command::new(BINARY)
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs([
                ("DEBUG", "1"),
                ("HOST", "127.0.0.1"),
                ("PORT", &port.to_string()),
                ("SECRET_KEY", SECRET_KEY),
                ("DATABASE_URL", database_url),
                ("DATA_DIR", &data_dir.display().to_string()),
                ("AUTH_RATE_LIMIT_PER_MINUTE", "100000"),
                ("MAX_CONNECTIONS", &max_connections.to_string()),
                // Warnings reach the bench's stderr; request logs would cost CPU.
                ("RUST_LOG", "warn"),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("start the healing-space binary")?;
        let mut server = Server {
            name,
            addr,
            child: Some(child),
        };
        server.wait_until_answering().await?;
        Ok(server)
    }

    async fn wait_until_answering(&mut self) -> anyhow::Result<()> {
        let started = Instant::now();
        let client = reqwest::Client::new();
        loop {
            let answered = client
                .get(format!("http://{}/api/health", self.addr))
                .send()
                .await;
            if answered.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                bail!("server {} exited at start-up: {status}", self.name);
            }
            if started.elapsed() > START_WITHIN {
                bail!(
                    "server {} did not answer within {START_WITHIN:?}",
                    self.name
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Resident and peak resident memory in MB, from `/proc/<pid>/status`.
    pub fn memory_mb(&self) -> anyhow::Result<(f64, f64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        let kb = |field: &str| -> anyhow::Result<f64> {
            let line = status
                .lines()
                .find(|l| l.starts_with(field))
                .with_context(|| format!("no {field} in /proc/<pid>/status"))?;
            let value: f64 = line
                .split_whitespace()
                .nth(1)
                .context("an empty memory line")?
                .parse()?;
            Ok(value)
        };
        Ok((kb("VmRSS:")? / 1024.0, kb("VmHWM:")? / 1024.0))
    }

    /// SIGTERM, then the exit within `STOP_WITHIN` (or SIGKILL).
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        )?;
        let started = Instant::now();
        while child.try_wait()?.is_none() {
            if started.elapsed() > STOP_WITHIN {
                let _ = child.kill();
                let _ = child.wait();
                bail!("server {} did not stop within {STOP_WITHIN:?}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }
}

impl Drop for Server {
    /// A bench that failed half-way leaves no server behind.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
