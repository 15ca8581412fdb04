//! How people and care teams appear in answers, wherever they are shown (the care
//! team's own pages, home, messages, feedback).

use serde_json::{json, Value};

use super::store;
use crate::accounts::Role;
use crate::storage::{rfc3339, rfc3339_opt};

/// How a person appears to others: a handle, a name, and their role, which the app shows
/// beside the name so that a name cannot pass for a role.
pub fn person(username: &str, display_name: &str, role: Role) -> Value {
    json!({ "username": username, "display_name": display_name, "role": role })
}

/// A patient's links as their clinicians (approved) and pending requests.
pub fn care_team_views(links: Vec<store::Link>) -> (Vec<Value>, Vec<Value>) {
    let (mut clinicians, mut pending) = (Vec::new(), Vec::new());
    for link in links {
        if link.status == "approved" {
            let mut entry = person(&link.username, &link.display_name, Role::Clinician);
            entry["since"] = json!(rfc3339_opt(link.decided_at));
            clinicians.push(entry);
        } else {
            pending.push(json!({
                "id": link.id,
                "clinician": person(&link.username, &link.display_name, Role::Clinician),
                "requested_at": rfc3339(link.requested_at),
            }));
        }
    }
    (clinicians, pending)
}
