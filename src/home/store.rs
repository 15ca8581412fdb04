//! The home dashboard's reads, each person's in one or two statements: it is the first
//! page everyone opens, and on PostgreSQL every statement is a round trip.

use crate::care_teams::store::{link, Link, CLINICIAN_COUNTS, PATIENT_LINKS};
use crate::messaging::store::TOTAL_UNREAD;
use crate::storage::{self, Database, DbError};

pub fn patient_overview_query() -> String {
    format!(
        "SELECT k.unread, t.* FROM ({TOTAL_UNREAD}) k LEFT JOIN ({PATIENT_LINKS}) t ON 1 = 1 \
         ORDER BY t.display_name, t.username"
    )
}

pub fn clinician_counts_query() -> String {
    format!(
        "SELECT k.unread, c.patients, c.pending \
         FROM ({TOTAL_UNREAD}) k CROSS JOIN ({CLINICIAN_COUNTS}) c"
    )
}

/// A patient's unread messages and open care-team links (clinicians and requests), by
/// the clinician's name. The one-row count is joined to the links, so it arrives even
/// when there are none.
pub async fn patient_overview(db: &Database, patient_id: i64) -> Result<(i64, Vec<Link>), DbError> {
    let mut unread = 0;
    let mut links = Vec::new();
    storage::query(patient_overview_query())
        .bind(patient_id)
        .fetch_all(db, |row| {
            unread = row.try_get("unread")?;
            if row.try_get::<Option<i64>>("id")?.is_some() {
                links.push(link(row)?);
            }
            Ok(())
        })
        .await?;
    Ok((unread, links))
}

pub struct ClinicianCounts {
    pub unread: i64,
    pub patients: i64,
    pub pending: i64,
}

/// A clinician's unread messages, patients and pending requests.
pub async fn clinician_counts(
    db: &Database,
    clinician_id: i64,
) -> Result<ClinicianCounts, DbError> {
    storage::query(clinician_counts_query())
        .bind(clinician_id)
        .fetch_one(db, |row| {
            Ok(ClinicianCounts {
                unread: row.try_get("unread")?,
                patients: row.try_get("patients")?,
                pending: row.try_get("pending")?,
            })
        })
        .await
}
