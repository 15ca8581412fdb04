//! Mood check-ins: history, daily averages and streaks, and what a clinician sees.

use crate::common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn mood_check_ins_make_history_averages_and_streaks() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let patient = &world.patient_a;
    let fresh = patient.get("/api/home/data").await.expect(200);
    assert_eq!(
        fresh.body["mood"],
        json!({ "latest": null, "checked_in_today": false, "streak_days": 0 })
    );
    for (score, note) in [(4, None), (6, Some("better")), (8, Some("  a good day  "))] {
        let mut body = json!({ "score": score, "sleep_hours": 7.5 });
        if let Some(note) = note {
            body["note"] = json!(note);
        }
        let reply = patient.post("/api/mood", body).await.expect(201);
        assert_eq!(reply.body["entry"]["score"], score);
    }
    let day = 24 * 60 * 60 * 1000_i64;
    let now = chrono::Utc::now().timestamp_millis();
    let user_id = db
        .scalar_i64("SELECT id FROM users WHERE username = 'patient.a'")
        .await;
    for days_ago in [1, 2, 4] {
        db.execute(&format!(
            "INSERT INTO mood_entries (user_id, score, recorded_at) VALUES ({user_id}, 2, {})",
            now - days_ago * day
        ))
        .await;
    }
    let history = patient.get("/api/mood/history?days=30").await.expect(200);
    let entries = history.body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 6);
    assert_eq!(entries[0]["score"], 8);
    assert_eq!(entries[0]["note"], "a good day");
    assert_eq!(entries[0]["sleep_hours"], 7.5);
    let daily = history.body["daily"].as_array().unwrap();
    let today = daily.last().unwrap();
    assert_eq!(today["average"], 6.0);
    assert_eq!(today["count"], 3);
    assert_eq!(daily.len(), 4);
    assert_eq!(
        patient.get("/api/mood/history?days=3").await.body["entries"]
            .as_array()
            .unwrap()
            .len(),
        5
    );

    let home = patient.get("/api/home/data").await.expect(200);
    assert_eq!(home.body["mood"]["latest"]["score"], 8);
    assert_eq!(home.body["mood"]["latest"]["note"], "a good day");
    assert_eq!(home.body["mood"]["checked_in_today"], true);
    assert_eq!(home.body["mood"]["streak_days"], 3);

    let seen = world
        .dr_in
        .get("/api/clinician/patients/patient.a/mood?days=7")
        .await
        .expect(200);
    assert_eq!(seen.body["patient"]["username"], "patient.a");
    assert_eq!(seen.body["entries"].as_array().unwrap().len(), 6);
    let patients = world.dr_in.get("/api/clinician/patients").await.expect(200);
    assert_eq!(patients.body["patients"][0]["latest_mood"]["score"], 8);
    world
        .dr_out
        .get("/api/clinician/patients/patient.a/mood")
        .await
        .expect_error(404, "not_found");
}
