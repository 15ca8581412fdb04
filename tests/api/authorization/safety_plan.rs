//! The authorisation table's rows for safety plans. Patient A's plan exists before the
//! table runs, so a save without `If-Match` by someone allowed to make it is a 428.

use serde_json::json;

use super::{row, Row};
use crate::common::*;
use crate::safety_plan::{plan, put};

pub async fn rows(world: &World) -> Vec<Row> {
    put(&world.patient_a, "/api/safety-plan", &plan("A's"), None)
        .await
        .expect(200);
    let a = "/api/clinician/patients/patient.a/safety-plan";
    vec![
        row(
            "GET",
            "/api/safety-plan",
            None,
            [401, 200, 200, 403, 403, 403, 403],
        ),
        row(
            "PUT",
            "/api/safety-plan",
            Some(plan("mine")),
            [401, 428, 200, 403, 403, 403, 403],
        ),
        row(
            "GET",
            "/api/safety-plan/versions",
            None,
            [401, 200, 200, 403, 403, 403, 403],
        ),
        row("GET", a, None, [401, 403, 403, 200, 404, 403, 403]),
        row(
            "PUT",
            a,
            Some(plan("theirs")),
            [401, 403, 403, 428, 404, 403, 403],
        ),
        row(
            "POST",
            format!("{a}/review"),
            Some(json!({})),
            [401, 403, 403, 200, 404, 403, 403],
        ),
        row(
            "GET",
            format!("{a}/versions"),
            None,
            [401, 403, 403, 200, 404, 403, 403],
        ),
    ]
}
