//! Closing an account. The owner closes it with their password: it is disabled at once
//! (every session ends with `account_closed`), others see a "Former member" in their
//! conversations, and an administrator can reopen it during the grace period
//! (`ACCOUNT_GRACE_DAYS`). Then its personal details are erased; its clinical records
//! (questionnaires, check-ins, safety plans, CBT records, messages) stay with the care
//! team's record until `CLINICAL_RETENTION_DAYS` after closing, when the account and
//! everything in it is deleted.

pub mod routes;

use secrecy::SecretString;

use crate::accounts::limits::{self, Counter};
use crate::accounts::password::Hasher;
use crate::accounts::store::{self as users, User};
use crate::accounts::{links, AccountError, Role};
use crate::audit::{Entry, Event};
use crate::auth::two_factor;
use crate::config::limits::{ClosingSettings, LoginLimits};
use crate::sessions::{store as sessions, EndReason};
use crate::storage::{millis, now_ms, Database, DbError};

#[derive(Debug, thiserror::Error)]
pub enum CloseError {
    #[error("wrong password")]
    WrongPassword,
    /// The service would be left without an administrator.
    #[error("last administrator")]
    LastAdministrator,
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum ReopenError {
    #[error("not closed")]
    NotClosed,
    /// Past the grace period: the personal details are gone.
    #[error("erased")]
    Erased,
    #[error(transparent)]
    Database(#[from] DbError),
}

/// Closes the account after checking its password (failures count for this session).
pub async fn close(
    db: &Database,
    hasher: &Hasher,
    login: &LoginLimits,
    user: &User,
    session_id: &str,
    password: String,
) -> Result<i64, CloseError> {
    let attempt = limits::begin_attempt(db, Counter::Session { session_id }, login).await?;
    let stored = users::password_hash(db, user.id).await?;
    if !hasher
        .verify(SecretString::from(password), Some(stored))
        .await?
    {
        return Err(CloseError::WrongPassword);
    }
    attempt.succeeded(db).await?;
    if user.role == Role::Admin && users::count_active_admins(db).await? <= 1 {
        return Err(CloseError::LastAdministrator);
    }
    let now = now_ms();
    let mut tx = db.begin().await?;
    users::mark_closed(&mut tx, user.id, now).await?;
    sessions::end_all(
        &mut tx,
        user.id,
        None,
        EndReason::AccountClosed,
        Some(user.id),
    )
    .await?;
    links::forget_all(&mut tx, user.id).await?;
    tx.commit().await?;
    Entry::new(Event::AccountClosed)
        .by(user.id)
        .about(user.id)
        .record(db)
        .await?;
    Ok(now)
}

/// Reopens an account its owner closed, during the grace period.
pub async fn reopen(
    db: &Database,
    admin_id: i64,
    user: &User,
    settings: &ClosingSettings,
) -> Result<(), ReopenError> {
    let Some(closed_at) = user.closed_at else {
        return Err(ReopenError::NotClosed);
    };
    if closed_at < now_ms() - millis(settings.grace) {
        return Err(ReopenError::Erased);
    }
    if !users::reopen(db, user.id).await? {
        return Err(ReopenError::Erased);
    }
    Entry::new(Event::AccountReopened)
        .by(admin_id)
        .about(user.id)
        .record(db)
        .await?;
    Ok(())
}

async fn erase_one(
    db: &Database,
    hasher: &Hasher,
    id: i64,
    now: i64,
    grace_ended: i64,
) -> Result<bool, CloseError> {
    // A well-formed hash of a secret nobody knows: nobody can sign in, nothing breaks.
    let unknowable = SecretString::from(links::new_token());
    let hash = hasher.hash(unknowable).await?;
    let mut tx = db.begin().await?;
    if !users::erase(&mut tx, id, &hash, now, grace_ended).await? {
        return Ok(false);
    }
    links::forget_all(&mut tx, id).await?;
    two_factor::store::remove_all(&mut tx, id).await?;
    crate::passkeys::store::forget_all(&mut tx, id).await?;
    Entry::new(Event::AccountErased)
        .about(id)
        .detail("grace period ended")
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Deletes the accounts past the clinical retention period, each with an audit entry in
/// the same transaction.
async fn delete_past_retention(db: &Database, cutoff: i64) -> Result<u64, DbError> {
    let mut tx = db.begin().await?;
    let deleted = users::delete_closed_before(&mut tx, cutoff).await?;
    for id in &deleted {
        Entry::new(Event::AccountDeleted)
            .about(*id)
            .detail("clinical retention period ended")
            .record(&mut tx)
            .await?;
    }
    tx.commit().await?;
    Ok(deleted.len() as u64)
}

/// What [`erase_due`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Erased {
    /// Accounts past the grace period whose personal details were erased now.
    pub erased: u64,
    /// Accounts past the clinical retention period, deleted with everything in them.
    pub deleted: u64,
}

/// Erases the personal details of accounts closed longer than the grace period, and
/// deletes those closed longer than the retention period. Run by the purge task.
pub async fn erase_due(
    db: &Database,
    hasher: &Hasher,
    settings: &ClosingSettings,
) -> Result<Erased, CloseError> {
    let now = now_ms();
    let grace_ended = now - millis(settings.grace);
    let mut done = Erased::default();
    for id in users::closed_before(db, grace_ended).await? {
        // One account that cannot be erased must not hold up the others.
        match erase_one(db, hasher, id, now, grace_ended).await {
            Ok(true) => done.erased += 1,
            Ok(false) => {}
            Err(error) => tracing::error!(%error, account = id, "could not erase a closed account"),
        }
    }
    done.deleted = delete_past_retention(db, now - millis(settings.clinical_retention)).await?;
    Ok(done)
}
