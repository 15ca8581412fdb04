//! The questionnaires, in their published wording: PHQ-9 and GAD-7 (free to use, with
//! Pfizer's attribution) and the C-SSRS screener, recent version.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which questionnaire: `phq9`, `gad7` or `cssrs`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum InstrumentId {
    Phq9,
    Gad7,
    Cssrs,
}

impl InstrumentId {
    pub const ALL: [InstrumentId; 3] =
        [InstrumentId::Phq9, InstrumentId::Gad7, InstrumentId::Cssrs];

    pub fn parse(text: &str) -> Option<InstrumentId> {
        InstrumentId::ALL.into_iter().find(|id| id.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InstrumentId::Phq9 => "phq9",
            InstrumentId::Gad7 => "gad7",
            InstrumentId::Cssrs => "cssrs",
        }
    }

    pub fn instrument(self) -> &'static Instrument {
        match self {
            InstrumentId::Phq9 => &PHQ9,
            InstrumentId::Gad7 => &GAD7,
            InstrumentId::Cssrs => &CSSRS,
        }
    }
}

pub struct Instrument {
    pub id: InstrumentId,
    pub name: &'static str,
    pub version: &'static str,
    pub recall_period: &'static str,
    pub attribution: &'static str,
    /// The question the items answer.
    pub question: &'static str,
    pub items: &'static [Item],
}

pub struct Item {
    pub id: &'static str,
    pub text: &'static str,
    /// Examples or a note shown under the text.
    pub hint: Option<&'static str>,
    pub kind: ItemKind,
    /// Counted in the total.
    pub scored: bool,
    /// May be left out (PHQ-9's difficulty item).
    pub optional: bool,
    /// Asked only when this item was answered yes: then required, otherwise absent.
    pub asked_when_yes: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// 0 to 3: not at all … nearly every day.
    Frequency,
    /// 0 to 3: not difficult at all … extremely difficult.
    Difficulty,
    YesNo,
}

impl ItemKind {
    /// The answers offered, in the order of their values (0 to 3; no, then yes, answered as
    /// `false` and `true`).
    pub fn labels(self) -> &'static [&'static str] {
        match self {
            ItemKind::Frequency => &[
                "Not at all",
                "Several days",
                "More than half the days",
                "Nearly every day",
            ],
            ItemKind::Difficulty => &[
                "Not difficult at all",
                "Somewhat difficult",
                "Very difficult",
                "Extremely difficult",
            ],
            ItemKind::YesNo => &["No", "Yes"],
        }
    }
}

const PFIZER: &str = "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and \
    colleagues, with an educational grant from Pfizer Inc. No permission required to reproduce, \
    translate, display or distribute.";

const fn frequency(id: &'static str, text: &'static str) -> Item {
    Item {
        id,
        text,
        hint: None,
        kind: ItemKind::Frequency,
        scored: true,
        optional: false,
        asked_when_yes: None,
    }
}

const fn yes_no(
    id: &'static str,
    text: &'static str,
    asked_when_yes: Option<&'static str>,
) -> Item {
    Item {
        id,
        text,
        hint: None,
        kind: ItemKind::YesNo,
        scored: false,
        optional: false,
        asked_when_yes,
    }
}

pub static PHQ9: Instrument = Instrument {
    id: InstrumentId::Phq9,
    name: "PHQ-9 (Patient Health Questionnaire)",
    version: "1",
    recall_period: "the last 2 weeks",
    attribution: PFIZER,
    question: "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    items: &[
        frequency("1", "Little interest or pleasure in doing things"),
        frequency("2", "Feeling down, depressed, or hopeless"),
        frequency("3", "Trouble falling or staying asleep, or sleeping too much"),
        frequency("4", "Feeling tired or having little energy"),
        frequency("5", "Poor appetite or overeating"),
        frequency(
            "6",
            "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
        ),
        frequency(
            "7",
            "Trouble concentrating on things, such as reading the newspaper or watching television",
        ),
        frequency(
            "8",
            "Moving or speaking so slowly that other people could have noticed? Or the opposite — \
             being so fidgety or restless that you have been moving around a lot more than usual",
        ),
        frequency(
            "9",
            "Thoughts that you would be better off dead or of hurting yourself in some way",
        ),
        Item {
            id: "difficulty",
            text: "If you checked off any problems, how difficult have these problems made it for you \
                   to do your work, take care of things at home, or get along with other people?",
            hint: Some("Optional, and not counted in the total."),
            kind: ItemKind::Difficulty,
            scored: false,
            optional: true,
            asked_when_yes: None,
        },
    ],
};

pub static GAD7: Instrument = Instrument {
    id: InstrumentId::Gad7,
    name: "GAD-7 (Generalized Anxiety Disorder 7-item scale)",
    version: "1",
    recall_period: "the last 2 weeks",
    attribution: PFIZER,
    question: "Over the last 2 weeks, how often have you been bothered by the following problems?",
    items: &[
        frequency("1", "Feeling nervous, anxious, or on edge"),
        frequency("2", "Not being able to stop or control worrying"),
        frequency("3", "Worrying too much about different things"),
        frequency("4", "Trouble relaxing"),
        frequency("5", "Being so restless that it is hard to sit still"),
        frequency("6", "Becoming easily annoyed or irritable"),
        frequency("7", "Feeling afraid, as if something awful might happen"),
    ],
};

pub static CSSRS: Instrument = Instrument {
    id: InstrumentId::Cssrs,
    name: "C-SSRS Screener (Columbia Suicide Severity Rating Scale), recent version",
    version: "1",
    recall_period: "the past month (question 6: ever, and the past 3 months)",
    attribution: "Columbia-Suicide Severity Rating Scale, Screen Version - Recent. Posner, K. et al., \
                  The Research Foundation for Mental Hygiene, Inc.; The Columbia Lighthouse Project. \
                  Free to use in clinical and community settings.",
    question: "In the past month:",
    items: &[
        yes_no(
            "1",
            "Have you wished you were dead or wished you could go to sleep and not wake up?",
            None,
        ),
        yes_no("2", "Have you actually had any thoughts of killing yourself?", None),
        yes_no("3", "Have you been thinking about how you might do this?", Some("2")),
        yes_no(
            "4",
            "Have you had these thoughts and had some intention of acting on them?",
            Some("2"),
        ),
        yes_no(
            "5",
            "Have you started to work out or worked out the details of how to kill yourself? \
             Do you intend to carry out this plan?",
            Some("2"),
        ),
        Item {
            hint: Some(
                "For example: collected pills, obtained a gun, gave away valuables, wrote a will or \
                 suicide note, took out pills but didn't swallow any, held a gun but changed your mind \
                 or it was grabbed from your hand, went to the roof but didn't jump; or actually took \
                 pills, tried to shoot yourself, cut yourself, tried to hang yourself, etc.",
            ),
            ..yes_no(
                "6",
                "Have you ever done anything, started to do anything, or prepared to do anything to end your life?",
                None,
            )
        },
        yes_no("6b", "Was this within the past 3 months?", Some("6")),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_unknown_ids_are_refused() {
        for id in InstrumentId::ALL {
            assert_eq!(InstrumentId::parse(id.as_str()), Some(id));
            assert_eq!(id.instrument().id, id);
        }
        assert_eq!(InstrumentId::parse("PHQ9"), None);
        assert_eq!(InstrumentId::parse("phq-9"), None);
        assert_eq!(InstrumentId::parse(""), None);
    }

    #[test]
    fn item_ids_are_the_published_ones() {
        let ids = |i: &Instrument| i.items.iter().map(|item| item.id).collect::<Vec<_>>();
        assert_eq!(
            ids(&PHQ9),
            ["1", "2", "3", "4", "5", "6", "7", "8", "9", "difficulty"]
        );
        assert_eq!(ids(&GAD7), ["1", "2", "3", "4", "5", "6", "7"]);
        assert_eq!(ids(&CSSRS), ["1", "2", "3", "4", "5", "6", "6b"]);
    }
}
