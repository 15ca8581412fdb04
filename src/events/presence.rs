//! Who has an event stream open, for mail that should wait while someone is looking
//! (`stream_presence`). Each instance counts its own open streams per person and keeps a
//! row per person while any is open, renewed every heartbeat and removed when the last one
//! closes; a row an instance left behind (it stopped) runs out by itself.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::storage::{self, millis, now_ms, Database, DbError};

#[derive(Clone)]
pub struct Presence {
    /// This process, among the instances sharing the database.
    instance: Arc<str>,
    open: Arc<Mutex<HashMap<i64, usize>>>,
    db: Database,
    /// How long a row holds without renewal.
    lasts: Duration,
}

/// Held by an open stream; dropping it counts the stream closed.
pub struct Open {
    presence: Presence,
    user_id: i64,
}

impl Presence {
    /// Needs the runtime: it renews this instance's rows every `heartbeat`.
    pub fn new(db: Database, heartbeat: Duration) -> Presence {
        let presence = Presence {
            instance: uuid::Uuid::new_v4().to_string().into(),
            open: Arc::default(),
            db,
            lasts: heartbeat * 3,
        };
        let renewing = presence.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(heartbeat);
            loop {
                ticks.tick().await;
                if let Err(error) = renewing.renew_all().await {
                    tracing::warn!(%error, "events: cannot renew open streams");
                }
            }
        });
        presence
    }

    /// A stream of `user_id` opened: recorded at once, so mail waits from now.
    pub async fn opened(&self, user_id: i64) -> Result<Open, DbError> {
        *self.counts().entry(user_id).or_default() += 1;
        let open = Open {
            presence: self.clone(),
            user_id,
        };
        self.renew(&[user_id]).await?;
        Ok(open)
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, HashMap<i64, usize>> {
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Renews the rows of everyone with a stream open here.
    async fn renew_all(&self) -> Result<(), DbError> {
        let people: Vec<i64> = self.counts().keys().copied().collect();
        self.renew(&people).await
    }

    async fn renew(&self, people: &[i64]) -> Result<(), DbError> {
        let until = now_ms() + millis(self.lasts);
        for user_id in people {
            storage::query(
                "INSERT INTO stream_presence (user_id, instance, seen_until) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id, instance) DO UPDATE SET seen_until = excluded.seen_until",
            )
            .bind(*user_id)
            .bind(&*self.instance)
            .bind(until)
            .execute(&self.db)
            .await?;
        }
        Ok(())
    }

    fn closed(&self, user_id: i64) {
        let last = {
            let mut counts = self.counts();
            let count = counts.entry(user_id).or_default();
            *count = count.saturating_sub(1);
            let last = *count == 0;
            if last {
                counts.remove(&user_id);
            }
            last
        };
        if last {
            let (db, instance) = (self.db.clone(), self.instance.clone());
            tokio::spawn(async move {
                let removed = storage::query(
                    "DELETE FROM stream_presence WHERE user_id = $1 AND instance = $2",
                )
                .bind(user_id)
                .bind(&*instance)
                .execute(&db)
                .await;
                match removed {
                    // Shutting down: the row runs out by itself.
                    Err(error) if error.is_pool_closed() => {}
                    Err(error) => tracing::warn!(%error, "events: cannot record a stream closed"),
                    Ok(_) => {}
                }
            });
        }
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        self.presence.closed(self.user_id);
    }
}

/// Whether the person has an event stream open on any instance.
pub async fn is_looking(db: &Database, user_id: i64) -> Result<bool, DbError> {
    let rows: i64 = storage::query_scalar(
        "SELECT COUNT(*) FROM stream_presence WHERE user_id = $1 AND seen_until > $2",
    )
    .bind(user_id)
    .bind(now_ms())
    .fetch_one(db)
    .await?;
    Ok(rows > 0)
}
