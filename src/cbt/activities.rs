//! Behavioural activation: an activity planned for a day, whether it was done, and once
//! done how much mastery (achievement) and pleasure it gave, each 0 to 10.

use chrono::{Days, NaiveDate};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{invalid, optional_rating, required_text, CbtError};
use crate::text::Lines;

pub const TITLE_MAX: usize = 200;

/// An activity as planned (to create it, or to replace it with `PUT`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActivityInput {
    /// What I plan to do: 1 to 200 characters, one line.
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Walk to the park with Sam"
    )]
    pub title: String,
    /// YYYY-MM-DD, within a year of today (UTC) either way.
    #[schema(example = "2026-12-08")]
    pub planned_on: String,
    /// False when not given.
    #[serde(default)]
    pub done: bool,
    /// 0 to 10. Optional until the activity is done, then required.
    #[schema(minimum = 0, maximum = 10)]
    pub mastery: Option<i64>,
    /// 0 to 10. Optional until the activity is done, then required.
    #[schema(minimum = 0, maximum = 10)]
    pub pleasure: Option<i64>,
    /// Hidden from every clinician. Left out when changing a record: unchanged
    /// (false for a new one).
    pub private: Option<bool>,
    /// The homework (an `activity` one of mine) this plan does. Left out when changing a
    /// record: unchanged.
    pub homework_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewActivity {
    pub title: String,
    pub planned_on: NaiveDate,
    pub done: bool,
    pub mastery: Option<i64>,
    pub pleasure: Option<i64>,
    pub private: Option<bool>,
    pub homework_id: Option<i64>,
}

pub fn parse(input: &ActivityInput, today: NaiveDate) -> Result<NewActivity, CbtError> {
    let mastery = optional_rating("mastery", input.mastery, 10)?;
    let pleasure = optional_rating("pleasure", input.pleasure, 10)?;
    if input.done {
        for (field, value) in [("mastery", mastery), ("pleasure", pleasure)] {
            if value.is_none() {
                return Err(invalid(
                    field,
                    format!("Rate {field} from 0 to 10 once the activity is done."),
                ));
            }
        }
    }
    Ok(NewActivity {
        title: required_text("title", &input.title, TITLE_MAX, Lines::One)?,
        planned_on: parse_day(&input.planned_on, today)?,
        done: input.done,
        mastery,
        pleasure,
        private: input.private,
        homework_id: input.homework_id,
    })
}

fn parse_day(raw: &str, today: NaiveDate) -> Result<NaiveDate, CbtError> {
    let refuse = || {
        invalid(
            "planned_on",
            "planned_on is a date (YYYY-MM-DD) within a year of today.",
        )
    };
    let day: NaiveDate = raw.parse().map_err(|_| refuse())?;
    let year = Days::new(366);
    let earliest = today.checked_sub_days(year).unwrap_or(NaiveDate::MIN);
    let latest = today.checked_add_days(year).unwrap_or(NaiveDate::MAX);
    if day < earliest || day > latest {
        return Err(refuse());
    }
    Ok(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(value: serde_json::Value) -> Result<NewActivity, CbtError> {
        let input: ActivityInput = serde_json::from_value(value).unwrap();
        parse(&input, "2026-12-07".parse().unwrap())
    }

    fn field(error: CbtError) -> String {
        match error {
            CbtError::Invalid { field, .. } => field,
            other => panic!("{other}"),
        }
    }

    #[test]
    fn ratings_are_needed_once_done() {
        let planned = serde_json::json!({"title": "Walk", "planned_on": "2026-12-08"});
        assert!(activity(planned).is_ok());
        let done = serde_json::json!({"title": "Walk", "planned_on": "2026-12-08", "done": true, "mastery": 3});
        assert_eq!(field(activity(done).unwrap_err()), "pleasure");
        let over = serde_json::json!({"title": "Walk", "planned_on": "2026-12-08", "mastery": 11});
        assert_eq!(field(activity(over).unwrap_err()), "mastery");
        let far = serde_json::json!({"title": "Walk", "planned_on": "2028-01-01"});
        assert_eq!(field(activity(far).unwrap_err()), "planned_on");
    }
}
