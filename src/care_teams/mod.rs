//! Care teams: which clinicians look after which patients. A clinician sees a patient's
//! data only while that patient is in their care team.

pub mod routes;
pub mod store;
pub mod views;

use crate::accounts::{store as users, store::User, Role, Username};
use crate::storage::{Database, DbError};

/// The patient with this username, when they are in the clinician's care team now; none
/// otherwise, so that someone else's patient and no patient at all look the same.
pub async fn patient_in_care_of(
    db: &Database,
    clinician_id: i64,
    username: &str,
) -> Result<Option<User>, DbError> {
    let Ok(username) = Username::parse(username) else {
        return Ok(None);
    };
    let Some(patient) = users::find_by_username(db, username.as_str()).await? else {
        return Ok(None);
    };
    let in_care =
        patient.role == Role::Patient && store::is_member(db, patient.id, clinician_id).await?;
    Ok(in_care.then_some(patient))
}

/// Why a clinician cannot reach a patient by username.
#[derive(Debug, thiserror::Error)]
pub enum NotMyPatient {
    /// No such patient, or not in the clinician's care team: the same, to the caller.
    #[error("not a patient of this care team")]
    NotFound,
    #[error(transparent)]
    Database(#[from] DbError),
}

/// [`patient_in_care_of`], for routes: a patient outside the care team is an error (a
/// 404 in HTTP, `care_teams::routes`).
pub async fn my_patient(
    db: &Database,
    clinician_id: i64,
    username: &str,
) -> Result<User, NotMyPatient> {
    patient_in_care_of(db, clinician_id, username)
        .await?
        .ok_or(NotMyPatient::NotFound)
}
