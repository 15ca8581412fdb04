//! How the export of a person's data appears.

use serde::Serialize;
use utoipa::ToSchema;

use super::store::{ExportedEvent, ExportedLink, ExportedSession};
use crate::accounts::UserView;
use crate::feedback::views::OwnFeedback;
use crate::measures::views::ResponseView;
use crate::messaging::store::Message;
use crate::mood::views::MoodEntryView;
use crate::safety_plan::views::VersionView;
use crate::storage::{rfc3339, rfc3339_opt};

/// Everything stored about me. Session tokens are never stored, so none are here.
#[derive(Serialize, ToSchema)]
pub struct Export {
    pub exported_at: String,
    pub profile: UserView,
    pub care_team: Vec<ExportLink>,
    pub messages: Vec<ExportMessage>,
    pub mood_check_ins: Vec<MoodEntryView>,
    /// Every questionnaire response, with every item answer, newest first.
    pub questionnaire_responses: Vec<ResponseView>,
    /// Every version of my safety plan, whole, newest first.
    pub safety_plan_versions: Vec<VersionView>,
    pub feedback: Vec<OwnFeedback>,
    pub sessions: Vec<ExportSession>,
    pub security_events: Vec<ExportEvent>,
}

/// A care-team link of mine, whichever side I am on.
#[derive(Serialize, ToSchema)]
pub struct ExportLink {
    /// `pending`, `approved`, `declined` or `left`.
    pub status: String,
    /// The patient's username.
    pub patient: String,
    /// The clinician's username.
    pub clinician: String,
    pub requested_at: String,
    pub decided_at: Option<String>,
}

impl From<ExportedLink> for ExportLink {
    fn from(l: ExportedLink) -> Self {
        ExportLink {
            status: l.status,
            patient: l.patient,
            clinician: l.clinician,
            requested_at: rfc3339(l.requested_at),
            decided_at: rfc3339_opt(l.decided_at),
        }
    }
}

/// A message I sent or received.
#[derive(Serialize, ToSchema)]
pub struct ExportMessage {
    pub id: i64,
    pub conversation_id: i64,
    /// The sender's username.
    pub from: String,
    pub sent_by_me: bool,
    pub content: String,
    pub sent_at: String,
}

impl ExportMessage {
    pub fn new(m: Message, me: i64) -> ExportMessage {
        ExportMessage {
            id: m.id,
            conversation_id: m.conversation_id,
            from: m.sender_username,
            sent_by_me: m.sender_id == me,
            content: m.content,
            sent_at: rfc3339(m.sent_at),
        }
    }
}

/// A session of mine, live or ended.
#[derive(Serialize, ToSchema)]
pub struct ExportSession {
    pub id: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub client: String,
    pub ended_at: Option<String>,
    pub end_reason: Option<String>,
}

impl From<ExportedSession> for ExportSession {
    fn from(s: ExportedSession) -> Self {
        ExportSession {
            id: s.id,
            created_at: rfc3339(s.created_at),
            last_seen_at: rfc3339(s.last_seen_at),
            client: s.client,
            ended_at: rfc3339_opt(s.ended_at),
            end_reason: s.end_reason,
        }
    }
}

/// A security event I did or that was done to me.
#[derive(Serialize, ToSchema)]
pub struct ExportEvent {
    pub event: String,
    pub detail: String,
    /// Who did it (a username).
    pub actor: Option<String>,
    pub at: String,
}

impl From<ExportedEvent> for ExportEvent {
    fn from(e: ExportedEvent) -> Self {
        ExportEvent {
            event: e.event,
            detail: e.detail,
            actor: e.actor,
            at: rfc3339(e.at),
        }
    }
}
