//! How conversations and messages appear in answers. The inbox and conversation pages
//! are the busiest answers, so they are serialised straight from these types.

use serde::Serialize;
use utoipa::ToSchema;

use super::{preview, store};
use crate::accounts::User;
use crate::http::PageInfo;
use crate::storage::rfc3339;

/// Someone I may write to.
#[derive(Serialize, ToSchema)]
pub struct RecipientView {
    pub username: String,
    pub display_name: String,
    /// `patient`, `clinician` or `admin`.
    pub role: String,
}

impl From<store::Recipient> for RecipientView {
    fn from(r: store::Recipient) -> Self {
        RecipientView {
            username: r.username,
            display_name: r.display_name,
            role: r.role,
        }
    }
}

/// The people I may start a conversation with: my care team first, then other clinicians
/// (for an administrator, everyone). Administrators are reached through `POST /api/support`.
#[derive(Serialize, ToSchema)]
pub struct RecipientList {
    pub recipients: Vec<RecipientView>,
}

/// A message sent (or, for a repeated `Idempotency-Key`, the one sent before).
#[derive(Serialize, ToSchema)]
pub struct MessageSent {
    pub message_id: i64,
    pub conversation_id: i64,
    pub sent_at: String,
}

impl From<&store::Sent> for MessageSent {
    fn from(sent: &store::Sent) -> Self {
        MessageSent {
            message_id: sent.message_id,
            conversation_id: sent.conversation_id,
            sent_at: rfc3339(sent.sent_at),
        }
    }
}

/// A page of my conversations, the latest activity first.
#[derive(Serialize, ToSchema)]
pub struct InboxPage {
    #[serde(flatten)]
    pub page: PageInfo,
    pub conversations: Vec<InboxItem>,
    /// Conversations shown by this filter, on all pages.
    pub total: i64,
    /// Unread messages in all my conversations.
    pub total_unread: i64,
}

#[derive(Serialize, ToSchema)]
pub struct InboxItem {
    pub id: i64,
    pub subject: Option<String>,
    pub other: Correspondent,
    pub last_message: Option<LastMessage>,
    pub unread_count: i64,
    pub archived: bool,
}

/// The other person in a conversation, or a message's sender.
#[derive(Serialize, ToSchema)]
pub struct Correspondent {
    pub username: String,
    pub display_name: String,
    /// `patient`, `clinician` or `admin` (not on a message's sender).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LastMessage {
    /// The first 100 characters at most.
    pub preview: String,
    /// The sender's username.
    pub sender: Option<String>,
    pub from_me: bool,
    pub sent_at: Option<String>,
}

impl InboxItem {
    pub fn new(c: store::InboxEntry, me: &User) -> InboxItem {
        let from_me = c.last_sender_id == Some(me.id);
        let sender = match from_me {
            true => &me.username,
            false => &c.other_username,
        };
        let last_message = c.last_content.as_deref().map(|content| LastMessage {
            preview: preview(content),
            from_me,
            sender: Some(sender.clone()),
            sent_at: c.last_sent_at.map(rfc3339),
        });
        InboxItem {
            id: c.id,
            subject: c.subject,
            other: Correspondent {
                username: c.other_username,
                display_name: c.other_display_name,
                role: Some(c.other_role),
            },
            last_message,
            unread_count: c.unread_count,
            archived: c.archived,
        }
    }
}

/// A page of a conversation's messages, oldest first.
#[derive(Serialize, ToSchema)]
pub struct ConversationPage {
    pub conversation: ConversationInfo,
    pub messages: Vec<MessageView>,
    /// Whether older messages remain.
    pub has_more: bool,
    /// The `before` that fetches the older page.
    pub next_before: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationInfo {
    pub id: i64,
    pub subject: Option<String>,
    pub other: Correspondent,
    pub archived: bool,
    /// False when the other person may no longer be messaged (they left the care team,
    /// or their account was disabled), so the app can say so instead of offering a reply.
    pub can_reply: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MessageView {
    pub id: i64,
    pub sender: Correspondent,
    pub from_me: bool,
    pub content: String,
    pub sent_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationRead {
    /// Always 0: this conversation's unread count now.
    pub unread_count: i64,
    pub total_unread: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ArchivedState {
    pub archived: bool,
}

/// A page of the messages I sent, newest first.
#[derive(Serialize, ToSchema)]
pub struct SentPage {
    #[serde(flatten)]
    pub page: PageInfo,
    pub messages: Vec<SentMessageView>,
}

#[derive(Serialize, ToSchema)]
pub struct SentMessageView {
    pub id: i64,
    pub conversation_id: i64,
    pub recipient: RecipientView,
    pub content: String,
    pub sent_at: String,
}

impl From<store::SentMessage> for SentMessageView {
    fn from(crate::storage::Both(m, to): store::SentMessage) -> Self {
        SentMessageView {
            id: m.id,
            conversation_id: m.conversation_id,
            recipient: RecipientView {
                username: to.to_username,
                display_name: to.to_display_name,
                role: to.to_role,
            },
            content: m.content,
            sent_at: rfc3339(m.sent_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UnreadCount {
    pub total_unread: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MessageHidden {
    /// Always true: the message is hidden from me (not from the other person).
    pub hidden: bool,
}
