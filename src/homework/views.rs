//! How homework appears to the patient and to the clinicians of their care team.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::store::Homework;
use super::Status;
use crate::care_teams::views::PersonView;
use crate::storage::{rfc3339, rfc3339_opt};

/// One homework and where it stands.
#[derive(Serialize, ToSchema)]
pub struct HomeworkView {
    pub id: i64,
    /// `thought_record`, `activity` or `exposure`: the record that completes it.
    #[schema(example = "thought_record")]
    pub kind: String,
    pub instructions: String,
    /// YYYY-MM-DD, or none.
    pub due_on: Option<String>,
    /// `assigned`, `done` (a record is linked) or `overdue` (not done and `due_on` is
    /// before today, UTC).
    #[schema(example = "assigned")]
    pub status: String,
    /// The username of the clinician who assigned it.
    pub assigned_by: Option<String>,
    pub assigned_at: String,
    /// When the first linked record was made.
    pub done_at: Option<String>,
    /// The first linked record the reader may open. For clinicians never a private one:
    /// homework done with a private record is `done` with no `record_id`.
    pub record_id: Option<i64>,
}

impl HomeworkView {
    pub fn new(homework: Homework, today: NaiveDate) -> HomeworkView {
        let status = Status::of(
            homework.done_at.is_some(),
            homework.due_on.as_deref(),
            today,
        );
        HomeworkView {
            id: homework.id,
            kind: homework.kind,
            instructions: homework.instructions,
            due_on: homework.due_on,
            status: status.as_str().to_owned(),
            assigned_by: homework.assigned_by,
            assigned_at: rfc3339(homework.assigned_at),
            done_at: rfc3339_opt(homework.done_at),
            record_id: homework.record_id,
        }
    }
}

/// `GET /api/homework`: my homework, newest first.
#[derive(Serialize, ToSchema)]
pub struct MyHomework {
    pub homework: Vec<HomeworkView>,
}

/// A patient's homework, newest first, for the clinicians of their care team.
#[derive(Serialize, ToSchema)]
pub struct PatientHomework {
    pub patient: PersonView,
    pub homework: Vec<HomeworkView>,
}

#[derive(Serialize, ToSchema)]
pub struct HomeworkAssigned {
    pub homework: HomeworkView,
}
