//! The authorisation table's rows for CBT records and homework, with patient A's records
//! and homework they act on. Patients reach only their own records (another's id is a
//! 404); clinicians reach only their own patients' (404 otherwise) and never write them.

use serde_json::{json, Value};

use super::{row, Row};
use crate::cbt::{activity, ladder, thought_record};
use crate::common::*;

/// Patient A's record of one kind: its id, made through the API.
async fn made_by_a(world: &World, kind: &str, body: Value) -> Value {
    world
        .patient_a
        .post(&format!("/api/cbt/{kind}"), body)
        .await
        .expect(201)
        .body
}

/// Rows for the list, create, read, update and delete of one kind of record.
async fn record_rows(world: &World, kind: &str, body: Value) -> Vec<Row> {
    let kept = made_by_a(world, kind, body.clone()).await["id"].clone();
    let deleted = made_by_a(world, kind, body.clone()).await["id"].clone();
    let list = format!("/api/cbt/{kind}");
    let patients_only = [401, 200, 200, 403, 403, 403, 403];
    let own_only = [401, 200, 404, 403, 403, 403, 403];
    let clinician = format!("/api/clinician/patients/patient.a/cbt/{kind}");
    let not_theirs = format!("/api/clinician/patients/patient.b/cbt/{kind}");
    vec![
        row("GET", list.clone(), None, patients_only),
        row(
            "POST",
            list.clone(),
            Some(body.clone()),
            [401, 201, 201, 403, 403, 403, 403],
        ),
        row("GET", format!("{list}/{kept}"), None, own_only),
        row("PUT", format!("{list}/{kept}"), Some(body), own_only),
        row(
            "DELETE",
            format!("{list}/{deleted}"),
            None,
            [401, 204, 404, 403, 403, 403, 403],
        ),
        row("GET", clinician, None, [401, 403, 403, 200, 404, 403, 403]),
        row("GET", not_theirs, None, [401, 403, 403, 404, 404, 403, 403]),
    ]
}

pub async fn rows(world: &World) -> Vec<Row> {
    let mut rows = record_rows(world, "thought-records", thought_record()).await;
    rows.extend(record_rows(world, "activities", activity()).await);
    rows.extend(record_rows(world, "exposure-ladders", ladder()).await);

    let climbed = made_by_a(world, "exposure-ladders", ladder()).await;
    let step = climbed["steps"][0]["id"].as_i64().unwrap();
    let attempts = format!(
        "/api/cbt/exposure-ladders/{}/steps/{step}/attempts",
        climbed["id"]
    );
    let attempt = json!({ "suds_before": 40, "suds_peak": 60, "suds_after": 20 });
    let made = world
        .patient_a
        .post(&attempts, attempt.clone())
        .await
        .expect(201);
    let attempt_id = made.body["id"].as_i64().unwrap();
    rows.extend([
        row(
            "GET",
            attempts.clone(),
            None,
            [401, 200, 404, 403, 403, 403, 403],
        ),
        row(
            "POST",
            attempts.clone(),
            Some(attempt),
            [401, 201, 404, 403, 403, 403, 403],
        ),
        row(
            "DELETE",
            format!("{attempts}/{attempt_id}"),
            None,
            [401, 204, 404, 403, 403, 403, 403],
        ),
    ]);

    let homework = "/api/clinician/patients/patient.a/homework";
    let assignment = json!({ "kind": "activity", "instructions": "Plan one walk" });
    let withdrawn = world
        .dr_in
        .post(homework, assignment.clone())
        .await
        .expect(201)
        .body["homework"]["id"]
        .as_i64()
        .unwrap();
    rows.extend([
        row(
            "GET",
            "/api/homework",
            None,
            [401, 200, 200, 403, 403, 403, 403],
        ),
        row(
            "POST",
            homework,
            Some(assignment.clone()),
            [401, 403, 403, 201, 404, 403, 403],
        ),
        row(
            "POST",
            "/api/clinician/patients/patient.b/homework",
            Some(assignment),
            [401, 403, 403, 404, 404, 403, 403],
        ),
        row("GET", homework, None, [401, 403, 403, 200, 404, 403, 403]),
        row(
            "GET",
            "/api/clinician/patients/patient.b/homework",
            None,
            [401, 403, 403, 404, 404, 403, 403],
        ),
        row(
            "DELETE",
            format!("{homework}/{withdrawn}"),
            None,
            [401, 403, 403, 204, 404, 403, 403],
        ),
    ]);
    rows
}
