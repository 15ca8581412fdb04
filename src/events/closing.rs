//! The server is shutting down: every open stream ends at once, so that its client
//! reconnects (with `Last-Event-ID`, losing nothing) to an instance that is not, and the
//! shutdown does not wait out its grace period for streams that never end by themselves.

use std::sync::Arc;

use tokio::sync::watch;

#[derive(Clone)]
pub struct Closing {
    closed: Arc<watch::Sender<bool>>,
}

impl Closing {
    pub fn new() -> Closing {
        Closing {
            closed: Arc::new(watch::channel(false).0),
        }
    }

    /// Ends every stream open now, and every stream opened from now on.
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// Resolves once the server is shutting down.
    pub async fn closed(&self) {
        let mut closed = self.closed.subscribe();
        // The sender lives as long as `self`, so this only returns once closed.
        let _ = closed.wait_for(|closed| *closed).await;
    }
}

impl Default for Closing {
    fn default() -> Self {
        Closing::new()
    }
}
