//! Brings every new event to this instance, once, and hands it to the open streams: on
//! PostgreSQL the `NOTIFY` each event's trigger sends (delivered at commit, to every
//! instance); on SQLite, whose one writer commits events in id order, a read of the new
//! rows after this process's commits, and every [`SQLITE_READ_INTERVAL`]. Streams each
//! take what is theirs.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::broadcast;

use super::Event;
use crate::config::DatabaseKind;
use crate::storage::Database;

const CHANNEL: &str = "healing_space_events";
/// How long an event committed by another process may wait on SQLite before its
/// streams hear of it; this process's own are read at once.
const SQLITE_READ_INTERVAL: Duration = Duration::from_millis(100);
/// The least time between two reads on SQLite: under many writes, one read serves the
/// commits of the last few milliseconds rather than one read per commit.
const SQLITE_READ_GAP: Duration = Duration::from_millis(5);
/// Events waiting for the slowest stream; one further behind ends and reconnects.
const BACKLOG: usize = 4096;

#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<Arc<Event>>,
}

impl Hub {
    /// Starts passing new events on, from the newest stored now.
    pub fn start(db: Database, database_url: String) -> Hub {
        let (sender, _) = broadcast::channel(BACKLOG);
        let hub = Hub { sender };
        let passing_on = hub.clone();
        tokio::spawn(async move {
            match db.kind() {
                DatabaseKind::Sqlite => passing_on.read_sqlite(db).await,
                DatabaseKind::Postgres => passing_on.listen_postgres(db, database_url).await,
            }
        });
        hub
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }

    fn pass_on(&self, event: Event) {
        // No stream open is not an error.
        let _ = self.sender.send(Arc::new(event));
    }

    async fn newest(db: &Database) -> i64 {
        loop {
            match super::latest(db).await {
                Ok(id) => return id,
                Err(error) => {
                    tracing::warn!(%error, "events: cannot read where to start; trying again");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    /// Reads what was committed since the last read: at once after a commit of this
    /// process, and every [`SQLITE_READ_INTERVAL`] for another process's (a second server
    /// on the same file). SQLite's single writer gives ids in commit order, so none is
    /// skipped.
    async fn read_sqlite(self, db: Database) {
        let mut last = Self::newest(&db).await;
        let mut ticks = tokio::time::interval(SQLITE_READ_INTERVAL);
        let mut last_read = tokio::time::Instant::now();
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                () = db.changed_here() => {
                    tokio::time::sleep_until(last_read + SQLITE_READ_GAP).await;
                }
            }
            last_read = tokio::time::Instant::now();
            match super::since(&db, last).await {
                Ok(events) => {
                    for event in events {
                        last = event.id;
                        self.pass_on(event);
                    }
                }
                Err(error) => tracing::warn!(%error, "events: cannot read new events"),
            }
        }
    }

    /// Listens for each event's `NOTIFY`; after a lost connection, catches up on what
    /// was stored meanwhile.
    async fn listen_postgres(self, db: Database, url: String) {
        let mut last = Self::newest(&db).await;
        loop {
            if let Err(error) = self.listen_once(&db, &url, &mut last).await {
                tracing::warn!(%error, "events: lost the PostgreSQL listener; reconnecting");
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    async fn listen_once(&self, db: &Database, url: &str, last: &mut i64) -> anyhow::Result<()> {
        let mut listener = PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        for event in super::since(db, *last).await? {
            *last = (*last).max(event.id);
            self.pass_on(event);
        }
        loop {
            // `None`: the connection was lost and made again; what was sent meanwhile is
            // read from the table.
            let Some(notification) = listener.try_recv().await? else {
                for event in super::since(db, *last).await? {
                    *last = (*last).max(event.id);
                    self.pass_on(event);
                }
                continue;
            };
            match serde_json::from_str::<Event>(notification.payload()) {
                Ok(event) => {
                    *last = (*last).max(event.id);
                    self.pass_on(event);
                }
                Err(error) => tracing::warn!(%error, "events: an unreadable notification"),
            }
        }
    }
}
