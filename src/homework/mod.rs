//! CBT homework: a clinician of the patient's care team assigns a thought record, a
//! planned activity or an exposure ladder; the patient does it by creating that record
//! linked to it (`homework_id`, checked in [`crate::cbt`]). Its status comes from what
//! is linked, never from a flag anyone sets: done when a record is linked, overdue when
//! not done and its day has passed.

pub mod routes;
pub mod store;
pub mod views;

use chrono::{Days, NaiveDate};

use crate::storage::{DbError, On};
use crate::text::{self, Lines};

/// What a homework asks the patient to do: the kind of record that completes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ThoughtRecord,
    Activity,
    Exposure,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::ThoughtRecord, Kind::Activity, Kind::Exposure];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ThoughtRecord => "thought_record",
            Kind::Activity => "activity",
            Kind::Exposure => "exposure",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// Where a homework stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Assigned,
    Done,
    Overdue,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Assigned => "assigned",
            Status::Done => "done",
            Status::Overdue => "overdue",
        }
    }

    /// Done once a record is linked; overdue when not, and its day is before `today`.
    pub fn of(done: bool, due_on: Option<&str>, today: NaiveDate) -> Status {
        let due: Option<NaiveDate> = due_on.and_then(|day| day.parse().ok());
        match (done, due) {
            (true, _) => Status::Done,
            (false, Some(due)) if due < today => Status::Overdue,
            _ => Status::Assigned,
        }
    }
}

/// Why an assignment was refused: the field and what it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        field,
        message: message.into(),
    }
}

pub const INSTRUCTIONS_MAX: usize = 1000;

/// Instructions: 1 to 1,000 characters, several lines allowed, trimmed.
pub fn parse_instructions(raw: &str) -> Result<String, Invalid> {
    let instructions = raw.trim();
    if instructions.is_empty() || instructions.chars().count() > INSTRUCTIONS_MAX {
        return Err(invalid(
            "instructions",
            "instructions are 1 to 1,000 characters.",
        ));
    }
    text::check(instructions, Lines::Many)
        .map_err(|forbidden| invalid("instructions", format!("Instructions {forbidden}.")))?;
    Ok(instructions.to_owned())
}

/// A due day: YYYY-MM-DD, from `today` to a year after it.
pub fn parse_due_on(raw: &str, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    let refuse = || {
        invalid(
            "due_on",
            "due_on is a date (YYYY-MM-DD) from today to a year from now.",
        )
    };
    let day: NaiveDate = raw.parse().map_err(|_| refuse())?;
    let latest = today
        .checked_add_days(Days::new(366))
        .unwrap_or(NaiveDate::MAX);
    if day < today || day > latest {
        return Err(refuse());
    }
    Ok(day)
}

/// Whether `homework_id` names a homework of this patient's that a record of this kind
/// completes: a record may only be linked to its own patient's homework of its kind.
pub async fn may_link<'e>(
    executor: impl Into<On<'e>>,
    patient_id: i64,
    homework_id: i64,
    kind: Kind,
) -> Result<bool, DbError> {
    let found = store::kind_of(executor, patient_id, homework_id).await?;
    Ok(found.as_deref() == Some(kind.as_str()))
}

/// My homework, newest first, for my data export.
pub async fn mine(
    db: &crate::storage::Database,
    patient_id: i64,
) -> Result<Vec<views::HomeworkView>, DbError> {
    let today = crate::mood::today();
    let rows = store::of_patient(db, patient_id, true).await?;
    Ok(rows
        .into_iter()
        .map(|h| views::HomeworkView::new(h, today))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_homework_is_overdue_only_when_undone_after_its_day() {
        let today = day("2026-12-07");
        assert_eq!(Status::of(false, None, today), Status::Assigned);
        assert_eq!(
            Status::of(false, Some("2026-12-07"), today),
            Status::Assigned
        );
        assert_eq!(
            Status::of(false, Some("2026-12-06"), today),
            Status::Overdue
        );
        assert_eq!(Status::of(true, Some("2026-12-06"), today), Status::Done);
    }

    #[test]
    fn due_days_run_from_today_to_a_year_ahead() {
        let today = day("2026-12-07");
        assert!(parse_due_on("2026-12-07", today).is_ok());
        assert!(parse_due_on("2027-12-08", today).is_ok());
        for bad in ["2026-12-06", "2027-12-09", "tomorrow", "", "2026-02-30"] {
            assert_eq!(
                parse_due_on(bad, today).unwrap_err().field,
                "due_on",
                "{bad}"
            );
        }
    }

    #[test]
    fn instructions_have_a_length() {
        assert_eq!(parse_instructions("  Do one  ").unwrap(), "Do one");
        assert!(parse_instructions(" ").is_err());
        assert!(parse_instructions(&"a".repeat(1000)).is_ok());
        assert!(parse_instructions(&"a".repeat(1001)).is_err());
    }
}
