//! Who may message whom, as SQL: `messaging::may_message_in` is the one rule, and
//! `messageable_kinds` enumerates it, so a query can ask it of a row (a reply's
//! recipient, the list of recipients) without a second copy.

use serde::{Deserialize, Serialize};

use crate::accounts::{Role, User};
use crate::messaging::{messageable_kinds, Channel, PersonKind};
use crate::storage::{self, Database, DbError};

/// Whether the user `me_id` (an SQL expression) and the person `u` are a patient and a
/// clinician of one care team (only the one direction their roles allow is looked up),
/// as 1 or 0.
pub fn in_care_team(me_id: &str) -> String {
    format!(
        "CASE \
           WHEN u.role = 'clinician' THEN CASE WHEN EXISTS (SELECT 1 FROM care_team_links l \
             WHERE l.patient_id = {me_id} AND l.clinician_id = u.id AND l.status = 'approved') \
             THEN 1 ELSE 0 END \
           WHEN u.role = 'patient' THEN CASE WHEN EXISTS (SELECT 1 FROM care_team_links l \
             WHERE l.patient_id = u.id AND l.clinician_id = {me_id} AND l.status = 'approved') \
             THEN 1 ELSE 0 END \
           ELSE 0 END"
    )
}

/// What `may_message` looks at in a person `u`, as the columns `may_message` reads;
/// `me_id` is who asks.
pub fn person_kind_columns(me_id: &str) -> String {
    format!(
        "u.role, CASE WHEN u.approved_at IS NULL THEN 0 ELSE 1 END AS approved, \
         CASE WHEN u.disabled_at IS NULL THEN 0 ELSE 1 END AS disabled, \
         {} AS in_care_team",
        in_care_team(me_id)
    )
}

/// Whether the person in the row `h` (with `person_kind_columns`) is one of the `kinds`
/// `messageable_kinds` gave for the writer: one test per kind, OR-ed, with no table of
/// kinds to build. No user text enters it.
pub fn may_message(kinds: &[PersonKind], h: &str) -> String {
    let kinds: Vec<String> = kinds
        .iter()
        .map(|k| {
            let flag = |on: bool| if on { 1 } else { 0 };
            format!(
                "({h}.role = '{}' AND {h}.approved = {} AND {h}.disabled = {} AND {h}.in_care_team = {})",
                k.role.as_str(),
                flag(k.approved),
                flag(k.disabled),
                flag(k.in_care_team)
            )
        })
        .collect();
    match kinds.is_empty() {
        true => "1 = 0".to_owned(),
        false => format!("({})", kinds.join(" OR ")),
    }
}

/// Who a recipients query needs to look at, from the same kinds: every user of a role
/// that `me` may message outside a care team, and only my care-team links of a role
/// messageable only within one. `$1` is me. Without it the rule would be asked of every
/// user.
fn candidates(kinds: &[PersonKind]) -> String {
    let roles = |outside_care_team: bool| -> Vec<String> {
        let mut roles: Vec<String> = kinds
            .iter()
            .filter(|k| k.in_care_team != outside_care_team)
            .map(|k| format!("'{}'", k.role.as_str()))
            .collect();
        roles.sort();
        roles.dedup();
        roles
    };
    let (open, linked) = (roles(true), roles(false));
    let mut tests = Vec::new();
    if !open.is_empty() {
        tests.push(format!("u.role IN ({})", open.join(", ")));
    }
    if !linked.is_empty() {
        tests.push(format!(
            "(u.role IN ({}) AND u.id IN (SELECT clinician_id FROM care_team_links \
               WHERE patient_id = $1 AND status = 'approved' UNION SELECT patient_id \
               FROM care_team_links WHERE clinician_id = $1 AND status = 'approved'))",
            linked.join(", ")
        ));
    }
    match tests.is_empty() {
        true => "1 = 0".to_owned(),
        false => format!("({})", tests.join(" OR ")),
    }
}

/// Someone I may write to.
#[derive(sqlx::FromRow, Deserialize, Serialize)]
pub struct Recipient {
    pub username: String,
    pub display_name: String,
    pub role: String,
}

/// The people I may start a conversation with, by the rule itself: my care team first,
/// then other clinicians (and, for an administrator, everyone, administrators last).
/// Administrators are not among anyone else's: people reach them through support. An
/// administrator's list stops at 500.
pub async fn recipients(db: &Database, me: &User) -> Result<Vec<Recipient>, DbError> {
    let kinds = messageable_kinds(me, Channel::Direct);
    let limit = if me.role == Role::Admin {
        " LIMIT 500"
    } else {
        ""
    };
    let sql = format!(
        "SELECT h.username, h.display_name, h.role FROM \
           (SELECT u.username, u.display_name, {columns} FROM users u \
            WHERE u.id <> $1 AND {candidates}) h \
         WHERE {allowed} \
         ORDER BY CASE h.role WHEN 'admin' THEN 2 WHEN 'clinician' THEN 1 ELSE 0 END, \
           h.display_name, h.username{limit}",
        columns = person_kind_columns("$1"),
        allowed = may_message(&kinds, "h"),
        candidates = candidates(&kinds),
    );
    storage::query(&sql).bind(me.id).fetch_all(db).await
}
