//! The `users` table.

use super::{Role, Username};
use crate::http::ApiError;
use crate::storage::{self, now_ms, Database, DbError, On, Row};

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub approved_at: Option<i64>,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

impl User {
    pub fn status(&self) -> &'static str {
        if self.disabled_at.is_some() {
            "disabled"
        } else if self.role == Role::Clinician && self.approved_at.is_none() {
            "pending"
        } else {
            "active"
        }
    }

    pub fn is_approved_clinician(&self) -> bool {
        self.role == Role::Clinician && self.approved_at.is_some() && self.disabled_at.is_none()
    }
}

/// The columns `user_from_row` reads, for queries that select a user.
pub const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.email, u.role, u.approved_at, \
     u.disabled_at, u.created_at, u.last_login_at";

pub fn user_from_row(row: &Row) -> Result<User, DbError> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        email: row.try_get("email")?,
        role: Role::parse(&role).ok_or_else(|| DbError::Decode(format!("unknown role {role}")))?,
        approved_at: row.try_get("approved_at")?,
        disabled_at: row.try_get("disabled_at")?,
        created_at: row.try_get("created_at")?,
        last_login_at: row.try_get("last_login_at")?,
    })
}

pub struct NewUser<'a> {
    pub username: &'a Username,
    pub display_name: &'a str,
    pub email: Option<&'a str>,
    pub role: Role,
    pub password_hash: &'a str,
    pub approved: bool,
}

/// Inserts a user; a taken username (in any case) is a 409 on `username`.
#[tracing::instrument(skip_all, fields(username = new.username.as_str()))]
pub async fn insert_user<'e>(
    executor: impl Into<On<'e>>,
    new: NewUser<'_>,
) -> Result<i64, ApiError> {
    let now = now_ms();
    let result = storage::query(
        "INSERT INTO users (username, display_name, email, role, password_hash, approved_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.username.as_str())
    .bind(new.display_name)
    .bind(new.email)
    .bind(new.role.as_str())
    .bind(new.password_hash)
    .bind(new.approved.then_some(now))
    .bind(now)
    .fetch_one(executor, |row| row.try_get::<i64>("id"))
    .await;
    match result {
        Ok(id) => Ok(id),
        Err(e) if e.is_unique_violation() => Err(ApiError::conflict(
            "username",
            "This username is taken. Please choose another.",
        )),
        Err(e) => Err(e.into()),
    }
}

#[tracing::instrument(skip(db))]
pub async fn find_by_username(
    db: &Database,
    username: &str,
) -> Result<Option<(User, String)>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.username = $1");
    storage::query(&sql)
        .bind(username)
        .fetch_optional(db, |row| {
            Ok((user_from_row(row)?, row.try_get("password_hash")?))
        })
        .await
}

#[tracing::instrument(skip(db))]
pub async fn find_by_id(db: &Database, id: i64) -> Result<Option<User>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
    storage::query(&sql)
        .bind(id)
        .fetch_optional(db, user_from_row)
        .await
}

pub async fn password_hash(db: &Database, id: i64) -> Result<String, DbError> {
    storage::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await
}

pub async fn set_password_hash<'e>(
    executor: impl Into<On<'e>>,
    id: i64,
    hash: &str,
) -> Result<(), DbError> {
    storage::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(id)
        .execute(executor)
        .await?;
    Ok(())
}

pub async fn record_login(db: &Database, id: i64, at: i64) -> Result<(), DbError> {
    storage::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Approves a clinician; from now on they may see their patients' data.
pub async fn approve<'e>(executor: impl Into<On<'e>>, id: i64) -> Result<(), DbError> {
    storage::query("UPDATE users SET approved_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(id)
        .execute(executor)
        .await?;
    Ok(())
}

/// Disables an account (keeping the first moment it was disabled) or enables it again.
pub async fn set_disabled<'e>(
    executor: impl Into<On<'e>>,
    id: i64,
    disabled: bool,
) -> Result<(), DbError> {
    storage::query("UPDATE users SET disabled_at = CASE WHEN $1 = 1 THEN COALESCE(disabled_at, $2) ELSE NULL END WHERE id = $3")
        .bind(i64::from(disabled))
        .bind(now_ms())
        .bind(id)
        .execute(executor)
        .await?;
    Ok(())
}
