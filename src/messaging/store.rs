//! Conversations, their two members and their messages. Each member keeps an unread
//! count, so the inbox and badges never count messages on every request.

use serde::Deserialize;

use crate::accounts::store::USER_COLUMNS;
use crate::accounts::{Role, User};
use crate::config::DatabaseKind;
use crate::messaging::{may_message_in, messageable_kinds};
use crate::storage::{self, now_ms, Database, DbError, Transaction};

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
    pub last_content: Option<String>,
    pub last_sent_at: Option<i64>,
    pub last_sender: Option<String>,
}

pub struct InboxFilter {
    pub archived: bool,
    pub unread_only: bool,
}

/// Which of my conversations the inbox shows: archived or not ($2), unread only or all ($3).
const SHOWN: &str =
    "((me.archived_at IS NULL AND $2 = 0) OR (me.archived_at IS NOT NULL AND $2 = 1)) \
     AND (me.unread_count > 0 OR $3 = 0)";

/// The newest message of a conversation that this member has not hidden.
const LAST_VISIBLE: &str = "(SELECT m.id FROM messages m WHERE m.conversation_id = c.id \
     AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.user_id = $1 AND h.message_id = m.id) \
     ORDER BY m.id DESC LIMIT 1)";

/// The inbox page query ($1 user, $2 archived, $3 unread only, $4 limit, $5 offset). The
/// page is chosen first, so last messages and names are looked up for its rows only. Each
/// row also carries the inbox's counts (uncorrelated subqueries, so computed once), which
/// saves PostgreSQL a round trip per inbox.
pub fn inbox_query() -> String {
    format!(
        "SELECT {counts}, c.id, c.subject, me.unread_count, (me.archived_at IS NOT NULL) AS archived, \
           o.username AS other_username, o.display_name AS other_display_name, o.role AS other_role, \
           lm.content AS last_content, lm.sent_at AS last_sent_at, ls.username AS last_sender \
         FROM (SELECT me.conversation_id, me.user_id, me.unread_count, me.archived_at, me.last_message_at \
               FROM conversation_members me \
               WHERE me.user_id = $1 AND {SHOWN} \
               ORDER BY me.last_message_at DESC, me.conversation_id DESC LIMIT $4 OFFSET $5) me \
         JOIN conversations c ON c.id = me.conversation_id \
         JOIN conversation_members om ON om.conversation_id = me.conversation_id AND om.user_id <> me.user_id \
         JOIN users o ON o.id = om.user_id \
         LEFT JOIN messages lm ON lm.id = {LAST_VISIBLE} \
         LEFT JOIN users ls ON ls.id = lm.sender_id \
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
    let rows: Vec<InboxRow> = storage::query(inbox_query())
        .bind(user_id)
        .bind(i64::from(filter.archived))
        .bind(i64::from(filter.unread_only))
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await?;
    let counts = match rows.first() {
        Some(row) => InboxCounts {
            shown: row.counts.shown,
            unread: row.counts.unread,
        },
        // An empty page has no row to carry the counts.
        None => inbox_counts(db, user_id, filter).await?,
    };
    Ok((rows.into_iter().map(|row| row.entry).collect(), counts))
}

/// A row of the inbox page: an entry, and the counts every row carries.
#[derive(sqlx::FromRow, Deserialize)]
struct InboxRow {
    #[sqlx(flatten)]
    #[serde(flatten)]
    counts: InboxCounts,
    #[sqlx(flatten)]
    #[serde(flatten)]
    entry: InboxEntry,
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

/// A conversation as one member sees it: its subject, their archive flag, the other
/// person and whether the two are in one care team, in one query (which is all a reply
/// needs to know whether it may be sent).
#[derive(sqlx::FromRow, Deserialize)]
pub struct Header {
    pub subject: Option<String>,
    #[serde(deserialize_with = "storage::flag")]
    pub archived: bool,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub other: User,
    #[serde(deserialize_with = "storage::flag")]
    pub in_care_team: bool,
}

/// Whether `me` and the person `u` are a patient and a clinician of their care team (only
/// the one direction their roles allow is looked up).
const IN_CARE_TEAM: &str = "CASE \
       WHEN u.role = 'clinician' THEN CASE WHEN EXISTS (SELECT 1 FROM care_team_links l \
         WHERE l.patient_id = me.user_id AND l.clinician_id = u.id AND l.status = 'approved') \
         THEN 1 ELSE 0 END \
       WHEN u.role = 'patient' THEN CASE WHEN EXISTS (SELECT 1 FROM care_team_links l \
         WHERE l.patient_id = u.id AND l.clinician_id = me.user_id AND l.status = 'approved') \
         THEN 1 ELSE 0 END \
       ELSE 0 END";

/// My membership `me` of a conversation and its other member `u`, as the start of a
/// FROM clause; `MY_CONVERSATION` picks the conversation ($1 conversation, $2 me).
const ME_AND_OTHER: &str = "conversation_members me \
     JOIN conversation_members om ON om.conversation_id = me.conversation_id AND om.user_id <> $2 \
     JOIN users u ON u.id = om.user_id";
const MY_CONVERSATION: &str = "me.conversation_id = $1 AND me.user_id = $2";

/// The header query ($1 conversation, $2 me).
pub fn header_query() -> String {
    format!(
        "SELECT c.subject, (me.archived_at IS NOT NULL) AS archived, {USER_COLUMNS}, \
           ({IN_CARE_TEAM}) = 1 AS in_care_team \
         FROM {ME_AND_OTHER} JOIN conversations c ON c.id = me.conversation_id \
         WHERE {MY_CONVERSATION}"
    )
}

/// None when there is no such conversation or I am not in it.
pub async fn header(
    db: &Database,
    conversation_id: i64,
    me: i64,
) -> Result<Option<Header>, DbError> {
    storage::query(header_query())
        .bind(conversation_id)
        .bind(me)
        .fetch_optional(db)
        .await
}

pub struct NewMessage<'a> {
    pub sender_id: i64,
    pub recipient_id: i64,
    /// None starts a new conversation with this subject.
    pub conversation_id: Option<i64>,
    pub subject: Option<&'a str>,
    pub content: &'a str,
}

#[derive(sqlx::FromRow, Deserialize)]
pub struct Sent {
    pub message_id: i64,
    pub conversation_id: i64,
    pub sent_at: i64,
}

/// What a send did.
pub enum SendOutcome {
    Sent(Sent),
    /// A concurrent retry with the same idempotency key stored its message first; this
    /// send stored nothing.
    KeyTaken,
    /// A reply to a conversation that does not exist or that I am not in.
    NotInConversation,
    /// A reply to someone I may no longer message (see `may_message`).
    NotAllowed,
}

/// Stores a message, in a new conversation if asked, and counts it unread for the
/// recipient (bringing the conversation back from their archive). For the sender,
/// writing counts as having read the conversation. With an idempotency key, the key is
/// remembered with the message, atomically. The caller has checked that the sender may
/// message the recipient.
pub async fn send(
    db: &Database,
    new: &NewMessage<'_>,
    key: Option<&str>,
) -> Result<SendOutcome, DbError> {
    outcome(send_in_transaction(db, new, key).await, key)
}

/// A reply in a conversation: stored as `send` does, once it is checked that I am in the
/// conversation and may still message the other person.
pub async fn reply(
    db: &Database,
    me: &User,
    conversation_id: i64,
    content: &str,
    key: Option<&str>,
) -> Result<SendOutcome, DbError> {
    if db.kind() == DatabaseKind::Postgres {
        return reply_in_one_statement(db, me, conversation_id, content, key).await;
    }
    let Some(header) = header(db, conversation_id, me.id).await? else {
        return Ok(SendOutcome::NotInConversation);
    };
    if !may_message_in(me, &header.other, header.in_care_team) {
        return Ok(SendOutcome::NotAllowed);
    }
    let new = NewMessage {
        sender_id: me.id,
        recipient_id: header.other.id,
        conversation_id: Some(conversation_id),
        subject: None,
        content,
    };
    send(db, &new, key).await
}

fn outcome(result: Result<Sent, DbError>, key: Option<&str>) -> Result<SendOutcome, DbError> {
    match result {
        Err(e) if key.is_some() && e.is_unique_violation() => Ok(SendOutcome::KeyTaken),
        other => other.map(SendOutcome::Sent),
    }
}

async fn send_in_transaction(
    db: &Database,
    new: &NewMessage<'_>,
    key: Option<&str>,
) -> Result<Sent, DbError> {
    let mut tx = db.begin().await?;
    match write_message(&mut tx, new, key).await {
        Ok(sent) => {
            tx.commit().await?;
            Ok(sent)
        }
        Err(error) => {
            // Rolled back explicitly: that returns once what this transaction saw is
            // durable, so the caller can read the row a duplicate key pointed at.
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(%rollback, "a failed send could not be rolled back cleanly");
            }
            Err(error)
        }
    }
}

async fn write_message(
    tx: &mut Transaction,
    new: &NewMessage<'_>,
    key: Option<&str>,
) -> Result<Sent, DbError> {
    let now = now_ms();
    let conversation_id = match new.conversation_id {
        Some(id) => id,
        None => start_conversation(tx, new, now).await?,
    };
    let message_id: i64 = storage::query_scalar(INSERT_MESSAGE)
        .bind(conversation_id)
        .bind(new.sender_id)
        .bind(new.content)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
    storage::query(UPDATE_MEMBERS)
        .bind(conversation_id)
        .bind(new.recipient_id)
        .bind(message_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    if let Some(key) = key {
        storage::query(
            "INSERT INTO idempotent_sends (user_id, idempotency_key, message_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(new.sender_id)
        .bind(key)
        .bind(message_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    Ok(Sent {
        message_id,
        conversation_id,
        sent_at: now,
    })
}

pub const INSERT_MESSAGE: &str =
    "INSERT INTO messages (conversation_id, sender_id, content, sent_at) \
     VALUES ($1, $2, $3, $4) RETURNING id";

/// Both members in one statement ($1 conversation, $2 recipient, $3 the new message, $4
/// its time): one more unread for the recipient (and out of their archive), everything
/// read for the sender, and for both the time of the conversation's last message, which
/// the inbox sorts by. (It is kept in the member rows, which a send updates anyway, so
/// that a send does not touch the conversation's row.)
pub const UPDATE_MEMBERS: &str = "UPDATE conversation_members SET \
       unread_count = CASE WHEN user_id = $2 THEN unread_count + 1 ELSE 0 END, \
       archived_at = CASE WHEN user_id = $2 THEN NULL ELSE archived_at END, \
       last_read_message_id = CASE WHEN user_id = $2 THEN last_read_message_id ELSE $3 END, \
       last_message_at = $4 \
     WHERE conversation_id = $1";

/// A reply as one PostgreSQL statement: the header's check and `send_in_transaction`'s
/// writes, as data-modifying CTEs (atomic by themselves). On PostgreSQL every statement
/// is a round trip, and the check plus a transaction were most of a send's cost; SQLite,
/// in-process, has neither such CTEs nor round trips. Who I may message is
/// `may_message_in` itself, enumerated by `messageable_kinds` into the statement.
/// Each step reads the one before, which fixes their order (PostgreSQL's is otherwise
/// unspecified): the members are updated after the message is in, as in
/// `send_in_transaction`. Concurrent writes into one conversation lock its two member
/// rows in the order their scans find them, which is the same unless their plans differ;
/// the rare deadlock that PostgreSQL breaks then is run again (`DEADLOCK_RETRIES`).
/// ($1 conversation, $2 me, $3 content, $4 now, $5 the idempotency key or null.) The
/// answer has no row when I am not in the conversation, and a null `message_id` when I
/// may not write to the other person.
pub fn reply_statement(me: &User) -> String {
    // One test per kind, OR-ed: evaluated once for the one other member, with no table
    // of kinds to build.
    let kinds: Vec<String> = messageable_kinds(me)
        .iter()
        .map(|k| {
            let flag = |on: bool| if on { 1 } else { 0 };
            format!(
                "(h.role = '{}' AND h.approved = {} AND h.disabled = {} AND h.in_care_team = {})",
                k.role.as_str(),
                flag(k.approved),
                flag(k.disabled),
                flag(k.in_care_team)
            )
        })
        .collect();
    let allowed = match kinds.is_empty() {
        true => "1 = 0".to_owned(),
        false => format!("({})", kinds.join(" OR ")),
    };
    format!(
        "WITH h AS (SELECT u.role, \
           CASE WHEN u.approved_at IS NULL THEN 0 ELSE 1 END AS approved, \
           CASE WHEN u.disabled_at IS NULL THEN 0 ELSE 1 END AS disabled, \
           {IN_CARE_TEAM} AS in_care_team FROM {ME_AND_OTHER} WHERE {MY_CONVERSATION}), \
         m AS (INSERT INTO messages (conversation_id, sender_id, content, sent_at) \
           SELECT $1, $2, $3, $4 FROM h WHERE {allowed} RETURNING id), \
         members AS (UPDATE conversation_members SET \
           unread_count = CASE WHEN user_id = $2 THEN 0 ELSE unread_count + 1 END, \
           archived_at = CASE WHEN user_id = $2 THEN archived_at ELSE NULL END, \
           last_read_message_id = CASE WHEN user_id = $2 THEN (SELECT id FROM m) \
             ELSE last_read_message_id END, \
           last_message_at = $4 \
           WHERE conversation_id = $1 AND EXISTS (SELECT 1 FROM m) RETURNING user_id), \
         k AS (INSERT INTO idempotent_sends (user_id, idempotency_key, message_id, created_at) \
           SELECT $2, $5, id, $4 FROM m WHERE $5 IS NOT NULL AND EXISTS (SELECT 1 FROM members)) \
         SELECT (SELECT id FROM m) AS message_id FROM h"
    )
}

/// How many times a reply that PostgreSQL ended to break a deadlock is run again.
const DEADLOCK_RETRIES: usize = 3;

async fn reply_in_one_statement(
    db: &Database,
    me: &User,
    conversation_id: i64,
    content: &str,
    key: Option<&str>,
) -> Result<SendOutcome, DbError> {
    let now = now_ms();
    let statement = reply_statement(me);
    let run = || {
        storage::query_scalar::<Option<i64>>(statement.as_str())
            .bind(conversation_id)
            .bind(me.id)
            .bind(content)
            .bind(now)
            .bind(key)
            .fetch_optional(db)
    };
    let mut answer = run().await;
    // A deadlock ended the statement before it changed anything (see `reply_statement`).
    for _ in 0..DEADLOCK_RETRIES {
        match &answer {
            Err(error) if error.is_deadlock() => answer = run().await,
            _ => break,
        }
    }
    let sent = match answer {
        Ok(None) => return Ok(SendOutcome::NotInConversation),
        Ok(Some(None)) => return Ok(SendOutcome::NotAllowed),
        Ok(Some(Some(message_id))) => Ok(Sent {
            message_id,
            conversation_id,
            sent_at: now,
        }),
        Err(error) => Err(error),
    };
    outcome(sent, key)
}

async fn start_conversation(
    tx: &mut Transaction,
    new: &NewMessage<'_>,
    now: i64,
) -> Result<i64, DbError> {
    let id: i64 = storage::query_scalar(
        "INSERT INTO conversations (subject, created_at) VALUES ($1, $2) RETURNING id",
    )
    .bind(new.subject)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    for member in [new.sender_id, new.recipient_id] {
        storage::query(
            "INSERT INTO conversation_members (conversation_id, user_id) VALUES ($1, $2)",
        )
        .bind(id)
        .bind(member)
        .execute(&mut *tx)
        .await?;
    }
    Ok(id)
}

pub async fn sent_with_key(
    db: &Database,
    user_id: i64,
    key: &str,
) -> Result<Option<Sent>, DbError> {
    storage::query(
        "SELECT m.id AS message_id, m.conversation_id, m.sent_at FROM idempotent_sends i JOIN messages m ON m.id = i.message_id \
         WHERE i.user_id = $1 AND i.idempotency_key = $2",
    )
    .bind(user_id)
    .bind(key)
    .fetch_optional(db)
    .await
}

pub async fn purge_idempotency_keys(db: &Database, before: i64) -> Result<u64, DbError> {
    let result = storage::query("DELETE FROM idempotent_sends WHERE created_at < $1")
        .bind(before)
        .execute(db)
        .await?;
    Ok(result)
}

#[derive(sqlx::FromRow, Deserialize)]
pub struct Message {
    pub id: i64,
    pub conversation_id: i64,
    pub sender_id: i64,
    pub sender_username: String,
    pub sender_display_name: String,
    pub content: String,
    pub sent_at: i64,
}

const NOT_HIDDEN: &str =
    "NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.user_id = $1 AND h.message_id = m.id)";

/// One message of a conversation page. Its sender is one of the conversation's two
/// members, whom the caller already has, so the page does not join `users` per row.
#[derive(sqlx::FromRow, Deserialize)]
pub struct PageMessage {
    pub id: i64,
    pub sender_id: i64,
    pub content: String,
    pub sent_at: i64,
}

/// A page of a conversation, newest first, before a message id.
pub async fn page(
    db: &Database,
    me: i64,
    conversation_id: i64,
    before: i64,
    limit: i64,
) -> Result<Vec<PageMessage>, DbError> {
    let sql = format!(
        "SELECT m.id, m.sender_id, m.content, m.sent_at FROM messages m \
         WHERE m.conversation_id = $2 AND m.id < $3 AND {NOT_HIDDEN} ORDER BY m.id DESC LIMIT $4"
    );
    storage::query(&sql)
        .bind(me)
        .bind(conversation_id)
        .bind(before)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// A message I sent, with its recipient.
#[derive(sqlx::FromRow, Deserialize)]
pub struct SentMessage {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub message: Message,
    pub to_username: String,
    pub to_display_name: String,
    pub to_role: String,
}

/// The columns of a `Message`, from `messages m` and its sender `u`.
const MESSAGE_COLUMNS: &str =
    "m.id, m.conversation_id, m.sender_id, u.username AS sender_username, \
     u.display_name AS sender_display_name, m.content, m.sent_at";

/// Messages I sent, newest first, with the recipient.
pub async fn sent_by(
    db: &Database,
    me: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<SentMessage>, DbError> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS}, r.username AS to_username, r.display_name AS to_display_name, r.role AS to_role \
         FROM messages m JOIN users u ON u.id = m.sender_id \
         JOIN conversation_members om ON om.conversation_id = m.conversation_id AND om.user_id <> $1 \
         JOIN users r ON r.id = om.user_id \
         WHERE m.sender_id = $1 AND {NOT_HIDDEN} ORDER BY m.id DESC LIMIT $2 OFFSET $3"
    );
    storage::query(&sql)
        .bind(me)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await
}

/// Marks a conversation read up to its newest message.
pub async fn mark_read(db: &Database, conversation_id: i64, me: i64) -> Result<(), DbError> {
    storage::query(
        "UPDATE conversation_members SET unread_count = 0, last_read_message_id = \
           (SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = $1) \
         WHERE conversation_id = $1 AND user_id = $2",
    )
    .bind(conversation_id)
    .bind(me)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn set_archived(
    db: &Database,
    conversation_id: i64,
    me: i64,
    archived: bool,
) -> Result<(), DbError> {
    storage::query("UPDATE conversation_members SET archived_at = $1 WHERE conversation_id = $2 AND user_id = $3")
        .bind(archived.then(now_ms))
        .bind(conversation_id)
        .bind(me)
        .execute(db)
        .await?;
    Ok(())
}

/// Hides a message for me only (again is fine); false when it is not in a conversation
/// of mine.
pub async fn hide(db: &Database, message_id: i64, me: i64) -> Result<bool, DbError> {
    let conversation_id: Option<i64> = storage::query_scalar(
        "SELECT m.conversation_id FROM messages m JOIN conversation_members me \
         ON me.conversation_id = m.conversation_id AND me.user_id = $2 WHERE m.id = $1",
    )
    .bind(message_id)
    .bind(me)
    .fetch_optional(db)
    .await?;
    let Some(conversation_id) = conversation_id else {
        return Ok(false);
    };
    let mut tx = db.begin().await?;
    storage::query(
        "INSERT INTO hidden_messages (message_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(message_id)
    .bind(me)
    .execute(&mut tx)
    .await?;
    // A hidden message no longer counts as unread.
    storage::query(format!(
        "UPDATE conversation_members SET unread_count = (SELECT COUNT(*) FROM messages m \
           WHERE m.conversation_id = $2 AND m.id > conversation_members.last_read_message_id \
           AND m.sender_id <> $1 AND {NOT_HIDDEN}) \
         WHERE conversation_id = $2 AND user_id = $1"
    ))
    .bind(me)
    .bind(conversation_id)
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Everything a person sent or received, for their export.
pub async fn all_for(db: &Database, me: i64) -> Result<Vec<Message>, DbError> {
    storage::query(format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id \
         JOIN conversation_members me ON me.conversation_id = m.conversation_id AND me.user_id = $1 \
         ORDER BY m.id"
    ))
    .bind(me)
    .fetch_all(db)
    .await
}

/// Someone I may write to.
#[derive(sqlx::FromRow, Deserialize, serde::Serialize)]
pub struct Recipient {
    pub username: String,
    pub display_name: String,
    pub role: String,
}

/// The people I may message: the rule of `may_message`, as one query per role.
pub async fn recipients(db: &Database, user: &User) -> Result<Vec<Recipient>, DbError> {
    let care_team = "SELECT u.username, u.display_name, u.role FROM users u JOIN care_team_links l ON l.status = 'approved' \
         AND ((l.patient_id = $1 AND l.clinician_id = u.id AND u.approved_at IS NOT NULL) OR (l.clinician_id = $1 AND l.patient_id = u.id))";
    let admins = "SELECT u.username, u.display_name, u.role FROM users u WHERE u.role = 'admin'";
    // Support (administrators) comes last; a person's own care team first.
    let order = "ORDER BY CASE role WHEN 'admin' THEN 2 WHEN 'clinician' THEN 1 ELSE 0 END, display_name, username";
    let sql = match user.role {
        Role::Admin => format!(
            "SELECT * FROM (SELECT u.username, u.display_name, u.role FROM users u WHERE u.id <> $1 \
             AND u.disabled_at IS NULL) r {order} LIMIT 500"
        ),
        Role::Clinician if user.is_approved_clinician() => format!(
            "SELECT * FROM ({care_team} AND u.disabled_at IS NULL UNION {admins} AND u.disabled_at IS NULL \
             UNION SELECT u.username, u.display_name, u.role FROM users u WHERE u.role = 'clinician' \
             AND u.approved_at IS NOT NULL AND u.disabled_at IS NULL AND u.id <> $1) r {order}"
        ),
        Role::Clinician => format!("SELECT * FROM ({admins} AND u.disabled_at IS NULL AND u.id <> $1) r {order}"),
        Role::Patient => format!(
            "SELECT * FROM ({care_team} AND u.disabled_at IS NULL UNION {admins} AND u.disabled_at IS NULL) r {order}"
        ),
    };
    storage::query(&sql).bind(user.id).fetch_all(db).await
}
