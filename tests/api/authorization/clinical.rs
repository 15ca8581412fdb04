//! The authorisation table's rows for questionnaires, schedules and risk alerts, with the
//! alert and schedule they act on.

use serde_json::json;

use super::{row, Row};
use crate::common::*;

pub async fn rows(world: &World) -> Vec<Row> {
    let phq9 = json!({ "answers": { "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 1 } });
    world
        .patient_a
        .post("/api/measures/phq9/responses", phq9)
        .await
        .expect(201);
    let alerts = world.dr_in.get("/api/clinician/alerts").await.expect(200);
    let alert = alerts.body["alerts"][0]["id"].as_i64().unwrap();
    let schedule = world
        .dr_in
        .post(
            "/api/clinician/patients/patient.a/schedules",
            json!({ "instrument": "gad7", "every_days": 14 }),
        )
        .await
        .expect(201)
        .body["schedule"]["id"]
        .as_i64()
        .unwrap();
    let gad7 = json!({ "answers": { "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0 } });

    vec![
        row(
            "GET",
            "/api/measures",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "POST",
            "/api/measures/gad7/responses",
            Some(gad7),
            [401, 201, 201, 403, 403, 403, 403],
        ),
        row(
            "GET",
            "/api/measures/responses",
            None,
            [401, 200, 200, 403, 403, 403, 403],
        ),
        row(
            "GET",
            "/api/measures/due",
            None,
            [401, 200, 200, 403, 403, 403, 403],
        ),
        row(
            "GET",
            "/api/clinician/patients/patient.a/measures",
            None,
            [401, 403, 403, 200, 404, 403, 403],
        ),
        row(
            "GET",
            "/api/clinician/patients/patient.b/measures",
            None,
            [401, 403, 403, 404, 404, 403, 403],
        ),
        row(
            "POST",
            "/api/clinician/patients/patient.a/schedules",
            Some(json!({ "instrument": "phq9", "every_days": 7 })),
            [401, 403, 403, 201, 404, 403, 403],
        ),
        row(
            "DELETE",
            format!("/api/clinician/patients/patient.a/schedules/{schedule}"),
            None,
            [401, 403, 403, 204, 404, 403, 403],
        ),
        row(
            "GET",
            "/api/clinician/alerts",
            None,
            [401, 403, 403, 200, 200, 403, 403],
        ),
        row(
            "POST",
            format!("/api/clinician/alerts/{alert}/acknowledge"),
            None,
            [401, 403, 403, 200, 404, 403, 403],
        ),
        row(
            "POST",
            format!("/api/clinician/alerts/{alert}/resolve"),
            Some(json!({ "outcome": "contacted_patient" })),
            [401, 403, 403, 200, 404, 403, 403],
        ),
        row(
            "GET",
            "/api/admin/overview",
            None,
            [401, 403, 403, 403, 403, 403, 200],
        ),
    ]
}
