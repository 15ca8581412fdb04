//! Accounts: who people are (patients, clinicians, administrators) and how they prove it.

pub mod addresses;
pub mod limits;
pub mod links;
pub mod names;
pub mod password;
pub mod store;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::storage::{rfc3339, rfc3339_opt, Database, DbError};
use crate::text::{self, Lines};
pub use names::{parse_display_name, refuse_claimed_role};
pub use store::User;

/// What can go wrong with an account, before HTTP: `routes` turns it into a response.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// A field is not acceptable.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("This username is taken. Please choose another.")]
    UsernameTaken,
    #[error("too many unsuccessful attempts for this account")]
    TooManyAttempts {
        retry_after_seconds: u64,
        /// What was being tried, so the refusal says what to do instead.
        tried: Tried,
    },
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// What an attempt limited by `limits` was trying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tried {
    /// Signing in with a password.
    SignIn,
    /// Confirming the password in a signed-in session (changing it, closing the account,
    /// changing two-step sign-in).
    PasswordInSession,
    /// The second step of signing in: a code.
    SecondFactor,
}

fn invalid(field: &'static str, message: impl Into<String>) -> AccountError {
    AccountError::Invalid {
        field,
        message: message.into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Patient,
    Clinician,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Patient => "patient",
            Role::Clinician => "clinician",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "patient" => Some(Role::Patient),
            "clinician" => Some(Role::Clinician),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// For rows: a stored role that is none of ours is a decoding error.
impl TryFrom<String> for Role {
    type Error = String;

    fn try_from(text: String) -> Result<Role, String> {
        Role::parse(&text).ok_or_else(|| format!("unknown role {text}"))
    }
}

/// 3 to 32 characters of `a-z 0-9 . _ -`, compared and stored in lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, AccountError> {
        let name = raw.trim().to_ascii_lowercase();
        let length = name.chars().count();
        if !(3..=32).contains(&length) {
            return Err(invalid(
                "username",
                "A username is 3 to 32 characters long.",
            ));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return Err(invalid(
                "username",
                "A username may contain only letters a-z, digits, dots, underscores and hyphens.",
            ));
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub fn parse_email(raw: Option<&str>) -> Result<Option<String>, AccountError> {
    let Some(email) = raw.map(str::trim).filter(|e| !e.is_empty()) else {
        return Ok(None);
    };
    let valid = email.len() <= 254
        && text::check(email, Lines::One).is_ok()
        && !email.chars().any(char::is_whitespace)
        && matches!(email.split_once('@'), Some((local, domain)) if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'));
    if valid {
        Ok(Some(email.to_owned()))
    } else {
        Err(invalid(
            "email",
            "This does not look like an email address.",
        ))
    }
}

/// Whose password it is and how hard to guess it must be.
pub struct PasswordRules<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    /// The least zxcvbn score (`PASSWORD_MIN_SCORE`).
    pub min_score: u8,
}

/// Only this much of a password is scored: zxcvbn's cost grows with length, and a
/// password this long is already beyond guessing.
const SCORED_CHARS: usize = 100;

/// 10 to 256 characters, without the username or display name, and hard to guess. A
/// refusal says why and how to choose better. The value is wrapped at once so it cannot
/// be logged by accident.
pub fn check_new_password(
    raw: String,
    field: &'static str,
    rules: &PasswordRules,
) -> Result<SecretString, AccountError> {
    let length = raw.chars().count();
    if !(10..=256).contains(&length) {
        return Err(invalid(
            field,
            "A password is 10 to 256 characters long. A few unrelated words make one that is easy to remember and hard to guess.",
        ));
    }
    let lower = raw.to_lowercase();
    for (name, what) in [(rules.username, "username"), (rules.display_name, "name")] {
        let name = name.trim().to_lowercase();
        if name.chars().count() >= 3 && lower.contains(&name) {
            return Err(invalid(
                field,
                format!("A password cannot contain your {what}: it is the first thing someone would try."),
            ));
        }
    }
    let scored: String = raw.chars().take(SCORED_CHARS).collect();
    let entropy = zxcvbn::zxcvbn(&scored, &[rules.username, rules.display_name]);
    if (entropy.score() as u8) < rules.min_score {
        return Err(invalid(field, guessable_message(&entropy)));
    }
    Ok(SecretString::from(raw))
}

fn guessable_message(entropy: &zxcvbn::Entropy) -> String {
    let mut message = String::from("This password would be easy to guess.");
    if let Some(feedback) = entropy.feedback() {
        if let Some(warning) = feedback.warning() {
            message.push_str(&format!(" {warning}"));
        }
        for suggestion in feedback.suggestions() {
            message.push_str(&format!(" {suggestion}"));
        }
    }
    message.push_str(" A few unrelated words, with spaces between them, make a strong one.");
    message
}

/// What the API shows of an account.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    /// Whether the person proved they read mail at `email` (a link mailed to it).
    pub email_verified: bool,
    pub role: Role,
    /// `active`, `pending` (a clinician awaiting approval), `disabled`, or `closed` (by its
    /// owner).
    pub status: &'static str,
    pub created_at: String,
    pub last_login_at: Option<String>,
}

impl From<&User> for UserView {
    fn from(user: &User) -> Self {
        UserView {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            email: user.email.clone(),
            email_verified: user.email.is_some() && user.email_verified_at.is_some(),
            role: user.role,
            status: user.status(),
            created_at: rfc3339(user.created_at),
            last_login_at: rfc3339_opt(user.last_login_at),
        }
    }
}

/// Used by `healing-space admin create`.
pub async fn create_admin(
    db: &Database,
    username: &str,
    display_name: Option<&str>,
    password: String,
    min_score: u8,
) -> Result<String, AccountError> {
    let username = Username::parse(username)?;
    let display_name = parse_display_name(display_name.unwrap_or(username.as_str()), Role::Admin)?;
    let rules = PasswordRules {
        username: username.as_str(),
        display_name: &display_name,
        min_score,
    };
    let password = check_new_password(password, "password", &rules)?;
    let hash = password::Hasher::new().hash(password).await?;
    store::insert_user(
        db,
        store::NewUser {
            username: &username,
            display_name: &display_name,
            email: None,
            role: Role::Admin,
            password_hash: &hash,
            approved: true,
        },
    )
    .await?;
    Ok(username.0)
}

/// The approved clinician a patient names (at registration, or to join a care team).
pub async fn find_approved_clinician(db: &Database, name: &str) -> Result<User, AccountError> {
    let not_found = || {
        invalid(
            "clinician",
            "There is no approved clinician with that username.",
        )
    };
    let username = Username::parse(name).map_err(|_| not_found())?;
    match store::find_by_username(db, username.as_str()).await? {
        Some(user) if user.is_approved_clinician() => Ok(user),
        _ => Err(not_found()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(min_score: u8) -> PasswordRules<'static> {
        PasswordRules {
            username: "alex.morgan",
            display_name: "Alex Morgan",
            min_score,
        }
    }

    fn refusal(password: &str, min_score: u8) -> Option<String> {
        check_new_password(password.into(), "password", &rules(min_score))
            .err()
            .map(|e| e.to_string())
    }

    #[test]
    fn passwords_are_10_to_256_characters() {
        assert!(refusal("plum kite!", 0).is_none(), "10 characters");
        assert!(refusal("plum kite", 0).unwrap().contains("10 to 256"));
        assert!(refusal(&"é".repeat(256), 0).is_none());
        assert!(refusal(&"é".repeat(257), 0).unwrap().contains("10 to 256"));
    }

    #[test]
    fn passwords_never_hold_the_username_or_name() {
        for weak in [
            "alex.morgan rules",
            "I am ALEX MORGAN ok",
            "xx alex morgan xx",
        ] {
            let why = refusal(weak, 0).unwrap();
            assert!(why.contains("cannot contain your"), "{weak}: {why}");
        }
    }

    #[test]
    fn guessable_passwords_are_refused_with_advice_at_the_configured_score() {
        let why = refusal("password1234", 3).unwrap();
        assert!(
            why.contains("easy to guess") && why.contains("common"),
            "{why}"
        );
        assert!(
            refusal("password1234", 1).is_none(),
            "score 1 passes a threshold of 1"
        );
        assert!(
            refusal("password1234", 0).is_none(),
            "0 turns the check off"
        );
        assert!(refusal("violet tractor orbit sandwich", 4).is_none());
        assert!(refusal("qwertyuiop12", 2).is_some());
    }

    #[test]
    fn usernames_are_lower_cased_and_restricted() {
        assert_eq!(Username::parse(" Alice.B ").unwrap().as_str(), "alice.b");
        assert!(Username::parse("al").is_err());
        assert!(Username::parse("alice smith").is_err());
        assert!(Username::parse("élodie").is_err());
        assert!(Username::parse(&"a".repeat(33)).is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_a_username_or_a_named_refusal(raw in proptest::prelude::any::<String>()) {
            match Username::parse(&raw) {
                Ok(name) => {
                    let name = name.as_str();
                    proptest::prop_assert!((3..=32).contains(&name.len()));
                    proptest::prop_assert!(name.bytes().all(|b| b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || b"._-".contains(&b)));
                    let again = Username::parse(name).unwrap();
                    proptest::prop_assert_eq!(again.as_str(), name);
                }
                Err(AccountError::Invalid { field, .. }) => proptest::prop_assert_eq!(field, "username"),
                Err(other) => proptest::prop_assert!(false, "unexpected error {other:?}"),
            }
        }

        #[test]
        fn usernames_made_of_the_allowed_characters_are_accepted(raw in "[A-Za-z0-9._-]{3,32}") {
            let parsed = Username::parse(&raw).unwrap();
            proptest::prop_assert_eq!(parsed.as_str(), raw.to_ascii_lowercase());
        }
    }

    #[test]
    fn emails_with_invisible_characters_are_refused() {
        assert!(parse_email(Some("a\u{200B}@b.org")).is_err());
        assert!(parse_email(Some("a\0@b.org")).is_err());
    }

    #[test]
    fn emails_are_optional_but_checked() {
        assert_eq!(parse_email(Some("")).unwrap(), None);
        assert!(parse_email(Some("a@b.org")).unwrap().is_some());
        assert_eq!(
            parse_email(Some("nope")).unwrap_err().to_string(),
            "This does not look like an email address."
        );
    }
}
