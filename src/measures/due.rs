//! Which questionnaires are due: from the clinicians' schedules and when each was last
//! answered. Days are calendar days in UTC.

use chrono::{Days, NaiveDate};

use crate::clinical::InstrumentId;

/// A schedule as the due list needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    pub instrument: InstrumentId,
    pub every_days: u64,
    pub starts_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DueStatus {
    /// Due today.
    Due,
    /// Was due on an earlier day.
    Overdue,
    /// Due on a later day.
    Upcoming,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueItem {
    pub instrument: InstrumentId,
    pub due_on: NaiveDate,
    pub status: DueStatus,
    /// The shortest interval among the schedules for this questionnaire.
    pub every_days: u64,
}

/// One item per scheduled questionnaire, in catalogue order. A schedule is next due
/// `every_days` after the last answer given on or after its start, or on its start when
/// there is none; when several clinicians schedule one questionnaire, the earliest date
/// counts, so the patient sees it once.
pub fn due_items(
    cadences: &[Cadence],
    last_answered: impl Fn(InstrumentId) -> Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<DueItem> {
    InstrumentId::ALL
        .into_iter()
        .filter_map(|instrument| {
            let last = last_answered(instrument);
            cadences
                .iter()
                .filter(|c| c.instrument == instrument)
                .map(|c| (next_due(c, last), c.every_days))
                .min()
                .map(|(due_on, every_days)| DueItem {
                    instrument,
                    due_on,
                    status: status(due_on, today),
                    every_days,
                })
        })
        .collect()
}

fn next_due(cadence: &Cadence, last: Option<NaiveDate>) -> NaiveDate {
    match last.filter(|day| *day >= cadence.starts_on) {
        Some(day) => day
            .checked_add_days(Days::new(cadence.every_days))
            .unwrap_or(NaiveDate::MAX),
        None => cadence.starts_on,
    }
}

fn status(due_on: NaiveDate, today: NaiveDate) -> DueStatus {
    match due_on.cmp(&today) {
        std::cmp::Ordering::Less => DueStatus::Overdue,
        std::cmp::Ordering::Equal => DueStatus::Due,
        std::cmp::Ordering::Greater => DueStatus::Upcoming,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn weekly(instrument: InstrumentId, starts_on: &str) -> Cadence {
        Cadence {
            instrument,
            every_days: 7,
            starts_on: day(starts_on),
        }
    }

    #[test]
    fn due_on_the_start_day_then_every_interval_after_an_answer() {
        let today = day("2026-12-06");
        let phq9 = [weekly(InstrumentId::Phq9, "2026-12-06")];
        let never = |_| None;
        assert_eq!(due_items(&phq9, never, today)[0].status, DueStatus::Due);
        let answered = |on: &'static str| move |_| Some(day(on));
        let item = due_items(&phq9, answered("2026-12-06"), today)[0];
        assert_eq!(
            (item.due_on, item.status),
            (day("2026-12-13"), DueStatus::Upcoming)
        );
        let later = [weekly(InstrumentId::Phq9, "2026-11-20")];
        let item = due_items(&later, answered("2026-11-29"), today)[0];
        assert_eq!(
            (item.due_on, item.status),
            (day("2026-12-06"), DueStatus::Due)
        );
        let item = due_items(&later, answered("2026-11-28"), today)[0];
        assert_eq!(
            (item.due_on, item.status),
            (day("2026-12-05"), DueStatus::Overdue)
        );
        let item = due_items(&later, never, today)[0];
        assert_eq!(item.status, DueStatus::Overdue);
    }

    #[test]
    fn an_answer_before_the_schedule_started_does_not_count() {
        let today = day("2026-12-06");
        let future = [weekly(InstrumentId::Gad7, "2026-12-10")];
        let item = due_items(&future, |_| Some(day("2026-12-05")), today)[0];
        assert_eq!(
            (item.due_on, item.status),
            (day("2026-12-10"), DueStatus::Upcoming)
        );
    }

    #[test]
    fn two_schedules_of_one_questionnaire_make_one_item_the_earliest() {
        let today = day("2026-12-06");
        let both = [
            weekly(InstrumentId::Phq9, "2026-12-01"),
            Cadence {
                every_days: 14,
                ..weekly(InstrumentId::Phq9, "2026-12-01")
            },
            weekly(InstrumentId::Cssrs, "2026-12-07"),
        ];
        let items = due_items(&both, |_| Some(day("2026-12-02")), today);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].instrument, InstrumentId::Phq9);
        assert_eq!(items[0].due_on, day("2026-12-09"));
        assert_eq!(items[0].every_days, 7);
        assert_eq!(items[1].instrument, InstrumentId::Cssrs);
        assert!(due_items(&[], |_| None, today).is_empty());
    }
}
