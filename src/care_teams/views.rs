//! How people and care teams appear in answers, wherever they are shown (the care
//! team's own pages, home, messages, feedback).

use serde::Serialize;
use utoipa::ToSchema;

use super::store;
use crate::accounts::Role;
use crate::storage::{rfc3339, rfc3339_opt};

/// How a person appears to others: a handle, a name, and their role, which the app shows
/// beside the name so that a name cannot pass for a role.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonView {
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

impl PersonView {
    pub fn new(username: &str, display_name: &str, role: Role) -> PersonView {
        PersonView {
            username: username.to_owned(),
            display_name: display_name.to_owned(),
            role,
        }
    }
}

/// A clinician in a patient's care team.
#[derive(Debug, Serialize, ToSchema)]
pub struct CareTeamClinician {
    pub username: String,
    pub display_name: String,
    /// Always `clinician`.
    pub role: Role,
    /// When the clinician approved the request.
    pub since: Option<String>,
}

/// A patient's request to join a clinician's care team, not yet decided.
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingCareTeamRequest {
    pub id: i64,
    pub clinician: PersonView,
    pub requested_at: String,
}

/// A patient's links as their clinicians (approved) and pending requests.
pub fn care_team_views(
    links: Vec<store::Link>,
) -> (Vec<CareTeamClinician>, Vec<PendingCareTeamRequest>) {
    let (mut clinicians, mut pending) = (Vec::new(), Vec::new());
    for link in links {
        if link.status == "approved" {
            clinicians.push(CareTeamClinician {
                since: rfc3339_opt(link.decided_at),
                username: link.username,
                display_name: link.display_name,
                role: Role::Clinician,
            });
        } else {
            pending.push(PendingCareTeamRequest {
                id: link.id,
                clinician: PersonView::new(&link.username, &link.display_name, Role::Clinician),
                requested_at: rfc3339(link.requested_at),
            });
        }
    }
    (clinicians, pending)
}

/// A patient's care team: `/api/care-team`.
#[derive(Serialize, ToSchema)]
pub struct CareTeam {
    pub clinicians: Vec<CareTeamClinician>,
    pub pending: Vec<PendingCareTeamRequest>,
}

#[derive(Serialize, ToSchema)]
pub struct CareTeamRequestMade {
    pub request: PendingCareTeamRequest,
}

#[derive(Serialize, ToSchema)]
pub struct CareTeamLeft {
    /// Always true.
    pub left: bool,
}

/// Approved clinicians, for a patient to choose from.
#[derive(Serialize, ToSchema)]
pub struct ClinicianList {
    pub clinicians: Vec<PersonView>,
}

/// A clinician's pending requests: `/api/clinician/requests`.
#[derive(Serialize, ToSchema)]
pub struct PatientRequests {
    pub requests: Vec<PatientRequest>,
}

/// A patient's request to join this clinician's care team.
#[derive(Serialize, ToSchema)]
pub struct PatientRequest {
    pub id: i64,
    pub patient: PersonView,
    pub requested_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct RequestDecided {
    pub request: Decision,
}

#[derive(Serialize, ToSchema)]
pub struct Decision {
    pub id: i64,
    /// `approved` or `declined`.
    pub status: &'static str,
}

/// A clinician's patients: `/api/clinician/patients`.
#[derive(Serialize, ToSchema)]
pub struct PatientList {
    pub patients: Vec<PatientSummary>,
}

#[derive(Serialize, ToSchema)]
pub struct PatientSummary {
    pub username: String,
    pub display_name: String,
    /// When the patient joined this clinician's care team.
    pub since: String,
    /// Messages from this patient not yet read.
    pub unread_messages: i64,
    pub latest_mood: Option<LatestMood>,
    /// Risk alerts about this patient not yet acknowledged, by severity.
    pub open_alerts: OpenAlerts,
    /// The result of the latest response to each questionnaire.
    pub latest_measures: LatestMeasures,
}

/// Alerts not yet acknowledged.
#[derive(Serialize, ToSchema)]
pub struct OpenAlerts {
    pub urgent: i64,
    pub review: i64,
}

/// The severity band (PHQ-9, GAD-7) or risk (C-SSRS) of the latest response; null when never answered.
#[derive(Serialize, ToSchema)]
pub struct LatestMeasures {
    pub phq9: Option<String>,
    pub gad7: Option<String>,
    pub cssrs: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LatestMood {
    pub score: i64,
    pub recorded_at: String,
}

impl From<store::PatientSummary> for PatientSummary {
    fn from(p: store::PatientSummary) -> Self {
        let latest_mood = p
            .latest_mood_score
            .zip(p.latest_mood_at)
            .map(|(score, at)| LatestMood {
                score,
                recorded_at: rfc3339(at),
            });
        PatientSummary {
            username: p.username,
            display_name: p.display_name,
            since: rfc3339(p.since),
            unread_messages: p.unread_messages,
            latest_mood,
            open_alerts: OpenAlerts {
                urgent: p.urgent_alerts,
                review: p.review_alerts,
            },
            latest_measures: LatestMeasures {
                phq9: p.latest_phq9,
                gad7: p.latest_gad7,
                cssrs: p.latest_cssrs,
            },
        }
    }
}
