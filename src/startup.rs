//! Building and running the server from settings and a bound listener, so tests can
//! start it on port 0 and stop it gracefully.

use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::accounts::limits;
use crate::auth::two_factor;
use crate::config::{KeySource, Settings};
use crate::mail::Mailer;
use crate::server;
use crate::sessions::store as session_store;
use crate::state::AppState;
use crate::storage::{self, millis, now_ms, Database, DatabaseLock};

pub struct Application {
    listener: TcpListener,
    state: AppState,
    /// On SQLite, held while serving, so `restore` refuses to replace the database.
    database_lock: Option<DatabaseLock>,
}

impl Application {
    /// Raises the open-file limit and checks `MAX_CONNECTIONS` fits under it, connects and
    /// migrates the database, then binds. Configuration was already checked, so a bad
    /// configuration never reaches a listening port.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        server::open_files::prepare(settings.connections.max_connections)?;
        let database_lock = storage::lock_for_serving(&settings.database).await?;
        let db = Database::connect(&settings.database).await?;
        db.migrate().await?;
        let mailer = Mailer::new(&settings.mail).context("could not set up mail (SMTP_URL)")?;
        match mailer.is_enabled() {
            true => tracing::info!(to = mailer.describe(), "mail is sent"),
            false => tracing::warn!("no mail is sent: SMTP_URL is not set, so password reset links and address checks cannot be mailed"),
        }
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("could not listen on {} (HOST, PORT)", settings.listen))?;
        Ok(Application {
            listener,
            state: AppState::new(settings, db, mailer),
            database_lock,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` resolves, then lets requests in flight finish for at most
    /// the configured grace period.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        log_startup(&self.state.settings, self.local_addr());
        let grace = self.state.settings.shutdown_grace;
        let db = self.state.db.clone();
        let housekeeping = tokio::spawn(housekeeping(self.state.clone()));
        let base = match &self.state.settings.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.local_addr()),
        };
        let notifications = crate::notifications::start(self.state.clone(), base);
        let connections = self.state.settings.connections.clone();
        let streams_closing = self.state.streams_closing.clone();
        let app = crate::app::router(self.state);
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let server = server::serve(self.listener, app, &connections, async move {
            shutdown.await;
            tracing::info!("shutting down: no new connections, finishing requests in flight");
            // Event streams never finish by themselves: they end now, and reconnect elsewhere.
            streams_closing.close();
            let _ = stopping_tx.send(());
        });
        let deadline = async move {
            if stopping_rx.await.is_ok() {
                tokio::time::sleep(grace).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = server => {}
            () = deadline => tracing::warn!(?grace, "requests still in flight after the grace period; stopping anyway"),
        }
        housekeeping.abort();
        notifications.abort();
        db.close().await;
        drop(self.database_lock);
        tracing::info!("stopped");
        Ok(())
    }
}

fn day_ago_ms() -> i64 {
    now_ms() - 24 * 60 * 60 * 1000
}

/// Forgets sessions past their retention, old sign-in failures and idempotency keys
/// older than a day, periodically.
async fn housekeeping(state: AppState) {
    let sessions = &state.settings.sessions;
    let mut ticks = tokio::time::interval(sessions.purge_interval);
    loop {
        ticks.tick().await;
        let cutoff = now_ms() - millis(sessions.retention);
        let idle = millis(sessions.idle_timeout);
        match session_store::purge(&state.db, cutoff, idle).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "forgot sessions past their retention"),
            Err(error) => tracing::warn!(%error, "could not purge old sessions"),
        }
        if let Err(error) = limits::purge_failures(&state.db, &state.settings.login).await {
            tracing::warn!(%error, "could not purge old sign-in failures");
        }
        match crate::closing::erase_due(&state.db, &state.hasher, &state.settings.closing).await {
            Ok(done) if done.erased + done.deleted > 0 => {
                tracing::info!(
                    erased = done.erased,
                    deleted = done.deleted,
                    "closed accounts past their periods"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not erase closed accounts"),
        }
        if let Err(error) = crate::events::purge(&state.db, day_ago_ms()).await {
            tracing::warn!(%error, "could not purge day-old events");
        }
        if let Err(error) = two_factor::store::purge_second_steps(&state.db, now_ms()).await {
            tracing::warn!(%error, "could not purge expired second steps of signing in");
        }
        if let Err(error) = crate::accounts::links::purge(&state.db, now_ms()).await {
            tracing::warn!(%error, "could not purge old reset and address links");
        }
        if let Err(error) = crate::passkeys::store::purge_ceremonies(&state.db, now_ms()).await {
            tracing::warn!(%error, "could not purge unfinished passkey ceremonies");
        }
        let day_ago = now_ms() - 24 * 60 * 60 * 1000;
        if let Err(error) =
            crate::messaging::store::purge_idempotency_keys(&state.db, day_ago).await
        {
            tracing::warn!(%error, "could not purge old idempotency keys");
        }
        state.address_limiter.forget_idle();
    }
}

/// One line an operator can compare across instances, and never a secret.
fn log_startup(settings: &Settings, address: SocketAddr) {
    if let KeySource::DevelopmentFile { path, created } = &settings.keys.source {
        let action = if *created {
            "generated and saved"
        } else {
            "loaded"
        };
        tracing::warn!(
            "development mode: signing key {action} at {} (mode 0600); never run development mode on a public host",
            path.display()
        );
    }
    tracing::info!(
        mode = settings.mode.as_str(),
        listen = %address,
        database = settings.database.kind().as_str(),
        key_fingerprint = %settings.keys.current.fingerprint(),
        staged_key_fingerprint = settings.keys.next.as_ref().map(|k| k.fingerprint()),
        fallback_keys = settings.keys.fallbacks.len(),
        "Healing Space is listening"
    );
}

/// Resolves on SIGTERM (what platforms send on redeploy) or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
