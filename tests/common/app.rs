//! The real server, started inside this process: settings read from a map of environment
//! variables exactly as `healing-space serve` reads its environment, then
//! `Application::build` (which binds, so `PORT=0` picks a free port) and `run_until` on the
//! caller's runtime, stopped gracefully by a oneshot. Shared by the tests and the benches
//! (`benches/common/mod.rs` includes this file).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use healing_space::config::Settings;
use healing_space::startup::Application;
use tokio::runtime::{Handle, RuntimeFlavor};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long a graceful stop may take (requests in flight get the configured grace period).
const STOP_WITHIN: Duration = Duration::from_secs(60);

/// A server running in this process until stopped or dropped.
pub struct App {
    addr: SocketAddr,
    settings: Settings,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<anyhow::Result<()>>>,
}

impl App {
    /// Builds and starts the server from `env`, on the current runtime, which must be
    /// multi-threaded like the real server's (`#[tokio::test(flavor = "multi_thread")]`):
    /// storage code blocks where a multi-threaded runtime allows it and would otherwise
    /// run on a path production never takes.
    pub async fn spawn(env: BTreeMap<String, String>) -> anyhow::Result<App> {
        let flavor = Handle::current().runtime_flavor();
        anyhow::ensure!(
            flavor == RuntimeFlavor::MultiThread,
            "the server runs on a multi-threaded runtime, as in production: \
             use #[tokio::test(flavor = \"multi_thread\")]"
        );
        // As the environment reads it: an empty value counts as unset.
        let source = move |name: &str| env.get(name).filter(|v| !v.trim().is_empty()).cloned();
        let settings = Settings::load(&source, false).map_err(|e| anyhow::anyhow!("{e}"))?;
        let app = Application::build(settings.clone()).await?;
        let addr = app.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        Ok(App {
            addr,
            settings,
            stop: Some(stop),
            server: Some(server),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The settings it was started with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Stops accepting connections, lets requests in flight finish, closes the database;
    /// the server's own error, if it stopped with one.
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        let (Some(stop), Some(server)) = (self.stop.take(), self.server.take()) else {
            return Ok(());
        };
        let _ = stop.send(());
        tokio::time::timeout(STOP_WITHIN, server)
            .await
            .with_context(|| format!("the server did not stop within {STOP_WITHIN:?}"))?
            .context("the server task failed")?
    }
}

impl Drop for App {
    /// The same graceful stop, waited for on a thread of its own while the runtime's
    /// workers finish it. After a panic, the runtime's end cancels the server instead.
    fn drop(&mut self) {
        let (Some(stop), Some(server)) = (self.stop.take(), self.server.take()) else {
            return;
        };
        let _ = stop.send(());
        if std::thread::panicking() {
            return;
        }
        let Ok(handle) = Handle::try_current() else {
            return;
        };
        let _ = std::thread::spawn(move || {
            handle.block_on(async { tokio::time::timeout(STOP_WITHIN, server).await })
        })
        .join();
    }
}
