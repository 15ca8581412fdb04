//! The safety plan end to end: the empty plan, saving with `If-Match` (412 when stale,
//! 428 when unsaid), every version kept, entry limits at their edges, the care team's
//! edits and reviews, and the patient offered their plan after a risk result. Three
//! people saving at once are in [`concurrency`].

mod concurrency;

use crate::common::*;
use crate::measures::phq9;
use serde_json::{json, Value};

const MINE: &str = "/api/safety-plan";
const A_AS_CLINICIAN: &str = "/api/clinician/patients/patient.a/safety-plan";

/// A plan body with `entries` in every section, each section's own.
pub fn plan(entry: &str) -> Value {
    let section = |name: &str| json!([format!("{entry}: {name}")]);
    json!({
        "warning_signs": section("warning signs"),
        "internal_coping": section("coping"),
        "social_distraction": section("distraction"),
        "people_to_ask": section("people"),
        "professionals": section("professionals"),
        "environment_safety": section("environment"),
        "reasons_for_living": section("reasons"),
    })
}

/// `PUT` with `If-Match` when `version` is given.
pub async fn put(client: &Client, path: &str, body: &Value, version: Option<&str>) -> Reply {
    let mut request = client.with_csrf(client.request(reqwest::Method::PUT, path));
    if let Some(tag) = version {
        request = request.header("If-Match", tag);
    }
    client.send(request.json(body)).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_patient_has_an_empty_plan_with_the_crisis_resources_and_care_team() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let reply = world.patient_a.get(MINE).await.expect(200);
    assert_eq!(reply.header("etag"), "\"0\"");
    let body = reply.body;
    assert_eq!(body["version"], 0);
    assert_eq!(body["etag"], "\"0\"");
    assert_eq!(body["updated_at"], Value::Null);
    assert_eq!(body["updated_by"], Value::Null);
    assert_eq!(body["reviewed_at"], Value::Null);
    assert_eq!(body["patient"]["username"], "patient.a");
    for section in [
        "warning_signs",
        "internal_coping",
        "social_distraction",
        "people_to_ask",
        "professionals",
        "environment_safety",
        "reasons_for_living",
    ] {
        assert_eq!(body[section], json!([]), "{section}");
    }
    assert_eq!(body["crisis_resources"]["resources"][0]["contact"], "999");
    assert_eq!(usernames(&body["care_team"], "username"), ["dr.in"]);
    // Patient B has no care team, and still the crisis resources.
    let b = world.patient_b.get(MINE).await.expect(200).body;
    assert_eq!(b["care_team"], json!([]));
    assert!(!b["crisis_resources"]["resources"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn saves_name_the_version_they_change_and_every_version_is_kept() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let a = &world.patient_a;
    // The first save needs no If-Match.
    let first = put(a, MINE, &plan("first"), None).await.expect(200);
    assert_eq!(first.header("etag"), "\"1\"");
    assert_eq!(first.body["version"], 1);
    assert_eq!(first.body["warning_signs"], json!(["first: warning signs"]));
    assert_eq!(first.body["updated_by"]["username"], "patient.a");
    assert_eq!(first.body["updated_by"]["role"], "patient");
    assert!(first.body["updated_at"].as_str().unwrap().ends_with('Z'));
    // Once a plan exists, a save must say which version it changes.
    put(a, MINE, &plan("blind"), None)
        .await
        .expect_error(428, "precondition_required");
    let stale = put(a, MINE, &plan("stale"), Some("\"0\""))
        .await
        .expect_error(412, "precondition_failed");
    assert_eq!(stale.body["error"]["current_version"], 1);
    for unknown in [
        "*",
        "\"banana\"",
        "\"-1\"",
        "\"7\"",
        "\"9223372036854775807\"",
    ] {
        let reply = put(a, MINE, &plan("unknown"), Some(unknown))
            .await
            .expect_error(412, "precondition_failed");
        assert_eq!(reply.body["error"]["current_version"], 1, "{unknown}");
    }
    let second = put(a, MINE, &plan("second"), Some("\"1\""))
        .await
        .expect(200);
    assert_eq!(second.header("etag"), "\"2\"");
    // A weak tag of the current version is the same version.
    put(a, MINE, &plan("third"), Some("W/\"2\""))
        .await
        .expect(200);
    let now = a.get(MINE).await.expect(200).body;
    assert_eq!(now["version"], 3);
    assert_eq!(now["reasons_for_living"], json!(["third: reasons"]));
    // Nothing written is lost: every version, whole, newest first.
    let versions = a.get("/api/safety-plan/versions").await.expect(200).body;
    let versions = versions["versions"].as_array().unwrap();
    let numbers: Vec<i64> = versions
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 2, 1]);
    assert_eq!(versions[2]["people_to_ask"], json!(["first: people"]));
    assert_eq!(
        versions[1]["professionals"],
        json!(["second: professionals"])
    );
    assert_eq!(versions[0]["author"]["username"], "patient.a");
}

#[tokio::test(flavor = "multi_thread")]
async fn entries_are_1_to_500_characters_and_at_most_20_a_section() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let a = patient(&server, "patient.a").await;
    let mut body = plan("ok");
    body["warning_signs"] = json!(vec!["x".repeat(500); 20]);
    body["internal_coping"] = json!(["  trimmed  ", "é".repeat(500)]);
    let saved = put(&a, MINE, &body, None).await.expect(200).body;
    assert_eq!(saved["warning_signs"].as_array().unwrap().len(), 20);
    assert_eq!(saved["internal_coping"][0], "trimmed");

    let refused = |field: &str, value: Value| {
        let mut body = plan("refused");
        body[field] = value;
        body
    };
    let cases = [
        (
            refused("warning_signs", json!(vec!["x"; 21])),
            "warning_signs",
        ),
        (
            refused("people_to_ask", json!(["fine", "   "])),
            "people_to_ask[1]",
        ),
        (
            refused("professionals", json!(["", "fine"])),
            "professionals[0]",
        ),
        (
            refused("reasons_for_living", json!(["y".repeat(501)])),
            "reasons_for_living[0]",
        ),
        (
            refused("environment_safety", json!(["a\u{0}b"])),
            "environment_safety[0]",
        ),
        (
            refused("social_distraction", json!("not a list")),
            "social_distraction",
        ),
    ];
    for (body, field) in cases {
        let reply = put(&a, MINE, &body, Some("\"1\""))
            .await
            .expect_error(422, "validation_failed");
        assert_eq!(reply.field(), field);
    }
    let mut missing = plan("missing");
    missing
        .as_object_mut()
        .unwrap()
        .remove("environment_safety");
    put(&a, MINE, &missing, Some("\"1\""))
        .await
        .expect_error(422, "validation_failed");
    let mut extra = plan("extra");
    extra["secrets"] = json!(["x"]);
    put(&a, MINE, &extra, Some("\"1\""))
        .await
        .expect_error(422, "validation_failed");
    // Nothing refused was stored.
    let now = a.get(MINE).await.expect(200).body;
    assert_eq!(now["version"], 1);
    assert_eq!(now["internal_coping"][0], "trimmed");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_care_team_edits_and_reviews_the_plan_and_nobody_else_sees_it() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let review = format!("{A_AS_CLINICIAN}/review");
    // Nothing to review before a plan exists.
    world
        .dr_in
        .post(&review, json!({}))
        .await
        .expect_error(409, "nothing_to_review");
    put(&world.patient_a, MINE, &plan("mine"), None)
        .await
        .expect(200);
    let seen = world.dr_in.get(A_AS_CLINICIAN).await.expect(200);
    assert_eq!(seen.header("etag"), "\"1\"");
    assert_eq!(seen.body["warning_signs"], json!(["mine: warning signs"]));
    let edited = put(
        &world.dr_in,
        A_AS_CLINICIAN,
        &plan("together"),
        Some("\"1\""),
    )
    .await
    .expect(200);
    assert_eq!(edited.body["version"], 2);
    // The patient sees the clinician's version, and who wrote it.
    let now = world.patient_a.get(MINE).await.expect(200).body;
    assert_eq!(now["version"], 2);
    assert_eq!(now["internal_coping"], json!(["together: coping"]));
    assert_eq!(now["updated_by"]["username"], "dr.in");
    assert_eq!(now["updated_by"]["role"], "clinician");
    let reviewed = world.dr_in.post(&review, json!({})).await.expect(200).body;
    assert_eq!(reviewed["reviewed_by"]["username"], "dr.in");
    let reviewed_at = reviewed["reviewed_at"].as_str().unwrap().to_owned();
    assert_eq!(
        world.patient_a.get(MINE).await.body["reviewed_at"],
        reviewed_at
    );
    let versions = world
        .dr_in
        .get(&format!("{A_AS_CLINICIAN}/versions"))
        .await
        .expect(200)
        .body;
    assert_eq!(versions["versions"][0]["author"]["username"], "dr.in");
    assert_eq!(versions["versions"][1]["author"]["username"], "patient.a");

    // A clinician outside the care team, and a patient who is not in it, find nothing.
    for path in [
        A_AS_CLINICIAN.to_owned(),
        format!("{A_AS_CLINICIAN}/versions"),
    ] {
        world.dr_out.get(&path).await.expect_error(404, "not_found");
    }
    world.dr_out.post(&review, json!({})).await.expect(404);
    put(
        &world.dr_out,
        A_AS_CLINICIAN,
        &plan("theirs"),
        Some("\"2\""),
    )
    .await
    .expect(404);
    world
        .dr_in
        .get("/api/clinician/patients/patient.b/safety-plan")
        .await
        .expect(404);
    world.admin.get(A_AS_CLINICIAN).await.expect(403);
    world.admin.get(MINE).await.expect(403);
    assert_eq!(world.patient_a.get(MINE).await.body["version"], 2);
    // The audit log says a clinician edited and reviewed it, never what it says.
    let audit = world
        .admin
        .get("/api/admin/audit?limit=50")
        .await
        .expect(200);
    let text = audit.body.to_string();
    assert!(text.contains("safety_plan_edited") && text.contains("safety_plan_reviewed"));
    assert!(!text.contains("together"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_risk_result_offers_the_plan_and_alerts_say_when_it_was_reviewed() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let calm = world
        .patient_a
        .post("/api/measures/phq9/responses", phq9([0; 8], 0))
        .await
        .expect(201);
    assert_eq!(calm.body["guidance"]["offer_safety_plan"], false);
    let item9 = world
        .patient_a
        .post("/api/measures/phq9/responses", phq9([0; 8], 1))
        .await
        .expect(201);
    assert_eq!(item9.body["guidance"]["offer_safety_plan"], true);
    let screen = |answers: Value| json!({ "answers": answers });
    let moderate = world
        .patient_a
        .post(
            "/api/measures/cssrs/responses",
            screen(json!({"1": true, "2": true, "3": true, "4": false, "5": false, "6": false})),
        )
        .await
        .expect(201);
    assert_eq!(moderate.body["risk"], "moderate");
    assert_eq!(moderate.body["guidance"]["offer_safety_plan"], true);

    let alerts = world
        .dr_in
        .get("/api/clinician/alerts")
        .await
        .expect(200)
        .body;
    assert_eq!(alerts["alerts"][0]["plan_reviewed_at"], Value::Null);
    put(&world.patient_a, MINE, &plan("mine"), None)
        .await
        .expect(200);
    let reviewed = world
        .dr_in
        .post(&format!("{A_AS_CLINICIAN}/review"), json!({}))
        .await
        .expect(200)
        .body;
    let alerts = world
        .dr_in
        .get("/api/clinician/alerts")
        .await
        .expect(200)
        .body;
    for alert in alerts["alerts"].as_array().unwrap() {
        assert_eq!(alert["plan_reviewed_at"], reviewed["reviewed_at"]);
    }
}
