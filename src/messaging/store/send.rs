//! Storing a message: in a new conversation or an existing one, counted unread for the
//! recipient, with its idempotency key.

use serde::Deserialize;

use crate::storage::{self, now_ms, Both, Database, DbError, Transaction};

pub struct NewMessage<'a> {
    pub sender_id: i64,
    pub recipient_id: i64,
    /// None starts a new conversation with this subject.
    pub conversation_id: Option<i64>,
    pub subject: Option<&'a str>,
    pub content: &'a str,
}

/// A send's idempotency key, and the digest of what that send asked for
/// (`messaging::request_fingerprint`), stored together.
#[derive(Clone, Copy)]
pub struct Idempotency<'a> {
    pub key: &'a str,
    pub fingerprint: &'a str,
}

/// What the send that stored an idempotency key asked for; none for keys stored before
/// fingerprints were.
#[derive(sqlx::FromRow, Deserialize)]
pub struct KeyedRequest {
    pub request_fingerprint: Option<String>,
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
    key: Option<Idempotency<'_>>,
) -> Result<SendOutcome, DbError> {
    outcome(send_in_transaction(db, new, key).await, key.is_some())
}

pub fn outcome(result: Result<Sent, DbError>, keyed: bool) -> Result<SendOutcome, DbError> {
    match result {
        Err(e) if keyed && e.is_unique_violation() => Ok(SendOutcome::KeyTaken),
        other => other.map(SendOutcome::Sent),
    }
}

async fn send_in_transaction(
    db: &Database,
    new: &NewMessage<'_>,
    key: Option<Idempotency<'_>>,
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
    key: Option<Idempotency<'_>>,
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
        .bind(new.sender_id)
        .bind(new.content)
        .execute(&mut *tx)
        .await?;
    if let Some(key) = key {
        storage::query(
            "INSERT INTO idempotent_sends (user_id, idempotency_key, message_id, created_at, request_fingerprint) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(new.sender_id)
        .bind(key.key)
        .bind(message_id)
        .bind(now)
        .bind(key.fingerprint)
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
/// its time, $5 its sender, $6 its content): one more unread for the recipient (and out
/// of their archive), everything read for the sender, and for both the time of the
/// conversation's last message, which the inbox sorts by, and the message itself as the
/// newest each can see, which the inbox shows (see `InboxEntry::last_content`). (These are kept in the
/// member rows, which a send updates anyway, so that a send does not touch the
/// conversation's row and the inbox does not read messages.)
pub const UPDATE_MEMBERS: &str = "UPDATE conversation_members SET \
       unread_count = CASE WHEN user_id = $2 THEN unread_count + 1 ELSE 0 END, \
       archived_at = CASE WHEN user_id = $2 THEN NULL ELSE archived_at END, \
       last_read_message_id = CASE WHEN user_id = $2 THEN last_read_message_id ELSE $3 END, \
       last_message_at = $4, \
       last_message_id = $3, last_sender_id = $5, last_sent_at = $4, last_preview = substr($6, 1, 101) \
     WHERE conversation_id = $1";

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
    // Each member row keeps the other member and the subject, for the inbox.
    for (member, other) in [
        (new.sender_id, new.recipient_id),
        (new.recipient_id, new.sender_id),
    ] {
        storage::query(
            "INSERT INTO conversation_members (conversation_id, user_id, other_user_id, subject) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(member)
        .bind(other)
        .bind(new.subject)
        .execute(&mut *tx)
        .await?;
    }
    Ok(id)
}

/// The message a send with this key stored, and what that send asked for.
pub async fn sent_with_key(
    db: &Database,
    user_id: i64,
    key: &str,
) -> Result<Option<Both<Sent, KeyedRequest>>, DbError> {
    storage::query(
        "SELECT m.id AS message_id, m.conversation_id, m.sent_at, i.request_fingerprint \
         FROM idempotent_sends i JOIN messages m ON m.id = i.message_id \
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
