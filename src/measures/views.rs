//! How questionnaires, responses, schedules and what is due appear in answers.

use serde::Serialize;
use utoipa::ToSchema;

use super::due::{DueItem, DueStatus};
use super::store::{Schedule, StoredResponse};
use crate::care_teams::views::PersonView;
use crate::clinical::instruments::{Instrument, Item, ItemKind};
use crate::clinical::rules::ReliableChange;
use crate::clinical::{Answer, Answers, InstrumentId};
use crate::config::crisis::CrisisResources;
use crate::storage::{rfc3339, rfc3339_opt};

/// One stored response, with every item answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResponseView {
    pub id: i64,
    /// `phq9`, `gad7` or `cssrs`.
    pub instrument: String,
    pub version: String,
    /// As submitted, by item id.
    pub answers: Answers,
    /// The sum of the scored items; `null` for the C-SSRS.
    pub total: Option<i64>,
    /// PHQ-9 and GAD-7: `minimal`, `mild`, `moderate`, `moderately_severe` (PHQ-9) or `severe`.
    pub severity: Option<String>,
    /// C-SSRS only: `none`, `low`, `moderate` or `high`.
    pub risk: Option<String>,
    /// For example `item9_positive`.
    pub flags: Vec<String>,
    pub submitted_at: String,
    /// An alert this response raised reached at least one clinician.
    pub care_team_notified: bool,
}

impl From<&StoredResponse> for ResponseView {
    fn from(stored: &StoredResponse) -> Self {
        let answers = serde_json::from_str(&stored.answers).unwrap_or_else(|error| {
            tracing::error!(%error, id = stored.id, "a stored response's answers are unreadable");
            Answers::new()
        });
        let is_cssrs = stored.instrument == InstrumentId::Cssrs.as_str();
        let band = Some(stored.band.clone()).filter(|b| !b.is_empty());
        ResponseView {
            id: stored.id,
            instrument: stored.instrument.clone(),
            version: stored.version.clone(),
            answers,
            total: stored.total,
            severity: band.clone().filter(|_| !is_cssrs),
            risk: band.filter(|_| is_cssrs),
            flags: stored
                .flags
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
            submitted_at: rfc3339(stored.submitted_at),
            care_team_notified: stored.care_team_notified,
        }
    }
}

/// What a patient is told after answering (written by `guidance.rs`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Guidance {
    /// Show the crisis resources before anything else.
    pub urgent: bool,
    /// Offer the patient their safety plan (`/api/safety-plan`): after a C-SSRS result
    /// of moderate or high, or a PHQ-9 answer above 0 to item 9.
    pub offer_safety_plan: bool,
    /// Present when `urgent`, or when no clinician will see the answers.
    pub crisis_resources: Option<CrisisResources>,
    /// What the result means, in plain words.
    pub result: String,
    /// Whether the care team was told, or that no clinician will see this.
    pub care_team: String,
    /// Healing Space is not watched around the clock.
    pub monitoring: &'static str,
}

/// `POST /api/measures/{instrument}/responses`: the response, and what the patient sees next.
#[derive(Serialize, ToSchema)]
pub struct ResponseSubmitted {
    #[serde(flatten)]
    pub response: ResponseView,
    pub guidance: Guidance,
}

/// One answer a question offers.
#[derive(Serialize, ToSchema)]
pub struct OptionView {
    /// 0 to 3, or `true`/`false` for yes/no questions.
    pub value: Answer,
    pub label: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct ItemView {
    pub id: &'static str,
    pub text: &'static str,
    pub hint: Option<&'static str>,
    /// `frequency`, `difficulty` or `yes_no`.
    pub kind: &'static str,
    /// Counted in the total.
    pub scored: bool,
    pub optional: bool,
    /// Asked only when this item is answered yes (then it is required).
    pub asked_when_yes: Option<&'static str>,
    pub options: Vec<OptionView>,
}

impl From<&'static Item> for ItemView {
    fn from(item: &'static Item) -> Self {
        let options = item
            .kind
            .labels()
            .iter()
            .enumerate()
            .map(|(value, label)| OptionView {
                value: match item.kind {
                    ItemKind::YesNo => Answer::YesNo(value == 1),
                    _ => Answer::Points(value as i64),
                },
                label,
            })
            .collect();
        ItemView {
            id: item.id,
            text: item.text,
            hint: item.hint,
            kind: match item.kind {
                ItemKind::Frequency => "frequency",
                ItemKind::Difficulty => "difficulty",
                ItemKind::YesNo => "yes_no",
            },
            scored: item.scored,
            optional: item.optional,
            asked_when_yes: item.asked_when_yes,
            options,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InstrumentView {
    /// `phq9`, `gad7` or `cssrs`.
    pub id: &'static str,
    pub name: &'static str,
    pub version: &'static str,
    pub recall_period: &'static str,
    pub attribution: &'static str,
    pub question: &'static str,
    pub items: Vec<ItemView>,
    /// When I last answered it (patients; `null` for everyone else or when never).
    pub last_submitted_at: Option<String>,
}

impl InstrumentView {
    pub fn new(instrument: &'static Instrument, last_submitted_at: Option<i64>) -> Self {
        InstrumentView {
            id: instrument.id.as_str(),
            name: instrument.name,
            version: instrument.version,
            recall_period: instrument.recall_period,
            attribution: instrument.attribution,
            question: instrument.question,
            items: instrument.items.iter().map(ItemView::from).collect(),
            last_submitted_at: rfc3339_opt(last_submitted_at),
        }
    }
}

/// `GET /api/measures`.
#[derive(Serialize, ToSchema)]
pub struct Catalogue {
    pub instruments: Vec<InstrumentView>,
}

/// My responses over the last `days` days, newest first.
#[derive(Serialize, ToSchema)]
pub struct ResponseHistory {
    pub days: i64,
    pub responses: Vec<ResponseView>,
}

#[derive(Serialize, ToSchema)]
pub struct DueView {
    pub instrument: &'static str,
    pub name: &'static str,
    /// YYYY-MM-DD.
    pub due_on: String,
    pub status: DueStatus,
    pub every_days: u64,
}

impl From<&DueItem> for DueView {
    fn from(item: &DueItem) -> Self {
        DueView {
            instrument: item.instrument.as_str(),
            name: item.instrument.instrument().name,
            due_on: item.due_on.to_string(),
            status: item.status,
            every_days: item.every_days,
        }
    }
}

/// `GET /api/measures/due`: due and overdue questionnaires, then upcoming ones.
#[derive(Serialize, ToSchema)]
pub struct DueList {
    pub due: Vec<DueView>,
    pub upcoming: Vec<DueView>,
}

#[derive(Serialize, ToSchema)]
pub struct ScheduleView {
    pub id: i64,
    pub instrument: String,
    pub every_days: i64,
    /// YYYY-MM-DD.
    pub starts_on: String,
    /// The username of the clinician who made it.
    pub created_by: Option<String>,
    pub created_at: String,
}

impl From<Schedule> for ScheduleView {
    fn from(s: Schedule) -> Self {
        ScheduleView {
            id: s.id,
            instrument: s.instrument,
            every_days: s.every_days,
            starts_on: s.starts_on,
            created_by: s.created_by,
            created_at: rfc3339(s.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ScheduleMade {
    pub schedule: ScheduleView,
}

/// One questionnaire's responses in the window and how the total moved.
#[derive(Serialize, ToSchema)]
pub struct InstrumentTrend {
    pub instrument: &'static str,
    pub name: &'static str,
    /// Newest first.
    pub responses: Vec<ResponseView>,
    /// The latest total minus the first in the window (`null` with fewer than two totals).
    pub change: Option<i64>,
    /// `improved` or `deteriorated` when PHQ-9 moved by 6 or more, or GAD-7 by 4 or more.
    pub reliable_change: Option<ReliableChange>,
}

/// `GET /api/clinician/patients/{username}/measures`.
#[derive(Serialize, ToSchema)]
pub struct PatientMeasures {
    pub patient: PersonView,
    pub days: i64,
    pub instruments: Vec<InstrumentTrend>,
    pub schedules: Vec<ScheduleView>,
}
