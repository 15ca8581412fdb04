//! The inbox: my conversations, newest first, with their counts. Each member keeps an
//! unread count, so the inbox and badges never count messages on every request.

use serde::Deserialize;

use crate::storage::{self, Both, Database, DbError};

/// A conversation as one member sees it in their inbox.
#[derive(sqlx::FromRow, Deserialize)]
pub struct InboxEntry {
    pub id: i64,
    pub subject: Option<String>,
    pub unread_count: i64,
    #[serde(deserialize_with = "storage::flag")]
    pub archived: bool,
    pub other_username: String,
    pub other_display_name: String,
    pub other_role: String,
    /// The start of the newest message I can see (its first 101 characters, which is
    /// enough for `messaging::preview` to cut it as it would the whole message); none
    /// when I have hidden them all.
    pub last_content: Option<String>,
    pub last_sent_at: Option<i64>,
    /// One of the two members; the caller knows both names.
    pub last_sender_id: Option<i64>,
}

pub struct InboxFilter {
    pub archived: bool,
    pub unread_only: bool,
}

/// Which of my conversations the inbox shows: archived or not ($2), unread only or all ($3).
const SHOWN: &str =
    "((me.archived_at IS NULL AND $2 = 0) OR (me.archived_at IS NOT NULL AND $2 = 1)) \
     AND (me.unread_count > 0 OR $3 = 0)";

/// The other member of my conversation `me`, and its subject. Both are kept in my member
/// row (migration 0011); a row that an instance of an earlier release started during a
/// rolling deploy has no `other_user_id`, and then both are looked up (only for it).
const OTHER: &str = "COALESCE(me.other_user_id, (SELECT om.user_id FROM conversation_members om \
     WHERE om.conversation_id = me.conversation_id AND om.user_id <> me.user_id))";
const SUBJECT: &str = "CASE WHEN me.other_user_id IS NULL \
     THEN (SELECT c.subject FROM conversations c WHERE c.id = me.conversation_id) ELSE me.subject END";

/// The inbox page query ($1 user, $2 archived, $3 unread only, $4 limit, $5 offset). The
/// page is chosen first, so names are looked up for its rows only. My member rows keep
/// the newest message I can see, the other member and the subject (migration 0011), so
/// the inbox reads only them and the other people's `users` rows: not messages, nor
/// conversations, nor the other members' rows. Each row also carries the inbox's counts
/// (uncorrelated subqueries, so computed once), which saves PostgreSQL a round trip per
/// inbox.
pub fn inbox_query() -> String {
    format!(
        "SELECT {counts}, me.conversation_id AS id, {SUBJECT} AS subject, me.unread_count, \
           (me.archived_at IS NOT NULL) AS archived, \
           o.username AS other_username, \
           CASE WHEN o.closed_at IS NULL THEN o.display_name ELSE 'Former member' END AS other_display_name, \
           o.role AS other_role, \
           me.last_preview AS last_content, me.last_sent_at, me.last_sender_id \
         FROM (SELECT me.conversation_id, me.user_id, me.unread_count, me.archived_at, me.last_message_at, \
                 me.other_user_id, me.subject, me.last_preview, me.last_sent_at, me.last_sender_id \
               FROM conversation_members me \
               WHERE me.user_id = $1 AND {SHOWN} \
               ORDER BY me.last_message_at DESC, me.conversation_id DESC LIMIT $4 OFFSET $5) me \
         JOIN users o ON o.id = {OTHER} \
         ORDER BY me.last_message_at DESC, me.conversation_id DESC",
        counts = inbox_count_columns()
    )
}

/// How many conversations the inbox shows in all, and my unread messages everywhere.
#[derive(sqlx::FromRow, Deserialize)]
pub struct InboxCounts {
    pub shown: i64,
    pub unread: i64,
}

/// A page of my inbox, and its counts.
pub async fn inbox(
    db: &Database,
    user_id: i64,
    filter: &InboxFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<InboxEntry>, InboxCounts), DbError> {
    let rows: Vec<Both<InboxCounts, InboxEntry>> = storage::query(inbox_query())
        .bind(user_id)
        .bind(i64::from(filter.archived))
        .bind(i64::from(filter.unread_only))
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await?;
    let counts = match rows.first() {
        Some(Both(counts, _)) => InboxCounts {
            shown: counts.shown,
            unread: counts.unread,
        },
        // An empty page has no row to carry the counts.
        None => inbox_counts(db, user_id, filter).await?,
    };
    // Every row carries the counts, beside its entry.
    Ok((
        rows.into_iter().map(|Both(_, entry)| entry).collect(),
        counts,
    ))
}

/// The inbox's counts ($1 user, $2 archived, $3 unread only), as `shown` and `unread`.
fn inbox_count_columns() -> String {
    format!(
        "(SELECT COUNT(*) FROM conversation_members me WHERE me.user_id = $1 AND {SHOWN}) AS shown, \
         ({TOTAL_UNREAD}) AS unread"
    )
}

/// The inbox's counts alone, for an empty page.
pub fn inbox_counts_query() -> String {
    format!("SELECT {}", inbox_count_columns())
}

async fn inbox_counts(
    db: &Database,
    user_id: i64,
    filter: &InboxFilter,
) -> Result<InboxCounts, DbError> {
    storage::query(inbox_counts_query())
        .bind(user_id)
        .bind(i64::from(filter.archived))
        .bind(i64::from(filter.unread_only))
        .fetch_one(db)
        .await
}

pub async fn total_unread(db: &Database, user_id: i64) -> Result<i64, DbError> {
    storage::query_scalar(TOTAL_UNREAD)
        .bind(user_id)
        .fetch_one(db)
        .await
}

/// My ($1) unread messages everywhere, as `unread`.
pub const TOTAL_UNREAD: &str = "SELECT CAST(COALESCE(SUM(unread_count), 0) AS BIGINT) AS unread \
     FROM conversation_members WHERE user_id = $1";

/// The most recently active conversation between two people, if any.
pub async fn latest_between(db: &Database, a: i64, b: i64) -> Result<Option<i64>, DbError> {
    storage::query_scalar(
        "SELECT x.conversation_id FROM conversation_members x \
         JOIN conversation_members y ON y.conversation_id = x.conversation_id AND y.user_id = $2 \
         WHERE x.user_id = $1 \
         ORDER BY x.last_message_at DESC, x.conversation_id DESC LIMIT 1",
    )
    .bind(a)
    .bind(b)
    .fetch_optional(db)
    .await
}
