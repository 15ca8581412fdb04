//! Which characters free text from outside may hold, decided once for every field.
//!
//! Control characters (Unicode category Cc) and format characters (Cf: invisible
//! joiners, bidirectional overrides, the byte-order mark, tag characters...) have no
//! place in what people type: PostgreSQL refuses `\0` outright, and the invisible ones
//! let text read differently from what it is. Noncharacters are refused everywhere too.
//! Both databases thus store the same text, and a field that holds one answers a 422
//! naming the field instead of a 500 (PostgreSQL) or a silent store (SQLite).
//!
//! - One-line fields (usernames, display names, subjects, searches) allow no line
//!   break, tab, line or paragraph separator, private-use character, nor the "filler"
//!   letters that draw as nothing.
//! - Multi-line fields (messages, notes, feedback) allow line breaks and tabs, and the
//!   format characters that written language and emoji need: the zero-width joiner and
//!   non-joiner (emoji sequences such as ❤️‍🩹; Persian and Indic scripts) and tag
//!   characters directly after 🏴 (the flags of England, Scotland and Wales).

use std::fmt;

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Whether a field is one line or may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// A character a field may not hold, and why, as the end of a sentence that begins with
/// the field's name: "A subject cannot contain line breaks or tabs."
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forbidden {
    pub character: char,
    pub kind: ForbiddenKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForbiddenKind {
    LineBreak,
    Control,
    Invisible,
}

impl fmt::Display for Forbidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.character as u32;
        match self.kind {
            ForbiddenKind::LineBreak => write!(f, "cannot contain line breaks or tabs"),
            ForbiddenKind::Control => {
                write!(f, "cannot contain control characters (U+{code:04X})")
            }
            ForbiddenKind::Invisible => write!(
                f,
                "cannot contain invisible or formatting characters (U+{code:04X})"
            ),
        }
    }
}

/// The first character of `text` that a field of this kind may not hold.
pub fn check(text: &str, lines: Lines) -> Result<(), Forbidden> {
    let mut previous = None;
    for character in text.chars() {
        if let Some(kind) = forbidden(character, previous, lines) {
            return Err(Forbidden { character, kind });
        }
        previous = Some(character);
    }
    Ok(())
}

fn forbidden(c: char, previous: Option<char>, lines: Lines) -> Option<ForbiddenKind> {
    let category = c.general_category();
    let one_line = lines == Lines::One;
    match category {
        GeneralCategory::Control if matches!(c, '\n' | '\r' | '\t') => {
            one_line.then_some(ForbiddenKind::LineBreak)
        }
        GeneralCategory::Control => Some(ForbiddenKind::Control),
        GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator => {
            one_line.then_some(ForbiddenKind::LineBreak)
        }
        GeneralCategory::Format if !one_line && format_needed_in_writing(c, previous) => None,
        GeneralCategory::Format => Some(ForbiddenKind::Invisible),
        GeneralCategory::PrivateUse if one_line => Some(ForbiddenKind::Invisible),
        _ if is_noncharacter(c) || (one_line && is_blank_filler(c)) => {
            Some(ForbiddenKind::Invisible)
        }
        _ => None,
    }
}

/// The format characters that multi-line text keeps (see the module's comment).
fn format_needed_in_writing(c: char, previous: Option<char>) -> bool {
    const WAVING_BLACK_FLAG: char = '\u{1F3F4}';
    let is_tag = |c: char| ('\u{E0020}'..='\u{E007F}').contains(&c);
    matches!(c, '\u{200C}' | '\u{200D}')
        || (is_tag(c) && previous.is_some_and(|p| p == WAVING_BLACK_FLAG || is_tag(p)))
}

/// Code points Unicode reserves never to be characters.
fn is_noncharacter(c: char) -> bool {
    let code = c as u32;
    (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE
}

/// Letters that draw as blank space, the usual way to make a name look empty.
fn is_blank_filler(c: char) -> bool {
    matches!(
        c,
        '\u{115F}' | '\u{1160}' | '\u{2800}' | '\u{3164}' | '\u{FFA0}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn control_and_format_characters_are_refused_and_named() {
        let nul = check("a\0b", Lines::Many).unwrap_err();
        assert_eq!(nul.kind, ForbiddenKind::Control);
        assert_eq!(
            nul.to_string(),
            "cannot contain control characters (U+0000)"
        );
        for text in ["\u{202E}gnp.exe", "x\u{200B}y", "\u{FEFF}", "a\u{E0041}"] {
            assert_eq!(
                check(text, Lines::Many).unwrap_err().kind,
                ForbiddenKind::Invisible,
                "{text:?}"
            );
        }
        assert!(check("\u{FFFF}", Lines::Many).is_err());
        assert!(check("\u{FDD0}", Lines::Many).is_err());
    }

    #[test]
    fn multi_line_text_keeps_line_breaks_tabs_and_emoji() {
        let text = "Dear Dr Kim,\r\n\tthank you ❤️\u{200D}🩹 \u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F} خواهر\u{200C}ام";
        assert_eq!(check(text, Lines::Many), Ok(()));
    }

    #[test]
    fn one_line_text_refuses_breaks_tabs_and_blank_letters() {
        for text in ["a\nb", "a\tb", "a\u{2028}b", "a\rb"] {
            assert_eq!(
                check(text, Lines::One).unwrap_err().kind,
                ForbiddenKind::LineBreak
            );
        }
        assert!(check("\u{3164}", Lines::One).is_err());
        assert!(check("\u{E000}", Lines::One).is_err());
        assert!(check("a\u{200D}b", Lines::One).is_err());
        assert_eq!(check("Élodie O'Brien-Ng 李 🌻", Lines::One), Ok(()));
    }

    proptest! {
        #[test]
        fn accepted_text_holds_no_control_or_format_character(text in any::<String>()) {
            if check(&text, Lines::One).is_ok() {
                prop_assert!(!text.chars().any(|c| matches!(
                    c.general_category(),
                    GeneralCategory::Control | GeneralCategory::Format
                )));
            }
            if check(&text, Lines::Many).is_ok() {
                prop_assert!(!text.chars().any(|c| c.is_control() && !"\n\r\t".contains(c)));
            }
        }

        #[test]
        fn one_line_is_stricter_than_many(text in any::<String>()) {
            if check(&text, Lines::One).is_ok() {
                prop_assert!(check(&text, Lines::Many).is_ok());
            }
        }
    }
}
