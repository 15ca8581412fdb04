//! The answer sets the data is made of and the load posts.

use healing_space::clinical::InstrumentId;

/// A stored answer set: instrument, answers JSON as the server stores it, total, band, flags.
pub struct Template {
    pub instrument: InstrumentId,
    pub answers: &'static str,
    pub total: Option<i64>,
    pub band: &'static str,
    pub flags: &'static str,
}

const fn t(
    instrument: InstrumentId,
    answers: &'static str,
    total: Option<i64>,
    band: &'static str,
    flags: &'static str,
) -> Template {
    Template {
        instrument,
        answers,
        total,
        band,
        flags,
    }
}

use InstrumentId::{Cssrs, Gad7, Phq9};

/// Four answer sets per questionnaire (index `instrument * 4 + variant`); the last PHQ-9
/// has item 9 positive, the last GAD-7 is severe and the C-SSRS ones go up to moderate.
pub const TEMPLATES: [Template; 12] = [
    t(
        Phq9,
        r#"{"1":0,"2":1,"3":1,"4":1,"5":0,"6":0,"7":1,"8":0,"9":0,"difficulty":0}"#,
        Some(4),
        "minimal",
        "",
    ),
    t(
        Phq9,
        r#"{"1":1,"2":1,"3":2,"4":1,"5":1,"6":1,"7":1,"8":0,"9":0,"difficulty":1}"#,
        Some(8),
        "mild",
        "",
    ),
    t(
        Phq9,
        r#"{"1":2,"2":2,"3":1,"4":2,"5":1,"6":2,"7":1,"8":1,"9":0,"difficulty":1}"#,
        Some(12),
        "moderate",
        "",
    ),
    t(
        Phq9,
        r#"{"1":2,"2":2,"3":2,"4":2,"5":2,"6":2,"7":2,"8":1,"9":1,"difficulty":2}"#,
        Some(16),
        "moderately_severe",
        "item9_positive",
    ),
    t(
        Gad7,
        r#"{"1":0,"2":1,"3":0,"4":1,"5":0,"6":1,"7":0}"#,
        Some(3),
        "minimal",
        "",
    ),
    t(
        Gad7,
        r#"{"1":1,"2":1,"3":1,"4":1,"5":1,"6":1,"7":1}"#,
        Some(7),
        "mild",
        "",
    ),
    t(
        Gad7,
        r#"{"1":2,"2":2,"3":1,"4":2,"5":1,"6":2,"7":1}"#,
        Some(11),
        "moderate",
        "",
    ),
    t(
        Gad7,
        r#"{"1":3,"2":2,"3":2,"4":3,"5":2,"6":2,"7":2}"#,
        Some(16),
        "severe",
        "",
    ),
    t(
        Cssrs,
        r#"{"1":false,"2":false,"6":false}"#,
        None,
        "none",
        "",
    ),
    t(Cssrs, r#"{"1":true,"2":false,"6":false}"#, None, "low", ""),
    t(
        Cssrs,
        r#"{"1":false,"2":false,"6":true,"6b":false}"#,
        None,
        "moderate",
        "",
    ),
    t(
        Cssrs,
        r#"{"1":true,"2":true,"3":true,"4":false,"5":false,"6":false}"#,
        None,
        "moderate",
        "",
    ),
];
