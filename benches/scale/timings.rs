//! The store functions, one call at a time.

use std::time::{Duration, Instant};

use anyhow::Context;
use healing_space::messaging::store as messages;
use healing_space::sessions;
use healing_space::storage::{now_ms, Database};

use crate::sign_in::Account;
use crate::{DAY_MS, TIMING_ITERATIONS};

pub async fn time_queries(
    db: &Database,
    patient: &Account,
    clinician: &Account,
) -> anyhow::Result<Vec<(String, f64, f64)>> {
    let filter = messages::InboxFilter {
        archived: false,
        unread_only: false,
    };
    let conversation = clinician.conversations[clinician.conversations.len() / 2];
    let other = messages::header(db, conversation, clinician.id)
        .await?
        .context("the clinician is not in their conversation")?
        .other
        .id;
    let token_hash = sessions::hash_token(&clinician.token);
    let year_ago = now_ms() - 366 * DAY_MS;
    let mut timings = Vec::new();
    macro_rules! time {
        ($name:expr, $call:expr) => {{
            for _ in 0..10 {
                $call;
            }
            let mut worst = Duration::ZERO;
            let started = Instant::now();
            for _ in 0..TIMING_ITERATIONS {
                let one = Instant::now();
                $call;
                worst = worst.max(one.elapsed());
            }
            let mean = started.elapsed().as_secs_f64() * 1e6 / TIMING_ITERATIONS as f64;
            timings.push(($name.to_string(), mean, worst.as_secs_f64() * 1e6));
        }};
    }
    time!(
        "sessions::store::find_by_token_hash",
        sessions::store::find_by_token_hash(db, &token_hash, sessions::store::TokenColumn::Current)
            .await?
    );
    time!(
        "messaging::store::inbox (clinician, 21 rows)",
        messages::inbox(db, clinician.id, &filter, 21, 0).await?
    );
    time!(
        "messaging::store::inbox (patient)",
        messages::inbox(db, patient.id, &filter, 21, 0).await?
    );
    time!(
        "messaging::store::total_unread (clinician)",
        messages::total_unread(db, clinician.id).await?
    );
    time!(
        "messaging::store::header",
        messages::header(db, conversation, clinician.id).await?
    );
    time!(
        "accounts::store::find_by_id",
        healing_space::accounts::store::find_by_id(db, other).await?
    );
    time!(
        "messaging::store::page (51 of ~100)",
        messages::page(db, clinician.id, conversation, i64::MAX, 51).await?
    );
    time!(
        "care_teams::store::is_member",
        healing_space::care_teams::store::is_member(db, other, clinician.id).await?
    );
    let replier = healing_space::accounts::store::find_by_id(db, clinician.id)
        .await?
        .context("the clinician exists")?;
    time!(
        "messaging::store::reply (checked and stored)",
        messages::reply(
            db,
            &messages::Reply {
                me: &replier,
                conversation_id: conversation,
                content: "timing",
                key: None,
            },
        )
        .await?
    );
    time!(
        "mood::store::recent_check_ins (patient)",
        healing_space::mood::store::recent_check_ins(db, patient.id, year_ago).await?
    );
    time!(
        "home::store::patient_overview",
        healing_space::home::store::patient_overview(db, patient.id).await?
    );
    time!(
        "home::store::clinician_counts",
        healing_space::home::store::clinician_counts(db, clinician.id).await?
    );
    Ok(timings)
}
