//! The audit log of security events. It never holds passwords, tokens or message content.

use std::net::IpAddr;

use serde::Deserialize;

use crate::storage::{self, now_ms, Database, DbError, On};

/// Security events, named as they appear in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    AccountCreated,
    SignInSucceeded,
    SignInFailed,
    SignInLockedOut,
    SignedOut,
    SessionEnded,
    OtherSessionsEnded,
    AllSessionsEnded,
    PasswordChanged,
    AccountDisabled,
    AccountEnabled,
    ClinicianApproved,
    CareTeamRequested,
    CareTeamApproved,
    CareTeamDeclined,
    CareTeamLeft,
    AlertRaised,
    AlertAcknowledged,
    AlertResolved,
    HomeworkAssigned,
    HomeworkWithdrawn,
    CbtRecordsViewed,
    SafetyPlanEdited,
    SafetyPlanReviewed,
    PasswordReset,
    ResetLinkCreated,
    EmailVerified,
    AccountClosed,
    AccountReopened,
    AccountErased,
    AccountDeleted,
    TwoFactorEnabled,
    TwoFactorDisabled,
    TwoFactorReset,
    RecoveryCodesRenewed,
    ClosedAccountExported,
    MessageMailUnsubscribed,
    PasskeyAdded,
    PasskeyRemoved,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::AccountCreated => "account_created",
            Event::SignInSucceeded => "sign_in_succeeded",
            Event::SignInFailed => "sign_in_failed",
            Event::SignInLockedOut => "sign_in_locked_out",
            Event::SignedOut => "signed_out",
            Event::SessionEnded => "session_ended",
            Event::OtherSessionsEnded => "other_sessions_ended",
            Event::AllSessionsEnded => "all_sessions_ended",
            Event::PasswordChanged => "password_changed",
            Event::AccountDisabled => "account_disabled",
            Event::AccountEnabled => "account_enabled",
            Event::ClinicianApproved => "clinician_approved",
            Event::CareTeamRequested => "care_team_requested",
            Event::CareTeamApproved => "care_team_approved",
            Event::CareTeamDeclined => "care_team_declined",
            Event::CareTeamLeft => "care_team_left",
            Event::AlertRaised => "alert_raised",
            Event::AlertAcknowledged => "alert_acknowledged",
            Event::AlertResolved => "alert_resolved",
            Event::HomeworkAssigned => "homework_assigned",
            Event::HomeworkWithdrawn => "homework_withdrawn",
            Event::CbtRecordsViewed => "cbt_records_viewed",
            Event::SafetyPlanEdited => "safety_plan_edited",
            Event::SafetyPlanReviewed => "safety_plan_reviewed",
            Event::PasswordReset => "password_reset",
            Event::ResetLinkCreated => "reset_link_created",
            Event::EmailVerified => "email_verified",
            Event::AccountClosed => "account_closed",
            Event::AccountReopened => "account_reopened",
            Event::AccountErased => "account_erased",
            Event::AccountDeleted => "account_deleted",
            Event::TwoFactorEnabled => "two_factor_enabled",
            Event::TwoFactorDisabled => "two_factor_disabled",
            Event::TwoFactorReset => "two_factor_reset",
            Event::RecoveryCodesRenewed => "recovery_codes_renewed",
            Event::ClosedAccountExported => "closed_account_exported",
            Event::MessageMailUnsubscribed => "message_mail_unsubscribed",
            Event::PasskeyAdded => "passkey_added",
            Event::PasskeyRemoved => "passkey_removed",
        }
    }
}

/// One audit entry: who did it, to whom, a short non-sensitive detail, and from where.
pub struct Entry<'a> {
    pub event: Event,
    pub actor_id: Option<i64>,
    pub subject_id: Option<i64>,
    pub detail: &'a str,
    pub address: Option<IpAddr>,
}

impl<'a> Entry<'a> {
    pub fn new(event: Event) -> Self {
        Entry {
            event,
            actor_id: None,
            subject_id: None,
            detail: "",
            address: None,
        }
    }

    pub fn by(mut self, actor_id: i64) -> Self {
        self.actor_id = Some(actor_id);
        self
    }

    pub fn about(mut self, subject_id: i64) -> Self {
        self.subject_id = Some(subject_id);
        self
    }

    pub fn detail(mut self, detail: &'a str) -> Self {
        self.detail = detail;
        self
    }

    pub fn from_address(mut self, address: IpAddr) -> Self {
        self.address = Some(address);
        self
    }

    /// Writes the entry, on its own or as part of a transaction.
    pub async fn record<'e>(self, on: impl Into<On<'e>>) -> Result<(), DbError> {
        storage::query(
            "INSERT INTO audit_log (at, event, actor_id, subject_id, detail, client_address) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(now_ms())
        .bind(self.event.as_str())
        .bind(self.actor_id)
        .bind(self.subject_id)
        .bind(self.detail)
        .bind(self.address.map(|a| a.to_string()))
        .execute(on)
        .await?;
        Ok(())
    }
}

/// An entry of the log, with who did it and to whom.
#[derive(sqlx::FromRow, Deserialize)]
pub struct LoggedEntry {
    pub id: i64,
    pub at: i64,
    pub event: String,
    pub actor: Option<String>,
    pub subject: Option<String>,
    pub detail: String,
    pub client_address: Option<String>,
}

/// The newest entries first; with a user (not 0), those they did or that were done to them.
pub async fn recent(
    db: &Database,
    user_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<LoggedEntry>, DbError> {
    storage::query(
        "SELECT a.id, a.at, a.event, a.detail, a.client_address, actor.username AS actor, subject.username AS subject \
         FROM audit_log a LEFT JOIN users actor ON actor.id = a.actor_id LEFT JOIN users subject ON subject.id = a.subject_id \
         WHERE ($1 = 0 OR a.actor_id = $1 OR a.subject_id = $1) ORDER BY a.id DESC LIMIT $2 OFFSET $3",
    )
    .bind(user_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await
}
