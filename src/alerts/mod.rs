//! Risk alerts: what the clinical rules raise reaches the patient's care team here, in one
//! transaction with the result that raised it, so a stored result never lacks its alert.
//! Clinicians acknowledge and resolve them; every change goes to the audit log (the rule
//! and outcome only, never answers or notes).

pub mod routes;
pub mod store;
pub mod views;

use crate::audit::{Entry, Event};
use crate::clinical::Rule;
use crate::storage::{now_ms, Database, DbError, Transaction};

#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    /// No such alert among the clinician's patients.
    #[error("no such alert")]
    NotFound,
    #[error("this alert is already resolved")]
    AlreadyResolved,
    #[error(transparent)]
    Database(#[from] DbError),
}

/// What raising a result's alerts did.
#[derive(Debug, Clone, Default)]
pub struct Raised {
    pub rules: Vec<Rule>,
    /// Clinicians in the patient's care team, who see the alerts in their inbox.
    pub care_team_size: i64,
}

impl Raised {
    /// An alert was raised and at least one clinician will see it.
    pub fn care_team_notified(&self) -> bool {
        !self.rules.is_empty() && self.care_team_size > 0
    }
}

/// Raises each rule's alert (none is fine) for the patient inside the caller's
/// transaction, and counts who will see them.
pub async fn raise(
    tx: &mut Transaction,
    patient_id: i64,
    rules: &[Rule],
) -> Result<Raised, DbError> {
    let now = now_ms();
    for rule in rules {
        store::upsert(&mut *tx, patient_id, *rule, now).await?;
    }
    Ok(Raised {
        rules: rules.to_vec(),
        care_team_size: store::care_team_size(&mut *tx, patient_id).await?,
    })
}

/// Records raised alerts in the audit log, once their transaction is committed. A failure
/// here is logged, not returned: the alerts themselves are stored.
pub async fn audit_raised(db: &Database, patient_id: i64, raised: &Raised) {
    for rule in &raised.rules {
        let entry = Entry::new(Event::AlertRaised)
            .about(patient_id)
            .detail(rule.id());
        if let Err(error) = entry.record(db).await {
            tracing::error!(%error, rule = rule.id(), "could not audit a raised alert");
        }
    }
}
