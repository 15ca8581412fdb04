//! Care teams: which clinicians look after which patients. A clinician sees a patient's
//! data only while that patient is in their care team.

pub mod routes;
pub mod store;
pub mod views;
