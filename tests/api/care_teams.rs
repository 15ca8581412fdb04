//! Care teams: a patient asks, the clinician approves or declines, and either may end it.

use crate::common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn care_team_requests_are_approved_declined_and_left() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let patient = &world.patient_b;
    let clinicians = patient.get("/api/clinicians").await.expect(200);
    assert_eq!(
        usernames(&clinicians.body["clinicians"], "username"),
        ["dr.in", "dr.out"]
    );
    let asked = patient
        .post("/api/care-team/requests", json!({ "clinician": "dr.out" }))
        .await
        .expect(201);
    assert_eq!(asked.body["request"]["clinician"]["username"], "dr.out");
    patient
        .post("/api/care-team/requests", json!({ "clinician": "dr.out" }))
        .await
        .expect_error(409, "already_exists");
    patient
        .post(
            "/api/care-team/requests",
            json!({ "clinician": "dr.pending" }),
        )
        .await
        .expect_error(422, "validation_failed");
    let team = patient.get("/api/care-team").await.expect(200);
    assert_eq!(team.body["clinicians"], json!([]));
    assert_eq!(team.body["pending"][0]["clinician"]["username"], "dr.out");
    let home = patient.get("/api/home/data").await.expect(200);
    assert_eq!(home.body["care_team"], json!([]));
    assert_eq!(
        home.body["pending_care_team_requests"][0]["clinician"]["username"],
        "dr.out"
    );
    assert_eq!(home.body["unread_messages"], 0);
    let home = world.dr_out.get("/api/home/data").await.expect(200);
    assert_eq!(
        home.body["clinician"],
        json!({
            "approved": true,
            "patient_count": 0,
            "pending_requests": 1,
            "open_alerts": { "urgent": 0, "review": 0 }
        })
    );

    let requests = world
        .dr_out
        .get("/api/clinician/requests")
        .await
        .expect(200);
    let id = requests.body["requests"][0]["id"].as_i64().unwrap();
    assert_eq!(
        requests.body["requests"][0]["patient"]["username"],
        "patient.b"
    );
    world
        .dr_in
        .post(&format!("/api/clinician/requests/{id}/approve"), json!({}))
        .await
        .expect_error(404, "not_found");
    world
        .dr_out
        .post(&format!("/api/clinician/requests/{id}/decline"), json!({}))
        .await
        .expect(200);
    assert_eq!(
        patient.get("/api/care-team").await.body["pending"],
        json!([])
    );
    world
        .dr_out
        .post(&format!("/api/clinician/requests/{id}/approve"), json!({}))
        .await
        .expect_error(404, "not_found");

    patient
        .post("/api/care-team/requests", json!({ "clinician": "dr.out" }))
        .await
        .expect(201);
    let id = world.dr_out.get("/api/clinician/requests").await.body["requests"][0]["id"]
        .as_i64()
        .unwrap();
    world
        .dr_out
        .post(&format!("/api/clinician/requests/{id}/approve"), json!({}))
        .await
        .expect(200);
    let team = patient.get("/api/care-team").await.expect(200);
    assert_eq!(team.body["clinicians"][0]["username"], "dr.out");
    let home = world.dr_out.get("/api/home/data").await.expect(200);
    assert_eq!(home.body["clinician"]["patient_count"], 1);
    assert_eq!(home.body["clinician"]["pending_requests"], 0);
    let home = patient.get("/api/home/data").await.expect(200);
    assert_eq!(home.body["care_team"][0]["username"], "dr.out");
    assert_eq!(home.body["pending_care_team_requests"], json!([]));
    let sent = patient
        .post(
            "/api/messages/send",
            json!({ "recipient": "dr.out", "content": "Hello" }),
        )
        .await
        .expect(201);
    let conversation = format!(
        "/api/messages/conversations/{}",
        sent.body["conversation_id"]
    );
    for person in [patient, &world.dr_out] {
        let page = person.get(&conversation).await.expect(200);
        assert_eq!(page.body["conversation"]["can_reply"], true);
    }
    world
        .dr_out
        .post(
            "/api/messages/send",
            json!({ "conversation_id": sent.body["conversation_id"], "content": "Hi" }),
        )
        .await
        .expect(201);

    patient.delete("/api/care-team/dr.out").await.expect(200);
    patient
        .delete("/api/care-team/dr.out")
        .await
        .expect_error(404, "not_found");
    assert_eq!(
        world.dr_out.get("/api/clinician/patients").await.body["patients"],
        json!([])
    );
    // The conversation stays readable, but neither side can reply any more.
    for person in [patient, &world.dr_out] {
        let page = person.get(&conversation).await.expect(200);
        assert_eq!(page.body["conversation"]["can_reply"], false);
        assert_eq!(page.body["messages"].as_array().unwrap().len(), 2);
        person
            .post(
                "/api/messages/send",
                json!({ "conversation_id": sent.body["conversation_id"], "content": "Still there?" }),
            )
            .await
            .expect_error(403, "recipient_not_allowed");
    }
    let page = patient.get(&conversation).await.expect(200);
    assert_eq!(page.body["messages"].as_array().unwrap().len(), 2);
}
