//! Feedback to the team: people send it, administrators triage it.

pub mod routes;
pub mod store;
pub mod views;
