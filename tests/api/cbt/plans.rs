//! Planned activities and exposure ladders: every rating at its boundaries, steps kept or
//! dropped with their attempts, and another patient's ids as 404.

use super::{activity, ladder, put, with};
use crate::common::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread")]
async fn activities_are_planned_then_done_and_rated() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let me = patient(&server, "patient.a").await;
    let made = me
        .post("/api/cbt/activities", activity())
        .await
        .expect(201)
        .body;
    assert_eq!(made["done"], false);
    assert_eq!(made["mastery"], Value::Null);
    assert_eq!(made["pleasure"], Value::Null);
    let path = format!("/api/cbt/activities/{}", made["id"]);
    let done = |mastery: Value, pleasure: Value| {
        let mut body = activity();
        body["done"] = json!(true);
        body["mastery"] = mastery;
        body["pleasure"] = pleasure;
        body
    };
    for (body, field) in [
        (done(Value::Null, json!(5)), "mastery"),
        (done(json!(5), Value::Null), "pleasure"),
        (done(json!(11), json!(5)), "mastery"),
        (done(json!(-1), json!(5)), "mastery"),
        (done(json!(5), json!(11)), "pleasure"),
        (
            with(activity(), "planned_on", Some(json!("2026-02-30"))),
            "planned_on",
        ),
        (
            with(activity(), "planned_on", Some(json!("1999-01-01"))),
            "planned_on",
        ),
        (with(activity(), "planned_on", None), "planned_on"),
        (
            with(activity(), "title", Some(json!("t".repeat(201)))),
            "title",
        ),
        (with(activity(), "title", Some(json!(""))), "title"),
    ] {
        let reply = put(&me, &path, body.clone()).await;
        assert_eq!(
            reply.expect_error(422, "validation_failed").field(),
            field,
            "{body}"
        );
    }
    let rated = put(&me, &path, done(json!(0), json!(10)))
        .await
        .expect(200)
        .body;
    assert_eq!(
        (
            rated["done"].clone(),
            rated["mastery"].clone(),
            rated["pleasure"].clone()
        ),
        (json!(true), json!(0), json!(10))
    );
    let top = put(&me, &path, done(json!(10), json!(0)))
        .await
        .expect(200)
        .body;
    assert_eq!(top["mastery"], 10);
    let list = me.get("/api/cbt/activities").await.expect(200).body;
    assert_eq!(list["activities"][0]["title"], "Walk to the park");
    let other = patient(&server, "patient.b").await;
    put(&other, &path, activity())
        .await
        .expect_error(404, "not_found");
    other.delete(&path).await.expect_error(404, "not_found");
    me.delete(&path).await.expect(204);
}

#[tokio::test(flavor = "multi_thread")]
async fn exposure_ladders_keep_their_steps_and_attempts() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let me = patient(&server, "patient.a").await;
    let made = me
        .post("/api/cbt/exposure-ladders", ladder())
        .await
        .expect(201)
        .body;
    let id = made["id"].as_i64().unwrap();
    let steps = made["steps"].as_array().unwrap().clone();
    assert_eq!(steps.len(), 2);
    assert_eq!(
        (
            steps[0]["position"].clone(),
            steps[1]["expected_suds"].clone()
        ),
        (json!(1), json!(60))
    );
    let (first, second) = (
        steps[0]["id"].as_i64().unwrap(),
        steps[1]["id"].as_i64().unwrap(),
    );
    let attempts = |step: i64| format!("/api/cbt/exposure-ladders/{id}/steps/{step}/attempts");
    let attempt = |before: i64, peak: i64, after: i64| json!({ "suds_before": before, "suds_peak": peak, "suds_after": after });
    let past = (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
    let done = me
        .post(
            &attempts(first),
            with(attempt(0, 100, 20), "attempted_at", Some(json!(past))),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(
        (
            done["suds_before"].clone(),
            done["suds_peak"].clone(),
            done["suds_after"].clone()
        ),
        (json!(0), json!(100), json!(20))
    );
    me.post(&attempts(second), attempt(50, 70, 30))
        .await
        .expect(201);
    for (body, field) in [
        (attempt(101, 50, 50), "suds_before"),
        (attempt(50, -1, 50), "suds_peak"),
        (attempt(50, 50, 101), "suds_after"),
        (with(attempt(50, 50, 50), "suds_peak", None), "suds_peak"),
        (
            with(
                attempt(50, 50, 50),
                "attempted_at",
                Some(json!("yesterday")),
            ),
            "attempted_at",
        ),
        (
            with(
                attempt(50, 50, 50),
                "attempted_at",
                Some(json!("2099-01-01T00:00:00Z")),
            ),
            "attempted_at",
        ),
    ] {
        let reply = me.post(&attempts(first), body.clone()).await;
        assert_eq!(
            reply.expect_error(422, "validation_failed").field(),
            field,
            "{body}"
        );
    }
    let listed = me.get(&attempts(first)).await.expect(200).body;
    assert_eq!(listed["attempts"].as_array().unwrap().len(), 1);
    assert_eq!(listed["attempts"][0]["suds_peak"], 100);

    // Keep the first step (and its attempt), rename it, drop the second, add a third.
    let path = format!("/api/cbt/exposure-ladders/{id}");
    let changed = json!({ "fear": "Crowds", "steps": [
        { "description": "Take a bus", "expected_suds": 80 },
        { "id": first, "description": "Stand outside a busy café", "expected_suds": 35 }
    ]});
    let after = put(&me, &path, changed).await.expect(200).body;
    assert_eq!(after["fear"], "Crowds");
    assert_eq!(after["steps"][0]["description"], "Take a bus");
    assert_eq!(after["steps"][1]["id"], first);
    assert_eq!(after["steps"][1]["position"], 2);
    assert_eq!(after["steps"][1]["attempts"][0]["suds_peak"], 100);
    me.get(&attempts(second))
        .await
        .expect_error(404, "not_found");
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM exposure_attempts")
            .await,
        1
    );

    for (body, field) in [
        (json!({ "fear": "x", "steps": [] }), "steps"),
        (
            json!({ "fear": "x", "steps": [{ "id": second, "description": "gone", "expected_suds": 5 }] }),
            "steps.0.id",
        ),
        (
            json!({ "fear": "x", "steps": [{ "id": first, "description": "a", "expected_suds": 5 }, { "id": first, "description": "b", "expected_suds": 5 }] }),
            "steps.1.id",
        ),
        (
            json!({ "fear": "x", "steps": [{ "description": "a", "expected_suds": 101 }] }),
            "steps.0.expected_suds",
        ),
        (
            json!({ "fear": "f".repeat(201), "steps": [{ "description": "a", "expected_suds": 1 }] }),
            "fear",
        ),
    ] {
        let reply = put(&me, &path, body.clone()).await;
        assert_eq!(
            reply.expect_error(422, "validation_failed").field(),
            field,
            "{body}"
        );
    }
    let other = patient(&server, "patient.b").await;
    other
        .get(&attempts(first))
        .await
        .expect_error(404, "not_found");
    other
        .post(&attempts(first), attempt(1, 2, 3))
        .await
        .expect_error(404, "not_found");
    let theirs = other
        .post("/api/cbt/exposure-ladders", ladder())
        .await
        .expect(201)
        .body;
    let their_step = theirs["steps"][0]["id"].as_i64().unwrap();
    me.post(&attempts(their_step), attempt(1, 2, 3))
        .await
        .expect_error(404, "not_found");
    let attempt_id = done["id"].as_i64().unwrap();
    let one = format!("{}/{attempt_id}", attempts(first));
    other.delete(&one).await.expect_error(404, "not_found");
    me.delete(&one).await.expect(204);
    me.delete(&path).await.expect(204);
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM exposure_steps").await,
        2,
        "only the other ladder's"
    );
}
