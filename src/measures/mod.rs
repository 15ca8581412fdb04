//! Questionnaires (PHQ-9, GAD-7, the C-SSRS screener): a patient's responses, scored on
//! the server with every item answer kept, the alerts they raise for the care team, what
//! the patient is told next, and the schedules clinicians set.

pub mod due;
pub mod guidance;
pub mod routes;
pub mod store;
pub mod views;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::alerts::{self, Raised};
use crate::clinical::{rules, score, AnswerError, InstrumentId, Scored};
use crate::mood::{day_of, today};
use crate::storage::{now_ms, Database, DbError};
use due::{due_items, Cadence, DueStatus};
use store::{NewResponse, StoredResponse};
use views::{DueList, DueView};

#[derive(Debug, thiserror::Error)]
pub enum MeasureError {
    #[error("{}", .0.message)]
    Invalid(AnswerError),
    /// The Idempotency-Key of an earlier response with other answers.
    #[error("this idempotency key was used for different answers")]
    KeyReused,
    #[error(transparent)]
    Database(#[from] DbError),
}

impl From<AnswerError> for MeasureError {
    fn from(error: AnswerError) -> Self {
        MeasureError::Invalid(error)
    }
}

/// A stored response and who will see it.
pub struct Submitted {
    pub response: StoredResponse,
    /// Clinicians in the patient's care team now.
    pub care_team_size: i64,
}

/// Checks, scores and stores a response with the alerts it raises, in one transaction.
/// With an idempotency key, a retry with the same answers returns the first response.
pub async fn submit(
    db: &Database,
    patient_id: i64,
    instrument: InstrumentId,
    given: &Map<String, Value>,
    key: Option<&str>,
) -> Result<Submitted, MeasureError> {
    let scored = score(instrument, given)?;
    let fingerprint = fingerprint(&scored);
    if let Some(key) = key {
        if let Some(earlier) = earlier(db, patient_id, key, &fingerprint).await? {
            return Ok(earlier);
        }
    }
    let keyed = key.map(|key| (key, fingerprint.as_str()));
    match store_with_alerts(db, patient_id, &scored, keyed).await {
        Ok((response, raised)) => {
            alerts::audit_raised(db, patient_id, &raised).await;
            Ok(Submitted {
                response,
                care_team_size: raised.care_team_size,
            })
        }
        // A concurrent retry with the same key stored its response first.
        Err(error) if error.is_unique_violation() => match key {
            Some(key) => earlier(db, patient_id, key, &fingerprint)
                .await?
                .ok_or(MeasureError::Database(error)),
            None => Err(error.into()),
        },
        Err(error) => Err(error.into()),
    }
}

/// The digest of what a response answered, kept with its idempotency key.
fn fingerprint(scored: &Scored) -> String {
    let request = serde_json::json!([scored.instrument.as_str(), scored.answers]);
    hex::encode(Sha256::digest(request.to_string()))
}

async fn earlier(
    db: &Database,
    patient_id: i64,
    key: &str,
    fingerprint: &str,
) -> Result<Option<Submitted>, MeasureError> {
    let Some((response, stored)) = store::by_key(db, patient_id, key).await? else {
        return Ok(None);
    };
    if stored.as_deref() != Some(fingerprint) {
        return Err(MeasureError::KeyReused);
    }
    let care_team_size = alerts::store::care_team_size(db, patient_id).await?;
    Ok(Some(Submitted {
        response,
        care_team_size,
    }))
}

async fn store_with_alerts(
    db: &Database,
    patient_id: i64,
    scored: &Scored,
    key: Option<(&str, &str)>,
) -> Result<(StoredResponse, Raised), DbError> {
    let mut tx = db.begin().await?;
    let instrument = scored.instrument.as_str();
    let written = async {
        let previous = store::previous_total(&mut tx, patient_id, instrument).await?;
        let raised =
            alerts::raise(&mut tx, patient_id, &rules::for_response(scored, previous)).await?;
        let new = NewResponse {
            user_id: patient_id,
            scored,
            version: scored.instrument.instrument().version,
            band: band(scored),
            care_team_notified: raised.care_team_notified(),
            submitted_at: now_ms(),
            key,
        };
        let id = store::insert(&mut tx, &new).await?;
        Ok::<_, DbError>((stored(id, &new), raised))
    }
    .await;
    match written {
        Ok(done) => {
            tx.commit().await?;
            Ok(done)
        }
        Err(error) => {
            // Rolled back explicitly, so that a retry racing this one can read its row.
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(%rollback, "a failed response could not be rolled back cleanly");
            }
            Err(error)
        }
    }
}

/// The severity band, or the C-SSRS risk.
fn band(scored: &Scored) -> &'static str {
    match (scored.severity, scored.risk) {
        (Some(severity), _) => severity.as_str(),
        (None, Some(risk)) => risk.as_str(),
        (None, None) => "",
    }
}

fn stored(id: i64, new: &NewResponse<'_>) -> StoredResponse {
    StoredResponse {
        id,
        instrument: new.scored.instrument.as_str().to_owned(),
        version: new.version.to_owned(),
        answers: serde_json::to_string(&new.scored.answers).unwrap_or_default(),
        total: new.scored.total,
        band: new.band.to_owned(),
        flags: store::flag_names(&new.scored.flags),
        submitted_at: new.submitted_at,
        care_team_notified: new.care_team_notified,
    }
}

/// What my clinicians' schedules make due: due and overdue first, then upcoming.
pub async fn due_for(db: &Database, patient_id: i64) -> Result<DueList, DbError> {
    let cadences: Vec<Cadence> = store::schedules_of(db, patient_id)
        .await?
        .iter()
        .filter_map(|s| {
            Some(Cadence {
                instrument: InstrumentId::parse(&s.instrument)?,
                every_days: u64::try_from(s.every_days).ok()?,
                starts_on: s.starts_on.parse().ok()?,
            })
        })
        .collect();
    if cadences.is_empty() {
        return Ok(DueList {
            due: Vec::new(),
            upcoming: Vec::new(),
        });
    }
    let last = store::last_done(db, patient_id).await?;
    let last_answered = |id: InstrumentId| {
        last.iter()
            .find(|done| done.instrument == id.as_str())
            .map(|done| day_of(done.submitted_at))
    };
    let items = due_items(&cadences, last_answered, today());
    let (upcoming, due): (Vec<DueView>, Vec<DueView>) = items
        .iter()
        .map(DueView::from)
        .partition(|item| item.status == DueStatus::Upcoming);
    Ok(DueList { due, upcoming })
}
