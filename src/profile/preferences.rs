//! A person's choices about how Healing Space reaches them (the `preferences` table; no
//! row means the defaults).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::storage::{self, now_ms, Database, DbError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Preferences {
    /// Mail "You have a new message" (never what it says) while I am away. On unless
    /// switched off.
    #[serde(deserialize_with = "storage::flag")]
    pub message_emails: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            message_emails: true,
        }
    }
}

/// What a request changes; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferenceChanges {
    pub message_emails: Option<bool>,
}

pub async fn load(db: &Database, user_id: i64) -> Result<Preferences, DbError> {
    // Stored as 0 or 1, read as a boolean on both databases.
    let stored = storage::query(
        "SELECT message_emails <> 0 AS message_emails FROM preferences WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(stored.unwrap_or_default())
}

/// Applies the changes and returns the preferences as they now are.
pub async fn change(
    db: &Database,
    user_id: i64,
    changes: &PreferenceChanges,
) -> Result<Preferences, DbError> {
    let mut preferences = load(db, user_id).await?;
    if let Some(on) = changes.message_emails {
        preferences.message_emails = on;
    }
    storage::query(
        "INSERT INTO preferences (user_id, message_emails, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET message_emails = excluded.message_emails, \
         updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(i64::from(preferences.message_emails))
    .bind(now_ms())
    .execute(db)
    .await?;
    Ok(preferences)
}
