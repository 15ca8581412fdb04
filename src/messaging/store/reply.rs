//! A reply into a conversation I am in, whose statements differ by database: SQLite,
//! in-process, reads the header and writes in a transaction; PostgreSQL, where every
//! statement is a round trip, does the check and the writes in one statement. Each is
//! one implementation of `Replies`; `reply` picks the database's.

use super::conversation::{header, ME_AND_OTHER, MY_CONVERSATION};
use super::rule::{may_message, person_kind_columns};
use super::send::{outcome, send, Idempotency, NewMessage, SendOutcome, Sent};
use crate::accounts::User;
use crate::config::DatabaseKind;
use crate::messaging::{may_message_in, messageable_kinds, Channel};
use crate::storage::{self, now_ms, Database, DbError};

/// A reply to store: what I write, where, and its idempotency key.
#[derive(Clone, Copy)]
pub struct Reply<'a> {
    pub me: &'a User,
    pub conversation_id: i64,
    pub content: &'a str,
    pub key: Option<Idempotency<'a>>,
}

/// How a database stores a reply, once it is checked that I am in the conversation and
/// may still message the other person.
trait Replies {
    async fn reply(db: &Database, reply: &Reply<'_>) -> Result<SendOutcome, DbError>;
}

struct OnSqlite;
struct OnPostgres;

/// Stores a reply as `send` does, once it is checked that I am in the conversation and
/// may still message the other person.
pub async fn reply(db: &Database, reply: &Reply<'_>) -> Result<SendOutcome, DbError> {
    match db.kind() {
        DatabaseKind::Sqlite => OnSqlite::reply(db, reply).await,
        DatabaseKind::Postgres => OnPostgres::reply(db, reply).await,
    }
}

impl Replies for OnSqlite {
    async fn reply(db: &Database, reply: &Reply<'_>) -> Result<SendOutcome, DbError> {
        let Some(header) = header(db, reply.conversation_id, reply.me.id).await? else {
            return Ok(SendOutcome::NotInConversation);
        };
        if !may_message_in(reply.me, &header.other, header.in_care_team, Channel::Reply) {
            return Ok(SendOutcome::NotAllowed);
        }
        let new = NewMessage {
            sender_id: reply.me.id,
            recipient_id: header.other.id,
            conversation_id: Some(reply.conversation_id),
            subject: None,
            content: reply.content,
        };
        send(db, &new, reply.key).await
    }
}

/// A reply as one PostgreSQL statement: the header's check and `send_in_transaction`'s
/// writes, as data-modifying CTEs (atomic by themselves). On PostgreSQL every statement
/// is a round trip, and the check plus a transaction were most of a send's cost; SQLite,
/// in-process, has neither such CTEs nor round trips. Who I may message is
/// `may_message_in` itself (a reply's channel), enumerated by `messageable_kinds` into
/// the statement.
/// Each step reads the one before, which fixes their order (PostgreSQL's is otherwise
/// unspecified): the members are updated after the message is in, as in
/// `send_in_transaction`. Concurrent writes into one conversation lock its two member
/// rows in the order their scans find them, which is the same unless their plans differ;
/// the rare deadlock that PostgreSQL breaks then is run again (`DEADLOCK_RETRIES`).
/// ($1 conversation, $2 me, $3 content, $4 now, $5 the idempotency key or null, $6 the
/// fingerprint of the request that carried it.) The
/// answer has no row when I am not in the conversation, and a null `message_id` when I
/// may not write to the other person.
pub fn reply_statement(me: &User) -> String {
    let columns = person_kind_columns("me.user_id");
    let allowed = may_message(&messageable_kinds(me, Channel::Reply), "h");
    format!(
        "WITH h AS (SELECT {columns} FROM {ME_AND_OTHER} WHERE {MY_CONVERSATION}), \
         m AS (INSERT INTO messages (conversation_id, sender_id, content, sent_at) \
           SELECT $1, $2, $3, $4 FROM h WHERE {allowed} RETURNING id), \
         members AS (UPDATE conversation_members SET \
           unread_count = CASE WHEN user_id = $2 THEN 0 ELSE unread_count + 1 END, \
           archived_at = CASE WHEN user_id = $2 THEN archived_at ELSE NULL END, \
           last_read_message_id = CASE WHEN user_id = $2 THEN (SELECT id FROM m) \
             ELSE last_read_message_id END, \
           last_message_at = $4, \
           last_message_id = (SELECT id FROM m), last_sender_id = $2, last_sent_at = $4, \
           last_preview = substr($3, 1, 101) \
           WHERE conversation_id = $1 AND EXISTS (SELECT 1 FROM m) RETURNING user_id), \
         k AS (INSERT INTO idempotent_sends (user_id, idempotency_key, message_id, created_at, request_fingerprint) \
           SELECT $2, $5, id, $4, $6 FROM m WHERE $5 IS NOT NULL AND EXISTS (SELECT 1 FROM members)) \
         SELECT (SELECT id FROM m) AS message_id FROM h"
    )
}

/// How many times a reply that PostgreSQL ended to break a deadlock is run again.
const DEADLOCK_RETRIES: usize = 3;

impl Replies for OnPostgres {
    async fn reply(db: &Database, reply: &Reply<'_>) -> Result<SendOutcome, DbError> {
        reply_in_one_statement(db, reply).await
    }
}

async fn reply_in_one_statement(db: &Database, reply: &Reply<'_>) -> Result<SendOutcome, DbError> {
    let Reply {
        me,
        conversation_id,
        content,
        key,
    } = *reply;
    let now = now_ms();
    let statement = reply_statement(me);
    let run = || {
        storage::query_scalar::<Option<i64>>(statement.as_str())
            .bind(conversation_id)
            .bind(me.id)
            .bind(content)
            .bind(now)
            .bind(key.map(|k| k.key))
            .bind(key.map(|k| k.fingerprint))
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
    outcome(sent, key.is_some())
}
