//! Feedback: sent by anyone, triaged by administrators, seen with its status.

use crate::common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn feedback_is_sent_triaged_and_seen_with_its_status() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let sent = world
        .patient_a
        .post(
            "/api/feedback",
            json!({ "category": "feature", "message": "  A dark theme, please  " }),
        )
        .await
        .expect(201);
    assert_eq!(sent.body["feedback"]["status"], "new");
    assert_eq!(sent.body["feedback"]["message"], "A dark theme, please");
    world
        .patient_b
        .post(
            "/api/feedback",
            json!({ "category": "bug", "message": "The chart is blank" }),
        )
        .await
        .expect(201);
    let id = sent.body["feedback"]["id"].as_i64().unwrap();

    let all = world.admin.get("/api/admin/feedback").await.expect(200);
    assert_eq!(all.body["feedback"].as_array().unwrap().len(), 2);
    assert_eq!(all.body["feedback"][1]["author"]["username"], "patient.a");
    let triaged = world
        .admin
        .patch(
            &format!("/api/admin/feedback/{id}"),
            json!({ "status": "in_progress", "admin_note": "Planned for spring" }),
        )
        .await
        .expect(200);
    assert_eq!(triaged.body["feedback"]["status"], "in_progress");
    let in_progress = world
        .admin
        .get("/api/admin/feedback?status=in_progress")
        .await
        .expect(200);
    assert_eq!(in_progress.body["feedback"].as_array().unwrap().len(), 1);

    let mine = world.patient_a.get("/api/feedback").await.expect(200);
    assert_eq!(
        mine.body["feedback"].as_array().unwrap().len(),
        1,
        "only my own"
    );
    assert_eq!(mine.body["feedback"][0]["status"], "in_progress");
    assert_eq!(mine.body["feedback"][0]["admin_note"], "Planned for spring");
}
