//! Secure messaging: two-person conversations between people who are allowed to talk.

pub mod routes;
pub mod store;

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
    #[error("there is no administrator to reach")]
    SupportUnavailable,
    #[error("administrators are support")]
    AdministratorsAreSupport,
}

fn invalid(field: &'static str, message: impl Into<String>) -> MessagingError {
    MessagingError::Invalid {
        field,
        message: message.into(),
    }
}

/// How a message reaches someone: people reach administrators only through support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A new conversation with someone chosen from the recipients.
    Direct,
    /// A reply in a conversation the two already have.
    Reply,
    /// "Contact support": a message to the administrators.
    Support,
}

/// Who may write to whom, through `channel`: a patient and a clinician of their care
/// team, two approved clinicians, an administrator and anyone. Everyone but an
/// administrator reaches the administrators through support (and replies where they
/// wrote), so no one is offered an administrator as someone to message.
pub async fn may_message(
    db: &Database,
    from: &User,
    to: &User,
    channel: Channel,
) -> Result<bool, DbError> {
    let in_care_team = match (from.role, to.role) {
        (Role::Patient, Role::Clinician) => is_member(db, from.id, to.id).await?,
        (Role::Clinician, Role::Patient) => is_member(db, to.id, from.id).await?,
        _ => false,
    };
    Ok(may_message_in(from, to, in_care_team, channel))
}

/// `may_message`, when whether the two are patient and clinician of one care team (an
/// approved link) is already known.
pub fn may_message_in(from: &User, to: &User, in_care_team: bool, channel: Channel) -> bool {
    if from.id == to.id || to.disabled_at.is_some() || from.disabled_at.is_some() {
        return false;
    }
    match (from.role, to.role) {
        // Support reaches administrators only, from anyone but an administrator (they are
        // support, and write to each other directly).
        (_, Role::Admin) if channel == Channel::Support => from.role != Role::Admin,
        _ if channel == Channel::Support => false,
        (Role::Admin, _) => true,
        // Not offered, nor written to directly: answered in the conversation they have.
        (_, Role::Admin) => channel == Channel::Reply,
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

/// Every kind of person `from` may message through `channel`: `may_message_in` asked of
/// each kind, so that a query can check a recipient without a second copy of the rule.
pub fn messageable_kinds(from: &User, channel: Channel) -> Vec<PersonKind> {
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
            if may_message_in(from, &to, in_care_team, channel) {
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
        let direct = |from: &User| messageable_kinds(from, Channel::Direct);
        let patient = direct(&person(Role::Patient, false));
        assert!(patient.contains(&kind(Role::Clinician, true, true)));
        assert!(!patient.contains(&kind(Role::Clinician, true, false)));
        assert!(!patient.contains(&kind(Role::Clinician, false, true)));
        assert!(!patient.iter().any(|k| k.role == Role::Patient));
        assert!(
            !patient.iter().any(|k| k.role == Role::Admin),
            "support only"
        );
        assert!(!patient.iter().any(|k| k.disabled), "nobody disabled");

        let clinician = direct(&person(Role::Clinician, true));
        assert!(clinician.contains(&kind(Role::Patient, false, true)));
        assert!(!clinician.contains(&kind(Role::Patient, false, false)));
        assert!(clinician.contains(&kind(Role::Clinician, true, false)));
        assert!(!clinician.contains(&kind(Role::Clinician, false, false)));
        assert!(
            !clinician.iter().any(|k| k.role == Role::Admin),
            "support only"
        );

        assert!(direct(&person(Role::Clinician, false)).is_empty());
        assert_eq!(direct(&person(Role::Admin, false)).len(), 3 * 2 * 2);
    }

    #[test]
    fn administrators_are_reached_through_support_and_answered_in_place() {
        let admin = kind(Role::Admin, false, false);
        for role in [Role::Patient, Role::Clinician] {
            for approved in [false, true] {
                let from = person(role, approved);
                assert!(messageable_kinds(&from, Channel::Support).contains(&admin));
                assert!(messageable_kinds(&from, Channel::Reply).contains(&admin));
                assert!(!messageable_kinds(&from, Channel::Direct).contains(&admin));
            }
        }
        let support = messageable_kinds(&person(Role::Patient, false), Channel::Support);
        assert!(
            support.iter().all(|k| k.role == Role::Admin),
            "support is administrators"
        );
        let admin_support = messageable_kinds(&person(Role::Admin, false), Channel::Support);
        assert!(admin_support.is_empty(), "administrators are support");
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
