//! CBT records a patient keeps between sessions: thought records, planned activities
//! (behavioural activation) and exposure ladders with their attempts. Each has typed,
//! checked fields. A record may be `private`: then no clinician sees it or learns that it
//! exists (homework it completes still reads as not done to them). The care team reads
//! the others.
//! Free text here is never scanned for risk: it is the patient's own working-out.
//!
//! Each kind's rules (parsing a request into what is stored) are in its own file; the
//! writes, each in one transaction with the check of its `homework_id`, are here.

pub mod activities;
pub mod exposure;
pub mod routes;
pub mod store;
pub mod thought_records;
pub mod views;

use crate::homework::{self, Kind};
use crate::storage::{now_ms, Database, DbError, Transaction};
use crate::text::{self, Lines};
use activities::NewActivity;
use exposure::{NewAttempt, NewLadder};
use thought_records::NewThoughtRecord;

#[derive(Debug, thiserror::Error)]
pub enum CbtError {
    /// A field is not acceptable: which, and what it should be.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// No such record of the patient's.
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error(transparent)]
    Database(#[from] DbError),
}

pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> CbtError {
    CbtError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// What the patient typed, trimmed: 1 to `max` characters.
pub fn required_text(field: &str, raw: &str, max: usize, lines: Lines) -> Result<String, CbtError> {
    optional_text(field, Some(raw), max, lines)?
        .ok_or_else(|| invalid(field, format!("{field} is 1 to {max} characters.")))
}

/// Optional text, trimmed: none when empty, else at most `max` characters.
pub fn optional_text(
    field: &str,
    raw: Option<&str>,
    max: usize,
    lines: Lines,
) -> Result<Option<String>, CbtError> {
    let Some(value) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(invalid(
            field,
            format!("{field} is at most {max} characters."),
        ));
    }
    text::check(value, lines)
        .map_err(|forbidden| invalid(field, format!("{field} {forbidden}.")))?;
    Ok(Some(value.to_owned()))
}

/// A rating from 0 to `max` (an intensity, a belief, SUDS, mastery, pleasure).
pub fn rating(field: &str, value: i64, max: i64) -> Result<i64, CbtError> {
    if (0..=max).contains(&value) {
        Ok(value)
    } else {
        Err(invalid(
            field,
            format!("{field} is a whole number from 0 to {max}."),
        ))
    }
}

pub fn optional_rating(field: &str, value: Option<i64>, max: i64) -> Result<Option<i64>, CbtError> {
    value.map(|value| rating(field, value, max)).transpose()
}

/// A record may only complete its own patient's homework of its kind.
async fn check_homework(
    tx: &mut Transaction,
    user_id: i64,
    homework_id: Option<i64>,
    kind: Kind,
) -> Result<(), CbtError> {
    let Some(homework_id) = homework_id else {
        return Ok(());
    };
    if homework::may_link(&mut *tx, user_id, homework_id, kind).await? {
        Ok(())
    } else {
        Err(invalid(
            "homework_id",
            format!(
                "homework_id is not homework of yours that a {} completes.",
                kind.as_str().replace('_', " ")
            ),
        ))
    }
}

/// The link and privacy a changed record gets: what the request asks for (a new link is
/// checked), else what it had. Leaving `private` out never makes a record visible.
async fn keep(
    tx: &mut Transaction,
    user_id: i64,
    current: store::Owned,
    asked: (Option<i64>, Option<bool>),
    kind: Kind,
) -> Result<store::Link, CbtError> {
    let (homework_id, private) = asked;
    if homework_id.is_some() && homework_id != current.homework_id {
        check_homework(tx, user_id, homework_id, kind).await?;
    }
    Ok(store::Link {
        homework_id: homework_id.or(current.homework_id),
        private: private.unwrap_or(current.private),
    })
}

pub async fn create_thought_record(
    db: &Database,
    user_id: i64,
    new: &NewThoughtRecord,
) -> Result<i64, CbtError> {
    let mut tx = db.begin().await?;
    check_homework(&mut tx, user_id, new.homework_id, Kind::ThoughtRecord).await?;
    let link = store::Link {
        homework_id: new.homework_id,
        private: new.private.unwrap_or(false),
    };
    let id = store::thought_records::insert(&mut tx, user_id, new, &link, now_ms()).await?;
    store::thought_records::replace_emotions(&mut tx, id, &new.emotions).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_thought_record(
    db: &Database,
    user_id: i64,
    id: i64,
    new: &NewThoughtRecord,
) -> Result<(), CbtError> {
    let mut tx = db.begin().await?;
    let current = store::owned(&mut tx, store::Table::ThoughtRecords, user_id, id)
        .await?
        .ok_or(CbtError::NotFound("thought record"))?;
    let asked = (new.homework_id, new.private);
    let kept = keep(&mut tx, user_id, current, asked, Kind::ThoughtRecord).await?;
    store::thought_records::update(&mut tx, id, new, &kept, now_ms()).await?;
    store::thought_records::replace_emotions(&mut tx, id, &new.emotions).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn create_activity(
    db: &Database,
    user_id: i64,
    new: &NewActivity,
) -> Result<i64, CbtError> {
    let mut tx = db.begin().await?;
    check_homework(&mut tx, user_id, new.homework_id, Kind::Activity).await?;
    let link = store::Link {
        homework_id: new.homework_id,
        private: new.private.unwrap_or(false),
    };
    let id = store::activities::insert(&mut tx, user_id, new, &link, now_ms()).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_activity(
    db: &Database,
    user_id: i64,
    id: i64,
    new: &NewActivity,
) -> Result<(), CbtError> {
    let mut tx = db.begin().await?;
    let current = store::owned(&mut tx, store::Table::Activities, user_id, id)
        .await?
        .ok_or(CbtError::NotFound("activity"))?;
    let asked = (new.homework_id, new.private);
    let kept = keep(&mut tx, user_id, current, asked, Kind::Activity).await?;
    store::activities::update(&mut tx, id, new, &kept, now_ms()).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn create_ladder(db: &Database, user_id: i64, new: &NewLadder) -> Result<i64, CbtError> {
    if new.steps.iter().any(|step| step.id.is_some()) {
        let at = new.steps.iter().position(|s| s.id.is_some()).unwrap_or(0);
        return Err(invalid(
            format!("steps.{at}.id"),
            "A new ladder's steps have no id yet.",
        ));
    }
    let mut tx = db.begin().await?;
    check_homework(&mut tx, user_id, new.homework_id, Kind::Exposure).await?;
    let link = store::Link {
        homework_id: new.homework_id,
        private: new.private.unwrap_or(false),
    };
    let id = store::exposure::insert(&mut tx, user_id, new, &link, now_ms()).await?;
    store::exposure::save_steps(&mut tx, id, &new.steps).await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces a ladder's name and steps. A step sent with its `id` keeps its attempts; a
/// step left out is removed with its attempts.
pub async fn update_ladder(
    db: &Database,
    user_id: i64,
    id: i64,
    new: &NewLadder,
) -> Result<(), CbtError> {
    let mut tx = db.begin().await?;
    let current = store::owned(&mut tx, store::Table::ExposureLadders, user_id, id)
        .await?
        .ok_or(CbtError::NotFound("exposure ladder"))?;
    let existing = store::exposure::step_ids(&mut tx, id).await?;
    for (index, step) in new.steps.iter().enumerate() {
        if step.id.is_some_and(|step_id| !existing.contains(&step_id)) {
            return Err(invalid(
                format!("steps.{index}.id"),
                "This step id is not a step of this ladder; leave it out for a new step.",
            ));
        }
    }
    let asked = (new.homework_id, new.private);
    let kept = keep(&mut tx, user_id, current, asked, Kind::Exposure).await?;
    store::exposure::update(&mut tx, id, new, &kept, now_ms()).await?;
    store::exposure::save_steps(&mut tx, id, &new.steps).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_attempt(
    db: &Database,
    user_id: i64,
    ladder_id: i64,
    step_id: i64,
    new: &NewAttempt,
) -> Result<i64, CbtError> {
    store::exposure::insert_attempt(db, user_id, ladder_id, step_id, new, now_ms())
        .await?
        .ok_or(CbtError::NotFound("step"))
}

/// Every record of mine, private ones included, for my data export.
pub async fn mine(db: &Database, user_id: i64) -> Result<views::MyCbtRecords, DbError> {
    use store::Reader::Owner;
    let thought_records = store::thought_records::list(db, user_id, None, Owner).await?;
    let activities = store::activities::list(db, user_id, None, Owner).await?;
    let ladders = store::exposure::list(db, user_id, None, Owner).await?;
    Ok(views::MyCbtRecords {
        thought_records: thought_records.into_iter().map(Into::into).collect(),
        activities: activities.into_iter().map(Into::into).collect(),
        exposure_ladders: ladders.into_iter().map(Into::into).collect(),
    })
}
