//! How CBT records appear: the same to the patient and to the clinicians of their care
//! team (who are never given a private one).

use serde::Serialize;
use utoipa::ToSchema;

use super::store::activities::Activity;
use super::store::exposure::{AttemptRow, Ladder};
use super::store::thought_records::ThoughtRecord;
use crate::care_teams::views::PersonView;
use crate::storage::rfc3339;

#[derive(Serialize, ToSchema)]
pub struct EmotionView {
    pub name: String,
    /// 0 to 100.
    pub before: i64,
    /// 0 to 100, when rated.
    pub after: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ThoughtRecordView {
    pub id: i64,
    pub situation: String,
    pub emotions: Vec<EmotionView>,
    pub automatic_thought: String,
    /// 0 to 100 %.
    pub belief_before: i64,
    /// Ids from the fixed list, in the order given.
    pub thinking_traps: Vec<String>,
    pub evidence_for: Option<String>,
    pub evidence_against: Option<String>,
    pub balanced_thought: Option<String>,
    /// 0 to 100 %, when rated.
    pub belief_after: Option<i64>,
    pub private: bool,
    /// The homework it does.
    pub homework_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<ThoughtRecord> for ThoughtRecordView {
    fn from(record: ThoughtRecord) -> Self {
        let row = record.row;
        ThoughtRecordView {
            id: row.id,
            situation: row.situation,
            emotions: record
                .emotions
                .into_iter()
                .map(|e| EmotionView {
                    name: e.name,
                    before: e.intensity_before,
                    after: e.intensity_after,
                })
                .collect(),
            automatic_thought: row.automatic_thought,
            belief_before: row.belief_before,
            thinking_traps: row
                .thinking_traps
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            evidence_for: row.evidence_for,
            evidence_against: row.evidence_against,
            balanced_thought: row.balanced_thought,
            belief_after: row.belief_after,
            private: row.private,
            homework_id: row.homework_id,
            created_at: rfc3339(row.created_at),
            updated_at: rfc3339(row.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ActivityView {
    pub id: i64,
    pub title: String,
    /// YYYY-MM-DD.
    pub planned_on: String,
    pub done: bool,
    /// 0 to 10, when rated.
    pub mastery: Option<i64>,
    /// 0 to 10, when rated.
    pub pleasure: Option<i64>,
    pub private: bool,
    pub homework_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Activity> for ActivityView {
    fn from(a: Activity) -> Self {
        ActivityView {
            id: a.id,
            title: a.title,
            planned_on: a.planned_on,
            done: a.done,
            mastery: a.mastery,
            pleasure: a.pleasure,
            private: a.private,
            homework_id: a.homework_id,
            created_at: rfc3339(a.created_at),
            updated_at: rfc3339(a.updated_at),
        }
    }
}

/// One attempt at a step: distress (SUDS, 0 to 100) before, at its peak and after.
#[derive(Serialize, ToSchema)]
pub struct AttemptView {
    pub id: i64,
    pub suds_before: i64,
    pub suds_peak: i64,
    pub suds_after: i64,
    pub attempted_at: String,
}

impl From<AttemptRow> for AttemptView {
    fn from(a: AttemptRow) -> Self {
        AttemptView {
            id: a.id,
            suds_before: a.suds_before,
            suds_peak: a.suds_peak,
            suds_after: a.suds_after,
            attempted_at: rfc3339(a.attempted_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StepView {
    /// The step's id, for its attempts and to keep it when changing the ladder.
    pub id: i64,
    /// From 1, in the ladder's order.
    pub position: i64,
    pub description: String,
    /// 0 to 100.
    pub expected_suds: i64,
    /// Oldest first.
    pub attempts: Vec<AttemptView>,
}

#[derive(Serialize, ToSchema)]
pub struct LadderView {
    pub id: i64,
    pub fear: String,
    pub steps: Vec<StepView>,
    pub private: bool,
    pub homework_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Ladder> for LadderView {
    fn from(ladder: Ladder) -> Self {
        let row = ladder.row;
        LadderView {
            id: row.id,
            fear: row.fear,
            steps: ladder
                .steps
                .into_iter()
                .map(|(step, attempts)| StepView {
                    id: step.id,
                    position: step.position,
                    description: step.description,
                    expected_suds: step.expected_suds,
                    attempts: attempts.into_iter().map(AttemptView::from).collect(),
                })
                .collect(),
            private: row.private,
            homework_id: row.homework_id,
            created_at: rfc3339(row.created_at),
            updated_at: rfc3339(row.updated_at),
        }
    }
}

/// Newest first.
#[derive(Serialize, ToSchema)]
pub struct ThoughtRecordList {
    pub thought_records: Vec<ThoughtRecordView>,
}

/// The latest planned first.
#[derive(Serialize, ToSchema)]
pub struct ActivityList {
    pub activities: Vec<ActivityView>,
}

/// Newest first.
#[derive(Serialize, ToSchema)]
pub struct LadderList {
    pub exposure_ladders: Vec<LadderView>,
}

/// Oldest first.
#[derive(Serialize, ToSchema)]
pub struct AttemptList {
    pub attempts: Vec<AttemptView>,
}

/// A patient's records that are not private, for the clinicians of their care team.
#[derive(Serialize, ToSchema)]
pub struct PatientThoughtRecords {
    pub patient: PersonView,
    pub thought_records: Vec<ThoughtRecordView>,
}

#[derive(Serialize, ToSchema)]
pub struct PatientActivities {
    pub patient: PersonView,
    pub activities: Vec<ActivityView>,
}

#[derive(Serialize, ToSchema)]
pub struct PatientLadders {
    pub patient: PersonView,
    pub exposure_ladders: Vec<LadderView>,
}

/// Every CBT record of mine, for my data export.
#[derive(Serialize, ToSchema)]
pub struct MyCbtRecords {
    pub thought_records: Vec<ThoughtRecordView>,
    pub activities: Vec<ActivityView>,
    pub exposure_ladders: Vec<LadderView>,
}
