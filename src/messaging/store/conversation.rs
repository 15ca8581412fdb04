//! One conversation as a member sees it: its header, pages of its messages, read
//! marks, archive and hidden messages.

use serde::Deserialize;

use super::rule::in_care_team;
use crate::accounts::store::USER_COLUMNS;
use crate::accounts::User;
use crate::storage::{self, now_ms, Both, Database, DbError};

/// A conversation as one member sees it: its subject, their archive flag, the other
/// person and whether the two are in one care team, in one query (which is all a reply
/// needs to know whether it may be sent).
pub struct Header {
    pub subject: Option<String>,
    pub archived: bool,
    pub other: User,
    pub in_care_team: bool,
}

/// The conversation's own columns of a `Header`.
#[derive(sqlx::FromRow, Deserialize)]
struct HeaderColumns {
    subject: Option<String>,
    #[serde(deserialize_with = "storage::flag")]
    archived: bool,
    #[serde(deserialize_with = "storage::flag")]
    in_care_team: bool,
}

/// My membership `me` of a conversation and its other member `u`, as the start of a
/// FROM clause; `MY_CONVERSATION` picks the conversation ($1 conversation, $2 me).
pub const ME_AND_OTHER: &str = "conversation_members me \
     JOIN conversation_members om ON om.conversation_id = me.conversation_id AND om.user_id <> $2 \
     JOIN users u ON u.id = om.user_id";
pub const MY_CONVERSATION: &str = "me.conversation_id = $1 AND me.user_id = $2";

/// The header query ($1 conversation, $2 me).
pub fn header_query() -> String {
    format!(
        "SELECT c.subject, (me.archived_at IS NOT NULL) AS archived, {USER_COLUMNS}, \
           ({in_care_team}) = 1 AS in_care_team \
         FROM {ME_AND_OTHER} JOIN conversations c ON c.id = me.conversation_id \
         WHERE {MY_CONVERSATION}",
        in_care_team = in_care_team("me.user_id")
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
        .map(|found| {
            found.map(|Both(own, other): Both<HeaderColumns, User>| Header {
                subject: own.subject,
                archived: own.archived,
                other,
                in_care_team: own.in_care_team,
            })
        })
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
pub struct Recipient {
    pub to_username: String,
    pub to_display_name: String,
    pub to_role: String,
}

/// A message I sent, and to whom.
pub type SentMessage = Both<Message, Recipient>;

/// The columns of a `Message`, from `messages m` and its sender `u`.
const MESSAGE_COLUMNS: &str =
    "m.id, m.conversation_id, m.sender_id, u.username AS sender_username, \
     CASE WHEN u.closed_at IS NULL THEN u.display_name ELSE 'Former member' END AS sender_display_name, \
     m.content, m.sent_at";

/// Messages I sent, newest first, with the recipient.
pub async fn sent_by(
    db: &Database,
    me: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<SentMessage>, DbError> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS}, r.username AS to_username, \
           CASE WHEN r.closed_at IS NULL THEN r.display_name ELSE 'Former member' END AS to_display_name, r.role AS to_role \
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
    // A hidden message no longer counts as unread, nor shows as my last message.
    storage::query(format!(
        "UPDATE conversation_members SET unread_count = (SELECT COUNT(*) FROM messages m \
           WHERE m.conversation_id = $2 AND m.id > conversation_members.last_read_message_id \
           AND m.sender_id <> $1 AND {NOT_HIDDEN}), \
           (last_message_id, last_sender_id, last_sent_at, last_preview) = \
           (SELECT m.id, m.sender_id, m.sent_at, substr(m.content, 1, 101) FROM messages m \
            WHERE m.conversation_id = $2 AND {NOT_HIDDEN} ORDER BY m.id DESC LIMIT 1) \
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
