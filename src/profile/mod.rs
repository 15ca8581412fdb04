//! A person's own account details: their display name, email address and preferences. An address is
//! trusted (for password reset mails) only once its owner follows a single-use link
//! mailed to it; a verified address belongs to one account.

pub mod preferences;
pub mod routes;

use crate::accounts::addresses::{send_verification, NotMailed};
use crate::accounts::links::{self, Purpose};
use crate::accounts::store::{self as users, User};
use crate::accounts::{parse_display_name, parse_email, AccountError};
use crate::audit::{Entry, Event};
use crate::mail::Mailer;
use crate::recovery::{usable, LinkError};
use crate::storage::{now_ms, Database, DbError};

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Link(#[from] LinkError),
    /// Another account verified this address first.
    #[error("address taken")]
    AddressTaken,
    /// The account's address changed after the link was sent.
    #[error("address changed")]
    AddressChanged,
}

impl From<DbError> for VerifyError {
    fn from(error: DbError) -> Self {
        VerifyError::Link(LinkError::Database(error))
    }
}

/// Why a confirmation link was not sent again.
#[derive(Debug, PartialEq, Eq)]
pub enum NotResent {
    NoAddress,
    AlreadyConfirmed,
    NoMail,
    TooMany,
}

/// Mails the account's unconfirmed address a new confirmation link.
pub async fn resend_verification(
    db: &Database,
    mailer: &Mailer,
    base: &str,
    user: &User,
) -> Result<Result<(), NotResent>, DbError> {
    let Some(email) = &user.email else {
        return Ok(Err(NotResent::NoAddress));
    };
    if user.email_verified_at.is_some() {
        return Ok(Err(NotResent::AlreadyConfirmed));
    }
    Ok(
        match send_verification(db, mailer, base, user, email).await? {
            Ok(()) => Ok(()),
            Err(NotMailed::NoMail) => Err(NotResent::NoMail),
            Err(NotMailed::TooMany) => Err(NotResent::TooMany),
        },
    )
}

/// Verifies the address a link was mailed to. The token alone is enough.
pub async fn verify_email(db: &Database, token: &str) -> Result<User, VerifyError> {
    let link = usable(db, token, Purpose::VerifyEmail).await?;
    let email = link.email.clone().unwrap_or_default();
    let now = now_ms();
    let mut tx = db.begin().await?;
    if !links::use_up(&mut tx, link.id, now).await? {
        return Err(LinkError::Used.into());
    }
    match users::mark_email_verified(&mut tx, link.user_id, &email, now).await {
        Ok(true) => {}
        Ok(false) => return Err(VerifyError::AddressChanged),
        Err(error) if error.is_unique_violation() => return Err(VerifyError::AddressTaken),
        Err(error) => return Err(error.into()),
    }
    tx.commit().await?;
    let entry = Entry::new(Event::EmailVerified)
        .by(link.user_id)
        .about(link.user_id);
    entry.record(db).await?;
    users::find_by_id(db, link.user_id)
        .await?
        .ok_or(VerifyError::Link(LinkError::Unknown))
}

/// What a person asked to change; `email: Some(None)` removes the address.
pub struct Changes {
    pub display_name: Option<String>,
    pub email: Option<Option<String>>,
}

/// Applies the changes; a new address is mailed a link. Returns the account and whether
/// a link was mailed.
pub async fn update(
    db: &Database,
    mailer: &Mailer,
    base: &str,
    user: &User,
    changes: Changes,
) -> Result<(User, bool), AccountError> {
    let display_name = match changes.display_name {
        Some(name) => Some(parse_display_name(&name, user.role)?),
        None => None,
    };
    let email = match changes.email {
        Some(email) => Some(parse_email(email.as_deref())?),
        None => None,
    };
    if let Some(name) = &display_name {
        users::set_display_name(db, user.id, name).await?;
    }
    let mut mailed = false;
    if let Some(email) = email.filter(|new| new.as_deref() != user.email.as_deref()) {
        users::set_email(db, user.id, email.as_deref()).await?;
        if let Some(address) = &email {
            mailed = send_verification(db, mailer, base, user, address)
                .await?
                .is_ok();
        }
    }
    let updated = users::find_by_id(db, user.id).await?;
    Ok((updated.unwrap_or_else(|| user.clone()), mailed))
}
