//! Questionnaires through the API: the catalogue, scoring end to end with every item
//! answer kept, bad answers refused with the item named (and nothing stored), idempotent
//! retries, what a patient without a care team is told, and a clinician's view.

use crate::common::*;
use serde_json::{json, Value};

/// PHQ-9 answers: items 1 to 8 as given, then item 9.
pub fn phq9(items: [i64; 8], item9: i64) -> Value {
    let mut answers = serde_json::Map::new();
    for (index, points) in items.iter().enumerate() {
        answers.insert((index + 1).to_string(), json!(points));
    }
    answers.insert("9".into(), json!(item9));
    json!({ "answers": answers })
}

pub fn gad7(items: [i64; 7]) -> Value {
    let answers: serde_json::Map<String, Value> = items
        .iter()
        .enumerate()
        .map(|(index, points)| ((index + 1).to_string(), json!(points)))
        .collect();
    json!({ "answers": answers })
}

fn history_count(db: &TestDb) -> impl std::future::Future<Output = i64> + '_ {
    db.scalar_i64("SELECT COUNT(*) FROM measure_responses")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_catalogue_lists_each_questionnaire_in_full() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let patient = patient(&server, "patient.c").await;
    let catalogue = patient.get("/api/measures").await.expect(200).body;
    let instruments = catalogue["instruments"].as_array().unwrap();
    let ids: Vec<&str> = instruments
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["phq9", "gad7", "cssrs"]);
    let (phq9_entry, gad7_entry, cssrs_entry) = (&instruments[0], &instruments[1], &instruments[2]);
    assert_eq!(phq9_entry["items"].as_array().unwrap().len(), 10);
    assert_eq!(gad7_entry["items"].as_array().unwrap().len(), 7);
    assert_eq!(cssrs_entry["items"].as_array().unwrap().len(), 7);
    for entry in [phq9_entry, gad7_entry] {
        assert!(entry["attribution"].as_str().unwrap().contains("Pfizer"));
        assert_eq!(entry["recall_period"], "the last 2 weeks");
    }
    assert_eq!(
        phq9_entry["items"][8]["text"],
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    );
    assert_eq!(
        phq9_entry["items"][0]["options"][3],
        json!({ "value": 3, "label": "Nearly every day" })
    );
    assert_eq!(phq9_entry["items"][9]["optional"], true);
    assert_eq!(cssrs_entry["items"][2]["asked_when_yes"], "2");
    assert_eq!(cssrs_entry["items"][6]["id"], "6b");
    assert_eq!(
        cssrs_entry["items"][0]["options"][1],
        json!({ "value": true, "label": "Yes" })
    );
    assert!(phq9_entry["last_submitted_at"].is_null());

    patient
        .post("/api/measures/gad7/responses", gad7([0; 7]))
        .await
        .expect(201);
    let catalogue = patient.get("/api/measures").await.expect(200).body;
    assert!(catalogue["instruments"][1]["last_submitted_at"].is_string());
    assert!(catalogue["instruments"][0]["last_submitted_at"].is_null());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_phq9_is_scored_on_the_server_with_every_answer_kept() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let patient = &world.patient_a;
    let mut body = phq9([3, 3, 2, 2, 1, 1, 0, 0], 0);
    body["answers"]["difficulty"] = json!(2);
    let reply = patient
        .post("/api/measures/phq9/responses", body.clone())
        .await
        .expect(201)
        .body;
    assert_eq!(reply["instrument"], "phq9");
    assert_eq!(reply["version"], "1");
    assert_eq!(reply["total"], 12);
    assert_eq!(reply["severity"], "moderate");
    assert!(reply["risk"].is_null());
    assert_eq!(reply["flags"], json!([]));
    assert_eq!(reply["answers"], body["answers"]);
    assert_eq!(reply["care_team_notified"], false, "no alert was raised");
    assert_eq!(reply["guidance"]["urgent"], false);
    assert_eq!(
        reply["guidance"]["care_team"],
        "Your care team can see your answers."
    );
    assert!(reply["guidance"]["crisis_resources"].is_null());

    let cssrs = patient
        .post(
            "/api/measures/cssrs/responses",
            json!({ "answers": { "1": true, "2": false, "6": false } }),
        )
        .await
        .expect(201)
        .body;
    assert!(cssrs["total"].is_null());
    assert_eq!(cssrs["risk"], "low");
    assert!(cssrs["severity"].is_null());

    let history = patient
        .get("/api/measures/responses")
        .await
        .expect(200)
        .body;
    let responses = history["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 2);
    assert_eq!(responses[0]["instrument"], "cssrs", "newest first");
    assert_eq!(responses[1]["answers"]["9"], 0);
    assert_eq!(responses[1]["answers"]["difficulty"], 2);
    let only = patient
        .get("/api/measures/responses?instrument=phq9&days=7")
        .await
        .expect(200)
        .body;
    assert_eq!(only["responses"].as_array().unwrap().len(), 1);
    assert_eq!(only["responses"][0]["total"], 12);
    assert_eq!(only["days"], 7);
    for bad in ["instrument=phq10", "days=0", "days=366"] {
        patient
            .get(&format!("/api/measures/responses?{bad}"))
            .await
            .expect_error(422, "validation_failed");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_answers_name_the_item_and_store_nothing() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let patient = patient(&server, "patient.c").await;
    let mut missing = phq9([0; 8], 0);
    missing["answers"].as_object_mut().unwrap().remove("9");
    let mut extra = gad7([0; 7]);
    extra["answers"]["8"] = json!(0);
    let cases = [
        ("phq9", missing, "answers.9"),
        ("gad7", extra, "answers.8"),
        ("gad7", gad7([0, 0, 4, 0, 0, 0, 0]), "answers.3"),
        ("gad7", gad7([0, 0, 0, 0, 0, 0, -1]), "answers.7"),
        (
            "gad7",
            json!({ "answers": { "1": 1.5, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0 } }),
            "answers.1",
        ),
        (
            "gad7",
            json!({ "answers": { "1": "2", "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0 } }),
            "answers.1",
        ),
        (
            "phq9",
            json!({ "answers": { "1": null, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0 } }),
            "answers.1",
        ),
        (
            "cssrs",
            json!({ "answers": { "1": 1, "2": false, "6": false } }),
            "answers.1",
        ),
        (
            "cssrs",
            json!({ "answers": { "1": true, "2": true, "6": false } }),
            "answers.3",
        ),
        (
            "cssrs",
            json!({ "answers": { "1": true, "2": false, "3": true, "6": false } }),
            "answers.3",
        ),
        (
            "cssrs",
            json!({ "answers": { "1": false, "2": false, "6": true } }),
            "answers.6b",
        ),
    ];
    for (instrument, body, field) in cases {
        let reply = patient
            .post(
                &format!("/api/measures/{instrument}/responses"),
                body.clone(),
            )
            .await
            .expect_error(422, "validation_failed");
        assert_eq!(reply.field(), field, "{body}");
    }
    patient
        .post("/api/measures/phq10/responses", phq9([0; 8], 0))
        .await
        .expect_error(404, "not_found");
    let not_an_object = patient
        .post("/api/measures/phq9/responses", json!({ "answers": [0, 1] }))
        .await;
    assert_eq!(not_an_object.status, 422, "{}", not_an_object.body);
    assert_eq!(
        history_count(&db).await,
        0,
        "nothing stored, no alert raised"
    );
    assert_eq!(db.scalar_i64("SELECT COUNT(*) FROM risk_alerts").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_with_the_same_key_stores_one_response() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let patient = &world.patient_a;
    let submit = |key: &str, body: Value| {
        patient.send(
            patient
                .with_csrf(patient.request(reqwest::Method::POST, "/api/measures/phq9/responses"))
                .header("Idempotency-Key", key)
                .json(&body),
        )
    };
    let body = phq9([1; 8], 2);
    let first = submit("phq9-1", body.clone()).await.expect(201).body;
    let again = submit("phq9-1", body.clone()).await.expect(201).body;
    assert_eq!(first["id"], again["id"]);
    assert_eq!(again["care_team_notified"], true);
    assert_eq!(history_count(&db).await, 1);
    let alerts = world
        .dr_in
        .get("/api/clinician/alerts")
        .await
        .expect(200)
        .body;
    assert_eq!(
        alerts["alerts"][0]["trigger_count"], 1,
        "the retry raised nothing"
    );
    let other = submit("phq9-1", phq9([0; 8], 0))
        .await
        .expect_error(422, "idempotency_key_reused");
    assert_eq!(other.field(), "Idempotency-Key");
    assert_eq!(history_count(&db).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patient_without_a_care_team_is_told_no_one_will_see_it() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let reply = world
        .patient_b
        .post("/api/measures/phq9/responses", phq9([0; 8], 3))
        .await
        .expect(201)
        .body;
    assert_eq!(reply["flags"], json!(["item9_positive"]));
    assert_eq!(reply["care_team_notified"], false);
    let guidance = &reply["guidance"];
    assert_eq!(guidance["urgent"], true);
    assert!(guidance["care_team"]
        .as_str()
        .unwrap()
        .starts_with("No clinician will see this answer"));
    assert!(guidance["monitoring"]
        .as_str()
        .unwrap()
        .contains("not monitored around the clock"));
    let resources = guidance["crisis_resources"]["resources"]
        .as_array()
        .unwrap();
    assert!(resources.iter().any(|r| r["contact"] == "116 123"));
    // Even a calm answer tells them so, with the crisis resources.
    let calm = world
        .patient_b
        .post("/api/measures/gad7/responses", gad7([0; 7]))
        .await
        .expect(201)
        .body;
    assert_eq!(calm["guidance"]["urgent"], false);
    assert!(calm["guidance"]["crisis_resources"].is_object());
    // The alert is stored, and administrators see it counted as unattended.
    let overview = world
        .admin
        .get("/api/admin/overview")
        .await
        .expect(200)
        .body;
    assert_eq!(overview["urgent_alerts"]["open"], 1);
    assert_eq!(overview["urgent_alerts"]["unattended"], 1);
    assert_eq!(overview["urgent_alerts"]["ack_minutes"], 60);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clinician_sees_trends_and_reliable_change_for_their_patient_only() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let patient = &world.patient_a;
    for items in [
        [2, 2, 2, 2, 2, 0, 0, 0],
        [1, 1, 1, 1, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0],
    ] {
        patient
            .post("/api/measures/phq9/responses", phq9(items, 0))
            .await
            .expect(201);
    }
    patient
        .post("/api/measures/gad7/responses", gad7([1, 1, 1, 0, 0, 0, 0]))
        .await
        .expect(201);
    patient
        .post("/api/measures/gad7/responses", gad7([1, 1, 1, 1, 1, 1, 0]))
        .await
        .expect(201);
    let page = world
        .dr_in
        .get("/api/clinician/patients/patient.a/measures")
        .await
        .expect(200)
        .body;
    assert_eq!(page["patient"]["username"], "patient.a");
    let phq9_trend = &page["instruments"][0];
    assert_eq!(phq9_trend["instrument"], "phq9");
    assert_eq!(phq9_trend["responses"].as_array().unwrap().len(), 3);
    assert_eq!(phq9_trend["responses"][0]["total"], 0, "newest first");
    assert_eq!(phq9_trend["responses"][2]["answers"]["1"], 2, "items shown");
    assert_eq!(phq9_trend["change"], -10);
    assert_eq!(phq9_trend["reliable_change"], "improved");
    let gad7_trend = &page["instruments"][1];
    assert_eq!(gad7_trend["change"], 3);
    assert!(gad7_trend["reliable_change"].is_null(), "3 is below 4");
    assert!(page["instruments"][2]["change"].is_null());

    let patients = world
        .dr_in
        .get("/api/clinician/patients")
        .await
        .expect(200)
        .body;
    let summary = &patients["patients"][0];
    assert_eq!(
        summary["latest_measures"],
        json!({ "phq9": "minimal", "gad7": "mild", "cssrs": null })
    );
    assert_eq!(summary["open_alerts"], json!({ "urgent": 0, "review": 0 }));

    for outsider in [&world.dr_out] {
        outsider
            .get("/api/clinician/patients/patient.a/measures")
            .await
            .expect_error(404, "not_found");
    }
    world
        .dr_in
        .get("/api/clinician/patients/patient.b/measures")
        .await
        .expect_error(404, "not_found");
    world
        .admin
        .get("/api/clinician/patients/patient.a/measures")
        .await
        .expect(403);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_clinicians_scheduling_one_questionnaire_make_one_due_item() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let dr_two = second_clinician_of_a(&server, &world, "dr.two").await;

    let schedule = |dr: &Client, body: Value| {
        let dr = dr.clone();
        async move {
            dr.post("/api/clinician/patients/patient.a/schedules", body)
                .await
        }
    };
    let first = schedule(
        &world.dr_in,
        json!({ "instrument": "phq9", "every_days": 14 }),
    )
    .await
    .expect(201)
    .body;
    assert_eq!(first["schedule"]["created_by"], "dr.in");
    schedule(&dr_two, json!({ "instrument": "phq9", "every_days": 7 }))
        .await
        .expect(201);
    for (bad, field) in [
        (
            json!({ "instrument": "phq9", "every_days": 6 }),
            "every_days",
        ),
        (
            json!({ "instrument": "phq9", "every_days": 91 }),
            "every_days",
        ),
        (
            json!({ "instrument": "bdi", "every_days": 7 }),
            "instrument",
        ),
        (
            json!({ "instrument": "phq9", "every_days": 7, "starts_on": "soon" }),
            "starts_on",
        ),
    ] {
        let reply = schedule(&world.dr_in, bad)
            .await
            .expect_error(422, "validation_failed");
        assert_eq!(reply.field(), field);
    }
    let due = world
        .patient_a
        .get("/api/measures/due")
        .await
        .expect(200)
        .body;
    assert_eq!(due["due"].as_array().unwrap().len(), 1, "one item: {due}");
    assert_eq!(due["due"][0]["instrument"], "phq9");
    assert_eq!(due["due"][0]["status"], "due");
    assert_eq!(due["due"][0]["every_days"], 7);
    let home = world.patient_a.get("/api/home/data").await.expect(200).body;
    assert_eq!(home["measures_due"][0]["instrument"], "phq9");

    world
        .patient_a
        .post("/api/measures/phq9/responses", phq9([0; 8], 0))
        .await
        .expect(201);
    let due = world
        .patient_a
        .get("/api/measures/due")
        .await
        .expect(200)
        .body;
    assert_eq!(due["due"], json!([]));
    assert_eq!(due["upcoming"][0]["status"], "upcoming");

    let id = first["schedule"]["id"].as_i64().unwrap();
    let path = format!("/api/clinician/patients/patient.a/schedules/{id}");
    world
        .dr_out
        .delete(&path)
        .await
        .expect_error(404, "not_found");
    dr_two.delete(&path).await.expect(204);
    dr_two.delete(&path).await.expect_error(404, "not_found");
    let page = world
        .dr_in
        .get("/api/clinician/patients/patient.a/measures")
        .await
        .expect(200)
        .body;
    assert_eq!(page["schedules"].as_array().unwrap().len(), 1);
    assert_eq!(page["schedules"][0]["every_days"], 7);
}
