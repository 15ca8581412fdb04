//! Two-factor sign-in: TOTP with single-use recovery codes. With a second factor on (or
//! required for the person's role by `REQUIRE_2FA`), a right password opens no session:
//! it opens a second step, held by a short-lived cookie of its own, and only a right code
//! there (or setting up the factor the role requires) starts the session.

pub mod codes;
pub mod routes;
mod second_step;
pub mod store;

use axum::http::{HeaderMap, HeaderValue};

use crate::accounts::links::{hash, new_token};
use crate::accounts::{Role, User};
use crate::config::two_factor::TwoFactorPolicy;
use crate::config::Settings;
use crate::storage::{millis, now_ms, Database, DbError};
use codes::Typed;
pub use second_step::NAME as SECOND_STEP_COOKIE;
pub use store::Purpose;

/// What can go wrong with a second factor, before HTTP: `routes` turns it into answers.
#[derive(Debug, thiserror::Error)]
pub enum TwoFactorError {
    #[error("no sign-in is waiting for a second step in this browser")]
    NoSecondStep,
    #[error("the code is not right")]
    WrongCode { attempts_left: i64 },
    #[error("the code does not match the new secret")]
    WrongConfirmationCode,
    #[error("two-factor sign-in is already on")]
    AlreadyOn,
    #[error("two-factor sign-in was not set up")]
    NotStarted,
    #[error("two-factor sign-in is required for this role")]
    Required,
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub fn required(policy: &TwoFactorPolicy, role: Role) -> bool {
    match role {
        Role::Patient => policy.patient,
        Role::Clinician => policy.clinician,
        Role::Admin => policy.admin,
    }
}

/// What a right password leads to for this person: straight in (`None`), or a second step.
pub async fn after_password(
    db: &Database,
    policy: &TwoFactorPolicy,
    user: &User,
) -> Result<Option<Purpose>, DbError> {
    if store::has_totp(db, user.id).await? {
        Ok(Some(Purpose::Verify))
    } else if required(policy, user.role) {
        Ok(Some(Purpose::Enrol))
    } else {
        Ok(None)
    }
}

/// Opens a second step for a person whose password was right, and returns its cookie.
pub async fn open_second_step(
    db: &Database,
    settings: &Settings,
    user_id: i64,
    purpose: Purpose,
    device: Option<&str>,
) -> Result<HeaderValue, DbError> {
    let token = new_token();
    let now = now_ms();
    store::insert_second_step(
        db,
        &store::NewSecondStep {
            token_hash: &hash(&token),
            user_id,
            purpose,
            device,
            now,
            expires_at: now + millis(second_step::LIFETIME),
        },
    )
    .await?;
    Ok(second_step::issue(settings, &token))
}

/// The cookie that ends this browser's second step.
pub fn clear_second_step(settings: &Settings) -> HeaderValue {
    second_step::clear(settings)
}

/// A second step this browser holds.
pub struct Pending {
    token_hash: String,
    pub user_id: i64,
    /// The browser's device cookie for the account, to renew when the sign-in completes.
    pub device: Option<String>,
}

impl Pending {
    /// This browser's open second step for `purpose`, if it has one.
    pub async fn find(
        db: &Database,
        headers: &HeaderMap,
        purpose: Purpose,
    ) -> Result<Option<Pending>, DbError> {
        let Some(token) = second_step::token(headers) else {
            return Ok(None);
        };
        let token_hash = hash(&token);
        let step = store::find_second_step(db, &token_hash, now_ms()).await?;
        Ok(step
            .filter(|step| step.purpose() == purpose)
            .map(|step| Pending {
                token_hash,
                user_id: step.user_id,
                device: step.device,
            }))
    }

    /// Ends the step; `NoSecondStep` when another request ended it first.
    pub async fn finish(&self, db: &Database) -> Result<(), TwoFactorError> {
        if store::finish_second_step(db, &self.token_hash).await? {
            Ok(())
        } else {
            Err(TwoFactorError::NoSecondStep)
        }
    }

    /// Counts a wrong code against this step, which closes after a few.
    pub async fn failed(&self, db: &Database) -> Result<TwoFactorError, DbError> {
        let failures =
            store::count_failure(db, &self.token_hash, second_step::MAX_FAILURES).await?;
        Ok(TwoFactorError::WrongCode {
            attempts_left: (second_step::MAX_FAILURES - failures).max(0),
        })
    }
}

/// How a person proved the second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    Totp,
    RecoveryCode,
}

impl Proof {
    pub fn as_str(self) -> &'static str {
        match self {
            Proof::Totp => "totp",
            Proof::RecoveryCode => "recovery code",
        }
    }
}

fn unix_seconds() -> u64 {
    u64::try_from(now_ms() / 1000).unwrap_or(0)
}

/// Checks a code typed at sign-in: a TOTP code, each accepted once, or an unused recovery
/// code, used up. `None` when it is neither.
pub async fn check_code(
    db: &Database,
    user_id: i64,
    typed: &str,
) -> Result<Option<Proof>, TwoFactorError> {
    match codes::classify(typed) {
        Typed::Totp(code) => {
            let Some(credential) = store::totp(db, user_id).await? else {
                return Ok(None);
            };
            if credential.confirmed_at.is_none() {
                return Ok(None);
            }
            let Some(step) = codes::totp_step(&credential.secret, &code, unix_seconds())? else {
                return Ok(None);
            };
            Ok(store::use_step(db, user_id, step)
                .await?
                .then_some(Proof::Totp))
        }
        Typed::RecoveryCode(code) => {
            Ok(
                store::use_recovery_code(db, user_id, &hash(&code), now_ms())
                    .await?
                    .then_some(Proof::RecoveryCode),
            )
        }
        Typed::Neither => Ok(None),
    }
}

/// A new secret for a person setting up TOTP, not yet a factor.
pub struct Enrolment {
    pub secret: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

pub async fn start_enrolment(db: &Database, user: &User) -> Result<Enrolment, TwoFactorError> {
    let secret = codes::new_secret();
    let otpauth_url = codes::otpauth_url(&secret, &user.username)?;
    let qr_svg = codes::qr_svg(&otpauth_url)?;
    if !store::start_enrolment(db, user.id, &secret, now_ms()).await? {
        return Err(TwoFactorError::AlreadyOn);
    }
    Ok(Enrolment {
        secret,
        otpauth_url,
        qr_svg,
    })
}

/// Makes the new secret a factor once a code from the app matches it, and returns the
/// recovery codes, shown this once.
pub async fn confirm_enrolment(
    db: &Database,
    user_id: i64,
    typed: &str,
) -> Result<Vec<String>, TwoFactorError> {
    let credential = match store::totp(db, user_id).await? {
        None => return Err(TwoFactorError::NotStarted),
        Some(credential) if credential.confirmed_at.is_some() => {
            return Err(TwoFactorError::AlreadyOn)
        }
        Some(credential) => credential,
    };
    let Typed::Totp(code) = codes::classify(typed) else {
        return Err(TwoFactorError::WrongConfirmationCode);
    };
    let step = codes::totp_step(&credential.secret, &code, unix_seconds())?
        .ok_or(TwoFactorError::WrongConfirmationCode)?;
    let recovery = codes::new_recovery_codes();
    let mut tx = db.begin().await?;
    if !store::confirm(&mut tx, user_id, step, now_ms()).await? {
        tx.rollback().await?;
        return Err(TwoFactorError::AlreadyOn);
    }
    store::replace_recovery_codes(&mut tx, user_id, &hashes(&recovery)).await?;
    tx.commit().await?;
    Ok(recovery)
}

fn hashes(codes: &[String]) -> Vec<String> {
    codes
        .iter()
        .filter_map(|code| codes::recovery_code_hash(code))
        .collect()
}

/// New recovery codes in place of the old ones (all of them, used or not).
pub async fn renew_recovery_codes(
    db: &Database,
    user_id: i64,
) -> Result<Vec<String>, TwoFactorError> {
    if !store::has_totp(db, user_id).await? {
        return Err(TwoFactorError::NotStarted);
    }
    let recovery = codes::new_recovery_codes();
    let mut tx = db.begin().await?;
    store::replace_recovery_codes(&mut tx, user_id, &hashes(&recovery)).await?;
    tx.commit().await?;
    Ok(recovery)
}

/// Removes the person's second factor; true when they had one.
pub async fn remove(db: &Database, user_id: i64) -> Result<bool, DbError> {
    let mut tx = db.begin().await?;
    let removed = store::remove_all(&mut tx, user_id).await?;
    tx.commit().await?;
    Ok(removed)
}
