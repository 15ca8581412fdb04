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

/// Mails a link that verifies `email` for this account; false when no mail is sent (none
/// configured, or three links already waiting).
pub async fn send_verification(
    db: &Database,
    mailer: &Mailer,
    base: &str,
    user: &User,
    email: &str,
) -> Result<bool, DbError> {
    let now = now_ms();
    // However often the address changes, at most three links wait at once: nobody can
    // use the clinic's mail to flood an inbox.
    if !mailer.is_enabled()
        || links::live_count(db, user.id, Purpose::VerifyEmail, now).await?
            >= MAX_LIVE_ADDRESS_LINKS
    {
        return Ok(false);
    }
    let link = NewLink {
        user_id: user.id,
        purpose: Purpose::VerifyEmail,
        email: Some(email),
        now,
        expires_at: now + VERIFY_HOURS * 60 * 60 * 1000,
    };
    let token = links::create(db, &link).await?;
    mailer.send_later(
        verify_mail(user, email, &verify_url(base, &token)),
        "address link",
    );
    Ok(true)
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
