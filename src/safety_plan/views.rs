//! How a safety plan appears to the patient and their care team.

use serde::Serialize;
use utoipa::ToSchema;

use super::store::StoredVersion;
use super::{Plan, Sections};
use crate::accounts::Role;
use crate::care_teams::views::PersonView;
use crate::config::crisis::CrisisResources;
use crate::storage::rfc3339;

/// The plan's entity tag: its version, quoted.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// A person named in a stored row, when their account still exists.
fn person(
    username: &Option<String>,
    display_name: &Option<String>,
    role: Role,
) -> Option<PersonView> {
    let username = username.as_deref()?;
    Some(PersonView::new(
        username,
        display_name.as_deref().unwrap_or(username),
        role,
    ))
}

fn author(saved: &StoredVersion) -> Option<PersonView> {
    let role = saved.author_role.as_deref().and_then(Role::parse)?;
    person(&saved.author_username, &saved.author_display_name, role)
}

/// `GET /api/safety-plan`: the patient's entries, and what section 5 always shows.
#[derive(Serialize, ToSchema)]
pub struct PlanView {
    pub patient: PersonView,
    /// 0 when no plan has been saved yet.
    pub version: i64,
    /// The `ETag` header's value: send it back in `If-Match` to save.
    pub etag: String,
    pub updated_at: Option<String>,
    /// Who saved this version: the patient or a clinician of their care team.
    pub updated_by: Option<PersonView>,
    /// When a clinician last went through the plan with the patient.
    pub reviewed_at: Option<String>,
    pub reviewed_by: Option<PersonView>,
    #[serde(flatten)]
    pub sections: Sections,
    /// Always shown with section 5, whatever the plan says; cannot be removed.
    pub crisis_resources: CrisisResources,
    /// The patient's clinicians, also always shown with section 5.
    pub care_team: Vec<PersonView>,
}

impl PlanView {
    pub fn new(
        patient: PersonView,
        plan: Plan,
        crisis_resources: CrisisResources,
        care_team: Vec<PersonView>,
    ) -> PlanView {
        let review = plan.review.as_ref();
        PlanView {
            patient,
            version: plan.version,
            etag: etag(plan.version),
            updated_at: plan.saved.as_ref().map(|s| rfc3339(s.created_at)),
            updated_by: plan.saved.as_ref().and_then(author),
            reviewed_at: review.map(|r| rfc3339(r.reviewed_at)),
            reviewed_by: review.and_then(|r| {
                person(
                    &r.reviewer_username,
                    &r.reviewer_display_name,
                    Role::Clinician,
                )
            }),
            sections: plan.sections,
            crisis_resources,
            care_team,
        }
    }
}

/// One saved version, whole.
#[derive(Serialize, ToSchema)]
pub struct VersionView {
    pub version: i64,
    pub created_at: String,
    /// `null` once the author's account has been deleted.
    pub author: Option<PersonView>,
    #[serde(flatten)]
    pub sections: Sections,
}

impl VersionView {
    pub fn new(saved: StoredVersion, sections: Sections) -> VersionView {
        VersionView {
            version: saved.version,
            created_at: rfc3339(saved.created_at),
            author: author(&saved),
            sections,
        }
    }
}

/// `GET /api/safety-plan/versions`: every version, newest first.
#[derive(Serialize, ToSchema)]
pub struct VersionList {
    pub versions: Vec<VersionView>,
}
