//! What every handler can reach. Extractors take only the parts they need
//! (`Database`, `Arc<Settings>`) through `FromRef`, so they do not depend on this type.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::accounts::password::Hasher;
use crate::config::Settings;
use crate::events::closing::Closing;
use crate::events::hub::Hub;
use crate::events::presence::Presence;
use crate::http::rate_limit::AddressLimiter;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::storage::Database;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Database,
    pub hasher: Hasher,
    pub address_limiter: AddressLimiter,
    pub mailer: Mailer,
    /// New events, for the open event streams.
    pub events: Hub,
    /// Ends the open streams when the server shuts down.
    pub streams_closing: Closing,
    /// Who has a stream open here.
    pub presence: Presence,
    pub metrics: Metrics,
}

impl AppState {
    /// Needs the runtime: it starts passing events on to streams.
    pub fn new(settings: Settings, db: Database, mailer: Mailer) -> Self {
        let events = Hub::start(db.clone(), settings.database.expose().to_owned());
        let presence = Presence::new(db.clone(), settings.events_heartbeat);
        let metrics = Metrics::new();
        AppState {
            events,
            streams_closing: Closing::new(),
            presence,
            address_limiter: AddressLimiter::per_minute(settings.login.per_address_per_minute),
            settings: Arc::new(settings),
            db,
            hasher: Hasher::new(),
            mailer: mailer.counted_in(metrics.clone()),
            metrics,
        }
    }
}

impl FromRef<AppState> for Database {
    fn from_ref(state: &AppState) -> Database {
        state.db.clone()
    }
}

impl FromRef<AppState> for Arc<Settings> {
    fn from_ref(state: &AppState) -> Arc<Settings> {
        state.settings.clone()
    }
}

impl FromRef<AppState> for Metrics {
    fn from_ref(state: &AppState) -> Metrics {
        state.metrics.clone()
    }
}
