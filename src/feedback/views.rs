//! How feedback appears in answers.

use serde::Serialize;
use utoipa::ToSchema;

use super::store::Feedback;
use crate::care_teams::views::PersonView;
use crate::http::PageInfo;
use crate::storage::rfc3339;

/// Feedback as its author sees it.
#[derive(Serialize, ToSchema)]
pub struct OwnFeedback {
    pub id: i64,
    /// `bug`, `feature`, `content` or `other`.
    pub category: String,
    pub message: String,
    /// `new`, `in_progress`, `resolved` or `wont_fix`.
    pub status: String,
    /// An administrator's note to the author.
    pub admin_note: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// Feedback with its author, for administrators.
#[derive(Serialize, ToSchema)]
pub struct AuthoredFeedback {
    #[serde(flatten)]
    pub feedback: OwnFeedback,
    pub author: PersonView,
}

pub fn own(feedback: &Feedback) -> OwnFeedback {
    OwnFeedback {
        id: feedback.id,
        category: feedback.category.clone(),
        message: feedback.message.clone(),
        status: feedback.status.clone(),
        admin_note: feedback.admin_note.clone(),
        created_at: rfc3339(feedback.created_at),
        updated_at: rfc3339(feedback.updated_at),
    }
}

pub fn with_author(feedback: &Feedback) -> AuthoredFeedback {
    AuthoredFeedback {
        feedback: own(feedback),
        author: PersonView::new(&feedback.username, &feedback.display_name, feedback.role),
    }
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackSent {
    pub feedback: OwnFeedback,
}

/// My feedback, newest first.
#[derive(Serialize, ToSchema)]
pub struct MyFeedback {
    pub feedback: Vec<OwnFeedback>,
}

/// All feedback, newest first, a page at a time.
#[derive(Serialize, ToSchema)]
pub struct FeedbackPage {
    #[serde(flatten)]
    pub page: PageInfo,
    pub feedback: Vec<AuthoredFeedback>,
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackTriaged {
    pub feedback: AuthoredFeedback,
}
