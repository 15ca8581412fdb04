//! On a phone: a mood check-in from Home reaches the chart, feedback shows its status,
//! and the crisis panel is one click away.

use crate::browser::*;
use crate::common::*;
use serde_json::json;

/// On a phone: a check-in from Home shows on the mood chart; feedback shows with its status.
#[tokio::test(flavor = "multi_thread")]
async fn a_check_in_reaches_the_chart_and_feedback_shows_its_status() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    const TEST: &str = "mood_feedback";

    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Phone).await;
    patient.go("/").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    patient.find("[data-testid=home-checkin]").await;
    patient.settled().await;
    assert_eq!(
        patient.js("return window.innerWidth", vec![]).await,
        json!(360)
    );
    let overflow = patient
        .js(
            "return document.documentElement.scrollWidth > window.innerWidth",
            vec![],
        )
        .await;
    assert_eq!(
        overflow,
        json!(false),
        "nothing sticks out sideways at 360 px"
    );
    patient.shot("01-home").await;

    patient.click("#mood-score-7").await;
    patient
        .fill("#mood-note", "A walk in the park helped.")
        .await;
    patient.click("[data-testid=mood-submit]").await;
    patient
        .find_text("[data-testid=form-error][data-kind=success]", "7 out of 10")
        .await;
    patient
        .find_text("[data-testid=checked-in-today]", "7 out of 10")
        .await;
    patient.shot("02-home-checked-in").await;

    patient.click("[data-testid=nav-mood]").await;
    patient
        .find("svg[data-testid=mood-chart][data-points='1']")
        .await;
    patient.settled().await;
    assert_eq!(
        patient
            .count("svg[data-testid=mood-chart] circle[data-date]")
            .await,
        1
    );
    patient
        .find_text("[data-testid=mood-entry]", "7 out of 10")
        .await;
    patient
        .find_text("[data-testid=mood-entry]", "A walk in the park helped.")
        .await;
    patient.shot("03-mood-chart").await;

    patient.click("[data-testid=nav-feedback]").await;
    patient.settled().await;
    // Signing in again in another tab of this browser replaces the session cookie, so
    // this page's CSRF token is stale: the app fetches a fresh one and retries once.
    let status = patient
        .js(
            "return fetch('/api/auth/login', { method: 'POST', credentials: 'same-origin',
                 headers: { 'Content-Type': 'application/json' },
                 body: JSON.stringify({ username: arguments[0], password: arguments[1] }) })
               .then(r => r.status)",
            vec![json!(PATIENT), json!(PASSWORD)],
        )
        .await;
    assert_eq!(status, json!(200));
    patient.choose("#feedback-category", "feature").await;
    patient
        .fill("#feedback-message", "Could reminders come in the evening?")
        .await;
    patient.click("[data-testid=feedback-submit]").await;
    patient
        .find_text(
            "[data-testid=feedback-item]",
            "reminders come in the evening",
        )
        .await;
    patient
        .find_text(
            "[data-testid=feedback-item] [data-testid=feedback-status]",
            "New",
        )
        .await;
    patient.shot("04-feedback-sent").await;

    // An administrator picks it up; the patient sees the new status and the note.
    let list = seeded.admin.get("/api/admin/feedback").await.expect(200);
    let id = list.body["feedback"][0]["id"].as_i64().unwrap();
    seeded
        .admin
        .patch(
            &format!("/api/admin/feedback/{id}"),
            json!({ "status": "in_progress", "admin_note": "Thanks, we are looking at it." }),
        )
        .await
        .expect(200);
    patient.click("[data-testid=nav-home]").await;
    patient.find("[data-testid=greeting]").await;
    patient.click("[data-testid=nav-feedback]").await;
    patient
        .find("[data-testid=feedback-item][data-status=in_progress]")
        .await;
    patient
        .find_text("[data-testid=feedback-item]", "we are looking at it")
        .await;
    patient.settled().await;
    patient.shot("05-feedback-status").await;

    // Help is one click away on a phone too.
    patient.click("[data-testid=crisis-button]").await;
    patient.find_text("#crisis-panel", "116 123").await;
    patient.shot("06-crisis-panel").await;
    patient.click("#crisis-close").await;
    patient.gone("#crisis-panel[open]").await;

    patient.assert_clean_console().await;
    patient.close().await;
}
