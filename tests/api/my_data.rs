//! My data: everything stored about a person, exported for them.

use crate::common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn people_can_export_everything_stored_about_them() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let patient = &world.patient_a;
    patient
        .post(
            "/api/messages/send",
            json!({ "recipient": "dr.in", "content": "mine to keep" }),
        )
        .await
        .expect(201);
    world
        .dr_in
        .post(
            "/api/messages/send",
            json!({ "recipient": "patient.a", "content": "a reply" }),
        )
        .await
        .expect(201);
    patient
        .post("/api/mood", json!({ "score": 7, "note": "steady" }))
        .await
        .expect(201);
    patient
        .post(
            "/api/measures/cssrs/responses",
            json!({ "answers": { "1": true, "2": false, "6": false } }),
        )
        .await
        .expect(201);
    patient
        .post(
            "/api/feedback",
            json!({ "category": "other", "message": "thank you" }),
        )
        .await
        .expect(201);
    let plan = crate::safety_plan::plan("kept");
    crate::safety_plan::put(patient, "/api/safety-plan", &plan, None)
        .await
        .expect(200);
    let export = patient.get("/api/me/export").await.expect(200);
    assert!(export.header("content-disposition").contains("attachment"));
    let body = &export.body;
    assert_eq!(body["profile"]["username"], "patient.a");
    assert_eq!(body["care_team"][0]["clinician"], "dr.in");
    let contents: Vec<&str> = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, ["mine to keep", "a reply"]);
    assert_eq!(body["mood_check_ins"][0]["note"], "steady");
    let responses = &body["questionnaire_responses"];
    assert_eq!(responses[0]["instrument"], "cssrs");
    assert_eq!(responses[0]["risk"], "low");
    assert_eq!(
        responses[0]["answers"],
        json!({ "1": true, "2": false, "6": false })
    );
    assert_eq!(body["feedback"][0]["message"], "thank you");
    let versions = &body["safety_plan_versions"];
    assert_eq!(versions[0]["version"], 1);
    assert_eq!(versions[0]["warning_signs"], plan["warning_signs"]);
    assert!(!body["sessions"].as_array().unwrap().is_empty());
    let text = body.to_string();
    assert!(!text.contains("argon2") && !text.contains("token_hash") && !text.contains(PASSWORD));
}
