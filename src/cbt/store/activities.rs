//! The `cbt_activities` table: planned activities and how they went.

use serde::Deserialize;

use super::{Link, Reader};
use crate::cbt::activities::NewActivity;
use crate::storage::{self, Database, DbError, On};

pub async fn insert<'e>(
    executor: impl Into<On<'e>>,
    user_id: i64,
    new: &NewActivity,
    link: &Link,
    now: i64,
) -> Result<i64, DbError> {
    storage::query_scalar(
        "INSERT INTO cbt_activities (user_id, homework_id, title, planned_on, done, mastery, \
           pleasure, private, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(user_id)
    .bind(link.homework_id)
    .bind(new.title.as_str())
    .bind(new.planned_on.to_string())
    .bind(i64::from(new.done))
    .bind(new.mastery)
    .bind(new.pleasure)
    .bind(i64::from(link.private))
    .bind(now)
    .fetch_one(executor)
    .await
}

pub async fn update<'e>(
    executor: impl Into<On<'e>>,
    id: i64,
    new: &NewActivity,
    link: &Link,
    now: i64,
) -> Result<(), DbError> {
    storage::query(
        "UPDATE cbt_activities SET homework_id = $2, title = $3, planned_on = $4, done = $5, \
           mastery = $6, pleasure = $7, private = $8, updated_at = $9 WHERE id = $1",
    )
    .bind(id)
    .bind(link.homework_id)
    .bind(new.title.as_str())
    .bind(new.planned_on.to_string())
    .bind(i64::from(new.done))
    .bind(new.mastery)
    .bind(new.pleasure)
    .bind(i64::from(link.private))
    .bind(now)
    .execute(executor)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct Activity {
    pub id: i64,
    pub homework_id: Option<i64>,
    pub title: String,
    pub planned_on: String,
    #[serde(deserialize_with = "storage::flag")]
    pub done: bool,
    pub mastery: Option<i64>,
    pub pleasure: Option<i64>,
    #[serde(deserialize_with = "storage::flag")]
    pub private: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A person's activities (one, with `only`), the latest planned first, as `reader` may
/// see them.
pub async fn list(
    db: &Database,
    user_id: i64,
    only: Option<i64>,
    reader: Reader,
) -> Result<Vec<Activity>, DbError> {
    storage::query(
        "SELECT id, homework_id, title, planned_on, done <> 0 AS done, mastery, pleasure, \
           private <> 0 AS private, created_at, updated_at FROM cbt_activities \
         WHERE user_id = $1 AND ($2 = 0 OR id = $2) AND ($3 = 0 OR private = 0) \
         ORDER BY planned_on DESC, id DESC",
    )
    .bind(user_id)
    .bind(super::which(only))
    .bind(reader.hides_private())
    .fetch_all(db)
    .await
}
