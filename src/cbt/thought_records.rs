//! Thought records: a situation, the emotions it brought and how strong they were, the
//! automatic thought and how much it was believed, the thinking traps in it, the evidence
//! each way, and a balanced thought with how much the old one is believed after.

use serde::Deserialize;
use utoipa::ToSchema;

use super::{invalid, optional_rating, optional_text, rating, required_text, CbtError};
use crate::text::Lines;

/// The thinking traps a record may name, by id, with their plain-language names.
pub const THINKING_TRAPS: [(&str, &str); 11] = [
    ("all_or_nothing", "All-or-nothing thinking"),
    ("catastrophising", "Catastrophising"),
    ("mind_reading", "Mind reading"),
    ("fortune_telling", "Fortune telling"),
    ("overgeneralising", "Overgeneralising"),
    ("labelling", "Labelling"),
    ("should_statements", "Should statements"),
    ("emotional_reasoning", "Emotional reasoning"),
    ("personalising", "Personalising"),
    ("mental_filter", "Mental filter"),
    ("discounting_the_positive", "Discounting the positive"),
];

pub const SHORT_TEXT_MAX: usize = 500;
pub const EVIDENCE_MAX: usize = 1000;
pub const EMOTION_NAME_MAX: usize = 50;
pub const EMOTIONS_MAX: usize = 10;

/// One emotion and its intensity (0 to 100) before and, when known, after.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct EmotionInput {
    /// 1 to 50 characters, one line.
    #[schema(min_length = 1, max_length = 50, example = "anxious")]
    pub name: String,
    /// 0 to 100. Required (read as optional only so that a missing one is named
    /// `emotions.N.before`, like every other fault of an emotion).
    #[schema(required = true, minimum = 0, maximum = 100, example = 80)]
    pub before: Option<i64>,
    /// 0 to 100, once the balanced thought is written; none until then.
    #[schema(minimum = 0, maximum = 100, example = 40)]
    pub after: Option<i64>,
}

/// A thought record as written (to create it, or to replace it with `PUT`). A number left
/// out is never taken as 0: a required one is a 422, an optional one stays empty.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ThoughtRecordInput {
    /// What happened: 1 to 500 characters.
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "My manager asked to see me tomorrow."
    )]
    pub situation: String,
    /// 1 to 10 emotions.
    #[schema(min_items = 1, max_items = 10)]
    pub emotions: Vec<EmotionInput>,
    /// 1 to 500 characters.
    #[schema(min_length = 1, max_length = 500, example = "I am going to be let go.")]
    pub automatic_thought: String,
    /// How much I believed the thought, 0 to 100 %.
    #[schema(minimum = 0, maximum = 100, example = 90)]
    pub belief_before: i64,
    /// Ids from the fixed list: `all_or_nothing`, `catastrophising`, `mind_reading`,
    /// `fortune_telling`, `overgeneralising`, `labelling`, `should_statements`,
    /// `emotional_reasoning`, `personalising`, `mental_filter`,
    /// `discounting_the_positive`. Empty when not given; a repeat counts once.
    #[serde(default)]
    #[schema(example = json!(["catastrophising", "fortune_telling"]))]
    pub thinking_traps: Vec<String>,
    /// At most 1,000 characters.
    #[schema(max_length = 1000)]
    pub evidence_for: Option<String>,
    /// At most 1,000 characters.
    #[schema(max_length = 1000)]
    pub evidence_against: Option<String>,
    /// At most 500 characters.
    #[schema(max_length = 500)]
    pub balanced_thought: Option<String>,
    /// How much I believe the automatic thought now, 0 to 100 %.
    #[schema(minimum = 0, maximum = 100)]
    pub belief_after: Option<i64>,
    /// Hidden from every clinician. Left out when changing a record: unchanged
    /// (false for a new one).
    pub private: Option<bool>,
    /// The homework (a `thought_record` one of mine) this record does. Left out when
    /// changing a record: unchanged.
    pub homework_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emotion {
    pub name: String,
    pub before: i64,
    pub after: Option<i64>,
}

/// A checked thought record, ready to store.
#[derive(Debug, Clone)]
pub struct NewThoughtRecord {
    pub situation: String,
    pub emotions: Vec<Emotion>,
    pub automatic_thought: String,
    pub belief_before: i64,
    pub thinking_traps: Vec<&'static str>,
    pub evidence_for: Option<String>,
    pub evidence_against: Option<String>,
    pub balanced_thought: Option<String>,
    pub belief_after: Option<i64>,
    pub private: Option<bool>,
    pub homework_id: Option<i64>,
}

pub fn parse(input: &ThoughtRecordInput) -> Result<NewThoughtRecord, CbtError> {
    Ok(NewThoughtRecord {
        situation: required_text("situation", &input.situation, SHORT_TEXT_MAX, Lines::Many)?,
        emotions: parse_emotions(&input.emotions)?,
        automatic_thought: required_text(
            "automatic_thought",
            &input.automatic_thought,
            SHORT_TEXT_MAX,
            Lines::Many,
        )?,
        belief_before: rating("belief_before", input.belief_before, 100)?,
        thinking_traps: parse_traps(&input.thinking_traps)?,
        evidence_for: optional_text(
            "evidence_for",
            input.evidence_for.as_deref(),
            EVIDENCE_MAX,
            Lines::Many,
        )?,
        evidence_against: optional_text(
            "evidence_against",
            input.evidence_against.as_deref(),
            EVIDENCE_MAX,
            Lines::Many,
        )?,
        balanced_thought: optional_text(
            "balanced_thought",
            input.balanced_thought.as_deref(),
            SHORT_TEXT_MAX,
            Lines::Many,
        )?,
        belief_after: optional_rating("belief_after", input.belief_after, 100)?,
        private: input.private,
        homework_id: input.homework_id,
    })
}

fn parse_emotions(given: &[EmotionInput]) -> Result<Vec<Emotion>, CbtError> {
    if given.is_empty() || given.len() > EMOTIONS_MAX {
        return Err(invalid("emotions", "emotions lists 1 to 10 emotions."));
    }
    given
        .iter()
        .enumerate()
        .map(|(index, emotion)| {
            let field = |name: &str| format!("emotions.{index}.{name}");
            Ok(Emotion {
                name: required_text(&field("name"), &emotion.name, EMOTION_NAME_MAX, Lines::One)?,
                before: rating(
                    &field("before"),
                    required(&field("before"), emotion.before)?,
                    100,
                )?,
                after: optional_rating(&field("after"), emotion.after, 100)?,
            })
        })
        .collect()
}

fn required(field: &str, value: Option<i64>) -> Result<i64, CbtError> {
    value.ok_or_else(|| {
        invalid(
            field,
            format!("{field} is required: a number from 0 to 100."),
        )
    })
}

fn parse_traps(given: &[String]) -> Result<Vec<&'static str>, CbtError> {
    let mut traps: Vec<&'static str> = Vec::new();
    for (index, id) in given.iter().enumerate() {
        let Some((known, _)) = THINKING_TRAPS.iter().find(|(trap, _)| trap == id) else {
            return Err(invalid(
                format!("thinking_traps.{index}"),
                "This is not a thinking trap of the list (all_or_nothing, catastrophising, ...).",
            ));
        };
        if !traps.contains(known) {
            traps.push(known);
        }
    }
    Ok(traps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ThoughtRecordInput {
        serde_json::from_value(serde_json::json!({
            "situation": " A meeting ",
            "emotions": [{"name": "anxious", "before": 80}],
            "automatic_thought": "It will go wrong",
            "belief_before": 90,
            "thinking_traps": ["fortune_telling", "fortune_telling"],
        }))
        .unwrap()
    }

    fn field(error: CbtError) -> String {
        match error {
            CbtError::Invalid { field, .. } => field,
            other => panic!("{other}"),
        }
    }

    #[test]
    fn a_record_is_trimmed_and_traps_count_once() {
        let record = parse(&input()).unwrap();
        assert_eq!(record.situation, "A meeting");
        assert_eq!(record.thinking_traps, ["fortune_telling"]);
        assert_eq!(record.belief_after, None);
    }

    #[test]
    fn each_bad_value_names_its_field() {
        let mut bad = input();
        bad.emotions[0].after = Some(101);
        assert_eq!(field(parse(&bad).unwrap_err()), "emotions.0.after");
        let mut bad = input();
        bad.thinking_traps.push("doom".into());
        assert_eq!(field(parse(&bad).unwrap_err()), "thinking_traps.2");
        let mut bad = input();
        bad.belief_before = -1;
        assert_eq!(field(parse(&bad).unwrap_err()), "belief_before");
        let mut bad = input();
        bad.situation = "a".repeat(501);
        assert_eq!(field(parse(&bad).unwrap_err()), "situation");
        let mut bad = input();
        bad.emotions.clear();
        assert_eq!(field(parse(&bad).unwrap_err()), "emotions");
    }
}
