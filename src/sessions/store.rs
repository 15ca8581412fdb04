//! The `sessions` table. Only a SHA-256 of each token is stored, so a copy of the
//! database cannot be used to sign in.

use std::sync::LazyLock;

use serde::Deserialize;

use super::{EndReason, IssuedToken};
use crate::accounts::store::USER_COLUMNS;
use crate::accounts::User;
use crate::storage::{self, Both, Database, DbError, On};

/// A session as found by its token, whatever its state, with its user.
#[derive(Debug, Clone)]
pub struct StoredSession {
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub token_issued_at: i64,
    pub previous_login_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub end_reason: Option<String>,
    pub user: User,
}

/// The session's own columns of a `StoredSession`.
#[derive(sqlx::FromRow, Deserialize)]
struct SessionColumns {
    #[sqlx(rename = "session_id")]
    #[serde(rename = "session_id")]
    id: String,
    #[sqlx(rename = "session_created_at")]
    #[serde(rename = "session_created_at")]
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
    token_issued_at: i64,
    previous_login_at: Option<i64>,
    ended_at: Option<i64>,
    end_reason: Option<String>,
}

impl From<Both<SessionColumns, User>> for StoredSession {
    fn from(Both(session, user): Both<SessionColumns, User>) -> Self {
        StoredSession {
            id: session.id,
            created_at: session.created_at,
            last_seen_at: session.last_seen_at,
            expires_at: session.expires_at,
            token_issued_at: session.token_issued_at,
            previous_login_at: session.previous_login_at,
            ended_at: session.ended_at,
            end_reason: session.end_reason,
            user,
        }
    }
}

pub struct NewSession<'a> {
    pub user_id: i64,
    pub client: &'a str,
    /// Shortened (see `sessions::shorten_address`).
    pub address: &'a str,
    pub previous_login_at: Option<i64>,
    pub now: i64,
    pub expires_at: i64,
}

pub async fn insert<'e>(
    executor: impl Into<On<'e>>,
    token: &IssuedToken,
    new: NewSession<'_>,
) -> Result<(), DbError> {
    storage::query(
        "INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, expires_at, \
         token_issued_at, previous_login_at, client, address) \
         VALUES ($1, $2, $3, $4, $4, $5, $4, $6, $7, $8)",
    )
    .bind(&token.session_id)
    .bind(&token.token_hash)
    .bind(new.user_id)
    .bind(new.now)
    .bind(new.expires_at)
    .bind(new.previous_login_at)
    .bind(new.client)
    .bind(new.address)
    .execute(executor)
    .await?;
    Ok(())
}

/// Which token of a session a lookup compares with.
#[derive(Debug, Clone, Copy)]
pub enum TokenColumn {
    Current,
    /// The token replaced at the last privilege change, honoured for a short grace period.
    Previous,
}

/// The columns of a `StoredSession`.
fn session_columns() -> String {
    format!(
        "s.id AS session_id, s.created_at AS session_created_at, s.last_seen_at, s.expires_at, \
         s.token_issued_at, s.previous_login_at, s.ended_at, s.end_reason, {USER_COLUMNS}"
    )
}

fn find_by(column: &str) -> String {
    format!(
        "SELECT {} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.{column} = $1",
        session_columns()
    )
}

static FIND_CURRENT: LazyLock<String> = LazyLock::new(|| find_by("token_hash"));
static FIND_PREVIOUS: LazyLock<String> = LazyLock::new(|| find_by("previous_token_hash"));
/// For several tokens at once (PostgreSQL), each row with its token's position.
static FIND_CURRENT_MANY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT k.n AS lookup_index, {} FROM unnest(CAST($1 AS TEXT[])) WITH ORDINALITY AS k(token_hash, n) \
         JOIN sessions s ON s.token_hash = k.token_hash JOIN users u ON u.id = s.user_id",
        session_columns()
    )
});

/// One indexed lookup, joined with the user, on every authenticated request. By the
/// current token it may share its query with requests arriving together (on PostgreSQL,
/// see `Database::fetch_by_key`); by the previous one (rare) it runs alone.
pub async fn find_by_token_hash(
    db: &Database,
    token_hash: &str,
    column: TokenColumn,
) -> Result<Option<StoredSession>, DbError> {
    let found: Option<Both<SessionColumns, User>> = match column {
        TokenColumn::Current => {
            db.fetch_by_key(&FIND_CURRENT, &FIND_CURRENT_MANY, token_hash)
                .await?
        }
        TokenColumn::Previous => {
            storage::query(FIND_PREVIOUS.as_str())
                .bind(token_hash)
                .fetch_optional(db)
                .await?
        }
    };
    Ok(found.map(StoredSession::from))
}

/// Moves the idle deadline forward. The condition keeps concurrent requests from
/// writing the same row again.
pub async fn touch(
    db: &Database,
    session_id: &str,
    now: i64,
    stale_before: i64,
) -> Result<(), DbError> {
    storage::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $3 AND ended_at IS NULL")
        .bind(now)
        .bind(session_id)
        .bind(stale_before)
        .execute(db)
        .await?;
    Ok(())
}

/// Gives a live session a new token, keeping its id. With `grace`, the token issued at
/// `issued_at` keeps working briefly as the previous one (a privilege change); without
/// (a password change), it stops at once. When a concurrent request replaced it first,
/// nothing changes and the answer is false.
pub async fn replace_token<'e>(
    executor: impl Into<On<'e>>,
    token: &IssuedToken,
    now: i64,
    issued_at: i64,
    grace: bool,
) -> Result<bool, DbError> {
    let result = storage::query(
        "UPDATE sessions SET previous_token_hash = CASE WHEN $5 = 1 THEN token_hash ELSE NULL END, \
         token_hash = $1, token_issued_at = $2 WHERE id = $3 AND ended_at IS NULL AND token_issued_at = $4",
    )
    .bind(&token.token_hash)
    .bind(now)
    .bind(&token.session_id)
    .bind(issued_at)
    .bind(i64::from(grace))
    .execute(executor)
    .await?;
    Ok(result == 1)
}

/// What decides whether the session is live, read without touching it.
pub async fn state_of(
    db: &Database,
    session_id: &str,
) -> Result<Option<super::SessionState>, DbError> {
    storage::query(
        "SELECT s.user_id, s.end_reason, s.expires_at, s.last_seen_at, u.disabled_at, u.closed_at \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1",
    )
    .bind(session_id)
    .fetch_optional(db)
    .await
}

/// Ends one session of a user; false when there is no such live session of theirs.
pub async fn end_one(
    db: &Database,
    user_id: i64,
    session_id: &str,
    reason: EndReason,
    ended_by: Option<i64>,
) -> Result<bool, DbError> {
    let result = storage::query(
        "UPDATE sessions SET ended_at = $1, end_reason = $2, ended_by = $3 \
         WHERE id = $4 AND user_id = $5 AND ended_at IS NULL",
    )
    .bind(crate::storage::now_ms())
    .bind(reason.as_str())
    .bind(ended_by)
    .bind(session_id)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(result == 1)
}

/// Ends every live session of a user except `keep` (if any); returns how many ended.
pub async fn end_all<'e>(
    executor: impl Into<On<'e>>,
    user_id: i64,
    keep: Option<&str>,
    reason: EndReason,
    ended_by: Option<i64>,
) -> Result<u64, DbError> {
    let result = storage::query(
        "UPDATE sessions SET ended_at = $1, end_reason = $2, ended_by = $3 \
         WHERE user_id = $4 AND ended_at IS NULL AND id <> $5",
    )
    .bind(crate::storage::now_ms())
    .bind(reason.as_str())
    .bind(ended_by)
    .bind(user_id)
    .bind(keep.unwrap_or(""))
    .execute(executor)
    .await?;
    Ok(result)
}

/// A live session as the user sees it in their list of devices.
#[derive(sqlx::FromRow, Deserialize)]
pub struct ListedSession {
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub client: String,
    pub address: Option<String>,
    pub name: Option<String>,
}

pub async fn list_live(
    db: &Database,
    user_id: i64,
    now: i64,
    idle_ms: i64,
) -> Result<Vec<ListedSession>, DbError> {
    storage::query(
        "SELECT id, created_at, last_seen_at, expires_at, client, address, name FROM sessions \
         WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2 AND last_seen_at > $3 \
         ORDER BY last_seen_at DESC",
    )
    .bind(user_id)
    .bind(now)
    .bind(now - idle_ms)
    .fetch_all(db)
    .await
}

/// Names one of the person's live sessions (none clears it); false when there is no
/// such live session of theirs.
pub async fn rename(
    db: &Database,
    user_id: i64,
    id: &str,
    name: Option<&str>,
) -> Result<bool, DbError> {
    let changed = storage::query(
        "UPDATE sessions SET name = $1 WHERE id = $2 AND user_id = $3 AND ended_at IS NULL",
    )
    .bind(name)
    .bind(id)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(changed == 1)
}

/// Forgets sessions that ended or expired longer ago than the retention period.
pub async fn purge(db: &Database, cutoff: i64, idle_ms: i64) -> Result<u64, DbError> {
    let result = storage::query(
        "DELETE FROM sessions WHERE (ended_at IS NOT NULL AND ended_at < $1) \
         OR (ended_at IS NULL AND (expires_at < $1 OR last_seen_at < $2))",
    )
    .bind(cutoff)
    .bind(cutoff - idle_ms)
    .execute(db)
    .await?;
    Ok(result)
}
