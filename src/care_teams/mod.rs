//! Care teams: which clinicians look after which patients. A clinician sees a patient's
//! data only while that patient is in their care team.

pub mod routes;
pub mod store;

use serde_json::{json, Value};

/// How a person appears to others: a handle and a name, nothing more.
pub fn person(username: &str, display_name: &str) -> Value {
    json!({ "username": username, "display_name": display_name })
}
