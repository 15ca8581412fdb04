//! Extractors that say in a handler's signature who may call it. Each one first requires
//! a live session (and CSRF on state-changing methods), then the role.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use super::CurrentUser;
use crate::accounts::Role;
use crate::config::Settings;
use crate::http::{ApiError, ErrorCode};
use crate::metrics::Metrics;
use crate::storage::Database;

/// A signed-in patient.
pub struct Patient(pub CurrentUser);

/// A signed-in clinician whom an administrator has approved.
pub struct Clinician(pub CurrentUser);

/// A signed-in administrator.
pub struct Admin(pub CurrentUser);

fn only(role: &str) -> ApiError {
    ApiError::forbidden(ErrorCode::Forbidden, format!("Only {role} can do this."))
}

impl<S> FromRequestParts<S> for Patient
where
    S: Send + Sync,
    Database: FromRef<S>,
    Arc<Settings>: FromRef<S>,
    Metrics: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let current = CurrentUser::from_request_parts(parts, state).await?;
        if current.is(Role::Patient) {
            Ok(Patient(current))
        } else {
            Err(only("patients"))
        }
    }
}

impl<S> FromRequestParts<S> for Clinician
where
    S: Send + Sync,
    Database: FromRef<S>,
    Arc<Settings>: FromRef<S>,
    Metrics: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let current = CurrentUser::from_request_parts(parts, state).await?;
        if current.user.is_approved_clinician() {
            Ok(Clinician(current))
        } else if current.is(Role::Clinician) {
            Err(ApiError::forbidden(
                ErrorCode::ClinicianNotApproved,
                "Your clinician account is waiting for an administrator's approval.",
            ))
        } else {
            Err(only("clinicians"))
        }
    }
}

impl<S> FromRequestParts<S> for Admin
where
    S: Send + Sync,
    Database: FromRef<S>,
    Arc<Settings>: FromRef<S>,
    Metrics: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let current = CurrentUser::from_request_parts(parts, state).await?;
        if current.is(Role::Admin) {
            Ok(Admin(current))
        } else {
            Err(only("administrators"))
        }
    }
}
