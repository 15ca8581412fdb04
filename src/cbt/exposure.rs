//! Exposure ladders: a named fear and its steps, from the least to the most feared, each
//! with the distress expected (SUDS, 0 to 100), and attempts at a step with the distress
//! before, at its peak and after.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{invalid, rating, required_text, CbtError};
use crate::text::Lines;

pub const FEAR_MAX: usize = 200;
pub const STEP_MAX: usize = 300;
pub const STEPS_MAX: usize = 20;

/// One step, in the order of the list.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StepInput {
    /// An existing step of this ladder, to keep it and its attempts when changing the
    /// ladder; none for a new step.
    pub id: Option<i64>,
    /// 1 to 300 characters, one line.
    #[schema(
        min_length = 1,
        max_length = 300,
        example = "Stand outside a busy café for five minutes"
    )]
    pub description: String,
    /// The distress I expect, 0 to 100 SUDS.
    #[schema(minimum = 0, maximum = 100, example = 40)]
    pub expected_suds: i64,
}

/// A ladder as written (to create it, or to replace it with `PUT`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct LadderInput {
    /// The fear the ladder climbs: 1 to 200 characters, one line.
    #[schema(min_length = 1, max_length = 200, example = "Crowded places")]
    pub fear: String,
    /// 1 to 20 steps, in order. Steps left out of a `PUT` are removed with their attempts.
    #[schema(min_items = 1, max_items = 20)]
    pub steps: Vec<StepInput>,
    /// Hidden from every clinician. Left out when changing a record: unchanged
    /// (false for a new one).
    pub private: Option<bool>,
    /// The homework (an `exposure` one of mine) this ladder does. Left out when changing
    /// a record: unchanged.
    pub homework_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewStep {
    pub id: Option<i64>,
    pub description: String,
    pub expected_suds: i64,
}

#[derive(Debug, Clone)]
pub struct NewLadder {
    pub fear: String,
    pub steps: Vec<NewStep>,
    pub private: Option<bool>,
    pub homework_id: Option<i64>,
}

pub fn parse_ladder(input: &LadderInput) -> Result<NewLadder, CbtError> {
    if input.steps.is_empty() || input.steps.len() > STEPS_MAX {
        return Err(invalid("steps", "steps lists 1 to 20 steps."));
    }
    let mut steps = Vec::with_capacity(input.steps.len());
    for (index, step) in input.steps.iter().enumerate() {
        let field = |name: &str| format!("steps.{index}.{name}");
        if step.id.is_some() && steps.iter().any(|s: &NewStep| s.id == step.id) {
            return Err(invalid(field("id"), "A step can be listed only once."));
        }
        steps.push(NewStep {
            id: step.id,
            description: required_text(
                &field("description"),
                &step.description,
                STEP_MAX,
                Lines::One,
            )?,
            expected_suds: rating(&field("expected_suds"), step.expected_suds, 100)?,
        });
    }
    Ok(NewLadder {
        fear: required_text("fear", &input.fear, FEAR_MAX, Lines::One)?,
        steps,
        private: input.private,
        homework_id: input.homework_id,
    })
}

/// One attempt at a step: distress (SUDS, 0 to 100) before, at its peak and after.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AttemptInput {
    #[schema(minimum = 0, maximum = 100, example = 60)]
    pub suds_before: i64,
    #[schema(minimum = 0, maximum = 100, example = 75)]
    pub suds_peak: i64,
    #[schema(minimum = 0, maximum = 100, example = 30)]
    pub suds_after: i64,
    /// When (RFC 3339), within the last year and not in the future; now when not given.
    #[schema(example = "2026-12-07T09:30:00Z")]
    pub attempted_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttempt {
    pub suds_before: i64,
    pub suds_peak: i64,
    pub suds_after: i64,
    /// UTC milliseconds.
    pub attempted_at: i64,
}

pub fn parse_attempt(input: &AttemptInput, now: DateTime<Utc>) -> Result<NewAttempt, CbtError> {
    let attempted_at = match input.attempted_at.as_deref() {
        None => now,
        Some(raw) => {
            let refuse = || {
                invalid(
                    "attempted_at",
                    "attempted_at is a time (RFC 3339) within the last year, not in the future.",
                )
            };
            let at = DateTime::parse_from_rfc3339(raw)
                .map_err(|_| refuse())?
                .with_timezone(&Utc);
            // A few minutes of grace for a device clock slightly ahead of ours.
            if at > now + Duration::minutes(5) || at < now - Duration::days(366) {
                return Err(refuse());
            }
            at
        }
    };
    Ok(NewAttempt {
        suds_before: rating("suds_before", input.suds_before, 100)?,
        suds_peak: rating("suds_peak", input.suds_peak, 100)?,
        suds_after: rating("suds_after", input.suds_after, 100)?,
        attempted_at: attempted_at.timestamp_millis(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(error: CbtError) -> String {
        match error {
            CbtError::Invalid { field, .. } => field,
            other => panic!("{other}"),
        }
    }

    #[test]
    fn steps_are_checked_one_by_one() {
        let input: LadderInput = serde_json::from_value(serde_json::json!({
            "fear": "Lifts",
            "steps": [{"description": "Look at a lift", "expected_suds": 10},
                      {"description": "Ride one floor", "expected_suds": 101}],
        }))
        .unwrap();
        assert_eq!(
            field(parse_ladder(&input).unwrap_err()),
            "steps.1.expected_suds"
        );
    }

    #[test]
    fn an_attempt_is_not_in_the_future() {
        let now = Utc::now();
        let attempt = |at: &str| AttemptInput {
            suds_before: 50,
            suds_peak: 70,
            suds_after: 20,
            attempted_at: Some(at.to_owned()),
        };
        let tomorrow = (now + Duration::days(1)).to_rfc3339();
        assert_eq!(
            field(parse_attempt(&attempt(&tomorrow), now).unwrap_err()),
            "attempted_at"
        );
        let hour_ago = (now - Duration::hours(1)).to_rfc3339();
        assert!(parse_attempt(&attempt(&hour_ago), now).is_ok());
    }
}
