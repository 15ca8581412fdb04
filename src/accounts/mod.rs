//! Accounts: who people are (patients, clinicians, administrators) and how they prove it.

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
    #[error("too many unsuccessful sign-in attempts for this account")]
    TooManyAttempts { retry_after_seconds: u64 },
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
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

/// 8 to 256 characters. The value is wrapped at once so it cannot be logged by accident.
pub fn parse_new_password(raw: String, field: &'static str) -> Result<SecretString, AccountError> {
    let length = raw.chars().count();
    if !(8..=256).contains(&length) {
        return Err(invalid(field, "A password is 8 to 256 characters long."));
    }
    Ok(SecretString::from(raw))
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
    /// `active`, `pending` (a clinician awaiting approval) or `disabled`.
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
) -> Result<String, AccountError> {
    let username = Username::parse(username)?;
    let display_name = parse_display_name(display_name.unwrap_or(username.as_str()), Role::Admin)?;
    let password = parse_new_password(password, "password")?;
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
