//! Secure messaging: two-person conversations between people who are allowed to talk.

pub mod routes;
pub mod store;
pub mod views;

use crate::accounts::{Role, User};
use crate::care_teams::store::is_member;
use crate::storage::{Database, DbError};

/// What messaging refuses, before HTTP: `routes` turns it into a response.
#[derive(Debug, thiserror::Error)]
pub enum MessagingError {
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("this person cannot be messaged")]
    RecipientNotAllowed,
}

fn invalid(field: &'static str, message: impl Into<String>) -> MessagingError {
    MessagingError::Invalid {
        field,
        message: message.into(),
    }
}

/// Who may write to whom: a patient and a clinician of their care team, two approved
/// clinicians, or an administrator and anyone (support).
pub async fn may_message(db: &Database, from: &User, to: &User) -> Result<bool, DbError> {
    let in_care_team = match (from.role, to.role) {
        (Role::Patient, Role::Clinician) => is_member(db, from.id, to.id).await?,
        (Role::Clinician, Role::Patient) => is_member(db, to.id, from.id).await?,
        _ => false,
    };
    Ok(may_message_in(from, to, in_care_team))
}

/// `may_message`, when whether the two are patient and clinician of one care team (an
/// approved link) is already known.
pub fn may_message_in(from: &User, to: &User, in_care_team: bool) -> bool {
    if from.id == to.id || to.disabled_at.is_some() || from.disabled_at.is_some() {
        return false;
    }
    match (from.role, to.role) {
        (Role::Admin, _) | (_, Role::Admin) => true,
        (Role::Patient, Role::Clinician) => to.is_approved_clinician() && in_care_team,
        (Role::Clinician, Role::Patient) => from.is_approved_clinician() && in_care_team,
        (Role::Clinician, Role::Clinician) => {
            from.is_approved_clinician() && to.is_approved_clinician()
        }
        (Role::Patient, Role::Patient) => false,
    }
}

/// What `may_message_in` looks at in the person written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonKind {
    pub role: Role,
    pub approved: bool,
    pub disabled: bool,
    pub in_care_team: bool,
}

/// Every kind of person `from` may message: `may_message_in` asked of each kind, so that
/// a query can check a recipient without a second copy of the rule.
pub fn messageable_kinds(from: &User) -> Vec<PersonKind> {
    let mut kinds = Vec::new();
    for role in [Role::Patient, Role::Clinician, Role::Admin] {
        for (approved, disabled, in_care_team) in every_combination_of_three_flags() {
            let to = User {
                id: from.id.wrapping_add(1),
                username: String::new(),
                display_name: String::new(),
                email: None,
                role,
                approved_at: approved.then_some(0),
                disabled_at: disabled.then_some(0),
                created_at: 0,
                last_login_at: None,
            };
            if may_message_in(from, &to, in_care_team) {
                kinds.push(PersonKind {
                    role,
                    approved,
                    disabled,
                    in_care_team,
                });
            }
        }
    }
    kinds
}

/// The eight combinations of three flags.
fn every_combination_of_three_flags() -> impl Iterator<Item = (bool, bool, bool)> {
    (0..8).map(|n: u8| (n & 1 != 0, n & 2 != 0, n & 4 != 0))
}

/// 1 to 10,000 characters after trimming.
pub fn parse_content(raw: &str) -> Result<String, MessagingError> {
    let content = raw.trim();
    let length = content.chars().count();
    if length == 0 {
        return Err(invalid("content", "Write a message before sending."));
    }
    if length > 10_000 {
        return Err(invalid(
            "content",
            format!("A message is at most 10,000 characters; this one has {length}."),
        ));
    }
    Ok(content.to_owned())
}

/// At most 200 characters; empty means none.
pub fn parse_subject(raw: Option<&str>) -> Result<Option<String>, MessagingError> {
    let Some(subject) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if subject.chars().count() > 200 {
        return Err(invalid("subject", "A subject is at most 200 characters."));
    }
    Ok(Some(subject.to_owned()))
}

/// The first 100 characters at most, for the inbox.
pub fn preview(content: &str) -> String {
    if content.chars().count() <= 100 {
        content.to_owned()
    } else {
        let mut short: String = content.chars().take(99).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(role: Role, approved: bool) -> User {
        User {
            id: 7,
            username: "someone".into(),
            display_name: "Someone".into(),
            email: None,
            role,
            approved_at: approved.then_some(1),
            disabled_at: None,
            created_at: 1,
            last_login_at: None,
        }
    }

    fn kind(role: Role, approved: bool, in_care_team: bool) -> PersonKind {
        PersonKind {
            role,
            approved,
            disabled: false,
            in_care_team,
        }
    }

    #[test]
    fn messageable_kinds_follow_the_rule() {
        let patient = messageable_kinds(&person(Role::Patient, false));
        assert!(patient.contains(&kind(Role::Clinician, true, true)));
        assert!(!patient.contains(&kind(Role::Clinician, true, false)));
        assert!(!patient.contains(&kind(Role::Clinician, false, true)));
        assert!(!patient.iter().any(|k| k.role == Role::Patient));
        assert!(patient.contains(&kind(Role::Admin, false, false)));
        assert!(!patient.iter().any(|k| k.disabled), "nobody disabled");

        let clinician = messageable_kinds(&person(Role::Clinician, true));
        assert!(clinician.contains(&kind(Role::Patient, false, true)));
        assert!(!clinician.contains(&kind(Role::Patient, false, false)));
        assert!(clinician.contains(&kind(Role::Clinician, true, false)));
        assert!(!clinician.contains(&kind(Role::Clinician, false, false)));

        let pending = messageable_kinds(&person(Role::Clinician, false));
        assert!(pending.iter().all(|k| k.role == Role::Admin));
        assert_eq!(
            messageable_kinds(&person(Role::Admin, false)).len(),
            3 * 2 * 2
        );
    }

    #[test]
    fn previews_are_at_most_100_characters() {
        assert_eq!(preview("short"), "short");
        let long = "é".repeat(150);
        assert_eq!(preview(&long).chars().count(), 100);
    }

    #[test]
    fn content_is_trimmed_and_bounded() {
        assert_eq!(parse_content("  hi  ").unwrap(), "hi");
        assert!(matches!(
            parse_content("   "),
            Err(MessagingError::Invalid {
                field: "content",
                ..
            })
        ));
        assert!(parse_content(&"x".repeat(10_001)).is_err());
        assert!(parse_content(&"x".repeat(10_000)).is_ok());
    }
}
