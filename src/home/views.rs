//! How the home dashboard appears.

use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::UserView;
use crate::alerts::views::AlertCounts;
use crate::care_teams::views::{CareTeamClinician, PendingCareTeamRequest};
use crate::config::crisis::CrisisResources;
use crate::measures::views::DueView;
use crate::mood::views::MoodEntryView;

/// Everything a person sees first. Parts that are not theirs (a patient's mood, a
/// clinician's counts) are empty or null.
#[derive(Serialize, ToSchema)]
pub struct HomeData {
    pub user: UserView,
    /// When this person signed in before this session.
    pub last_sign_in_at: Option<String>,
    pub unread_messages: i64,
    /// Patients only.
    pub mood: Option<MoodSummary>,
    /// Patients only.
    pub care_team: Vec<CareTeamClinician>,
    /// Patients only.
    pub pending_care_team_requests: Vec<PendingCareTeamRequest>,
    /// Patients only: questionnaires due today or overdue.
    pub measures_due: Vec<DueView>,
    /// Clinicians only.
    pub clinician: Option<ClinicianSummary>,
    pub crisis_resources: CrisisResources,
}

/// The latest check-in, whether there is one today, and the streak in days.
#[derive(Serialize, ToSchema)]
pub struct MoodSummary {
    pub latest: Option<MoodEntryView>,
    pub checked_in_today: bool,
    /// Consecutive days with a check-in, ending today (or yesterday).
    pub streak_days: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ClinicianSummary {
    pub approved: bool,
    /// 0 until approved.
    pub patient_count: i64,
    /// 0 until approved.
    pub pending_requests: i64,
    /// Risk alerts about my patients not yet acknowledged, by severity (urgent first).
    pub open_alerts: AlertCounts,
}
