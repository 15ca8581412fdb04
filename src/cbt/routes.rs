//! `/api/cbt/...`: a patient's own thought records, activities and exposure ladders
//! (only patients; another patient's id is a 404). What the care team reads is in
//! `routes/clinician.rs`.

mod activities;
mod clinician;
mod exposure;
mod thought_records;

use utoipa_axum::router::OpenApiRouter;

use super::CbtError;
use crate::http::ApiError;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(thought_records::router())
        .merge(activities::router())
        .merge(exposure::router())
        .merge(clinician::router())
}

/// The one place CBT errors become HTTP answers.
impl From<CbtError> for ApiError {
    fn from(error: CbtError) -> Self {
        match error {
            CbtError::Invalid { field, message } => ApiError::invalid(field, message),
            CbtError::NotFound(what) => ApiError::not_found(what),
            CbtError::Database(error) => error.into(),
        }
    }
}
