//! Safety plans (the Stanley-Brown Safety Planning Intervention), written by a patient
//! and the clinicians of their care team together. A save names the version it was made
//! from; when someone else saved first, it is refused and nothing is overwritten. Every
//! version is kept.

pub mod routes;
pub mod store;
pub mod views;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{Entry, Event};
use crate::storage::{now_ms, Database, DbError};
use crate::text::{self, Lines};
use store::{NewVersion, Review, StoredVersion};

/// At most this many entries in a section.
pub const MAX_ENTRIES: usize = 20;
/// An entry is 1 to this many characters.
pub const MAX_ENTRY_CHARS: usize = 500;

/// The plan's sections, each a list of short entries, in the order the plan is read.
/// Answers flatten it beside other fields, so it allows them; a save is read as
/// [`SectionsInput`], which does not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Sections {
    /// Section 1: Warning signs that a crisis may be developing.
    pub warning_signs: Vec<String>,
    /// Section 2: Internal coping strategies: things I can do on my own.
    pub internal_coping: Vec<String>,
    /// Section 3: People and social settings that provide distraction.
    pub social_distraction: Vec<String>,
    /// Section 4: People I can ask for help.
    pub people_to_ask: Vec<String>,
    /// Section 5: Professionals and services I can contact. The crisis resources and the care
    /// team are always shown beside these.
    pub professionals: Vec<String>,
    /// Section 6: Making the environment safe.
    pub environment_safety: Vec<String>,
    /// Reasons for living.
    pub reasons_for_living: Vec<String>,
}

/// A save: every section, and nothing else (a misspelt section is refused, not dropped).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionsInput {
    pub warning_signs: Vec<String>,
    pub internal_coping: Vec<String>,
    pub social_distraction: Vec<String>,
    pub people_to_ask: Vec<String>,
    pub professionals: Vec<String>,
    pub environment_safety: Vec<String>,
    pub reasons_for_living: Vec<String>,
}

impl From<SectionsInput> for Sections {
    fn from(input: SectionsInput) -> Sections {
        Sections {
            warning_signs: input.warning_signs,
            internal_coping: input.internal_coping,
            social_distraction: input.social_distraction,
            people_to_ask: input.people_to_ask,
            professionals: input.professionals,
            environment_safety: input.environment_safety,
            reasons_for_living: input.reasons_for_living,
        }
    }
}

impl Sections {
    /// Each section by its name in the API.
    fn named_mut(&mut self) -> [(&'static str, &mut Vec<String>); 7] {
        [
            ("warning_signs", &mut self.warning_signs),
            ("internal_coping", &mut self.internal_coping),
            ("social_distraction", &mut self.social_distraction),
            ("people_to_ask", &mut self.people_to_ask),
            ("professionals", &mut self.professionals),
            ("environment_safety", &mut self.environment_safety),
            ("reasons_for_living", &mut self.reasons_for_living),
        ]
    }

    /// Trims every entry, then checks counts, lengths and characters.
    pub fn validated(mut self) -> Result<Sections, Invalid> {
        for (name, entries) in self.named_mut() {
            if entries.len() > MAX_ENTRIES {
                return Err(Invalid::new(
                    name.to_owned(),
                    format!("{name} has at most {MAX_ENTRIES} entries."),
                ));
            }
            for (index, entry) in entries.iter_mut().enumerate() {
                *entry = entry.trim().to_owned();
                check_entry(entry).map_err(|why| Invalid::new(format!("{name}[{index}]"), why))?;
            }
        }
        Ok(self)
    }

    /// The sections as stored.
    fn from_stored(json: &str) -> Result<Sections, DbError> {
        serde_json::from_str(json)
            .map_err(|e| DbError::Decode(format!("safety plan sections: {e}")))
    }
}

fn check_entry(entry: &str) -> Result<(), String> {
    let length = entry.chars().count();
    if length == 0 {
        return Err("An entry cannot be empty: remove it instead.".into());
    }
    if length > MAX_ENTRY_CHARS {
        return Err(format!(
            "An entry is at most {MAX_ENTRY_CHARS} characters; this one has {length}."
        ));
    }
    text::check(entry, Lines::Many).map_err(|forbidden| format!("An entry {forbidden}."))
}

/// A field that is not acceptable, named as in the request.
#[derive(Debug)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

impl Invalid {
    fn new(field: String, message: String) -> Invalid {
        Invalid { field, message }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("invalid {}: {}", .0.field, .0.message)]
    Invalid(Invalid),
    /// The save was made from a version that is no longer the current one.
    #[error("the plan changed: version {current} is current")]
    Stale { current: i64 },
    /// A plan exists and the save did not say which version it was made from.
    #[error("the save names no version")]
    VersionRequired,
    /// There is no plan to review yet.
    #[error("no plan to review")]
    NothingToReview,
    #[error(transparent)]
    Database(#[from] DbError),
}

/// A patient's current plan (version 0 and empty sections when none exists yet) and its
/// latest review.
pub struct Plan {
    pub version: i64,
    pub sections: Sections,
    pub saved: Option<StoredVersion>,
    pub review: Option<Review>,
}

pub async fn current(db: &Database, patient_id: i64) -> Result<Plan, DbError> {
    let saved = store::current(db, patient_id).await?;
    let review = store::latest_review(db, patient_id).await?;
    let sections = match &saved {
        Some(saved) => Sections::from_stored(&saved.sections)?,
        None => Sections::default(),
    };
    Ok(Plan {
        version: saved.as_ref().map_or(0, |saved| saved.version),
        sections,
        saved,
        review,
    })
}

/// Every version with its sections, newest first.
pub async fn history(
    db: &Database,
    patient_id: i64,
) -> Result<Vec<(StoredVersion, Sections)>, DbError> {
    store::versions(db, patient_id)
        .await?
        .into_iter()
        .map(|version| {
            let sections = Sections::from_stored(&version.sections)?;
            Ok((version, sections))
        })
        .collect()
}

/// Saves `sections` as the next version, when `based_on` (the version the author edited,
/// none when they did not say, which only a first version may) is still the current one.
pub async fn replace(
    db: &Database,
    patient_id: i64,
    author_id: i64,
    based_on: Option<i64>,
    sections: Sections,
) -> Result<(), PlanError> {
    let sections = sections.validated().map_err(PlanError::Invalid)?;
    let json = serde_json::to_string(&sections)
        .map_err(|e| DbError::Decode(format!("safety plan sections: {e}")))?;
    let new = NewVersion {
        patient_id,
        // Unsaid is fine only for the first version, which the insert itself checks.
        based_on: based_on.unwrap_or(0),
        sections: &json,
        author_id,
        created_at: now_ms(),
    };
    if !store::add_version(db, &new).await? {
        let current = store::current(db, patient_id)
            .await?
            .map_or(0, |saved| saved.version);
        return Err(match based_on {
            None => PlanError::VersionRequired,
            Some(_) => PlanError::Stale { current },
        });
    }
    if author_id != patient_id {
        audit(db, Event::SafetyPlanEdited, author_id, patient_id).await;
    }
    Ok(())
}

/// Records that a clinician went through the current plan with the patient.
pub async fn review(db: &Database, patient_id: i64, clinician_id: i64) -> Result<(), PlanError> {
    let Some(saved) = store::current(db, patient_id).await? else {
        return Err(PlanError::NothingToReview);
    };
    store::add_review(db, patient_id, saved.version, clinician_id, now_ms()).await?;
    audit(db, Event::SafetyPlanReviewed, clinician_id, patient_id).await;
    Ok(())
}

/// A clinician's change to a patient's plan, in the audit log, without its content. The
/// change itself is saved already, so a failure here is logged and not the request's.
async fn audit(db: &Database, event: Event, clinician_id: i64, patient_id: i64) {
    let entry = Entry::new(event).by(clinician_id).about(patient_id);
    if let Err(error) = entry.record(db).await {
        tracing::error!(%error, event = event.as_str(), "could not audit a safety plan change");
    }
}
