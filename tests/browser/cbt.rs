//! CBT homework in the browser: a clinician assigns a thought record on the patient's
//! page; the patient (on a phone) starts it from Home, fills in every field and saves it,
//! and the clinician sees it done with its content. A record the patient then marks
//! private disappears from the clinician's page and from the API.

use crate::browser::*;
use crate::common::*;
use fantoccini::key::Key;
use serde_json::{json, Value};

/// `true` when the page fits the phone's 360 px, otherwise what sticks out.
const NO_OVERFLOW: &str = "
    if (window.innerWidth === 360 && document.documentElement.scrollWidth <= 360) return true;
    return [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > 360.5)
        .slice(0, 6).map((el) => el.tagName + '#' + el.id + '.' + el.className);";

/// Every visible input, textarea and select has a label.
const UNLABELLED: &str = "
    return [...document.querySelectorAll('main input, main textarea, main select')]
        .filter((el) => el.type !== 'hidden' && !el.closest('[hidden]'))
        .filter((el) => !(el.id && document.querySelector(`label[for=\"${el.id}\"]`)))
        .map((el) => el.id || el.name || el.outerHTML.slice(0, 60));";

/// The crisis control is there and visible above everything.
const CRISIS_SHOWN: &str = "
    const b = document.getElementById('crisis-button');
    if (!b) return false;
    const r = b.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return r.width > 0 && r.height > 0 && (top === b || b.contains(top));";

const PATIENT_PAGE: &str = "/clinician/patients/sam.patient/overview";
const SITUATION: &str = "A friend did not answer my message.";

async fn clinician_thought_records(clinician: &Client) -> Vec<Value> {
    let path = format!("/api/clinician/patients/{PATIENT}/cbt/thought-records");
    clinician.get(&path).await.expect(200).body["thought_records"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_assigned_thought_record_is_done_by_the_patient_and_seen_by_the_clinician() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    const TEST: &str = "cbt_homework";

    // The clinician assigns a thought record on the patient's page.
    let clinician = Browser::open(&tools, &server, TEST, "clinician", Viewport::Desktop).await;
    clinician.go("/").await;
    clinician.sign_in(CLINICIAN, PASSWORD).await;
    clinician.go(PATIENT_PAGE).await;
    clinician.find("[data-testid=homework-form]").await;
    clinician.settled().await;
    clinician.choose("#homework-kind", "thought_record").await;
    clinician
        .fill(
            "#homework-instructions",
            "Next time you feel let down, fill in a thought record.",
        )
        .await;
    clinician.click("[data-testid=homework-assign]").await;
    clinician
        .find_text(
            "[data-testid=homework] [data-testid=homework-status]",
            "To do",
        )
        .await;
    clinician.shot("01-assigned").await;

    // The patient starts it from Home, on a phone.
    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Phone).await;
    patient.go("/").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    patient
        .find_text(
            "[data-testid=home-homework] [data-testid=homework]",
            "let down",
        )
        .await;
    patient
        .click("[data-testid=home-homework] [data-testid=homework-start]")
        .await;
    patient.find("[data-testid=thought-record-form]").await;
    patient.settled().await;
    assert!(patient.path().await.starts_with("/cbt/thought-records/new"));
    patient
        .find_text("[data-testid=homework-banner]", "let down")
        .await;
    assert_eq!(
        patient.js(NO_OVERFLOW, vec![]).await,
        json!(true),
        "fits 360 px"
    );
    assert_eq!(
        patient.js(UNLABELLED, vec![]).await,
        json!([]),
        "every input is labelled"
    );
    assert_eq!(
        patient.js(CRISIS_SHOWN, vec![]).await,
        json!(true),
        "Need help now? is there"
    );

    patient.fill("#tr-situation", SITUATION).await;
    patient.fill("#tr-emotion-1-name", "hurt").await;
    patient.fill("#tr-emotion-1-before", "70").await;
    patient.fill("#tr-emotion-1-after", "30").await;
    // A second emotion, added and then removed again.
    patient.click("[data-testid=tr-add-emotion]").await;
    assert_eq!(patient.count("[data-testid=tr-emotion]").await, 2);
    patient.fill("#tr-emotion-2-name", "angry").await;
    patient
        .click("[data-testid=tr-emotion]:nth-child(2) [data-testid=tr-remove-emotion]")
        .await;
    assert_eq!(patient.count("[data-testid=tr-emotion]").await, 1);
    patient
        .fill("#tr-automatic-thought", "They do not want to be my friend.")
        .await;
    patient.fill("#tr-belief-before", "85").await;
    patient.click("label[for=trap-mind_reading]").await;
    patient.click("label[for=trap-fortune_telling]").await;
    patient
        .fill("#tr-evidence-for", "They usually answer quickly.")
        .await;
    patient
        .fill("#tr-evidence-against", "They are away this week.")
        .await;
    patient
        .fill("#tr-balanced-thought", "They are probably busy.")
        .await;
    // Out of range first: the error is shown at the field, nothing is saved.
    patient.fill("#tr-belief-after", "101").await;
    patient.shot("02-filled").await;
    patient.click("[data-testid=tr-submit]").await;
    patient
        .find_text("#tr-belief-after-error", "belief_after")
        .await;
    assert!(clinician_thought_records(&seeded.clinician)
        .await
        .is_empty());
    patient.fill("#tr-belief-after", "25").await;
    patient.click("[data-testid=tr-submit]").await;
    patient
        .find_text(
            "[data-testid=cbt-homework] [data-testid=homework-status]",
            "Done",
        )
        .await;
    patient.settled().await;
    assert_eq!(patient.path().await, "/cbt");
    assert_eq!(patient.js(CRISIS_SHOWN, vec![]).await, json!(true));
    patient.shot("03-done").await;

    // The clinician sees it done, with what the patient wrote.
    clinician.go(PATIENT_PAGE).await;
    clinician
        .find_text(
            "[data-testid=homework] [data-testid=homework-status]",
            "Done",
        )
        .await;
    clinician
        .find_text("[data-testid=patient-thought-records]", SITUATION)
        .await;
    let shown = clinician.page_text().await;
    for text in [
        "They are probably busy.",
        "hurt 70% → 30%",
        "Mind reading",
        "Fortune telling",
        "85%",
        "25%",
    ] {
        assert!(shown.contains(text), "{text} in\n{shown}");
    }
    clinician.shot("04-seen-done").await;
    let records = clinician_thought_records(&seeded.clinician).await;
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0]["thinking_traps"],
        json!(["mind_reading", "fortune_telling"])
    );
    assert_eq!(
        records[0]["emotions"],
        json!([{ "name": "hurt", "before": 70, "after": 30 }])
    );
    patient.assert_clean_console().await;
    clinician.assert_clean_console().await;
    patient.close().await;
    clinician.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_record_marked_private_is_invisible_to_the_clinician() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    const TEST: &str = "cbt_private";

    // The patient writes a record, shared at first.
    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Phone).await;
    patient.go("/").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    patient.go("/cbt/thought-records/new").await;
    patient.find("[data-testid=thought-record-form]").await;
    patient.settled().await;
    patient.fill("#tr-situation", SITUATION).await;
    patient.fill("#tr-emotion-1-name", "lonely").await;
    patient.fill("#tr-emotion-1-before", "60").await;
    patient
        .fill("#tr-automatic-thought", "Nobody likes me.")
        .await;
    patient.fill("#tr-belief-before", "70").await;
    patient.click("[data-testid=tr-submit]").await;
    patient
        .find_text("[data-testid=thought-records]", SITUATION)
        .await;
    assert_eq!(clinician_thought_records(&seeded.clinician).await.len(), 1);

    let clinician = Browser::open(&tools, &server, TEST, "clinician", Viewport::Desktop).await;
    clinician.go("/").await;
    clinician.sign_in(CLINICIAN, PASSWORD).await;
    clinician.go(PATIENT_PAGE).await;
    clinician
        .find_text("[data-testid=patient-thought-records]", SITUATION)
        .await;

    // Then marks it private: with the keyboard-reachable checkbox on its page.
    patient
        .click("[data-testid=thought-records] a.row-title")
        .await;
    patient.find("[data-testid=thought-record-form]").await;
    patient.settled().await;
    patient.click("label[for=tr-private]").await;
    patient.click("[data-testid=tr-submit]").await;
    patient
        .find("[data-testid=thought-records] [data-testid=private-badge]")
        .await;
    patient.shot("01-private").await;

    clinician.go(PATIENT_PAGE).await;
    clinician
        .find("[data-testid=patient-thought-records]")
        .await;
    clinician.settled().await;
    clinician
        .find_text(
            "[data-testid=patient-thought-records] summary",
            "Thought records (0)",
        )
        .await;
    let shown = clinician.page_text().await;
    assert!(!shown.contains(SITUATION), "{shown}");
    assert!(!shown.contains("Nobody likes me"));
    clinician.shot("02-not-shown").await;
    assert!(clinician_thought_records(&seeded.clinician)
        .await
        .is_empty());
    // The patient still has it.
    let mine = seeded
        .patient
        .get("/api/cbt/thought-records")
        .await
        .expect(200)
        .body;
    assert_eq!(mine["thought_records"][0]["private"], true);
    patient.assert_clean_console().await;
    clinician.assert_clean_console().await;
    patient.close().await;
    clinician.close().await;
}

/// Every CBT screen of the patient fits a phone, labels every input and keeps "Need help
/// now?"; an activity given as homework is planned, done and rated with the keyboard
/// alone, and an attempt is recorded at a step of a ladder.
#[tokio::test(flavor = "multi_thread")]
async fn every_cbt_screen_fits_a_phone_and_works_by_keyboard() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    const TEST: &str = "cbt_screens";
    let homework = format!("/api/clinician/patients/{PATIENT}/homework");
    let activity_homework = seeded
        .clinician
        .post(
            &homework,
            json!({ "kind": "activity", "instructions": "Plan one walk this week." }),
        )
        .await
        .expect(201)
        .body["homework"]["id"]
        .clone();
    let me = &seeded.patient;
    let record = me
        .post(
            "/api/cbt/thought-records",
            json!({ "situation": "At work", "emotions": [{ "name": "worried", "before": 50 }],
                    "automatic_thought": "I will fail", "belief_before": 60, "private": true }),
        )
        .await
        .expect(201)
        .body["id"]
        .clone();
    let ladder = me
        .post(
            "/api/cbt/exposure-ladders",
            json!({ "fear": "Lifts", "steps": [{ "description": "Look at a lift", "expected_suds": 20 },
                    { "description": "Ride one floor", "expected_suds": 60 }] }),
        )
        .await
        .expect(201)
        .body;

    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Phone).await;
    patient.go("/").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    let screens = [
        (
            "/cbt".to_owned(),
            "[data-testid=cbt-homework] [data-testid=homework]",
        ),
        (
            "/cbt/thought-records".into(),
            "[data-testid=thought-record]",
        ),
        ("/cbt/thought-records/new".into(), "#tr-situation"),
        (format!("/cbt/thought-records/{record}"), "#tr-situation"),
        ("/cbt/activities".into(), "[data-testid=activities]"),
        ("/cbt/activities/new".into(), "#activity-title"),
        (
            "/cbt/exposure-ladders".into(),
            "[data-testid=exposure-ladder]",
        ),
        ("/cbt/exposure-ladders/new".into(), "#ladder-fear"),
        (
            format!("/cbt/exposure-ladders/{}", ladder["id"]),
            "[data-testid=attempt-form]",
        ),
    ];
    for (path, ready) in &screens {
        patient.go(path).await;
        patient.find(ready).await;
        patient.settled().await;
        assert_eq!(
            patient.js(NO_OVERFLOW, vec![]).await,
            json!(true),
            "{path} fits 360 px"
        );
        assert_eq!(
            patient.js(UNLABELLED, vec![]).await,
            json!([]),
            "{path}: labels"
        );
        assert_eq!(
            patient.js(CRISIS_SHOWN, vec![]).await,
            json!(true),
            "{path}: Need help now?"
        );
    }
    patient.shot("01-ladder").await;

    // An attempt at the second step.
    let second = ladder["steps"][1]["id"].as_i64().unwrap();
    patient
        .click(&format!(
            "details:has(#ladder-attempt-{second}-before) summary"
        ))
        .await;
    patient
        .fill(&format!("#ladder-attempt-{second}-before"), "55")
        .await;
    patient
        .fill(&format!("#ladder-attempt-{second}-peak"), "80")
        .await;
    patient
        .fill(&format!("#ladder-attempt-{second}-after"), "30")
        .await;
    patient
        .click(&format!(
            "details:has(#ladder-attempt-{second}-before) [data-testid=attempt-submit]"
        ))
        .await;
    patient
        .find_text("[data-testid=attempt]", "Before 55, peak 80, after 30")
        .await;
    let steps = me
        .get(&format!("/api/cbt/exposure-ladders/{}", ladder["id"]))
        .await
        .body;
    assert_eq!(steps["steps"][1]["attempts"][0]["suds_peak"], 80);

    // The activity homework, from the keyboard alone.
    patient.go("/cbt").await;
    patient.find("[data-testid=homework-start]").await;
    patient.settled().await;
    patient.tab_to("[data-testid=homework-start]").await;
    patient.press(&[Key::Enter.into()]).await;
    patient.find("#activity-title").await;
    patient.settled().await;
    patient.tab_to("#activity-title").await;
    patient.type_text("Walk to the park").await;
    patient.tab_to("#activity-done").await;
    patient.press(&[' ']).await;
    patient.tab_to("#activity-mastery").await;
    patient.type_text("6").await;
    patient.tab_to("#activity-pleasure").await;
    patient.type_text("8").await;
    patient.tab_to("[data-testid=activity-submit]").await;
    patient.press(&[Key::Enter.into()]).await;
    patient
        .find_text(
            "[data-testid=cbt-homework] [data-testid=homework-status]",
            "Done",
        )
        .await;
    patient.shot("02-activity-done").await;
    let done = me.get("/api/cbt/activities").await.body["activities"][0].clone();
    assert_eq!(
        (
            done["title"].clone(),
            done["done"].clone(),
            done["mastery"].clone(),
            done["pleasure"].clone()
        ),
        (json!("Walk to the park"), json!(true), json!(6), json!(8))
    );
    assert_eq!(done["homework_id"], activity_homework);
    patient.assert_clean_console().await;
    patient.close().await;
}
