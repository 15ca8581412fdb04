//! The home dashboard's reads, each person's in one or two statements: it is the first
//! page everyone opens, and on PostgreSQL every statement is a round trip.

use serde::Deserialize;

use crate::alerts::store::CLINICIAN_ALERT_COUNTS;
use crate::care_teams::store::{Link, CLINICIAN_COUNTS, PATIENT_LINKS};
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
        "SELECT k.unread, c.patients, c.pending, a.urgent, a.review \
         FROM ({TOTAL_UNREAD}) k CROSS JOIN ({CLINICIAN_COUNTS}) c \
         CROSS JOIN ({CLINICIAN_ALERT_COUNTS}) a"
    )
}

/// A patient's unread messages and open care-team links (clinicians and requests), by
/// the clinician's name. The one-row count is joined to the links, so it arrives even
/// when there are none.
pub async fn patient_overview(db: &Database, patient_id: i64) -> Result<(i64, Vec<Link>), DbError> {
    let rows: Vec<OverviewRow> = storage::query(patient_overview_query())
        .bind(patient_id)
        .fetch_all(db)
        .await?;
    let unread = rows.first().map_or(0, |row| row.unread);
    let links = rows.into_iter().filter_map(OverviewRow::link).collect();
    Ok((unread, links))
}

/// The count, and a link when the patient has any: a left join's row of nulls when not.
#[derive(sqlx::FromRow, Deserialize)]
struct OverviewRow {
    unread: i64,
    id: Option<i64>,
    username: Option<String>,
    display_name: Option<String>,
    status: Option<String>,
    requested_at: Option<i64>,
    decided_at: Option<i64>,
}

impl OverviewRow {
    fn link(self) -> Option<Link> {
        Some(Link {
            id: self.id?,
            username: self.username?,
            display_name: self.display_name?,
            status: self.status?,
            requested_at: self.requested_at?,
            decided_at: self.decided_at,
        })
    }
}

#[derive(sqlx::FromRow, Deserialize)]
pub struct ClinicianCounts {
    pub unread: i64,
    pub patients: i64,
    pub pending: i64,
    /// Alerts about their patients not yet acknowledged.
    pub urgent: i64,
    pub review: i64,
}

/// A clinician's unread messages, patients, pending requests and open alerts.
pub async fn clinician_counts(
    db: &Database,
    clinician_id: i64,
) -> Result<ClinicianCounts, DbError> {
    storage::query(clinician_counts_query())
        .bind(clinician_id)
        .fetch_one(db)
        .await
}
