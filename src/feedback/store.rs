//! The `feedback` table.

use serde::Deserialize;

use crate::accounts::Role;
use crate::storage::{self, now_ms, Database, DbError};

pub const CATEGORIES: &[&str] = &["bug", "feature", "content", "other"];
pub const STATUSES: &[&str] = &["new", "in_progress", "resolved", "wont_fix"];

const COLUMNS: &str = "f.id, f.category, f.message, f.status, f.admin_note, f.created_at, f.updated_at, u.username, u.display_name, u.role";

/// A piece of feedback, with its author.
#[derive(sqlx::FromRow, Deserialize)]
pub struct Feedback {
    pub id: i64,
    pub category: String,
    pub message: String,
    pub status: String,
    pub admin_note: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub username: String,
    pub display_name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
}

pub async fn insert(
    db: &Database,
    user_id: i64,
    category: &str,
    message: &str,
) -> Result<Feedback, DbError> {
    let now = now_ms();
    let id: i64 = storage::query_scalar(
        "INSERT INTO feedback (user_id, category, message, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(category)
    .bind(message)
    .bind(now)
    .fetch_one(db)
    .await?;
    find(db, id).await?.ok_or(DbError::NoRow)
}

pub async fn find(db: &Database, id: i64) -> Result<Option<Feedback>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM feedback f JOIN users u ON u.id = f.user_id WHERE f.id = $1"
    );
    storage::query(&sql).bind(id).fetch_optional(db).await
}

pub async fn mine(db: &Database, user_id: i64) -> Result<Vec<Feedback>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM feedback f JOIN users u ON u.id = f.user_id WHERE f.user_id = $1 ORDER BY f.id DESC");
    storage::query(&sql).bind(user_id).fetch_all(db).await
}

/// All feedback, optionally of one status, newest first, with its author.
pub async fn all(
    db: &Database,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Feedback>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM feedback f JOIN users u ON u.id = f.user_id \
         WHERE ($1 = '' OR f.status = $1) ORDER BY f.id DESC LIMIT $2 OFFSET $3"
    );
    storage::query(&sql)
        .bind(status.unwrap_or(""))
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await
}

/// Sets the status and, when given, the note; false when there is no such feedback.
pub async fn triage(
    db: &Database,
    id: i64,
    status: &str,
    admin_note: Option<&str>,
) -> Result<bool, DbError> {
    let result = storage::query(
        "UPDATE feedback SET status = $1, admin_note = COALESCE($2, admin_note), updated_at = $3 WHERE id = $4",
    )
    .bind(status)
    .bind(admin_note)
    .bind(now_ms())
    .bind(id)
    .execute(db)
    .await?;
    Ok(result == 1)
}
