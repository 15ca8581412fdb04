//! The `feedback` table.

use serde_json::{json, Value};

use crate::care_teams::person;
use crate::storage::{self, now_ms, rfc3339, Database, DbError, Row};

pub const CATEGORIES: &[&str] = &["bug", "feature", "content", "other"];
pub const STATUSES: &[&str] = &["new", "in_progress", "resolved", "wont_fix"];

const COLUMNS: &str = "f.id, f.category, f.message, f.status, f.admin_note, f.created_at, f.updated_at, u.username, u.display_name";

fn to_json(row: &Row, with_author: bool) -> Result<Value, DbError> {
    let mut item = json!({
        "id": row.try_get::<i64>("id")?,
        "category": row.try_get::<String>("category")?,
        "message": row.try_get::<String>("message")?,
        "status": row.try_get::<String>("status")?,
        "admin_note": row.try_get::<Option<String>>("admin_note")?,
        "created_at": rfc3339(row.try_get("created_at")?),
        "updated_at": rfc3339(row.try_get("updated_at")?),
    });
    if with_author {
        item["author"] = person(
            &row.try_get::<String>("username")?,
            &row.try_get::<String>("display_name")?,
        );
    }
    Ok(item)
}

pub async fn insert(
    db: &Database,
    user_id: i64,
    category: &str,
    message: &str,
) -> Result<Value, DbError> {
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
    find(db, id, false).await?.ok_or(DbError::NoRow)
}

pub async fn find(db: &Database, id: i64, with_author: bool) -> Result<Option<Value>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM feedback f JOIN users u ON u.id = f.user_id WHERE f.id = $1"
    );
    storage::query(&sql)
        .bind(id)
        .fetch_optional(db, |row| to_json(row, with_author))
        .await
}

pub async fn mine(db: &Database, user_id: i64) -> Result<Vec<Value>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM feedback f JOIN users u ON u.id = f.user_id WHERE f.user_id = $1 ORDER BY f.id DESC");
    storage::query(&sql)
        .bind(user_id)
        .fetch_all(db, |row| to_json(row, false))
        .await
}

/// All feedback, optionally of one status, newest first, with its author.
pub async fn all(
    db: &Database,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Value>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM feedback f JOIN users u ON u.id = f.user_id \
         WHERE ($1 = '' OR f.status = $1) ORDER BY f.id DESC LIMIT $2 OFFSET $3"
    );
    storage::query(&sql)
        .bind(status.unwrap_or(""))
        .bind(limit)
        .bind(offset)
        .fetch_all(db, |row| to_json(row, true))
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
