//! Display names, and the rule that no name (display name or username) may claim a role
//! its account does not have: a patient called "Support (Administrator)" or "Dr Kim"
//! could otherwise pass for someone people trust.
//!
//! Names are compared the way a reader would see them, as far as is reasonable: in any
//! case, after compatibility normalisation (fullwidth "ＡＤＭＩＮ" is "admin"), through the
//! Unicode confusables skeleton (UTS #39: Cyrillic "а" is Latin "a", "rn" is "m"), with
//! accents dropped and common digit-for-letter swaps undone ("4dm1n"). They are matched
//! on whole words (plurals too), on camel-case parts ("SupportTeam"), and on the whole
//! name with its separators removed ("S.U.P.P.O.R.T").

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
use unicode_security::skeleton;

use super::{invalid, AccountError, Role};
use crate::text::{self, Lines};

/// Words only administrators' names may hold.
pub const STAFF_WORDS: &[&str] = &[
    "admin",
    "administrator",
    "administration",
    "sysadmin",
    "support",
    "helpdesk",
    "moderator",
    "staff",
    "official",
    "system",
];

/// Words only clinicians' names may hold.
pub const CLINICAL_WORDS: &[&str] = &[
    "clinician",
    "doctor",
    "dr",
    "nurse",
    "therapist",
    "psychotherapist",
    "psychiatrist",
    "psychologist",
    "counsellor",
    "counselor",
    "physician",
    "gp",
];

pub const MAX_DISPLAY_NAME: usize = 80;

/// 1 to 80 characters on one line, in NFC with runs of spaces made one, with something
/// visible in it, and claiming no role the account does not have.
pub fn parse_display_name(raw: &str, role: Role) -> Result<String, AccountError> {
    let trimmed = raw.trim();
    text::check(trimmed, Lines::One)
        .map_err(|forbidden| invalid("display_name", format!("A display name {forbidden}.")))?;
    let name = trimmed
        .nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let length = name.chars().count();
    if length == 0 || length > MAX_DISPLAY_NAME {
        return Err(invalid(
            "display_name",
            "A display name is 1 to 80 characters long.",
        ));
    }
    if !name.chars().any(is_visible) {
        return Err(invalid(
            "display_name",
            "A display name needs at least one letter, number or symbol.",
        ));
    }
    refuse_claimed_role(&name, role, "display_name")?;
    Ok(name)
}

fn is_visible(c: char) -> bool {
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter
            | GeneralCategoryGroup::Number
            | GeneralCategoryGroup::Punctuation
            | GeneralCategoryGroup::Symbol
    )
}

/// Refuses a name that holds a word kept for a role this account does not have.
pub fn refuse_claimed_role(
    name: &str,
    role: Role,
    field: &'static str,
) -> Result<(), AccountError> {
    let Some((word, kept_for)) = claimed_role(name, role) else {
        return Ok(());
    };
    Err(invalid(
        field,
        format!(
            "A name cannot suggest a role this account does not have: “{word}” is kept for {kept_for}. Everyone sees your role beside your name."
        ),
    ))
}

/// The first kept word the name holds that `role` may not use, and for whom it is kept.
pub fn claimed_role(name: &str, role: Role) -> Option<(&'static str, &'static str)> {
    let forbidden = [
        (Role::Admin, STAFF_WORDS, "administrators"),
        (Role::Clinician, CLINICAL_WORDS, "clinicians"),
    ];
    let words = words_of(name);
    forbidden
        .into_iter()
        .filter(|(owner, _, _)| *owner != role)
        .find_map(|(_, kept, kept_for)| {
            kept.iter()
                .find(|word| {
                    let folded = fold(word);
                    let plural = format!("{folded}s");
                    words.iter().any(|w| *w == folded || *w == plural)
                })
                .map(|word| (*word, kept_for))
        })
}

/// The name's words as compared: folded, split at separators and camel case, and the
/// whole name with its separators removed.
fn words_of(name: &str) -> Vec<String> {
    let spaced = split_camel_case(&name.nfkc().collect::<String>());
    let folded = fold(&spaced);
    let mut words: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    words.push(folded.chars().filter(|c| c.is_alphanumeric()).collect());
    words
}

/// "SupportTeam" → "Support Team": a lower-case letter followed by a capital.
fn split_camel_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let mut previous_lower = false;
    for c in text.chars() {
        if previous_lower && c.is_uppercase() {
            out.push(' ');
        }
        out.push(c);
        previous_lower = c.is_lowercase();
    }
    out
}

/// Text as a reader might take it: compatibility forms, case, confusable letters,
/// accents and digit-for-letter swaps all folded away.
fn fold(text: &str) -> String {
    let lower: String = text.nfkc().flat_map(char::to_lowercase).collect();
    skeleton(&lower)
        .flat_map(char::to_lowercase)
        .filter(|c| !is_combining_mark(*c))
        .map(undo_letter_swap)
        .collect()
}

/// The skeleton already makes "0" "o" and "1" "l"; these are the other swaps people use
/// to spell a word past a filter. "i" becomes "l" because the skeleton keeps them apart
/// while "1" and "I" become "l".
fn undo_letter_swap(c: char) -> char {
    match c {
        'i' => 'l',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_normalization::is_nfc;
    use unicode_properties::GeneralCategory;

    fn claims(name: &str, role: Role) -> Option<&'static str> {
        claimed_role(name, role).map(|(word, _)| word)
    }

    #[test]
    fn names_that_claim_a_staff_role_are_refused_for_others() {
        for name in [
            "Administrator",
            "Support (Administrator)",
            "ＡＤＭＩＮ",
            "Аdmin",
            "4dm1n",
            "adrnin",
            "SupportTeam",
            "S.U.P.P.O.R.T",
            "the admins",
            "Ádmín",
        ] {
            assert!(claims(name, Role::Patient).is_some(), "{name}");
            assert!(claims(name, Role::Clinician).is_some(), "{name}");
            assert_eq!(claims(name, Role::Admin), None, "{name}");
        }
    }

    #[test]
    fn clinical_titles_are_for_clinicians() {
        for name in ["Dr Kim", "DrKim", "Nurse Joy", "dr.kim", "Jo, Therapist"] {
            assert!(claims(name, Role::Patient).is_some(), "{name}");
            assert!(claims(name, Role::Admin).is_some(), "{name}");
            assert_eq!(claims(name, Role::Clinician), None, "{name}");
        }
    }

    #[test]
    fn ordinary_names_claim_nothing() {
        for name in [
            "Andrea Drummond",
            "Supportive Sam",
            "Ada Lovelace",
            "Mina",
            "李小龍",
            "José García",
            "patient.a (test)",
        ] {
            assert_eq!(claims(name, Role::Patient), None, "{name}");
        }
    }

    #[test]
    fn display_names_are_nfc_and_on_one_line() {
        let decomposed = "Jose\u{0301}   Garci\u{0301}a";
        assert_eq!(
            parse_display_name(decomposed, Role::Patient).unwrap(),
            "José García"
        );
        for bad in [
            "Ann\u{202E}a",
            "An\u{200B}na",
            "A\nB",
            "\u{3164}",
            "\u{0301}",
            "",
        ] {
            assert!(parse_display_name(bad, Role::Patient).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn accepted_display_names_are_nfc_and_hold_no_control_or_format_character(
            raw in any::<String>(),
            role in prop_oneof![Just(Role::Patient), Just(Role::Clinician), Just(Role::Admin)],
        ) {
            match parse_display_name(&raw, role) {
                Ok(name) => {
                    prop_assert!(is_nfc(&name));
                    prop_assert!((1..=MAX_DISPLAY_NAME).contains(&name.chars().count()));
                    prop_assert_eq!(name.trim(), name.as_str());
                    prop_assert!(!name.chars().any(|c| matches!(
                        c.general_category(),
                        GeneralCategory::Control | GeneralCategory::Format
                    )));
                    prop_assert_eq!(claimed_role(&name, role), None);
                }
                Err(AccountError::Invalid { field, message }) => {
                    prop_assert_eq!(field, "display_name");
                    prop_assert!(!message.is_empty());
                }
                Err(other) => prop_assert!(false, "unexpected error {other:?}"),
            }
        }

        #[test]
        fn names_built_around_a_kept_word_are_refused(
            before in "[A-Za-z]{0,8}",
            after in "[A-Za-z]{0,8}",
            word in proptest::sample::select(STAFF_WORDS),
        ) {
            let name = format!("{before} {word} {after}");
            prop_assert!(parse_display_name(&name, Role::Patient).is_err());
        }
    }
}
