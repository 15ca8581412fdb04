//! The `users` table.

use serde::Deserialize;

use super::{AccountError, Role, Username};
use crate::storage::{self, now_ms, Both, Database, DbError, On};

/// A row of `users`, selected with `USER_COLUMNS`.
#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub approved_at: Option<i64>,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
    /// When the person proved they read mail at `email`.
    pub email_verified_at: Option<i64>,
    /// When the owner closed the account (it is disabled too).
    pub closed_at: Option<i64>,
}

impl User {
    pub fn status(&self) -> &'static str {
        if self.closed_at.is_some() {
            "closed"
        } else if self.disabled_at.is_some() {
            "disabled"
        } else if self.role == Role::Clinician && self.approved_at.is_none() {
            "pending"
        } else {
            "active"
        }
    }

    /// The name others see: "Former member" once the owner closed the account.
    pub fn shown_name(&self) -> &str {
        match self.closed_at {
            Some(_) => FORMER_MEMBER,
            None => &self.display_name,
        }
    }

    pub fn is_approved_clinician(&self) -> bool {
        self.role == Role::Clinician && self.approved_at.is_some() && self.disabled_at.is_none()
    }
}

/// The name others see in place of a closed account's (the SQL of the messaging views
/// writes it too).
pub const FORMER_MEMBER: &str = "Former member";

/// The columns of a `User`, for queries that select one (as `u`).
pub const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.email, u.role, u.approved_at, \
     u.disabled_at, u.created_at, u.last_login_at, u.email_verified_at, u.closed_at";

/// A user's password hash, for signing in.
#[derive(sqlx::FromRow, Deserialize)]
pub struct PasswordHash {
    pub password_hash: String,
}

/// A user with their password hash.
pub type Credentials = Both<User, PasswordHash>;

pub struct NewUser<'a> {
    pub username: &'a Username,
    pub display_name: &'a str,
    pub email: Option<&'a str>,
    pub role: Role,
    pub password_hash: &'a str,
    pub approved: bool,
}

/// Inserts a user; a taken username (in any case) is `UsernameTaken`. Its spans, like
/// every store's, never record a username: a log line must not name anyone.
#[tracing::instrument(skip_all)]
pub async fn insert_user<'e>(
    executor: impl Into<On<'e>>,
    new: NewUser<'_>,
) -> Result<i64, AccountError> {
    let now = now_ms();
    let result = storage::query_scalar(
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
    .fetch_one(executor)
    .await;
    match result {
        Ok(id) => Ok(id),
        Err(e) if e.is_unique_violation() => Err(AccountError::UsernameTaken),
        Err(e) => Err(e.into()),
    }
}

#[tracing::instrument(skip_all)]
pub async fn find_by_username(db: &Database, username: &str) -> Result<Option<User>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.username = $1");
    storage::query(&sql).bind(username).fetch_optional(db).await
}

/// The account whose verified address this is (case aside).
pub async fn find_by_verified_email(db: &Database, email: &str) -> Result<Option<User>, DbError> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users u \
         WHERE lower(u.email) = lower($1) AND u.email_verified_at IS NOT NULL"
    );
    storage::query(&sql).bind(email).fetch_optional(db).await
}

/// The user and their password hash, to sign in. What was typed as a username may be a
/// password, so the span records nothing of it.
#[tracing::instrument(skip_all)]
pub async fn credentials(db: &Database, username: &str) -> Result<Option<Credentials>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.username = $1");
    storage::query(&sql).bind(username).fetch_optional(db).await
}

#[tracing::instrument(skip(db))]
pub async fn find_by_id(db: &Database, id: i64) -> Result<Option<User>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
    storage::query(&sql).bind(id).fetch_optional(db).await
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

/// How a person appears to others: a handle and a name, nothing more.
#[derive(Debug, sqlx::FromRow, Deserialize, serde::Serialize)]
pub struct Person {
    pub username: String,
    pub display_name: String,
}

/// Approved clinicians, by name, so a patient can choose whose care team to ask to join.
pub async fn approved_clinicians(db: &Database) -> Result<Vec<Person>, DbError> {
    storage::query(
        "SELECT username, display_name FROM users WHERE role = 'clinician' AND approved_at IS NOT NULL \
         AND disabled_at IS NULL ORDER BY display_name, username",
    )
    .fetch_all(db)
    .await
}

/// Who `search` and `count_matching` find: of a role (`$1`, empty for any), with a
/// username or display name LIKE `$2` (lower-cased, with `\` escaping).
const MATCHING: &str = "($1 = '' OR u.role = $1) AND (LOWER(u.username) LIKE $2 ESCAPE '\\' \
     OR LOWER(u.display_name) LIKE $2 ESCAPE '\\')";

/// A page of the users matching a search, by username.
pub async fn search(
    db: &Database,
    role: &str,
    pattern: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<User>, DbError> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE {MATCHING} ORDER BY u.username LIMIT $3 OFFSET $4"
    );
    storage::query(&sql)
        .bind(role)
        .bind(pattern)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await
}

pub async fn count_matching(db: &Database, role: &str, pattern: &str) -> Result<i64, DbError> {
    storage::query_scalar(format!("SELECT COUNT(*) FROM users u WHERE {MATCHING}"))
        .bind(role)
        .bind(pattern)
        .fetch_one(db)
        .await
}

/// Changes the address; it is unverified until its link is used.
pub async fn set_email<'e>(
    executor: impl Into<On<'e>>,
    id: i64,
    email: Option<&str>,
) -> Result<(), DbError> {
    storage::query("UPDATE users SET email = $1, email_verified_at = NULL WHERE id = $2")
        .bind(email)
        .bind(id)
        .execute(executor)
        .await?;
    Ok(())
}

pub async fn set_display_name(db: &Database, id: i64, display_name: &str) -> Result<(), DbError> {
    storage::query("UPDATE users SET display_name = $1 WHERE id = $2")
        .bind(display_name)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Marks the address verified, when it is still the account's; false when it is not. A
/// unique violation means another account verified it first.
pub async fn mark_email_verified<'e>(
    executor: impl Into<On<'e>>,
    id: i64,
    email: &str,
    at: i64,
) -> Result<bool, DbError> {
    let changed =
        storage::query("UPDATE users SET email_verified_at = $1 WHERE id = $2 AND email = $3")
            .bind(at)
            .bind(id)
            .bind(email)
            .execute(executor)
            .await?;
    Ok(changed == 1)
}

/// Enabled administrators, the caller included.
pub async fn count_active_admins(db: &Database) -> Result<i64, DbError> {
    storage::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL")
        .fetch_one(db)
        .await
}

/// Closed by its owner: disabled too, so it is hidden wherever disabled accounts are.
pub async fn mark_closed<'e>(executor: impl Into<On<'e>>, id: i64, at: i64) -> Result<(), DbError> {
    storage::query(
        "UPDATE users SET closed_at = $1, disabled_at = COALESCE(disabled_at, $1) WHERE id = $2",
    )
    .bind(at)
    .bind(id)
    .execute(executor)
    .await?;
    Ok(())
}

/// Reopens a closed account that is not erased; false when there is none such.
pub async fn reopen(db: &Database, id: i64) -> Result<bool, DbError> {
    let changed = storage::query(
        "UPDATE users SET closed_at = NULL, disabled_at = NULL \
         WHERE id = $1 AND closed_at IS NOT NULL AND erased_at IS NULL",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(changed == 1)
}

/// Accounts closed before `cutoff` and not yet erased.
pub async fn closed_before(db: &Database, cutoff: i64) -> Result<Vec<i64>, DbError> {
    storage::query_scalar(
        "SELECT id FROM users WHERE closed_at < $1 AND erased_at IS NULL ORDER BY id",
    )
    .bind(cutoff)
    .fetch_all(db)
    .await
}

/// Erases an account's personal details, when it is still closed since before
/// `closed_before`: its name, handle (`former:<id>`, which no username can be), address
/// and password, its sign-ins and its feedback. Its clinical records and messages stay,
/// under "Former member". False when it was reopened meanwhile.
pub async fn erase(
    tx: &mut storage::Transaction,
    id: i64,
    unusable_hash: &str,
    at: i64,
    closed_before: i64,
) -> Result<bool, DbError> {
    let erased = storage::query(
        "UPDATE users SET username = 'former:' || id, display_name = 'Former member', email = NULL, \
         email_verified_at = NULL, password_hash = $1, erased_at = $2 \
         WHERE id = $3 AND closed_at IS NOT NULL AND closed_at < $4 AND erased_at IS NULL",
    )
    .bind(unusable_hash)
    .bind(at)
    .bind(id)
    .bind(closed_before)
    .execute(&mut *tx)
    .await?;
    if erased == 0 {
        // Reopened since it was picked: nothing to erase.
        return Ok(false);
    }
    for table in ["sessions", "feedback"] {
        storage::query(format!("DELETE FROM {table} WHERE user_id = $1"))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    Ok(true)
}

/// Deletes patients' accounts closed before `cutoff`, with everything that belongs to
/// them. A clinician's or administrator's erased account stays: the messages it sent are
/// part of other patients' records.
/// Answers the ids of the deleted accounts.
pub async fn delete_closed_before(
    tx: &mut storage::Transaction,
    cutoff: i64,
) -> Result<Vec<i64>, DbError> {
    storage::query_scalar(
        "DELETE FROM users WHERE closed_at < $1 AND erased_at IS NOT NULL AND role = 'patient' \
         RETURNING id",
    )
    .bind(cutoff)
    .fetch_all(tx)
    .await
}
