//! Checking and scoring a set of answers. Every item is checked before anything is
//! counted: a missing, extra, out-of-range or wrongly typed answer, or one that breaks the
//! C-SSRS skip logic, is refused with the item named. A missing answer is never a 0.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::instruments::{InstrumentId, Item, ItemKind};

/// One answer: 0 to 3 for PHQ-9 and GAD-7, yes or no for the C-SSRS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Answer {
    Points(i64),
    YesNo(bool),
}

/// Answers by item id.
pub type Answers = BTreeMap<String, Answer>;

/// PHQ-9 and GAD-7 bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Minimal,
    Mild,
    Moderate,
    ModeratelySevere,
    Severe,
}

/// The C-SSRS screener's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    None,
    Low,
    Moderate,
    High,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// PHQ-9 item 9 (thoughts of being better off dead or of self-harm) above 0.
    Item9Positive,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Minimal => "minimal",
            Severity::Mild => "mild",
            Severity::Moderate => "moderate",
            Severity::ModeratelySevere => "moderately_severe",
            Severity::Severe => "severe",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        [
            Severity::Minimal,
            Severity::Mild,
            Severity::Moderate,
            Severity::ModeratelySevere,
            Severity::Severe,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::None => "none",
            Risk::Low => "low",
            Risk::Moderate => "moderate",
            Risk::High => "high",
        }
    }

    pub fn parse(text: &str) -> Option<Risk> {
        [Risk::None, Risk::Low, Risk::Moderate, Risk::High]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// A checked and scored set of answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub instrument: InstrumentId,
    pub answers: Answers,
    /// The sum of the scored items; none for the C-SSRS.
    pub total: Option<i64>,
    pub severity: Option<Severity>,
    pub risk: Option<Risk>,
    pub flags: Vec<Flag>,
}

/// Why a set of answers was refused, naming the item (`answers.9`, or `answers`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerError {
    pub field: String,
    pub message: String,
}

fn refuse(item: &str, message: impl Into<String>) -> AnswerError {
    AnswerError {
        field: format!("answers.{item}"),
        message: message.into(),
    }
}

/// Checks every answer, then scores them.
pub fn score(instrument: InstrumentId, given: &Map<String, Value>) -> Result<Scored, AnswerError> {
    let items = instrument.instrument().items;
    if let Some(extra) = given.keys().find(|key| !items.iter().any(|i| i.id == *key)) {
        return Err(refuse(
            extra,
            format!("{extra} is not an item of {}.", instrument.as_str()),
        ));
    }
    let mut answers = Answers::new();
    for item in items {
        if let Some(answer) = checked_answer(item, given, &answers)? {
            answers.insert(item.id.to_owned(), answer);
        }
    }
    Ok(scored(instrument, answers))
}

/// The item's answer, checked for its type, range and skip logic; none when it is
/// rightly absent. Items come in order, so the item a skip depends on is already checked.
fn checked_answer(
    item: &Item,
    given: &Map<String, Value>,
    earlier: &Answers,
) -> Result<Option<Answer>, AnswerError> {
    let id = item.id;
    let value = given.get(id).filter(|value| !value.is_null());
    if let Some(parent) = item.asked_when_yes {
        let asked = earlier.get(parent) == Some(&Answer::YesNo(true));
        return match (asked, value) {
            (true, None) => Err(refuse(
                id,
                format!("Item {id} is required when item {parent} is yes; a missing answer is never counted."),
            )),
            (false, Some(_)) => Err(refuse(
                id,
                format!("Item {id} is asked only when item {parent} is yes; leave it out when {parent} is no."),
            )),
            (false, None) => Ok(None),
            (true, Some(value)) => typed(item, value).map(Some),
        };
    }
    match value {
        None if item.optional => Ok(None),
        None => Err(refuse(
            id,
            format!("Item {id} is missing; a missing answer is never counted as 0."),
        )),
        Some(value) => typed(item, value).map(Some),
    }
}

fn typed(item: &Item, value: &Value) -> Result<Answer, AnswerError> {
    let id = item.id;
    match item.kind {
        ItemKind::YesNo => value.as_bool().map(Answer::YesNo).ok_or_else(|| {
            refuse(
                id,
                format!("Item {id} is answered true (yes) or false (no)."),
            )
        }),
        ItemKind::Frequency | ItemKind::Difficulty => value
            .as_i64()
            .filter(|points| (0..=3).contains(points))
            .map(Answer::Points)
            .ok_or_else(|| refuse(id, format!("Item {id} is a whole number from 0 to 3."))),
    }
}

fn scored(instrument: InstrumentId, answers: Answers) -> Scored {
    let points = |id: &str| match answers.get(id) {
        Some(Answer::Points(points)) => *points,
        _ => 0,
    };
    let yes = |id: &str| answers.get(id) == Some(&Answer::YesNo(true));
    let scored_items = instrument.instrument().items.iter().filter(|i| i.scored);
    let (total, severity, risk, mut flags) = match instrument {
        InstrumentId::Phq9 => {
            let total: i64 = scored_items.map(|i| points(i.id)).sum();
            (Some(total), Some(phq9_severity(total)), None, Vec::new())
        }
        InstrumentId::Gad7 => {
            let total: i64 = scored_items.map(|i| points(i.id)).sum();
            (Some(total), Some(gad7_severity(total)), None, Vec::new())
        }
        InstrumentId::Cssrs => (None, None, Some(cssrs_risk(&yes)), Vec::new()),
    };
    if instrument == InstrumentId::Phq9 && points("9") > 0 {
        flags.push(Flag::Item9Positive);
    }
    Scored {
        instrument,
        answers,
        total,
        severity,
        risk,
        flags,
    }
}

pub fn phq9_severity(total: i64) -> Severity {
    match total {
        ..=4 => Severity::Minimal,
        5..=9 => Severity::Mild,
        10..=14 => Severity::Moderate,
        15..=19 => Severity::ModeratelySevere,
        _ => Severity::Severe,
    }
}

pub fn gad7_severity(total: i64) -> Severity {
    match total {
        ..=4 => Severity::Minimal,
        5..=9 => Severity::Mild,
        10..=14 => Severity::Moderate,
        _ => Severity::Severe,
    }
}

fn cssrs_risk(yes: &impl Fn(&str) -> bool) -> Risk {
    let recent_behaviour = yes("6") && yes("6b");
    let past_behaviour = yes("6") && !yes("6b");
    if yes("4") || yes("5") || recent_behaviour {
        Risk::High
    } else if yes("3") || past_behaviour {
        Risk::Moderate
    } else if yes("1") || yes("2") {
        Risk::Low
    } else {
        Risk::None
    }
}

#[cfg(test)]
mod tests;
