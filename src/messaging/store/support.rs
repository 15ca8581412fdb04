//! Where a message to support goes: the administrators, whom people reach only through
//! support (see `messaging::Channel`).

use crate::accounts::store::USER_COLUMNS;
use crate::accounts::User;
use crate::storage::{self, Database, DbError};

/// The administrator a new support conversation goes to: of those whose account is
/// enabled, the one who signed in most recently, as the likeliest to read it soon.
/// None when there is no such administrator.
pub async fn support_administrator(db: &Database) -> Result<Option<User>, DbError> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users u \
         WHERE u.role = 'admin' AND u.disabled_at IS NULL \
         ORDER BY COALESCE(u.last_login_at, 0) DESC, u.id LIMIT 1"
    );
    storage::query(&sql).fetch_optional(db).await
}

/// The conversation I last wrote or was written to in with an administrator whose
/// account is enabled: where a support message without a new subject continues.
pub async fn latest_support_conversation(db: &Database, me: i64) -> Result<Option<i64>, DbError> {
    storage::query_scalar(
        "SELECT x.conversation_id FROM conversation_members x \
         JOIN conversation_members y ON y.conversation_id = x.conversation_id AND y.user_id <> $1 \
         JOIN users u ON u.id = y.user_id \
         WHERE x.user_id = $1 AND u.role = 'admin' AND u.disabled_at IS NULL \
         ORDER BY x.last_message_at DESC, x.conversation_id DESC LIMIT 1",
    )
    .bind(me)
    .fetch_optional(db)
    .await
}
