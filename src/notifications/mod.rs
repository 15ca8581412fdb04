//! Mail that tells people something happened on Healing Space, never what: no message
//! content, score, name or clinical category. It follows the events (`events::hub`):
//! a new message mails its recipient (at most once per `MESSAGE_MAIL_EVERY_SECONDS`,
//! only while they have no event stream open, only if they want it, with a one-click
//! unsubscribe link); an urgent alert mails the care team's clinicians at once, and again
//! when it becomes overdue. Every instance hears every event, so each mail is claimed in
//! the database first and only one instance sends it. Mail goes out in the background,
//! retried with back-off; no request waits for it.

pub mod routes;
mod store;
pub mod unsubscribe;

use std::time::Duration;

use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use crate::accounts::{store as users, User};
use crate::events::{presence, Event};
use crate::mail::{Mail, Mailer};
use crate::profile::preferences;
use crate::state::AppState;
use crate::storage::{millis, now_ms, DbError};

/// How often overdue urgent alerts are looked for.
const OVERDUE_SCAN: Duration = Duration::from_secs(5);
/// Waits before each new attempt at a mail that failed.
const RETRIES: [Duration; 3] = [
    Duration::from_secs(2),
    Duration::from_secs(15),
    Duration::from_secs(60),
];

/// Starts mailing about events; `base` is the address people open (`PUBLIC_URL`).
pub fn start(state: AppState, base: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(state, base))
}

async fn run(state: AppState, base: String) {
    if !state.mailer.is_enabled() {
        return;
    }
    let mut events = state.events.subscribe();
    let mut scans = tokio::time::interval(OVERDUE_SCAN);
    loop {
        tokio::select! {
            received = events.recv() => match received {
                Ok(event) => {
                    if let Err(error) = on_event(&state, &base, &event).await {
                        tracing::warn!(%error, kind = event.kind, "notifications: cannot decide on a mail");
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "notifications: fell behind the events");
                }
                Err(RecvError::Closed) => return,
            },
            _ = scans.tick() => {
                if let Err(error) = mail_overdue(&state, &base).await {
                    tracing::warn!(%error, "notifications: cannot look for overdue alerts");
                }
            }
        }
    }
}

#[derive(Deserialize)]
struct AlertEvent {
    alert_id: i64,
    severity: String,
}

async fn on_event(state: &AppState, base: &str, event: &Event) -> Result<(), DbError> {
    match event.kind.as_str() {
        "message" => message_mail(state, base, event.user_id).await,
        "alert" => match serde_json::from_str::<AlertEvent>(&event.data) {
            Ok(alert) if alert.severity == "urgent" => {
                alert_mail(
                    state,
                    base,
                    alert.alert_id,
                    event.user_id,
                    AlertMail::Raised,
                )
                .await
            }
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// The person, when they can be mailed: an open account with a confirmed address.
async fn reachable(state: &AppState, user_id: i64) -> Result<Option<(User, String)>, DbError> {
    let Some(user) = users::find_by_id(&state.db, user_id).await? else {
        return Ok(None);
    };
    if user.closed_at.is_some() || user.disabled_at.is_some() || user.email_verified_at.is_none() {
        return Ok(None);
    }
    Ok(user.email.clone().map(|email| (user, email)))
}

async fn message_mail(state: &AppState, base: &str, user_id: i64) -> Result<(), DbError> {
    // Whether they can be mailed at all first: for people without a confirmed address,
    // every message then costs this one read.
    let Some((user, email)) = reachable(state, user_id).await? else {
        return Ok(());
    };
    if presence::is_looking(&state.db, user_id).await?
        || !preferences::load(&state.db, user_id).await?.message_emails
    {
        return Ok(());
    }
    let every = millis(state.settings.message_mail_every);
    if !store::claim_message_mail(&state.db, user_id, now_ms(), every).await? {
        return Ok(());
    }
    let token = unsubscribe::token_for(&state.settings.keys, user_id);
    let minutes = state.settings.message_mail_every.as_secs().div_ceil(60);
    let mail = Mail {
        to: email,
        subject: "You have a new message on Healing Space".into(),
        body: format!(
            "Hello {name},\n\nYou have a new message on Healing Space. Sign in to read it:\n\n\
             {base}/messages\n\nWe send at most one of these every {minutes} minutes, and none \
             while you have Healing Space open. To stop them, open {base}/unsubscribe#token={token} \
             or change it in Settings.\n",
            name = user.display_name,
        ),
        unsubscribe: Some(format!("{base}/api/notifications/unsubscribe?token={token}")),
    };
    send_with_retries(state.mailer.clone(), mail, "new message notice");
    Ok(())
}

#[derive(Clone, Copy)]
enum AlertMail {
    Raised,
    Overdue,
}

impl AlertMail {
    fn as_str(self) -> &'static str {
        match self {
            AlertMail::Raised => "raised",
            AlertMail::Overdue => "overdue",
        }
    }
}

async fn alert_mail(
    state: &AppState,
    base: &str,
    alert_id: i64,
    clinician_id: i64,
    kind: AlertMail,
) -> Result<(), DbError> {
    let Some((clinician, email)) = reachable(state, clinician_id).await? else {
        return Ok(());
    };
    if !store::claim_alert_mail(&state.db, alert_id, clinician_id, kind.as_str(), now_ms()).await? {
        return Ok(());
    }
    let (subject, first) = match kind {
        AlertMail::Raised => (
            "An urgent alert needs your attention on Healing Space",
            "One of your patients' answers has raised an urgent alert.".to_owned(),
        ),
        AlertMail::Overdue => (
            "An urgent alert is still waiting on Healing Space",
            format!(
                "An urgent alert for one of your patients has not been acknowledged within {} minutes.",
                state.settings.alert_ack.as_secs() / 60
            ),
        ),
    };
    let mail = Mail {
        to: email,
        subject: subject.into(),
        body: format!(
            "Hello {name},\n\n{first} Sign in to see it and acknowledge it:\n\n{base}/alerts\n",
            name = clinician.display_name,
        ),
        unsubscribe: None,
    };
    send_with_retries(state.mailer.clone(), mail, "urgent alert notice");
    Ok(())
}

async fn mail_overdue(state: &AppState, base: &str) -> Result<(), DbError> {
    let before = now_ms() - millis(state.settings.alert_ack);
    for overdue in store::overdue_unmailed(&state.db, before).await? {
        alert_mail(
            state,
            base,
            overdue.alert_id,
            overdue.clinician_id,
            AlertMail::Overdue,
        )
        .await?;
    }
    Ok(())
}

/// Sends in the background, trying again after each of [`RETRIES`].
fn send_with_retries(mailer: Mailer, mail: Mail, what: &'static str) {
    tokio::spawn(async move {
        let mut waits = RETRIES.iter();
        loop {
            match mailer.send(mail.clone()).await {
                Ok(()) => return,
                Err(error) => match waits.next() {
                    Some(wait) => {
                        tracing::warn!(%error, mail = what, retry_in = ?wait, "could not send a mail; trying again");
                        tokio::time::sleep(*wait).await;
                    }
                    None => {
                        tracing::error!(%error, mail = what, "could not send a mail; giving up");
                        return;
                    }
                },
            }
        }
    });
}
