//! Homework end to end: a clinician of the care team assigns it, the patient does it by
//! linking a record of the right kind (only their own homework), and the clinician sees it
//! assigned, done or overdue; a private record is invisible, so the homework it did still
//! reads as not done to the clinician.

use crate::cbt::{activity, ladder, put, thought_record};
use crate::common::*;
use serde_json::{json, Value};

const A_HOMEWORK: &str = "/api/clinician/patients/patient.a/homework";

async fn assign(dr: &Client, kind: &str, due_on: Option<&str>) -> i64 {
    let mut body = json!({ "kind": kind, "instructions": format!("Please do a {kind}.") });
    if let Some(day) = due_on {
        body["due_on"] = json!(day);
    }
    dr.post(A_HOMEWORK, body).await.expect(201).body["homework"]["id"]
        .as_i64()
        .unwrap()
}

fn linked(mut body: Value, homework: i64) -> Value {
    body["homework_id"] = json!(homework);
    body
}

/// Each homework's status by id, as the clinician sees it.
async fn statuses(dr: &Client) -> Vec<(i64, String, Value)> {
    let body = dr.get(A_HOMEWORK).await.expect(200).body;
    body["homework"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let status = h["status"].as_str().unwrap().to_owned();
            (h["id"].as_i64().unwrap(), status, h["record_id"].clone())
        })
        .collect()
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clinician_assigns_homework_and_the_patient_does_it() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let (me, dr) = (&world.patient_a, &world.dr_in);
    let due = (today() + chrono::Days::new(7)).to_string();
    let made = dr
        .post(
            A_HOMEWORK,
            json!({ "kind": "thought_record", "instructions": "After the meeting.", "due_on": due }),
        )
        .await
        .expect(201)
        .body["homework"]
        .clone();
    assert_eq!(made["kind"], "thought_record");
    assert_eq!(made["instructions"], "After the meeting.");
    assert_eq!(made["due_on"], due.as_str());
    assert_eq!(made["status"], "assigned");
    assert_eq!(made["assigned_by"], "dr.in");
    assert_eq!(made["record_id"], Value::Null);
    let id = made["id"].as_i64().unwrap();

    let mine = me.get("/api/homework").await.expect(200).body;
    assert_eq!(mine["homework"][0]["id"], id);
    assert_eq!(mine["homework"][0]["status"], "assigned");

    let record = me
        .post("/api/cbt/thought-records", linked(thought_record(), id))
        .await
        .expect(201)
        .body;
    assert_eq!(record["homework_id"], id);
    let mine = me.get("/api/homework").await.expect(200).body;
    assert_eq!(mine["homework"][0]["status"], "done");
    assert_eq!(mine["homework"][0]["record_id"], record["id"]);
    assert!(mine["homework"][0]["done_at"].is_string());
    assert_eq!(
        statuses(dr).await,
        [(id, "done".into(), record["id"].clone())]
    );
    let export = me.get("/api/me/export").await.expect(200).body;
    assert_eq!(export["homework"][0]["status"], "done");

    // Audited by kind, never with the instructions.
    let audit = world.admin.get("/api/admin/audit").await.expect(200).body;
    let assigned = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "homework_assigned")
        .unwrap()
        .clone();
    assert_eq!(assigned["detail"], "thought_record");
    assert_eq!(assigned["actor"], "dr.in");
    assert_eq!(assigned["subject"], "patient.a");
    assert!(!audit.to_string().contains("After the meeting"));
}

#[tokio::test(flavor = "multi_thread")]
async fn assignments_are_checked_and_only_for_the_care_team() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let dr = &world.dr_in;
    let body = |kind: &str, instructions: Value, due_on: Value| json!({ "kind": kind, "instructions": instructions, "due_on": due_on });
    let yesterday = (today() - chrono::Days::new(1)).to_string();
    let in_a_year = (today() + chrono::Days::new(366)).to_string();
    let too_far = (today() + chrono::Days::new(367)).to_string();
    for (request, field) in [
        (body("homework", json!("x"), Value::Null), "kind"),
        (body("activity", json!(""), Value::Null), "instructions"),
        (
            body("activity", json!("i".repeat(1001)), Value::Null),
            "instructions",
        ),
        (json!({ "kind": "activity" }), "instructions"),
        (body("activity", json!("x"), json!(yesterday)), "due_on"),
        (body("activity", json!("x"), json!(too_far)), "due_on"),
        (body("activity", json!("x"), json!("next week")), "due_on"),
    ] {
        let reply = dr.post(A_HOMEWORK, request.clone()).await;
        assert_eq!(
            reply.expect_error(422, "validation_failed").field(),
            field,
            "{request}"
        );
    }
    for due in [today().to_string(), in_a_year] {
        dr.post(
            A_HOMEWORK,
            body("exposure", json!("i".repeat(1000)), json!(due)),
        )
        .await
        .expect(201);
    }
    let ok = body("activity", json!("x"), Value::Null);
    world
        .dr_out
        .post(A_HOMEWORK, ok.clone())
        .await
        .expect_error(404, "not_found");
    dr.post("/api/clinician/patients/patient.b/homework", ok.clone())
        .await
        .expect_error(404, "not_found");
    world
        .patient_a
        .post(A_HOMEWORK, ok)
        .await
        .expect_error(403, "forbidden");
    dr.get("/api/homework").await.expect_error(403, "forbidden");
    assert_eq!(db.scalar_i64("SELECT COUNT(*) FROM homework").await, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_record_completes_only_its_own_patients_homework_of_its_kind() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let (me, dr) = (&world.patient_a, &world.dr_in);
    let patient_c = patient_of(&server, dr, "patient.c", "dr.in").await;
    let theirs = dr
        .post(
            "/api/clinician/patients/patient.c/homework",
            json!({ "kind": "thought_record", "instructions": "Theirs" }),
        )
        .await
        .expect(201)
        .body["homework"]["id"]
        .as_i64()
        .unwrap();
    let activity_homework = assign(dr, "activity", None).await;
    let thought_homework = assign(dr, "thought_record", None).await;
    for (path, body) in [
        ("/api/cbt/thought-records", linked(thought_record(), theirs)),
        (
            "/api/cbt/thought-records",
            linked(thought_record(), activity_homework),
        ),
        (
            "/api/cbt/thought-records",
            linked(thought_record(), 999_999),
        ),
        ("/api/cbt/activities", linked(activity(), thought_homework)),
        (
            "/api/cbt/exposure-ladders",
            linked(ladder(), activity_homework),
        ),
    ] {
        let reply = me.post(path, body).await;
        assert_eq!(
            reply.expect_error(422, "validation_failed").field(),
            "homework_id"
        );
    }
    // Nothing half-written: a refused link stores no record.
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM thought_records").await,
        0
    );
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM thought_record_emotions")
            .await,
        0
    );

    // Linking later, by PUT, is checked the same way.
    let record = me
        .post("/api/cbt/activities", activity())
        .await
        .expect(201)
        .body;
    let path = format!("/api/cbt/activities/{}", record["id"]);
    let reply = put(me, &path, linked(activity(), theirs)).await;
    assert_eq!(
        reply.expect_error(422, "validation_failed").field(),
        "homework_id"
    );
    let done = put(me, &path, linked(activity(), activity_homework))
        .await
        .expect(200)
        .body;
    assert_eq!(done["homework_id"], activity_homework);
    // And the other patient cannot use mine.
    let reply = patient_c
        .post("/api/cbt/activities", linked(activity(), activity_homework))
        .await;
    assert_eq!(
        reply.expect_error(422, "validation_failed").field(),
        "homework_id"
    );
    let theirs_seen = patient_c.get("/api/homework").await.expect(200).body;
    assert_eq!(theirs_seen["homework"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn homework_is_assigned_done_or_overdue_and_private_work_stays_private() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let (me, dr) = (&world.patient_a, &world.dr_in);
    let today_text = today().to_string();
    let due_today = assign(dr, "activity", Some(&today_text)).await;
    let overdue = assign(dr, "activity", Some(&today_text)).await;
    let done_privately = assign(dr, "thought_record", None).await;
    let done_late = assign(dr, "exposure", Some(&today_text)).await;
    let yesterday = (today() - chrono::Days::new(1)).to_string();
    db.execute(&format!(
        "UPDATE homework SET due_on = '{yesterday}' WHERE id IN ({overdue}, {done_late})"
    ))
    .await;
    let private = json!(true);
    let mut secret = linked(thought_record(), done_privately);
    secret["private"] = private;
    let secret = me
        .post("/api/cbt/thought-records", secret)
        .await
        .expect(201)
        .body;
    let ladder = me
        .post("/api/cbt/exposure-ladders", linked(ladder(), done_late))
        .await
        .expect(201)
        .body;
    assert_eq!(
        statuses(dr).await,
        [
            (done_late, "done".into(), ladder["id"].clone()),
            // Private records are invisible: not even the homework they did is done.
            (done_privately, "assigned".into(), Value::Null),
            (overdue, "overdue".into(), Value::Null),
            (due_today, "assigned".into(), Value::Null),
        ]
    );
    let listed = dr.get(A_HOMEWORK).await.expect(200).body.to_string();
    assert!(
        !listed.contains("let go"),
        "no content of the private record"
    );
    let seen = dr
        .get("/api/clinician/patients/patient.a/cbt/thought-records")
        .await
        .expect(200)
        .body;
    assert_eq!(seen["thought_records"], json!([]));
    let mine = me.get("/api/homework").await.expect(200).body;
    let private_one = mine["homework"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == done_privately)
        .unwrap()
        .clone();
    assert_eq!(
        private_one["record_id"], secret["id"],
        "the patient sees their own"
    );

    // Withdrawn, it goes; the record done for it stays, unlinked.
    let withdraw = format!("{A_HOMEWORK}/{done_late}");
    world
        .dr_out
        .delete(&withdraw)
        .await
        .expect_error(404, "not_found");
    dr.delete(&withdraw).await.expect(204);
    dr.delete(&withdraw).await.expect_error(404, "not_found");
    assert_eq!(statuses(dr).await.len(), 3);
    let kept = me
        .get(&format!("/api/cbt/exposure-ladders/{}", ladder["id"]))
        .await
        .expect(200)
        .body;
    assert_eq!(kept["homework_id"], Value::Null);
}
