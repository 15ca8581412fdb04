//! Confirming an email address: a single-use link mailed to it. Sent at registration
//! (`auth`) and when the address changes or the person asks again (`profile`).

use crate::mail::{Mail, Mailer};
use crate::storage::{now_ms, Database, DbError};

use super::links::{self, NewLink, Purpose};
use super::store::User;

/// How long an address link works.
pub const VERIFY_HOURS: i64 = 48;

/// Links to one address alive at once, so nobody can flood a mailbox.
pub const MAX_LIVE_ADDRESS_LINKS: i64 = 3;

/// The address link: the web app's screen, the token after `#`.
pub fn verify_url(base: &str, token: &str) -> String {
    format!("{}/verify-email#token={token}", base.trim_end_matches('/'))
}

/// Why no address link was mailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotMailed {
    /// No mail is configured.
    NoMail,
    /// Three links already wait.
    TooMany,
}

/// Mails a link that verifies `email` for this account, unless no mail is configured or
/// three links already wait.
pub async fn send_verification(
    db: &Database,
    mailer: &Mailer,
    base: &str,
    user: &User,
    email: &str,
) -> Result<Result<(), NotMailed>, DbError> {
    let now = now_ms();
    // However often the address changes, at most three links wait at once: nobody can
    // use the clinic's mail to flood an inbox.
    if !mailer.is_enabled() {
        return Ok(Err(NotMailed::NoMail));
    }
    let link = NewLink {
        user_id: user.id,
        purpose: Purpose::VerifyEmail,
        email: Some(email),
        now,
        expires_at: now + VERIFY_HOURS * 60 * 60 * 1000,
    };
    let Some(token) = links::create_capped(db, &link, MAX_LIVE_ADDRESS_LINKS).await? else {
        return Ok(Err(NotMailed::TooMany));
    };
    mailer.send_later(
        verify_mail(user, email, &verify_url(base, &token)),
        "address link",
    );
    Ok(Ok(()))
}

fn verify_mail(user: &User, email: &str, url: &str) -> Mail {
    Mail {
        to: email.to_owned(),
        subject: "Confirm your email address for Healing Space".into(),
        body: format!(
            "Hello {name},\n\nTo confirm that this address belongs to your Healing Space account \
             ({username}), open this link within {VERIFY_HOURS} hours:\n\n{url}\n\nOnce it is \
             confirmed, you can reset a forgotten password by mail. If you did not add this \
             address, ignore this mail.\n",
            name = user.display_name,
            username = user.username,
        ),
        unsubscribe: None,
    }
}
