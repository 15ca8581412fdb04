//! CBT records end to end: thought records, activities and exposure ladders with their
//! attempts, every field checked at its boundaries, another patient's ids as 404, private
//! records invisible to the care team (also when made private later), the export, and an
//! account's deletion taking every record with it.

mod plans;
mod privacy;

use crate::common::*;
use serde_json::{json, Value};

/// `PUT` with the client's CSRF token (the shared client has no method for it).
pub async fn put(client: &Client, path: &str, body: Value) -> Reply {
    let request = client.with_csrf(client.request(reqwest::Method::PUT, path));
    client.send(request.json(&body)).await
}

pub fn thought_record() -> Value {
    json!({
        "situation": "My manager asked to see me tomorrow.",
        "emotions": [{ "name": "anxious", "before": 80 }, { "name": "sad", "before": 40 }],
        "automatic_thought": "I am going to be let go.",
        "belief_before": 90,
        "thinking_traps": ["catastrophising", "fortune_telling"],
        "evidence_for": "Two projects ran late.",
        "evidence_against": "My last review was good.",
        "balanced_thought": "It may well be about the new project.",
        "belief_after": 30
    })
}

pub fn activity() -> Value {
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(1)).to_string();
    json!({ "title": "Walk to the park", "planned_on": tomorrow })
}

pub fn ladder() -> Value {
    json!({
        "fear": "Crowded places",
        "steps": [
            { "description": "Stand outside a café", "expected_suds": 30 },
            { "description": "Order at the counter", "expected_suds": 60 }
        ]
    })
}

/// `value` with `field` set (or removed, for `Value::Null` given as `None`).
pub fn with(mut value: Value, field: &str, new: Option<Value>) -> Value {
    let object = value.as_object_mut().unwrap();
    match new {
        Some(new) => object.insert(field.to_owned(), new),
        None => object.remove(field),
    };
    value
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thought_record_is_written_read_changed_and_deleted() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let me = &world.patient_a;
    let made = me
        .post("/api/cbt/thought-records", thought_record())
        .await
        .expect(201)
        .body;
    let id = made["id"].as_i64().unwrap();
    assert_eq!(made["situation"], "My manager asked to see me tomorrow.");
    assert_eq!(
        made["emotions"],
        json!([{ "name": "anxious", "before": 80, "after": null }, { "name": "sad", "before": 40, "after": null }])
    );
    assert_eq!(made["belief_before"], 90);
    assert_eq!(made["belief_after"], 30);
    assert_eq!(
        made["thinking_traps"],
        json!(["catastrophising", "fortune_telling"])
    );
    assert_eq!(made["private"], false);
    assert_eq!(made["homework_id"], Value::Null);
    let path = format!("/api/cbt/thought-records/{id}");
    assert_eq!(me.get(&path).await.expect(200).body, made);

    let mut changed = with(thought_record(), "private", Some(json!(true)));
    changed["emotions"] = json!([{ "name": "anxious", "before": 80, "after": 35 }]);
    changed["thinking_traps"] = json!([]);
    changed["evidence_for"] = json!("");
    let after = put(me, &path, changed).await.expect(200).body;
    assert_eq!(
        after["emotions"],
        json!([{ "name": "anxious", "before": 80, "after": 35 }])
    );
    assert_eq!(after["thinking_traps"], json!([]));
    assert_eq!(after["evidence_for"], Value::Null, "empty text is none");
    assert_eq!(after["private"], true);
    // Leaving `private` out keeps it: a client that does not know of it reveals nothing.
    let kept = put(me, &path, thought_record()).await.expect(200).body;
    assert_eq!(kept["private"], true);
    let list = me.get("/api/cbt/thought-records").await.expect(200).body;
    assert_eq!(list["thought_records"].as_array().unwrap().len(), 1);

    let other = &world.patient_b;
    other.get(&path).await.expect_error(404, "not_found");
    put(other, &path, thought_record())
        .await
        .expect_error(404, "not_found");
    other.delete(&path).await.expect_error(404, "not_found");
    let theirs = other.get("/api/cbt/thought-records").await.expect(200).body;
    assert_eq!(theirs["thought_records"], json!([]));
    world.dr_in.get(&path).await.expect_error(403, "forbidden");

    me.delete(&path).await.expect(204);
    me.get(&path).await.expect_error(404, "not_found");
    me.delete(&path).await.expect_error(404, "not_found");
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM thought_record_emotions")
            .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_thought_record_field_is_checked_at_its_boundaries() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let me = patient(&server, "patient.a").await;
    let base = thought_record;
    let emotions = |e: Value| with(base(), "emotions", Some(json!([e])));
    let accepted = [
        with(base(), "belief_before", Some(json!(0))),
        with(base(), "belief_before", Some(json!(100))),
        with(base(), "belief_after", Some(json!(0))),
        with(base(), "belief_after", None),
        emotions(json!({ "name": "calm", "before": 0, "after": 100 })),
        with(base(), "situation", Some(json!("s".repeat(500)))),
        with(base(), "evidence_for", Some(json!("e".repeat(1000)))),
        with(base(), "thinking_traps", None),
        with(base(), "situation", Some(json!("Two lines\nof it"))),
    ];
    for body in accepted {
        me.post("/api/cbt/thought-records", body).await.expect(201);
    }
    let eleven: Vec<Value> = (0..11)
        .map(|i| json!({ "name": format!("e{i}"), "before": 1 }))
        .collect();
    let refused = [
        (
            with(base(), "belief_before", Some(json!(101))),
            "belief_before",
        ),
        (
            with(base(), "belief_before", Some(json!(-1))),
            "belief_before",
        ),
        (with(base(), "belief_before", None), "belief_before"),
        (
            with(base(), "belief_before", Some(Value::Null)),
            "belief_before",
        ),
        (
            with(base(), "belief_before", Some(json!(50.5))),
            "belief_before",
        ),
        (
            with(base(), "belief_after", Some(json!(101))),
            "belief_after",
        ),
        (
            emotions(json!({ "name": "x", "before": 101 })),
            "emotions.0.before",
        ),
        (
            emotions(json!({ "name": "x", "before": -1 })),
            "emotions.0.before",
        ),
        (
            emotions(json!({ "name": "x", "before": 5, "after": 101 })),
            "emotions.0.after",
        ),
        (emotions(json!({ "name": "x" })), "emotions.0.before"),
        (
            emotions(json!({ "name": " ", "before": 5 })),
            "emotions.0.name",
        ),
        (
            emotions(json!({ "name": "n".repeat(51), "before": 5 })),
            "emotions.0.name",
        ),
        (
            emotions(json!({ "name": "a\nb", "before": 5 })),
            "emotions.0.name",
        ),
        (with(base(), "emotions", Some(json!([]))), "emotions"),
        (with(base(), "emotions", Some(json!(eleven))), "emotions"),
        (
            with(base(), "thinking_traps", Some(json!(["labelling", "doom"]))),
            "thinking_traps.1",
        ),
        (
            with(base(), "situation", Some(json!("s".repeat(501)))),
            "situation",
        ),
        (with(base(), "situation", Some(json!("  "))), "situation"),
        (with(base(), "situation", None), "situation"),
        (
            with(base(), "automatic_thought", Some(json!("a".repeat(501)))),
            "automatic_thought",
        ),
        (
            with(base(), "evidence_for", Some(json!("e".repeat(1001)))),
            "evidence_for",
        ),
        (
            with(base(), "evidence_against", Some(json!("bad\u{0}"))),
            "evidence_against",
        ),
        (
            with(base(), "balanced_thought", Some(json!("b".repeat(501)))),
            "balanced_thought",
        ),
        (with(base(), "private", Some(json!("yes"))), "private"),
        (with(base(), "homework_id", Some(json!(999))), "homework_id"),
    ];
    for (body, field) in refused {
        let reply = me.post("/api/cbt/thought-records", body.clone()).await;
        let reply = reply.expect_error(422, "validation_failed");
        assert_eq!(reply.field(), field, "{body}");
    }
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM thought_records").await,
        9
    );
    let stored = me.get("/api/cbt/thought-records").await.expect(200).body;
    let missing_after = stored["thought_records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["belief_after"].is_null())
        .count();
    assert_eq!(missing_after, 1, "a missing number is never a 0");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_id_that_no_record_can_have_is_not_found() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let me = patient(&server, "patient.a").await;
    for (path, body) in [
        ("/api/cbt/thought-records", thought_record()),
        ("/api/cbt/activities", activity()),
        ("/api/cbt/exposure-ladders", ladder()),
    ] {
        me.post(path, body).await.expect(201);
        for id in ["0", "-1"] {
            me.get(&format!("{path}/{id}"))
                .await
                .expect_error(404, "not_found");
        }
    }
}
