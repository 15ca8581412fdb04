//! The shape of a data set, the answers it is made of, and generating it in SQL.

use anyhow::ensure;
use healing_space::accounts::password::Hasher;
use healing_space::config::DatabaseKind;
use healing_space::storage::now_ms;
use secrecy::SecretString;
use sqlx::{AnyPool, Connection};

use crate::templates::{Template, TEMPLATES};
use crate::{DAY_MS, PASSWORD};

/// Patients in one clinician's care team.
pub const TEAM: i64 = 20;
/// Days between one patient's responses (each questionnaire every 3 × 6 days).
pub const SPACING_DAYS: i64 = 6;

/// Who exists, as arithmetic on 0-based indexes. Users: one admin (id 1), clinicians
/// `clinician0..` (ids `2..=C+1`), patients `patient0..` (ids from `C+2`). Patient `k`
/// is in the care team of clinician `k / TEAM`. Response `j` of patient `k` (0 the
/// newest) answers questionnaire `(k + j) % 3` with template `(7k + j) % 4` of
/// [`TEMPLATES`], `j * SPACING_DAYS` days ago. Rows are numbered oldest round first,
/// patients interleaved, as they arrive in real life: one patient's rows are spread over
/// the table, not side by side.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub patients: i64,
    pub responses: i64,
    pub clinicians: i64,
    /// Alerts per patient: the newest is open (every 4th patient), acknowledged (every
    /// 4th) or resolved; the older ones, one per 10 responses, are resolved.
    pub alerts: i64,
    pub now: i64,
}

impl Shape {
    pub fn new(patients: i64, responses: i64) -> anyhow::Result<Shape> {
        ensure!(patients >= TEAM, "at least {TEAM} patients");
        ensure!(responses >= 1, "at least one response per patient");
        Ok(Shape {
            patients,
            responses,
            clinicians: (patients + TEAM - 1) / TEAM,
            alerts: (responses / 10).max(1),
            now: now_ms(),
        })
    }

    pub fn users(&self) -> i64 {
        1 + self.clinicians + self.patients
    }

    pub fn clinician_id(&self, c: i64) -> i64 {
        2 + c
    }

    pub fn patient_id(&self, k: i64) -> i64 {
        2 + self.clinicians + k
    }

    pub fn describe(&self) -> String {
        format!(
            "{} patients × {} responses ({} responses), {} clinicians with care teams of {TEAM}, \
             {} alerts per patient ({} in all; every 4th patient has an open one)",
            self.patients,
            self.responses,
            self.patients * self.responses,
            self.clinicians,
            self.alerts,
            self.patients * self.alerts,
        )
    }
}

/// `INSERT ... SELECT` over the numbers `0..n` as `seq(i)`: a recursive CTE on SQLite,
/// `generate_series` (in BIGINT) on PostgreSQL. Copied from `benches/scale/data.rs`.
fn insert_series(kind: DatabaseKind, n: i64, insert: &str, select: &str) -> String {
    match kind {
        DatabaseKind::Sqlite => format!(
            "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < {}) \
             {insert} SELECT {select} FROM seq",
            n - 1
        ),
        DatabaseKind::Postgres => format!(
            "{insert} SELECT {select} FROM generate_series(CAST(0 AS BIGINT), {}) AS seq(i)",
            n - 1
        ),
    }
}

/// `CASE tpl WHEN 0 THEN .. END` over the templates, for one column.
fn by_template(column: impl Fn(&Template) -> String) -> String {
    let arms: String = TEMPLATES
        .iter()
        .enumerate()
        .map(|(n, template)| format!(" WHEN {n} THEN {}", column(template)))
        .collect();
    format!("CASE tpl{arms} END")
}

fn text(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

pub async fn generate(raw: &AnyPool, kind: DatabaseKind, s: &Shape) -> anyhow::Result<()> {
    let hash = Hasher::new()
        .hash(SecretString::from(PASSWORD.to_owned()))
        .await?;
    let (c, p, r, now) = (s.clinicians, s.patients, s.responses, s.now);
    let created = now - 400 * DAY_MS;
    let mut conn = raw.acquire().await?;
    let mut tx = conn.begin().await?;

    let users = insert_series(
        kind,
        s.users(),
        "INSERT INTO users (id, username, display_name, email, role, password_hash, approved_at, \
         disabled_at, created_at, last_login_at)",
        &format!(
            "i + 1, \
             CASE WHEN i = 0 THEN 'admin0' WHEN i <= {c} THEN 'clinician' || (i - 1) \
                  ELSE 'patient' || (i - 1 - {c}) END, \
             CASE WHEN i = 0 THEN 'Support' WHEN i <= {c} THEN 'Dr Clinician ' || (i - 1) \
                  ELSE 'Patient ' || (i - 1 - {c}) END, \
             NULL, \
             CASE WHEN i = 0 THEN 'admin' WHEN i <= {c} THEN 'clinician' ELSE 'patient' END, \
             $1, CASE WHEN i >= 1 AND i <= {c} THEN {created} ELSE NULL END, NULL, {created}, NULL"
        ),
    );
    sqlx::query(&users).bind(&hash).execute(&mut *tx).await?;

    let links = insert_series(
        kind,
        p,
        "INSERT INTO care_team_links (id, patient_id, clinician_id, status, requested_at, decided_at)",
        &format!(
            "i + 1, {c} + 2 + i, 2 + i / {TEAM}, 'approved', {}, {}",
            created + DAY_MS,
            created + 2 * DAY_MS
        ),
    );
    sqlx::query(&links).execute(&mut *tx).await?;

    let responses = insert_series(
        kind,
        p * r,
        "INSERT INTO measure_responses (id, user_id, instrument, version, answers, total, band, \
         flags, submitted_at, care_team_notified, idempotency_key, request_fingerprint)",
        &format!(
            "i + 1, {c} + 2 + k, {}, {}, {}, {}, {}, {}, \
             {now} - 3600000 - j * {} - (k % 600) * 60000, \
             CASE WHEN tpl IN (3, 7, 10, 11) THEN 1 ELSE 0 END, NULL, NULL \
             FROM (SELECT i, k, j, ((k + j) % 3) * 4 + (k * 7 + j) % 4 AS tpl \
             FROM (SELECT i, i % {p} AS k, {r} - 1 - i / {p} AS j",
            by_template(|t| text(t.instrument.as_str())),
            by_template(|t| text(t.instrument.instrument().version)),
            by_template(|t| text(t.answers)),
            by_template(|t| t.total.map_or("NULL".into(), |n| n.to_string())),
            by_template(|t| text(t.band)),
            by_template(|t| text(t.flags)),
            SPACING_DAYS * DAY_MS,
        ),
    ) + ") n) m";
    sqlx::query(&responses).execute(&mut *tx).await?;

    // The newest alert of patient k: open for k % 4 = 0 (urgent item 9 for every 8th),
    // acknowledged for k % 4 = 1, resolved otherwise; older ones are all resolved.
    let a = s.alerts;
    let alerts = insert_series(
        kind,
        p * a,
        "INSERT INTO risk_alerts (id, patient_id, rule, rule_version, severity, status, \
         first_triggered_at, triggered_at, trigger_count, acknowledged_by, acknowledged_at, \
         resolved_by, resolved_at, outcome, note)",
        &format!(
            "i + 1, {c} + 2 + k, \
             CASE WHEN x = 0 AND k % 8 = 0 THEN 'phq9_item9' WHEN x = 0 AND k % 4 = 0 THEN 'gad7_score' \
                  WHEN x = 0 AND k % 4 = 1 THEN 'cssrs_moderate' WHEN x % 3 = 1 THEN 'phq9_item9' \
                  WHEN x % 3 = 2 THEN 'gad7_score' ELSE 'phq9_score' END, 1, \
             CASE WHEN (x = 0 AND k % 8 = 0) OR (x > 0 AND x % 3 = 1) THEN 'urgent' ELSE 'review' END, \
             st, at - 3 * 3600000, at, 1 + k % 3, \
             CASE WHEN st = 'open' THEN NULL ELSE 2 + k / {TEAM} END, \
             CASE WHEN st = 'open' THEN NULL ELSE at + 1800000 END, \
             CASE WHEN st = 'resolved' THEN 2 + k / {TEAM} ELSE NULL END, \
             CASE WHEN st = 'resolved' THEN at + 86400000 ELSE NULL END, \
             CASE WHEN st <> 'resolved' THEN NULL WHEN k % 2 = 0 THEN 'contacted_patient' \
                  ELSE 'no_action_needed' END, \
             CASE WHEN st = 'resolved' AND k % 5 = 0 THEN 'Spoke on the phone; safety plan reviewed.' \
                  ELSE NULL END \
             FROM (SELECT i, k, x, \
               CASE WHEN x > 0 OR k % 4 > 1 THEN 'resolved' WHEN k % 4 = 0 THEN 'open' \
                    ELSE 'acknowledged' END AS st, \
               {now} - 2 * 3600000 - x * 10 * {DAY_MS} - (k % 600) * 60000 AS at \
             FROM (SELECT i, i % {p} AS k, {a} - 1 - i / {p} AS x"
        ),
    ) + ") n) m";
    sqlx::query(&alerts).execute(&mut *tx).await?;

    // Every other patient has a fortnightly PHQ-9 set by their clinician.
    let schedules = insert_series(
        kind,
        (p + 1) / 2,
        "INSERT INTO measure_schedules (id, patient_id, instrument, every_days, starts_on, \
         created_by, created_at)",
        &format!(
            "i + 1, {c} + 2 + 2 * i, 'phq9', 14, '2026-01-05', 2 + (2 * i) / {TEAM}, {created}"
        ),
    );
    sqlx::query(&schedules).execute(&mut *tx).await?;

    if kind == DatabaseKind::Postgres {
        for table in TABLES.iter().filter(|t| **t != "audit_log") {
            sqlx::query(&format!(
                "SELECT CAST(setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT MAX(id) FROM {table})) AS BIGINT)"
            ))
            .fetch_one(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    match kind {
        DatabaseKind::Sqlite => {
            sqlx::query("ANALYZE").execute(&mut *conn).await?;
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&mut *conn)
                .await?;
        }
        DatabaseKind::Postgres => {
            sqlx::query("VACUUM ANALYZE").execute(&mut *conn).await?;
            if let Err(error) = sqlx::query("CHECKPOINT").execute(&mut *conn).await {
                println!("(no CHECKPOINT before the load: {error})");
            }
        }
    }
    Ok(())
}

const TABLES: [&str; 6] = [
    "users",
    "care_team_links",
    "measure_responses",
    "risk_alerts",
    "measure_schedules",
    "audit_log",
];

pub async fn count_rows(raw: &AnyPool) -> anyhow::Result<Vec<(&'static str, i64)>> {
    let mut counts = Vec::new();
    for table in TABLES {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(raw)
            .await?;
        counts.push((table, n));
    }
    Ok(counts)
}
