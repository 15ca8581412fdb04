//! How mood check-ins appear in answers (here, on the home screen and in the export).

use serde::Serialize;
use utoipa::ToSchema;

use super::MoodEntry;
use crate::care_teams::views::PersonView;
use crate::storage::rfc3339;

/// One check-in.
#[derive(Serialize, ToSchema)]
pub struct MoodEntryView {
    pub id: i64,
    /// 1 (worst) to 10 (best).
    pub score: i64,
    pub sleep_hours: Option<f64>,
    pub note: Option<String>,
    pub recorded_at: String,
}

impl From<&MoodEntry> for MoodEntryView {
    fn from(entry: &MoodEntry) -> Self {
        MoodEntryView {
            id: entry.id,
            score: entry.score,
            sleep_hours: entry.sleep_hours,
            note: entry.note.clone(),
            recorded_at: rfc3339(entry.recorded_at),
        }
    }
}

/// The average score of one calendar day (UTC) with check-ins.
#[derive(Debug, PartialEq, Serialize, ToSchema)]
pub struct DailyAverage {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Rounded to two decimals.
    pub average: f64,
    pub count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CheckedIn {
    pub entry: MoodEntryView,
    /// This check-in completed a run of low mood that raised an alert for the care team.
    pub alert_raised: bool,
    /// That alert reached at least one clinician.
    pub care_team_notified: bool,
}

/// Check-ins over the last `days` days.
#[derive(Serialize, ToSchema)]
pub struct MoodHistory {
    pub days: i64,
    /// Oldest first.
    pub daily: Vec<DailyAverage>,
    /// Newest first.
    pub entries: Vec<MoodEntryView>,
}

/// A patient's check-ins, for a clinician of their care team.
#[derive(Serialize, ToSchema)]
pub struct PatientMoodHistory {
    #[serde(flatten)]
    pub history: MoodHistory,
    pub patient: PersonView,
}
