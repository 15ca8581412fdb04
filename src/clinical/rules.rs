//! Which results raise a risk alert for the care team. Each rule has an id and a version
//! that every alert records; a change to a rule's logic gets a new version. The rules read
//! scores only, never free text.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::instruments::InstrumentId;
use super::scoring::{Flag, Risk, Scored};

/// How soon a clinician should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertSeverity {
    Urgent,
    Review,
}

impl AlertSeverity {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertSeverity::Urgent => "urgent",
            AlertSeverity::Review => "review",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// C-SSRS risk `high`.
    CssrsHigh,
    /// PHQ-9 item 9 above 0.
    Phq9Item9,
    /// C-SSRS risk `moderate`.
    CssrsModerate,
    /// PHQ-9 total of 20 or more, or a rise of 6 or more since the previous PHQ-9.
    Phq9Score,
    /// GAD-7 total of 15 or more, or a rise of 4 or more since the previous GAD-7.
    Gad7Score,
    /// Mood of 2 or less on each of the last 3 days that have check-ins.
    MoodLow,
}

pub const PHQ9_REVIEW_TOTAL: i64 = 20;
pub const PHQ9_RELIABLE_CHANGE: i64 = 6;
pub const GAD7_REVIEW_TOTAL: i64 = 15;
pub const GAD7_RELIABLE_CHANGE: i64 = 4;
pub const MOOD_LOW_SCORE: i64 = 2;
pub const MOOD_LOW_DAYS: usize = 3;

impl Rule {
    pub const ALL: [Rule; 6] = [
        Rule::CssrsHigh,
        Rule::Phq9Item9,
        Rule::CssrsModerate,
        Rule::Phq9Score,
        Rule::Gad7Score,
        Rule::MoodLow,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Rule::CssrsHigh => "cssrs_high",
            Rule::Phq9Item9 => "phq9_item9",
            Rule::CssrsModerate => "cssrs_moderate",
            Rule::Phq9Score => "phq9_score",
            Rule::Gad7Score => "gad7_score",
            Rule::MoodLow => "mood_low",
        }
    }

    pub fn parse(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.id() == id)
    }

    /// Raised by every rule's first version; the next change to a rule makes it 2.
    pub fn version(self) -> i64 {
        1
    }

    pub fn severity(self) -> AlertSeverity {
        match self {
            Rule::CssrsHigh | Rule::Phq9Item9 => AlertSeverity::Urgent,
            Rule::CssrsModerate | Rule::Phq9Score | Rule::Gad7Score | Rule::MoodLow => {
                AlertSeverity::Review
            }
        }
    }

    /// What a clinician reads in the alert inbox (no answers).
    pub fn summary(self) -> &'static str {
        match self {
            Rule::CssrsHigh => "C-SSRS screener: high risk",
            Rule::Phq9Item9 => "PHQ-9 item 9: thoughts of being better off dead or of self-harm",
            Rule::CssrsModerate => "C-SSRS screener: moderate risk",
            Rule::Phq9Score => "PHQ-9: total of 20 or more, or a rise of 6 or more",
            Rule::Gad7Score => "GAD-7: total of 15 or more, or a rise of 4 or more",
            Rule::MoodLow => "Mood of 2 or less on 3 days running that have check-ins",
        }
    }
}

/// The rules a questionnaire response raises, urgent first. `previous_total` is the
/// total of the patient's response to the same questionnaire before this one.
pub fn for_response(scored: &Scored, previous_total: Option<i64>) -> Vec<Rule> {
    let rise = |total: Option<i64>| total.zip(previous_total).map(|(now, before)| now - before);
    let mut rules = Vec::new();
    match scored.instrument {
        InstrumentId::Cssrs => match scored.risk {
            Some(Risk::High) => rules.push(Rule::CssrsHigh),
            Some(Risk::Moderate) => rules.push(Rule::CssrsModerate),
            _ => {}
        },
        InstrumentId::Phq9 => {
            if scored.flags.contains(&Flag::Item9Positive) {
                rules.push(Rule::Phq9Item9);
            }
            let high = scored.total.is_some_and(|t| t >= PHQ9_REVIEW_TOTAL);
            if high || rise(scored.total).is_some_and(|r| r >= PHQ9_RELIABLE_CHANGE) {
                rules.push(Rule::Phq9Score);
            }
        }
        InstrumentId::Gad7 => {
            let high = scored.total.is_some_and(|t| t >= GAD7_REVIEW_TOTAL);
            if high || rise(scored.total).is_some_and(|r| r >= GAD7_RELIABLE_CHANGE) {
                rules.push(Rule::Gad7Score);
            }
        }
    }
    rules
}

/// Whether a mood check-in of `score` raises the low-mood rule. `lowest_by_day` holds the
/// lowest check-in of each day that has check-ins, newest day first, this one's included:
/// a day counts as low when any check-in of it was 2 or less.
pub fn for_mood(score: i64, lowest_by_day: &[i64]) -> Option<Rule> {
    let low = |score: i64| score <= MOOD_LOW_SCORE;
    let days = lowest_by_day.get(..MOOD_LOW_DAYS)?;
    (low(score) && days.iter().all(|&day| low(day))).then_some(Rule::MoodLow)
}

/// A change in total big enough to be more than measurement noise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReliableChange {
    Improved,
    Deteriorated,
}

/// PHQ-9 by 6 or more, GAD-7 by 4 or more (higher totals are worse); never for the C-SSRS.
pub fn reliable_change(instrument: InstrumentId, change: i64) -> Option<ReliableChange> {
    let threshold = match instrument {
        InstrumentId::Phq9 => PHQ9_RELIABLE_CHANGE,
        InstrumentId::Gad7 => GAD7_RELIABLE_CHANGE,
        InstrumentId::Cssrs => return None,
    };
    if change >= threshold {
        Some(ReliableChange::Deteriorated)
    } else if change <= -threshold {
        Some(ReliableChange::Improved)
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
