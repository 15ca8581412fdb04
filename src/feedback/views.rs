//! How feedback appears in answers.

use serde_json::{json, Value};

use super::store::Feedback;
use crate::care_teams::views::person;
use crate::storage::rfc3339;

/// Feedback as its author sees it.
pub fn own(feedback: &Feedback) -> Value {
    json!({
        "id": feedback.id,
        "category": feedback.category,
        "message": feedback.message,
        "status": feedback.status,
        "admin_note": feedback.admin_note,
        "created_at": rfc3339(feedback.created_at),
        "updated_at": rfc3339(feedback.updated_at),
    })
}

/// Feedback with its author, for administrators.
pub fn with_author(feedback: &Feedback) -> Value {
    let mut item = own(feedback);
    item["author"] = person(&feedback.username, &feedback.display_name, feedback.role);
    item
}
