//! Private records are invisible to the care team (also when made private later), each
//! clinician read is audited without content, the export holds every record, and deleting
//! an account deletes its records and homework.

use super::{activity, ladder, put, thought_record, with};
use crate::common::*;
use serde_json::{json, Value};

/// The ids in a clinician's list of one kind of record.
async fn seen_by(dr: &Client, kind: &str, list: &str) -> Vec<i64> {
    let path = format!("/api/clinician/patients/patient.a/cbt/{kind}");
    let body = dr.get(&path).await.expect(200).body;
    assert_eq!(body["patient"]["username"], "patient.a");
    body[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn private_records_are_invisible_to_the_care_team() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let (me, dr) = (&world.patient_a, &world.dr_in);
    let kinds = [
        ("thought-records", "thought_records", thought_record()),
        ("activities", "activities", activity()),
        ("exposure-ladders", "exposure_ladders", ladder()),
    ];
    for (kind, list, body) in &kinds {
        let path = format!("/api/cbt/{kind}");
        let open = me.post(&path, body.clone()).await.expect(201).body["id"]
            .as_i64()
            .unwrap();
        let private = with(body.clone(), "private", Some(json!(true)));
        let hidden = me.post(&path, private).await.expect(201).body;
        assert_eq!(hidden["private"], true);
        assert_eq!(
            seen_by(dr, kind, list).await,
            [open],
            "{kind}: not even counted"
        );
        let mine = me.get(&path).await.expect(200).body;
        assert_eq!(
            mine[*list].as_array().unwrap().len(),
            2,
            "the patient sees both"
        );

        // Made private later, the open one goes too; made open again, it comes back.
        let record = format!("{path}/{open}");
        put(
            me,
            &record,
            with(body.clone(), "private", Some(json!(true))),
        )
        .await
        .expect(200);
        assert!(seen_by(dr, kind, list).await.is_empty(), "{kind}");
        put(
            me,
            &record,
            with(body.clone(), "private", Some(json!(false))),
        )
        .await
        .expect(200);
        assert_eq!(seen_by(dr, kind, list).await, [open]);

        let shown = dr
            .get(&format!("/api/clinician/patients/patient.a/cbt/{kind}"))
            .await
            .body;
        assert_eq!(shown[*list][0]["private"], false);
        let a = format!("/api/clinician/patients/patient.a/cbt/{kind}");
        world.dr_out.get(&a).await.expect_error(404, "not_found");
        let b = format!("/api/clinician/patients/patient.b/cbt/{kind}");
        dr.get(&b).await.expect_error(404, "not_found");
    }
    let thought = dr
        .get("/api/clinician/patients/patient.a/cbt/thought-records")
        .await
        .body;
    assert_eq!(
        thought["thought_records"][0]["automatic_thought"],
        "I am going to be let go."
    );

    // Each read is audited, without content.
    let audit = world.admin.get("/api/admin/audit").await.expect(200).body;
    let reads: Vec<&Value> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "cbt_records_viewed")
        .collect();
    assert!(!reads.is_empty());
    assert!(reads
        .iter()
        .all(|e| e["actor"] == "dr.in" && e["subject"] == "patient.a"));
    assert!(
        !audit.to_string().contains("let go"),
        "no content in the audit log"
    );

    // The export has everything of mine, private records included.
    let export = me.get("/api/me/export").await.expect(200).body;
    assert_eq!(
        export["cbt"]["thought_records"].as_array().unwrap().len(),
        2
    );
    assert_eq!(export["cbt"]["activities"].as_array().unwrap().len(), 2);
    assert_eq!(
        export["cbt"]["exposure_ladders"][0]["steps"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(export["homework"], json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_an_account_deletes_its_cbt_records_and_homework() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let me = &world.patient_a;
    let homework = world
        .dr_in
        .post(
            "/api/clinician/patients/patient.a/homework",
            json!({ "kind": "exposure", "instructions": "Build a ladder" }),
        )
        .await
        .expect(201)
        .body["homework"]["id"]
        .clone();
    me.post("/api/cbt/thought-records", thought_record())
        .await
        .expect(201);
    me.post("/api/cbt/activities", activity()).await.expect(201);
    let ladder = me
        .post(
            "/api/cbt/exposure-ladders",
            with(ladder(), "homework_id", Some(homework)),
        )
        .await
        .expect(201)
        .body;
    let step = ladder["steps"][0]["id"].as_i64().unwrap();
    let attempts = format!(
        "/api/cbt/exposure-ladders/{}/steps/{step}/attempts",
        ladder["id"]
    );
    me.post(
        &attempts,
        json!({ "suds_before": 1, "suds_peak": 2, "suds_after": 1 }),
    )
    .await
    .expect(201);
    let tables = [
        "homework",
        "thought_records",
        "thought_record_emotions",
        "cbt_activities",
        "exposure_ladders",
        "exposure_steps",
        "exposure_attempts",
    ];
    for table in tables {
        let count = db
            .scalar_i64(&format!("SELECT COUNT(*) FROM {table}"))
            .await;
        assert!(count > 0, "{table}");
    }
    db.execute("DELETE FROM users WHERE username = 'patient.a'")
        .await;
    for table in tables {
        let count = db
            .scalar_i64(&format!("SELECT COUNT(*) FROM {table}"))
            .await;
        assert_eq!(count, 0, "{table}");
    }
}
