//! How accounts and the audit log appear to administrators.

use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::UserView;
use crate::audit::LoggedEntry;
use crate::http::PageInfo;
use crate::storage::rfc3339;

/// `GET /api/admin/overview`: counts only.
#[derive(Serialize, ToSchema)]
pub struct Overview {
    pub urgent_alerts: UrgentAlerts,
}

/// Urgent risk alerts not yet acknowledged by any clinician.
#[derive(Serialize, ToSchema)]
pub struct UrgentAlerts {
    pub open: i64,
    /// Waiting longer than `ack_minutes`.
    pub overdue: i64,
    /// About patients with no clinician in their care team: no one will see them.
    pub unattended: i64,
    /// `ALERT_ACK_MINUTES`.
    pub ack_minutes: u64,
}

/// A page of the people who match.
#[derive(Serialize, ToSchema)]
pub struct UserPage {
    #[serde(flatten)]
    pub page: PageInfo,
    pub users: Vec<UserView>,
    /// Everyone who matches, on all pages.
    pub total: i64,
}

/// An account after an administrator's change.
#[derive(Serialize, ToSchema)]
pub struct UserChanged {
    pub user: UserView,
}

#[derive(Serialize, ToSchema)]
pub struct UserSessionsEnded {
    /// How many of the person's sessions ended.
    pub ended: u64,
}

/// A page of security events, newest first.
#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    #[serde(flatten)]
    pub page: PageInfo,
    pub entries: Vec<AuditEntryView>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntryView {
    pub id: i64,
    pub at: String,
    /// Such as `sign_in_failed` or `account_disabled`.
    pub event: String,
    /// Who did it (a username).
    pub actor: Option<String>,
    /// To whom (a username).
    pub subject: Option<String>,
    pub detail: String,
    pub client_address: Option<String>,
}

impl From<LoggedEntry> for AuditEntryView {
    fn from(entry: LoggedEntry) -> Self {
        AuditEntryView {
            id: entry.id,
            at: rfc3339(entry.at),
            event: entry.event,
            actor: entry.actor,
            subject: entry.subject,
            detail: entry.detail,
            client_address: entry.client_address,
        }
    }
}
