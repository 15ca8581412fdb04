//! Conversations, their two members and their messages.

mod conversation;
mod inbox;
mod reply;
mod rule;
mod send;
mod support;

pub use conversation::*;
pub use inbox::*;
pub use reply::{reply, reply_statement, Reply};
pub use rule::{recipients, Recipient};
pub use send::*;
pub use support::{latest_support_conversation, support_administrator};
