//! Mood check-ins: a score from 1 to 10, optional sleep and a note; several a day.
//! Days are calendar days in UTC.

pub mod routes;
pub mod store;
pub mod views;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

pub use store::MoodEntry;
use views::DailyAverage;

pub fn day_of(ms: i64) -> NaiveDate {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .date_naive()
}

pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The average score of each day that has check-ins, oldest first.
pub fn daily_averages(entries: &[MoodEntry]) -> Vec<DailyAverage> {
    let mut days: BTreeMap<NaiveDate, (i64, i64)> = BTreeMap::new();
    for entry in entries {
        let day = days.entry(day_of(entry.recorded_at)).or_default();
        day.0 += entry.score;
        day.1 += 1;
    }
    days.into_iter()
        .map(|(date, (sum, count))| {
            let average = (sum as f64 / count as f64 * 100.0).round() / 100.0;
            DailyAverage {
                date: date.to_string(),
                average,
                count,
            }
        })
        .collect()
}

/// Consecutive days with a check-in, ending today, or yesterday when today has none yet.
pub fn streak(check_in_days: &[NaiveDate], today: NaiveDate) -> i64 {
    let days: std::collections::BTreeSet<NaiveDate> = check_in_days.iter().copied().collect();
    let mut day = if days.contains(&today) {
        today
    } else {
        today.pred_opt().unwrap_or(today)
    };
    let mut count = 0;
    while days.contains(&day) {
        count += 1;
        day = match day.pred_opt() {
            Some(previous) => previous,
            None => break,
        };
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn streaks_count_back_from_today_or_yesterday() {
        let today = date("2026-11-28");
        let days = [
            date("2026-11-28"),
            date("2026-11-27"),
            date("2026-11-26"),
            date("2026-11-24"),
        ];
        assert_eq!(streak(&days, today), 3);
        assert_eq!(
            streak(&days[1..], today),
            2,
            "not yet today: the streak still stands"
        );
        assert_eq!(streak(&days[3..], today), 0);
        assert_eq!(streak(&[], today), 0);
    }
}
