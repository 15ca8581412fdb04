//! The shape of the data set, and generating it in SQL.

use anyhow::ensure;
use healing_space::accounts::password::Hasher;
use healing_space::config::DatabaseKind;
use healing_space::storage::now_ms;
use secrecy::SecretString;
use sqlx::{AnyPool, Connection};

use crate::{DAY_MS, LOREM, MOOD_DAYS, PASSWORD};

/// Who exists and who wrote what, as arithmetic on 0-based indexes, so that SQL can
/// generate it and the bench can find a person's conversations without asking.
///
/// Users: admins get ids `1..=A`, clinicians `A+1..=A+C`, patients `A+C+1..=N`. Patient
/// `k` is in the care team of clinician `k % C` and has conversation `k + 1` with them.
/// Message `i` (id `i + 1`) belongs to conversation `i % P + 1`, is in round `i / P` of
/// that conversation (even rounds written by the patient, odd by the clinician) and was
/// sent at `start + i * step`: conversations interleave in time, as in real life.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub users: i64,
    pub admins: i64,
    pub clinicians: i64,
    pub patients: i64,
    pub messages: i64,
    pub start: i64,
    pub step: i64,
    pub now: i64,
}

impl Shape {
    pub fn new(users: i64, messages: i64) -> anyhow::Result<Shape> {
        let admins = (users / 1000).clamp(1, 10);
        let clinicians = (users / 50).max(1);
        let patients = users - admins - clinicians;
        ensure!(
            patients >= clinicians,
            "SCALE_USERS={users} is too small (at least 100)"
        );
        ensure!(
            messages >= 2 * patients,
            "SCALE_MESSAGES={messages} must be at least two per patient ({})",
            2 * patients
        );
        let now = now_ms();
        // 90 days of history, the newest message a minute ago.
        let step = (90 * DAY_MS / messages).max(1);
        Ok(Shape {
            users,
            admins,
            clinicians,
            patients,
            messages,
            start: now - 60_000 - step * messages,
            step,
            now,
        })
    }

    pub fn patient_id(&self, k: i64) -> i64 {
        self.admins + self.clinicians + 1 + k
    }

    pub fn clinician_id(&self, c: i64) -> i64 {
        self.admins + 1 + c
    }

    pub fn conversations_of_clinician(&self, c: i64) -> Vec<i64> {
        (c..self.patients)
            .step_by(self.clinicians as usize)
            .map(|k| k + 1)
            .collect()
    }

    /// SQL for the index of the last round of conversation `k + 1`.
    pub fn last_round(&self, k: &str) -> String {
        let (q, r) = (self.messages / self.patients, self.messages % self.patients);
        format!("(CASE WHEN {k} < {r} THEN {q} ELSE {} END)", q - 1)
    }

    /// SQL for the 0-based index of the last message of conversation `k + 1`.
    pub fn last_message(&self, k: &str) -> String {
        format!("({} * {} + {k})", self.last_round(k), self.patients)
    }

    pub fn describe(&self) -> String {
        format!(
            "{} users ({} admins, {} approved clinicians, {} patients), {} care-team links, \
             {} conversations, {} messages ({}-{} per conversation, one every {} ms over 90 days), \
             ~{} conversations per clinician",
            self.users,
            self.admins,
            self.clinicians,
            self.patients,
            self.patients,
            self.patients,
            self.messages,
            self.messages / self.patients,
            ceil_div(self.messages, self.patients),
            self.step,
            ceil_div(self.patients, self.clinicians),
        )
    }
}

fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1) / b
}

// ---------------------------------------------------------------------------------------
// Generating the data set

/// `INSERT ... SELECT` over the numbers `0..n` as `seq(i)`: a recursive CTE on SQLite,
/// `generate_series` (in BIGINT, so products do not overflow) on PostgreSQL.
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

/// SQL for the content of the message with 0-based index `i`: 30 to 199 characters.
fn message_content(i: &str) -> String {
    format!(
        "substr('{LOREM}', CAST(1 + ({i}) % 37 AS INTEGER), CAST(30 + (({i}) * 7919) % 170 AS INTEGER))"
    )
}

pub async fn generate(raw: &AnyPool, kind: DatabaseKind, s: &Shape) -> anyhow::Result<()> {
    let hash = Hasher::new()
        .hash(SecretString::from(PASSWORD.to_owned()))
        .await?;
    let (a, c, p) = (s.admins, s.clinicians, s.patients);
    let (start, step, now) = (s.start, s.step, s.now);
    let last = s.last_message("k");
    let last_round = s.last_round("k");
    let mut conn = raw.acquire().await?;
    if kind == DatabaseKind::Sqlite {
        sqlx::query("PRAGMA cache_size = -262144")
            .execute(&mut *conn)
            .await?;
    }
    let mut tx = conn.begin().await?;

    let users = insert_series(
        kind,
        s.users,
        "INSERT INTO users (id, username, display_name, email, role, password_hash, approved_at, \
         disabled_at, created_at, last_login_at)",
        &format!(
            "i + 1, \
             CASE WHEN i < {a} THEN 'admin' || i WHEN i < {a} + {c} THEN 'clinician' || (i - {a}) \
                  ELSE 'patient' || (i - {a} - {c}) END, \
             CASE WHEN i < {a} THEN 'Support ' || i WHEN i < {a} + {c} THEN 'Dr Clinician ' || (i - {a}) \
                  ELSE 'Patient ' || (i - {a} - {c}) END, \
             CASE WHEN i % 3 = 0 THEN 'person' || i || '@example.org' ELSE NULL END, \
             CASE WHEN i < {a} THEN 'admin' WHEN i < {a} + {c} THEN 'clinician' ELSE 'patient' END, \
             $1, \
             CASE WHEN i >= {a} AND i < {a} + {c} THEN {start} ELSE NULL END, \
             NULL, {}, NULL",
            start - 100 * DAY_MS
        ),
    );
    sqlx::query(&users).bind(&hash).execute(&mut *tx).await?;

    // One approved link per patient; every 40th patient also asks a second clinician.
    let links = insert_series(
        kind,
        p,
        "INSERT INTO care_team_links (id, patient_id, clinician_id, status, requested_at, decided_at)",
        &format!(
            "i + 1, {a} + {c} + 1 + i, {a} + 1 + i % {c}, 'approved', \
             {}, {}",
            start - 30 * DAY_MS,
            start - 29 * DAY_MS
        ),
    );
    sqlx::query(&links).execute(&mut *tx).await?;
    let pending = insert_series(
        kind,
        ceil_div(p, 40),
        "INSERT INTO care_team_links (id, patient_id, clinician_id, status, requested_at, decided_at)",
        &format!(
            "{p} + 1 + i, {a} + {c} + 1 + i * 40, {a} + 1 + (i * 40 + 1) % {c}, 'pending', \
             {}, NULL",
            now - 2 * DAY_MS
        ),
    );
    sqlx::query(&pending).execute(&mut *tx).await?;

    let conversations = insert_series(
        kind,
        p,
        "INSERT INTO conversations (id, subject, created_at)",
        &format!(
            "i + 1, CASE WHEN i % 7 = 0 THEN 'Check-in ' || i ELSE NULL END, \
             {start} + i * {step}"
        ),
    );
    sqlx::query(&conversations).execute(&mut *tx).await?;

    // Two members per conversation (side 0 the patient, side 1 the clinician). Whoever
    // sent the last message has read everything; for every third conversation the other
    // has that last message unread, otherwise they read it too. Both see that last
    // message (only first messages are hidden), kept in their rows as a send keeps it,
    // with the other member and the subject, as starting the conversation keeps them.
    let members = insert_series(
        kind,
        2 * p,
        "INSERT INTO conversation_members (conversation_id, user_id, last_read_message_id, \
         unread_count, archived_at, last_message_at, last_message_id, last_sender_id, \
         last_sent_at, last_preview, other_user_id, subject)",
        &format!(
            "k + 1, CASE WHEN side = 0 THEN {a} + {c} + 1 + k ELSE {a} + 1 + k % {c} END, \
             CASE WHEN {last_round} % 2 <> side AND k % 3 = 0 THEN {last} + 1 - {p} ELSE {last} + 1 END, \
             CASE WHEN {last_round} % 2 <> side AND k % 3 = 0 THEN 1 ELSE 0 END, NULL, \
             {start} + {last} * {step}, {last} + 1, \
             CASE WHEN {last_round} % 2 = 0 THEN {a} + {c} + 1 + k ELSE {a} + 1 + k % {c} END, \
             {start} + {last} * {step}, substr({content}, 1, 101), \
             CASE WHEN side = 0 THEN {a} + 1 + k % {c} ELSE {a} + {c} + 1 + k END, \
             CASE WHEN k % 7 = 0 THEN 'Check-in ' || k ELSE NULL END \
             FROM (SELECT i / 2 AS k, i % 2 AS side",
            content = message_content(&last)
        ),
    ) + ") pairs";
    sqlx::query(&members).execute(&mut *tx).await?;

    let message_rows = insert_series(
        kind,
        s.messages,
        "INSERT INTO messages (id, conversation_id, sender_id, content, sent_at)",
        &format!(
            "i + 1, i % {p} + 1, \
             CASE WHEN (i / {p}) % 2 = 0 THEN {a} + {c} + 1 + i % {p} ELSE {a} + 1 + (i % {p}) % {c} END, \
             {content}, {start} + i * {step}",
            content = message_content("i")
        ),
    );
    sqlx::query(&message_rows).execute(&mut *tx).await?;
    // Migration 0020's trigger wrote an event for each message. A running server forgets
    // events after a day (`events::purge`, in its housekeeping), so a deployment holds the
    // last day's only, not one for every message of the last 90 days.
    sqlx::query(&format!(
        "DELETE FROM events WHERE created_at < {now} - {DAY_MS}"
    ))
    .execute(&mut *tx)
    .await?;

    // Every tenth patient has hidden the first message of their conversation.
    let hidden = insert_series(
        kind,
        ceil_div(p, 10),
        "INSERT INTO hidden_messages (message_id, user_id)",
        &format!("i * 10 + 1, {a} + {c} + 1 + i * 10"),
    );
    sqlx::query(&hidden).execute(&mut *tx).await?;

    // Up to a month of daily check-ins per patient, with gaps; a third checked in today.
    let mood = insert_series(
        kind,
        p * MOOD_DAYS,
        "INSERT INTO mood_entries (id, user_id, score, sleep_hours, note, recorded_at)",
        &format!(
            "i + 1, {a} + {c} + 1 + k, 1 + i % 10, 4.0 + (i % 9) * 0.5, \
             CASE WHEN i % 5 = 0 THEN 'Felt ' || (i % 11) ELSE NULL END, \
             {now} - d * {DAY_MS} - (k % 600) * 60000 \
             FROM (SELECT i, i / {MOOD_DAYS} AS k, i % {MOOD_DAYS} AS d"
        ),
    ) + ") days WHERE (k + d) % 4 <> 3 AND (d > 0 OR k % 3 = 0)";
    sqlx::query(&mood).execute(&mut *tx).await?;

    if kind == DatabaseKind::Postgres {
        // Explicit ids leave the sequences behind.
        for table in [
            "users",
            "care_team_links",
            "conversations",
            "messages",
            "mood_entries",
        ] {
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
            sqlx::query("PRAGMA cache_size = -2000")
                .execute(&mut *conn)
                .await?;
        }
        // VACUUM as autovacuum would soon, so index-only scans are possible; ANALYZE for
        // the planner. CHECKPOINT so that writing back the generated data, and its
        // final fsync, happen now and not during the load.
        DatabaseKind::Postgres => {
            sqlx::query("VACUUM ANALYZE").execute(&mut *conn).await?;
            if let Err(error) = sqlx::query("CHECKPOINT").execute(&mut *conn).await {
                println!("(no CHECKPOINT before the load: {error})");
            }
        }
    }
    Ok(())
}

pub async fn count_rows(raw: &AnyPool) -> anyhow::Result<Vec<(&'static str, i64)>> {
    let mut counts = Vec::new();
    for table in [
        "users",
        "care_team_links",
        "conversations",
        "conversation_members",
        "messages",
        "hidden_messages",
        "mood_entries",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(raw)
            .await?;
        counts.push((table, n));
    }
    Ok(counts)
}
