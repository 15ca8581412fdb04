//! A way back for someone who forgot their password: a single-use link, mailed to their
//! verified address (30 minutes, at most 3 at a time) or made by an administrator for
//! someone without one (24 hours, shown once). Using it sets the password, ends every
//! session, lifts a lock-out, and is audited and mailed about.

pub mod routes;

use secrecy::SecretString;

use crate::accounts::links::{self, NewLink, Purpose};
use crate::accounts::password::Hasher;
use crate::accounts::store::{self as users, User};
use crate::accounts::{check_new_password, limits, AccountError, PasswordRules, Role, Username};
use crate::audit::{Entry, Event};
use crate::mail::{Mail, Mailer};
use crate::sessions::{store as sessions, EndReason};
use crate::storage::{now_ms, Database, DbError};

pub const MAILED_LINK_MINUTES: i64 = 30;
pub const ADMIN_LINK_HOURS: i64 = 24;
/// Mailed reset links alive at once per account, so nobody can flood a mailbox.
pub const MAX_LIVE_MAILED_LINKS: i64 = 3;

const MINUTE_MS: i64 = 60 * 1000;

/// Why a link cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("unknown link")]
    Unknown,
    #[error("link already used")]
    Used,
    #[error("link expired")]
    Expired,
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// The link a person follows: the web app's screen, with the token after `#` so it never
/// reaches a server log.
pub fn reset_url(base: &str, token: &str) -> String {
    format!(
        "{}/reset-password#token={token}",
        base.trim_end_matches('/')
    )
}

/// The account named by username or by verified address, if any.
async fn find_account(db: &Database, who: &str) -> Result<Option<User>, DbError> {
    let who = who.trim();
    if who.contains('@') {
        return users::find_by_verified_email(db, who).await;
    }
    match Username::parse(who) {
        Ok(name) => users::find_by_username(db, name.as_str()).await,
        Err(_) => Ok(None),
    }
}

/// Mails a reset link when the account exists, is enabled, has a verified address and
/// fewer than three live links. Says nothing either way: the caller answers the same.
pub async fn request_reset(
    db: &Database,
    mailer: &Mailer,
    base: &str,
    who: &str,
) -> Result<(), DbError> {
    let Some(user) = find_account(db, who).await? else {
        return Ok(());
    };
    let (Some(email), Some(_)) = (&user.email, user.email_verified_at) else {
        return Ok(());
    };
    let now = now_ms();
    if user.disabled_at.is_some() || !mailer.is_enabled() {
        return Ok(());
    }
    let link = NewLink {
        user_id: user.id,
        purpose: Purpose::PasswordReset,
        email: None,
        now,
        expires_at: now + MAILED_LINK_MINUTES * MINUTE_MS,
    };
    let Some(token) = links::create_capped(db, &link, MAX_LIVE_MAILED_LINKS).await? else {
        return Ok(());
    };
    mailer.send_later(
        reset_mail(&user, email, &reset_url(base, &token)),
        "password reset link",
    );
    Ok(())
}

/// Why an administrator may not make a reset link for this account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefused {
    /// They can reset it themselves, by mail: nobody else should hold a way in.
    HasConfirmedAddress,
    /// Administrators recover through `healing-space admin create`, not each other.
    Administrator,
    /// Closed or disabled: nobody may sign in to it.
    NotActive,
}

/// A link an administrator hands over to someone without a confirmed address, in person
/// or by phone. Refused where it would only widen who can get into an account.
pub async fn admin_link(
    db: &Database,
    admin_id: i64,
    user: &User,
) -> Result<Result<(String, i64), LinkRefused>, DbError> {
    if user.role == Role::Admin {
        return Ok(Err(LinkRefused::Administrator));
    }
    if user.disabled_at.is_some() || user.closed_at.is_some() {
        return Ok(Err(LinkRefused::NotActive));
    }
    if user.email.is_some() && user.email_verified_at.is_some() {
        return Ok(Err(LinkRefused::HasConfirmedAddress));
    }
    let now = now_ms();
    let expires_at = now + ADMIN_LINK_HOURS * 60 * MINUTE_MS;
    let link = NewLink {
        user_id: user.id,
        purpose: Purpose::PasswordReset,
        email: None,
        now,
        expires_at,
    };
    let token = links::create(db, &link).await?;
    let entry = Entry::new(Event::ResetLinkCreated)
        .by(admin_id)
        .about(user.id);
    entry.record(db).await?;
    Ok(Ok((token, expires_at)))
}

/// Sets a new password through a reset link: the link and every other reset link are used
/// up, every session ends (`password_changed`), and a lock-out is lifted.
pub async fn complete_reset(
    db: &Database,
    hasher: &Hasher,
    mailer: &Mailer,
    token: &str,
    new_password: String,
    min_score: u8,
) -> Result<User, LinkError> {
    let link = usable(db, token, Purpose::PasswordReset).await?;
    let user = users::find_by_id(db, link.user_id)
        .await?
        .ok_or(LinkError::Unknown)?;
    let rules = PasswordRules {
        username: &user.username,
        display_name: &user.display_name,
        min_score,
    };
    let password: SecretString = check_new_password(new_password, "new_password", &rules)?;
    let hash = hasher.hash(password).await?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    if !links::use_up(&mut tx, link.id, now).await? {
        return Err(LinkError::Used);
    }
    users::set_password_hash(&mut tx, user.id, &hash).await?;
    sessions::end_all(
        &mut tx,
        user.id,
        None,
        EndReason::PasswordChanged,
        Some(user.id),
    )
    .await?;
    links::use_up_all(&mut tx, user.id, Purpose::PasswordReset, now).await?;
    tx.commit().await?;
    limits::clear_failures(db, &user.username).await?;
    Entry::new(Event::PasswordReset)
        .by(user.id)
        .about(user.id)
        .record(db)
        .await?;
    if let (Some(email), Some(_)) = (&user.email, user.email_verified_at) {
        mailer.send_later(changed_mail(&user, email), "password changed notice");
    }
    Ok(user)
}

/// The link behind a token, when it can still be used.
pub async fn usable(
    db: &Database,
    token: &str,
    purpose: Purpose,
) -> Result<links::Link, LinkError> {
    let link = links::find(db, token.trim(), purpose)
        .await?
        .ok_or(LinkError::Unknown)?;
    if link.used_at.is_some() {
        return Err(LinkError::Used);
    }
    if link.expires_at <= now_ms() {
        return Err(LinkError::Expired);
    }
    Ok(link)
}

fn reset_mail(user: &User, email: &str, url: &str) -> Mail {
    Mail {
        to: email.to_owned(),
        subject: "Reset your Healing Space password".into(),
        body: format!(
            "Hello {name},\n\nSomeone asked to reset the password of your Healing Space account \
             ({username}). To choose a new password, open this link within {MAILED_LINK_MINUTES} \
             minutes:\n\n{url}\n\nIt works once. If you did not ask for this, you can ignore \
             this mail: your password has not changed.\n\nIf you are in crisis, do not wait for \
             Healing Space: call your local emergency number.\n",
            name = user.display_name,
            username = user.username,
        ),
        unsubscribe: None,
    }
}

fn changed_mail(user: &User, email: &str) -> Mail {
    Mail {
        to: email.to_owned(),
        subject: "Your Healing Space password was changed".into(),
        body: format!(
            "Hello {name},\n\nThe password of your Healing Space account ({username}) was just \
             changed with a reset link, and every device was signed out.\n\nIf this was not \
             you, contact your care team or the service's administrators now.\n",
            name = user.display_name,
            username = user.username,
        ),
        unsubscribe: None,
    }
}
