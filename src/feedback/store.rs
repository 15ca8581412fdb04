//! The `feedback` table.

use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::care_teams::person;
use crate::storage::{now_ms, rfc3339, Database};

pub const CATEGORIES: &[&str] = &["bug", "feature", "content", "other"];
pub const STATUSES: &[&str] = &["new", "in_progress", "resolved", "wont_fix"];

const COLUMNS: &str = "f.id, f.category, f.message, f.status, f.admin_note, f.created_at, f.updated_at, u.username, u.display_name";

fn to_json(row: &AnyRow, with_author: bool) -> Result<Value, sqlx::Error> {
    let mut item = json!({
        "id": row.try_get::<i64, _>("id")?,
        "category": row.try_get::<String, _>("category")?,
        "message": row.try_get::<String, _>("message")?,
        "status": row.try_get::<String, _>("status")?,
        "admin_note": row.try_get::<Option<String>, _>("admin_note")?,
        "created_at": rfc3339(row.try_get("created_at")?),
        "updated_at": rfc3339(row.try_get("updated_at")?),
    });
    if with_author {
        item["author"] = person(row.try_get("username")?, row.try_get("display_name")?);
    }
    Ok(item)
}

pub async fn insert(
    db: &Database,
    user_id: i64,
    category: &str,
    message: &str,
) -> Result<Value, sqlx::Error> {
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO feedback (user_id, category, message, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(category)
    .bind(message)
    .bind(now)
    .fetch_one(db.pool())
    .await?;
    find(db, id, false).await?.ok_or(sqlx::Error::RowNotFound)
}

pub async fn find(db: &Database, id: i64, with_author: bool) -> Result<Option<Value>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM feedback f JOIN users u ON u.id = f.user_id WHERE f.id = $1"
    );
    let row = sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?;
    row.map(|row| to_json(&row, with_author)).transpose()
}

pub async fn mine(db: &Database, user_id: i64) -> Result<Vec<Value>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM feedback f JOIN users u ON u.id = f.user_id WHERE f.user_id = $1 ORDER BY f.id DESC");
    let rows = sqlx::query(&sql).bind(user_id).fetch_all(db.pool()).await?;
    rows.iter().map(|row| to_json(row, false)).collect()
}

/// All feedback, optionally of one status, newest first, with its author.
pub async fn all(
    db: &Database,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Value>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM feedback f JOIN users u ON u.id = f.user_id \
         WHERE ($1 = '' OR f.status = $1) ORDER BY f.id DESC LIMIT $2 OFFSET $3"
    );
    let rows = sqlx::query(&sql)
        .bind(status.unwrap_or(""))
        .bind(limit)
        .bind(offset)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|row| to_json(row, true)).collect()
}

/// Sets the status and, when given, the note; false when there is no such feedback.
pub async fn triage(
    db: &Database,
    id: i64,
    status: &str,
    admin_note: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE feedback SET status = $1, admin_note = COALESCE($2, admin_note), updated_at = $3 WHERE id = $4",
    )
    .bind(status)
    .bind(admin_note)
    .bind(now_ms())
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(result.rows_affected() == 1)
}
