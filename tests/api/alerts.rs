//! Risk alerts end to end: each rule raises the right alert for the care team, one
//! unresolved alert per patient and rule, the inbox order, acknowledging and resolving
//! (audited without answers or notes), a clinician leaving, and overdue urgent alerts.

use crate::common::*;
use crate::measures::{gad7, phq9};
use serde_json::{json, Value};

async fn inbox(dr: &Client, status: &str) -> Vec<Value> {
    dr.get(&format!("/api/clinician/alerts?status={status}"))
        .await
        .expect(200)
        .body["alerts"]
        .as_array()
        .unwrap()
        .clone()
}

fn rules(alerts: &[Value]) -> Vec<&str> {
    alerts.iter().map(|a| a["rule"].as_str().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn item9_raises_one_urgent_alert_that_later_triggers_add_to() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let reply = world
        .patient_a
        .post("/api/measures/phq9/responses", phq9([0; 8], 1))
        .await
        .expect(201)
        .body;
    assert_eq!(reply["total"], 1);
    assert_eq!(reply["severity"], "minimal");
    assert_eq!(reply["care_team_notified"], true);
    assert_eq!(reply["guidance"]["urgent"], true);
    assert!(reply["guidance"]["crisis_resources"]["resources"].is_array());
    assert!(reply["guidance"]["care_team"]
        .as_str()
        .unwrap()
        .contains("alerted"));

    let alerts = inbox(&world.dr_in, "open").await;
    assert_eq!(alerts.len(), 1);
    let alert = &alerts[0];
    assert_eq!(alert["rule"], "phq9_item9");
    assert_eq!(alert["rule_version"], 1);
    assert_eq!(alert["severity"], "urgent");
    assert_eq!(alert["status"], "open");
    assert_eq!(alert["trigger_count"], 1);
    assert_eq!(alert["overdue"], false);
    assert_eq!(alert["patient"]["username"], "patient.a");
    assert!(alert.get("answers").is_none());
    assert!(inbox(&world.dr_out, "open").await.is_empty());

    let first_triggered = alert["triggered_at"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    world
        .patient_a
        .post("/api/measures/phq9/responses", phq9([0; 8], 2))
        .await
        .expect(201);
    let alerts = inbox(&world.dr_in, "open").await;
    assert_eq!(alerts.len(), 1, "one open alert per patient and rule");
    assert_eq!(alerts[0]["id"], alert["id"]);
    assert_eq!(alerts[0]["trigger_count"], 2);
    assert_ne!(alerts[0]["triggered_at"], first_triggered.as_str());
    assert_eq!(alerts[0]["first_triggered_at"], first_triggered.as_str());

    let patients = world
        .dr_in
        .get("/api/clinician/patients")
        .await
        .expect(200)
        .body;
    assert_eq!(
        patients["patients"][0]["open_alerts"],
        json!({ "urgent": 1, "review": 0 })
    );
    let home = world.dr_in.get("/api/home/data").await.expect(200).body;
    assert_eq!(
        home["clinician"]["open_alerts"],
        json!({ "urgent": 1, "review": 0 })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn each_rule_raises_its_alert_and_urgent_ones_come_first() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let patient = &world.patient_a;
    let post = |path: &'static str, body: Value| async move {
        patient.post(path, body).await.expect(201).body
    };
    // Nothing: totals below the lines, no earlier response to rise from.
    post(
        "/api/measures/phq9/responses",
        phq9([2, 2, 2, 2, 2, 2, 2, 0], 0),
    )
    .await;
    post("/api/measures/gad7/responses", gad7([2, 2, 2, 2, 2, 2, 2])).await;
    post(
        "/api/measures/cssrs/responses",
        json!({ "answers": { "1": true, "2": false, "6": false } }),
    )
    .await;
    assert!(inbox(&world.dr_in, "open").await.is_empty());
    // Review: GAD-7 at 15, a C-SSRS of moderate, PHQ-9 rising by 6 (14 to 20 is both).
    post("/api/measures/gad7/responses", gad7([3, 2, 2, 2, 2, 2, 2])).await;
    post(
        "/api/measures/cssrs/responses",
        json!({ "answers": { "1": false, "2": false, "6": true, "6b": false } }),
    )
    .await;
    let review = inbox(&world.dr_in, "open").await;
    assert_eq!(
        rules(&review),
        ["gad7_score", "cssrs_moderate"],
        "oldest first"
    );
    // Urgent: a C-SSRS of high comes before the older review alerts.
    let high = post(
        "/api/measures/cssrs/responses",
        json!({ "answers": { "1": true, "2": true, "3": true, "4": true, "5": false, "6": false } }),
    )
    .await;
    assert_eq!(high["risk"], "high");
    assert_eq!(high["guidance"]["urgent"], true);
    let all = inbox(&world.dr_in, "open").await;
    assert_eq!(rules(&all), ["cssrs_high", "gad7_score", "cssrs_moderate"]);
    assert_eq!(all[0]["severity"], "urgent");
    assert_eq!(all[1]["severity"], "review");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rise_since_the_previous_response_is_reviewed() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let patient = &world.patient_a;
    patient
        .post("/api/measures/phq9/responses", phq9([0; 8], 0))
        .await
        .expect(201);
    patient
        .post(
            "/api/measures/phq9/responses",
            phq9([1, 1, 1, 1, 1, 0, 0, 0], 0),
        )
        .await
        .expect(201);
    assert!(inbox(&world.dr_in, "open").await.is_empty(), "a rise of 5");
    patient
        .post(
            "/api/measures/phq9/responses",
            phq9([2, 2, 2, 2, 2, 1, 0, 0], 0),
        )
        .await
        .expect(201);
    assert_eq!(
        rules(&inbox(&world.dr_in, "open").await),
        ["phq9_score"],
        "5 to 11"
    );
    patient
        .post("/api/measures/gad7/responses", gad7([1, 1, 1, 0, 0, 0, 0]))
        .await
        .expect(201);
    patient
        .post("/api/measures/gad7/responses", gad7([1, 1, 1, 1, 1, 1, 0]))
        .await
        .expect(201);
    assert_eq!(
        inbox(&world.dr_in, "open").await.len(),
        1,
        "a GAD-7 rise of 3"
    );
    patient
        .post("/api/measures/gad7/responses", gad7([2, 2, 2, 1, 1, 1, 1]))
        .await
        .expect(201);
    assert_eq!(
        rules(&inbox(&world.dr_in, "open").await),
        ["phq9_score", "gad7_score"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledging_and_resolving_are_recorded_without_clinical_content() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    world
        .patient_a
        .post("/api/measures/phq9/responses", phq9([0; 8], 3))
        .await
        .expect(201);
    let id = inbox(&world.dr_in, "open").await[0]["id"].as_i64().unwrap();
    let path = |action: &str| format!("/api/clinician/alerts/{id}/{action}");
    world
        .dr_out
        .post(&path("acknowledge"), json!({}))
        .await
        .expect_error(404, "not_found");
    world
        .patient_a
        .post(&path("acknowledge"), json!({}))
        .await
        .expect(403);
    let acknowledged = world
        .dr_in
        .post(&path("acknowledge"), json!({}))
        .await
        .expect(200)
        .body;
    assert_eq!(acknowledged["alert"]["status"], "acknowledged");
    assert_eq!(acknowledged["alert"]["acknowledged_by"], "dr.in");
    assert!(acknowledged["alert"]["acknowledged_at"].is_string());
    assert!(inbox(&world.dr_in, "open").await.is_empty());
    assert_eq!(inbox(&world.dr_in, "acknowledged").await.len(), 1);
    let again = world
        .dr_in
        .post(&path("acknowledge"), json!({}))
        .await
        .expect(200)
        .body;
    assert_eq!(
        again["alert"]["acknowledged_at"],
        acknowledged["alert"]["acknowledged_at"]
    );

    for (bad, field) in [
        (json!({ "outcome": "fixed" }), "outcome"),
        (
            json!({ "outcome": "other", "note": "x".repeat(2001) }),
            "note",
        ),
    ] {
        let reply = world
            .dr_in
            .post(&path("resolve"), bad)
            .await
            .expect_error(422, "validation_failed");
        assert_eq!(reply.field(), field);
    }
    let note = "Called her; she is safe with her sister tonight.";
    let resolved = world
        .dr_in
        .post(
            &path("resolve"),
            json!({ "outcome": "contacted_patient", "note": note }),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(resolved["alert"]["status"], "resolved");
    assert_eq!(resolved["alert"]["resolved_by"], "dr.in");
    assert_eq!(resolved["alert"]["outcome"], "contacted_patient");
    world
        .dr_in
        .post(&path("resolve"), json!({ "outcome": "other" }))
        .await
        .expect_error(409, "alert_already_resolved");
    world
        .dr_in
        .post(&path("acknowledge"), json!({}))
        .await
        .expect_error(409, "alert_already_resolved");
    assert_eq!(inbox(&world.dr_in, "resolved").await.len(), 1);
    world
        .dr_in
        .get("/api/clinician/alerts?status=closed")
        .await
        .expect_error(422, "validation_failed");

    let audit = world
        .admin
        .get("/api/admin/audit")
        .await
        .expect(200)
        .body
        .to_string();
    for event in ["alert_raised", "alert_acknowledged", "alert_resolved"] {
        assert!(audit.contains(event), "{event} in {audit}");
    }
    assert!(audit.contains("phq9_item9 contacted_patient"));
    assert!(
        !audit.contains("sister"),
        "the note stays out of the audit log"
    );

    // A new trigger after resolution opens a new alert.
    world
        .patient_a
        .post("/api/measures/phq9/responses", phq9([0; 8], 1))
        .await
        .expect(201);
    let open = inbox(&world.dr_in, "open").await;
    assert_eq!(open.len(), 1);
    assert_ne!(open[0]["id"], json!(id));
    assert_eq!(open[0]["trigger_count"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clinician_leaving_leaves_the_alerts_with_those_who_stay() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let dr_two = second_clinician_of_a(&server, &world, "dr.two").await;
    world
        .patient_a
        .post(
            "/api/measures/cssrs/responses",
            json!({ "answers": { "1": false, "2": false, "6": true, "6b": true } }),
        )
        .await
        .expect(201);
    let id = inbox(&world.dr_in, "open").await[0]["id"].as_i64().unwrap();
    assert_eq!(
        inbox(&dr_two, "open").await[0]["id"],
        json!(id),
        "the whole team sees it"
    );
    world
        .patient_a
        .delete("/api/care-team/dr.in")
        .await
        .expect(200);
    assert!(inbox(&world.dr_in, "open").await.is_empty());
    world
        .dr_in
        .post(
            &format!("/api/clinician/alerts/{id}/acknowledge"),
            json!({}),
        )
        .await
        .expect_error(404, "not_found");
    assert_eq!(inbox(&dr_two, "open").await[0]["id"], json!(id));
    dr_two
        .post(
            &format!("/api/clinician/alerts/{id}/acknowledge"),
            json!({}),
        )
        .await
        .expect(200);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_urgent_alert_left_unacknowledged_becomes_overdue() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[("ALERT_ACK_MINUTES", "5")]).await;
    let world = World::new(&server, &db).await;
    world
        .patient_a
        .post("/api/measures/phq9/responses", phq9([0; 8], 1))
        .await
        .expect(201);
    let overview = world
        .admin
        .get("/api/admin/overview")
        .await
        .expect(200)
        .body;
    assert_eq!(
        overview["urgent_alerts"],
        json!({ "open": 1, "overdue": 0, "unattended": 0, "ack_minutes": 5 })
    );
    let six_minutes = 6 * 60 * 1000;
    db.execute(&format!(
        "UPDATE risk_alerts SET triggered_at = triggered_at - {six_minutes}"
    ))
    .await;
    let alert = &inbox(&world.dr_in, "open").await[0];
    assert_eq!(alert["overdue"], true);
    let overview = world
        .admin
        .get("/api/admin/overview")
        .await
        .expect(200)
        .body;
    assert_eq!(overview["urgent_alerts"]["overdue"], 1);
    assert!(!overview.to_string().contains("patient.a"), "counts only");
    world
        .dr_in
        .post(
            &format!("/api/clinician/alerts/{}/acknowledge", alert["id"]),
            json!({}),
        )
        .await
        .expect(200);
    let overview = world
        .admin
        .get("/api/admin/overview")
        .await
        .expect(200)
        .body;
    assert_eq!(overview["urgent_alerts"]["open"], 0);
    assert_eq!(overview["urgent_alerts"]["overdue"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn low_mood_on_three_days_with_check_ins_is_reviewed() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let user_id = db
        .scalar_i64("SELECT id FROM users WHERE username = 'patient.a'")
        .await;
    let day = 24 * 60 * 60 * 1000_i64;
    let now = chrono::Utc::now().timestamp_millis();
    // Two earlier days with check-ins, one of them low only in its worst moment, with a
    // day without check-ins between them.
    for (days_ago, score) in [(1, 2), (3, 7), (3, 1)] {
        db.execute(&format!(
            "INSERT INTO mood_entries (user_id, score, recorded_at) VALUES ({user_id}, {score}, {})",
            now - days_ago * day
        ))
        .await;
    }
    let calm = world
        .patient_a
        .post("/api/mood", json!({ "score": 3 }))
        .await
        .expect(201)
        .body;
    assert_eq!(calm["alert_raised"], false, "3 is not low");
    let low = world
        .patient_a
        .post("/api/mood", json!({ "score": 2 }))
        .await
        .expect(201)
        .body;
    assert_eq!(low["alert_raised"], true);
    assert_eq!(low["care_team_notified"], true);
    let alerts = inbox(&world.dr_in, "open").await;
    assert_eq!(rules(&alerts), ["mood_low"]);
    assert_eq!(alerts[0]["severity"], "review");

    let alone = world
        .patient_b
        .post("/api/mood", json!({ "score": 1 }))
        .await
        .expect(201)
        .body;
    assert_eq!(alone["alert_raised"], false, "one day is not three");
}
