//! Secure messaging: two-person conversations between people who are allowed to talk.

pub mod routes;
pub mod store;
pub mod views;

use crate::accounts::{Role, User};
use crate::care_teams::store::is_member;
use crate::storage::{Both, Database, DbError};
use crate::text::{self, Lines};
use sha2::{Digest, Sha256};

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
    /// The Idempotency-Key of an earlier send that asked for something else.
    #[error("this idempotency key was used for a different message")]
    IdempotencyKeyReused,
    #[error(transparent)]
    Database(#[from] DbError),
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
                email_verified_at: None,
                closed_at: None,
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

/// 1 to 10,000 characters after trimming, on as many lines as needed.
pub fn parse_content(raw: &str) -> Result<String, MessagingError> {
    let content = raw.trim();
    text::check(content, Lines::Many)
        .map_err(|forbidden| invalid("content", format!("A message {forbidden}.")))?;
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

/// At most 200 characters on one line; empty means none.
pub fn parse_subject(raw: Option<&str>) -> Result<Option<String>, MessagingError> {
    let Some(subject) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    text::check(subject, Lines::One)
        .map_err(|forbidden| invalid("subject", format!("A subject {forbidden}.")))?;
    if subject.chars().count() > 200 {
        return Err(invalid("subject", "A subject is at most 200 characters."));
    }
    Ok(Some(subject.to_owned()))
}

/// A digest of what a send asks for (recipient or conversation, subject, content, as
/// parsed), kept with its Idempotency-Key: a retry asks for the same, and a different
/// message under the same key is refused instead of answered with the first.
pub fn request_fingerprint(
    recipient: Option<&str>,
    conversation_id: Option<i64>,
    subject: Option<&str>,
    content: &str,
) -> String {
    let recipient = recipient.map(|name| name.trim().to_ascii_lowercase());
    // A JSON array keeps the parts apart unambiguously, whatever they contain.
    let request = serde_json::json!([recipient, conversation_id, subject, content]);
    hex::encode(Sha256::digest(request.to_string()))
}

/// The message an earlier send under this key stored, when this send asks for the same
/// (a retry); the key reused for a different message is refused.
pub async fn earlier_send(
    db: &Database,
    user_id: i64,
    key: store::Idempotency<'_>,
) -> Result<Option<store::Sent>, MessagingError> {
    let Some(Both(sent, earlier)) = store::sent_with_key(db, user_id, key.key).await? else {
        return Ok(None);
    };
    if !is_same_request(earlier.request_fingerprint.as_deref(), key.fingerprint) {
        return Err(MessagingError::IdempotencyKeyReused);
    }
    Ok(Some(sent))
}

/// Whether a send asks for what the earlier send under its key asked for. Keys stored
/// before fingerprints were have none, and answer as they always did.
fn is_same_request(earlier: Option<&str>, fingerprint: &str) -> bool {
    earlier.is_none_or(|earlier| earlier == fingerprint)
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
            email_verified_at: None,
            closed_at: None,
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
    fn fingerprints_tell_requests_apart() {
        let base = request_fingerprint(Some("dr.in"), None, None, "hi");
        assert_eq!(base, request_fingerprint(Some(" Dr.In "), None, None, "hi"));
        for other in [
            request_fingerprint(Some("dr.out"), None, None, "hi"),
            request_fingerprint(None, Some(1), None, "hi"),
            request_fingerprint(Some("dr.in"), None, Some("Hello"), "hi"),
            request_fingerprint(Some("dr.in"), None, None, "hi!"),
        ] {
            assert_ne!(base, other);
            assert!(!is_same_request(Some(&other), &base));
        }
        assert!(is_same_request(Some(&base), &base));
        assert!(is_same_request(None, &base));
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
        assert!(parse_content("line one\n\tline two").is_ok());
        assert!(parse_content("nul\0").is_err());
        assert!(parse_subject(Some("two\nlines")).is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_a_message_or_a_named_refusal(raw in proptest::prelude::any::<String>()) {
            match parse_content(&raw) {
                Ok(content) => {
                    proptest::prop_assert_eq!(content.trim(), content.as_str());
                    proptest::prop_assert!((1..=10_000).contains(&content.chars().count()));
                    proptest::prop_assert!(text::check(&content, Lines::Many).is_ok());
                }
                Err(MessagingError::Invalid { field, .. }) => proptest::prop_assert_eq!(field, "content"),
                Err(other) => proptest::prop_assert!(false, "unexpected error {other:?}"),
            }
            match parse_subject(Some(&raw)) {
                Ok(Some(subject)) => {
                    proptest::prop_assert!(subject.chars().count() <= 200);
                    proptest::prop_assert!(text::check(&subject, Lines::One).is_ok());
                }
                Ok(None) => proptest::prop_assert!(raw.trim().is_empty()),
                Err(MessagingError::Invalid { field, .. }) => proptest::prop_assert_eq!(field, "subject"),
                Err(other) => proptest::prop_assert!(false, "unexpected error {other:?}"),
            }
        }
    }
}
