//! The clinician's side of a risk result: the urgent alert first, marked in words,
//! acknowledged and resolved in dialogs (keyboard and mouse), then the patient's trend and
//! schedules on their page.

use super::text_of;
use crate::browser::*;
use crate::common::*;
use fantoccini::key::Key;
use serde_json::{json, Value};

/// The clinician sees the urgent alert first, marked in words, acknowledges it and
/// resolves it in dialogs with the keyboard and the mouse; then, on the patient's page,
/// sees the trend and adds and removes a schedule.
#[tokio::test(flavor = "multi_thread")]
async fn the_clinician_acknowledges_and_resolves_the_urgent_alert_in_dialogs() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    const TEST: &str = "measures_alerts";
    // A GAD-7 of 15 (a review alert), then a PHQ-9 with item 9 positive (urgent).
    let gad7: Value = (1..=7)
        .map(|i| (i.to_string(), json!(if i <= 1 { 3 } else { 2 })))
        .collect::<serde_json::Map<_, _>>()
        .into();
    seeded
        .patient
        .post("/api/measures/gad7/responses", json!({ "answers": gad7 }))
        .await
        .expect(201);
    let phq9: Value = (1..=9)
        .map(|i| (i.to_string(), json!(if i == 9 { 2 } else { 1 })))
        .collect::<serde_json::Map<_, _>>()
        .into();
    seeded
        .patient
        .post("/api/measures/phq9/responses", json!({ "answers": phq9 }))
        .await
        .expect(201);

    // Two hours unacknowledged: past ALERT_ACK_MINUTES (60), so overdue.
    db.execute(
        "UPDATE risk_alerts SET triggered_at = triggered_at - 7200000,
             first_triggered_at = first_triggered_at - 7200000 WHERE severity = 'urgent'",
    )
    .await;
    let clinician = Browser::open(&tools, &server, TEST, "clinician", Viewport::Desktop).await;
    clinician.go("/").await;
    clinician.sign_in(CLINICIAN, PASSWORD).await;
    clinician.find("[data-testid=home-alerts]").await;
    clinician.settled().await;
    assert_eq!(
        text_of(&clinician, "[data-testid=home-alerts-urgent]").await,
        "⚠ Urgent 1 urgent alert not yet acknowledged."
    );
    assert_eq!(
        text_of(&clinician, "[data-testid=home-alerts-review]").await,
        "1 alert to review."
    );
    let first_card = clinician
        .js(
            "return document.querySelector('#main .grid > section').dataset.testid",
            vec![],
        )
        .await;
    assert_eq!(
        first_card,
        json!("home-alerts"),
        "alerts come first on Home"
    );
    clinician.shot("01-home-alerts").await;

    clinician.click("[data-testid=home-open-alerts]").await;
    clinician
        .find("[data-testid=alert-inbox][data-status=open] [data-testid=alert]")
        .await;
    clinician.settled().await;
    assert_eq!(clinician.path().await, "/clinician/alerts");
    let listed = clinician
        .js(
            "return [...document.querySelectorAll('[data-testid=alert]')].map(a =>
                [a.dataset.severity, a.querySelector('[data-testid=alert-severity]').innerText,
                 a.querySelector('[data-testid=alert-patient]').innerText]);",
            vec![],
        )
        .await;
    let name = display(PATIENT);
    assert_eq!(
        listed,
        json!([["urgent", "⚠ Urgent", name], ["review", "Review", name]]),
        "urgent first, marked in words"
    );
    assert_eq!(
        text_of(&clinician, "[data-testid=alert][data-severity=urgent][data-overdue=true] [data-testid=alert-overdue]").await,
        "Overdue: not acknowledged in time"
    );
    assert_eq!(
        clinician.count("[data-testid=alert-overdue]").await,
        1,
        "only the urgent one"
    );
    let summary = text_of(
        &clinician,
        "[data-testid=alert][data-severity=urgent] [data-testid=alert-summary]",
    )
    .await;
    assert!(summary.to_lowercase().contains("item 9"), "{summary}");
    clinician.shot("02-inbox-open").await;

    // Acknowledge: the dialog takes focus; Enter confirms.
    clinician
        .click("[data-testid=alert][data-severity=urgent] [data-testid=alert-acknowledge]")
        .await;
    clinician
        .find("dialog[data-testid=acknowledge-dialog][open]")
        .await;
    assert!(
        clinician
            .focused_matches("dialog[open] [data-testid=dialog-confirm]")
            .await
    );
    clinician.shot("03-acknowledge-dialog").await;
    clinician.press(&[Key::Enter.into()]).await;
    clinician
        .gone("dialog[data-testid=acknowledge-dialog]")
        .await;
    clinician
        .find("[data-testid=alert-inbox] [data-testid=alert][data-severity=review]")
        .await;
    clinician.settled().await;
    assert_eq!(
        clinician
            .count("[data-testid=alert][data-severity=urgent]")
            .await,
        0
    );
    let acknowledged = seeded
        .clinician
        .get("/api/clinician/alerts?status=acknowledged")
        .await
        .expect(200);
    assert_eq!(acknowledged.body["alerts"][0]["severity"], "urgent");
    assert_eq!(acknowledged.body["alerts"][0]["acknowledged_by"], CLINICIAN);
    let id = acknowledged.body["alerts"][0]["id"].as_i64().unwrap();

    clinician
        .click("[data-testid=alerts-tab-acknowledged]")
        .await;
    let row = format!("[data-testid=alert-inbox][data-status=acknowledged] [data-alert-id='{id}']");
    clinician
        .find_text(&row, &format!("acknowledged by {CLINICIAN}"))
        .await;
    clinician.settled().await;
    clinician.shot("04-acknowledged").await;

    // Resolve: Escape cancels and gives focus back; an outcome is required.
    clinician
        .click(&format!("{row} [data-testid=alert-resolve]"))
        .await;
    clinician
        .find("dialog[data-testid=resolve-dialog][open]")
        .await;
    assert!(
        clinician
            .focused_matches("#outcome-contacted_patient")
            .await
    );
    clinician.press(&[Key::Escape.into()]).await;
    clinician.gone("dialog[data-testid=resolve-dialog]").await;
    assert!(
        clinician
            .focused_matches(&format!("{row} [data-testid=alert-resolve]"))
            .await
    );
    clinician.press(&[Key::Enter.into()]).await;
    clinician
        .find("dialog[data-testid=resolve-dialog][open]")
        .await;
    clinician
        .click("dialog[open] [data-testid=dialog-confirm]")
        .await;
    clinician
        .find_text(
            "dialog[open] [data-testid=form-error][data-kind=error]",
            "Choose an outcome first.",
        )
        .await;
    clinician
        .click("label[for=outcome-contacted_patient]")
        .await;
    clinician
        .fill("#resolve-note", "Called; safety plan reviewed.")
        .await;
    clinician.shot("05-resolve-dialog").await;
    clinician
        .click("dialog[open] [data-testid=dialog-confirm]")
        .await;
    clinician.gone("dialog[data-testid=resolve-dialog]").await;
    clinician
        .find("[data-testid=alert-inbox] [data-testid=alerts-empty]")
        .await;
    clinician.settled().await;
    let resolved = seeded
        .clinician
        .get("/api/clinician/alerts?status=resolved")
        .await
        .expect(200);
    assert_eq!(resolved.body["alerts"][0]["id"], id);
    assert_eq!(resolved.body["alerts"][0]["outcome"], "contacted_patient");
    assert_eq!(resolved.body["alerts"][0]["resolved_by"], CLINICIAN);
    clinician.click("[data-testid=alerts-tab-resolved]").await;
    clinician
        .find_text(
            &format!("[data-testid=alert-inbox][data-status=resolved] [data-alert-id='{id}'] [data-testid=alert-outcome]"),
            "Contacted the patient",
        )
        .await;
    assert_eq!(
        clinician
            .count("[data-alert-id] [data-testid=alert-resolve]")
            .await,
        0
    );
    clinician.shot("06-resolved").await;

    // The patient's page: the review alert, the trends, and schedules.
    clinician.click("[data-testid=nav-clinician]").await;
    // The list of patients shows what is still open: the review alert, no urgent one.
    clinician
        .find_text(
            &format!("[data-username='{PATIENT}'] [data-testid=patient-review]"),
            "1 to review",
        )
        .await;
    assert_eq!(clinician.count("[data-testid=patient-urgent]").await, 0);
    clinician
        .find_text(
            &format!("[data-username='{PATIENT}'] [data-testid=patient-measures]"),
            "PHQ-9: moderate · GAD-7: severe",
        )
        .await;
    clinician
        .click(&format!(
            "[data-username='{PATIENT}'] [data-testid=patient-page]"
        ))
        .await;
    clinician
        .find_text("[data-testid=patient-name]", &name)
        .await;
    clinician
        .find("[data-testid=patient-alerts] [data-testid=alert][data-severity=review]")
        .await;
    clinician.settled().await;
    assert_eq!(
        text_of(
            &clinician,
            "[data-instrument=phq9] [data-testid=patient-instrument-latest]"
        )
        .await
        .split(',')
        .next()
        .unwrap(),
        "Latest: Score 10 out of 27: Moderate"
    );
    assert_eq!(
        text_of(
            &clinician,
            "[data-instrument=gad7] [data-testid=patient-instrument-latest]"
        )
        .await
        .split(',')
        .next()
        .unwrap(),
        "Latest: Score 15 out of 21: Severe"
    );
    clinician
        .find("svg[data-testid=trend-phq9][data-points='1']")
        .await;
    // Each item's answer, for the care team.
    clinician
        .click("[data-instrument=phq9] details summary")
        .await;
    clinician
        .find_text("[data-instrument=phq9] [data-testid=item-answers]", "9: 2")
        .await;
    clinician.find("[data-testid=schedules-empty]").await;
    clinician.choose("#schedule-instrument", "gad7").await;
    clinician.fill("#schedule-every", "5").await;
    clinician.click("[data-testid=schedule-submit]").await;
    clinician.find_text("#schedule-every-error", "7").await;
    clinician.fill("#schedule-every", "28").await;
    clinician.click("[data-testid=schedule-submit]").await;
    clinician
        .find_text(
            "[data-testid=schedule][data-instrument=gad7]",
            "every 28 days",
        )
        .await;
    clinician.settled().await;
    clinician.shot("07-patient-page").await;
    let measures = seeded
        .clinician
        .get(&format!("/api/clinician/patients/{PATIENT}/measures"))
        .await
        .expect(200);
    assert_eq!(measures.body["schedules"].as_array().unwrap().len(), 1);
    assert_eq!(measures.body["schedules"][0]["every_days"], 28);
    clinician
        .click("[data-testid=schedule][data-instrument=gad7] [data-testid=schedule-remove]")
        .await;
    clinician.find("[data-testid=schedules-empty]").await;
    let measures = seeded
        .clinician
        .get(&format!("/api/clinician/patients/{PATIENT}/measures"))
        .await
        .expect(200);
    assert_eq!(measures.body["schedules"], json!([]));
    clinician.assert_clean_console().await;
    clinician.close().await;
}
