//! Questionnaires and risk alerts in the browser: a patient answers the PHQ-9 (on a
//! phone) and, with item 9 positive, sees the crisis resources first and that the care
//! team was told; a patient without a care team answers the GAD-7 with the keyboard alone
//! and the C-SSRS with its skip logic, and is told no one will see the answers. The
//! clinician acknowledging and resolving the urgent alert in dialogs, and managing
//! schedules on the patient's page, is in [`alerts`].

mod alerts;

use crate::browser::*;
use crate::common::*;
use fantoccini::key::Key;
use serde_json::{json, Value};

/// Whether the result shows the crisis resources before anything else, and the order
/// of the crisis list and the result heading in the page's text.
const HELP_FIRST: &str = "
    const result = document.querySelector('[data-testid=measure-result]');
    const first = result && result.firstElementChild;
    const text = document.body.innerText;
    return {
        first: first ? first.getAttribute('data-testid') : null,
        help_before_result: text.indexOf('Samaritans (UK and Ireland)') >= 0
            && text.indexOf('Samaritans (UK and Ireland)') < text.indexOf('Your result'),
    };";

/// `true` when the page fits the phone's 360 px, otherwise the first elements sticking out.
const NO_OVERFLOW: &str = "
    if (window.innerWidth === 360 && document.documentElement.scrollWidth <= 360) return true;
    const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ').join('.') : '');
    return [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > 360.5)
        .slice(0, 8).map((el) => name(el) + ' ' + Math.round(el.getBoundingClientRect().left) + '..'
            + Math.round(el.getBoundingClientRect().right) + ' in ' + name(el.parentElement) + ' '
            + Math.round(el.parentElement.getBoundingClientRect().right) + ' ' + el.textContent.slice(0, 30));";

/// The visible text of the first element matching `css`, once it is there.
async fn text_of(browser: &Browser, css: &str) -> String {
    browser.find(css).await;
    browser
        .js(
            "return document.querySelector(arguments[0]).innerText.trim()",
            vec![json!(css)],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// On a phone: the PHQ-9 due on Home, answered with item 9 positive; the crisis
/// resources come first, and the patient is told the care team was alerted.
#[tokio::test(flavor = "multi_thread")]
async fn a_phq9_with_item_9_positive_shows_help_first_and_that_the_team_was_told() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    const TEST: &str = "measures_phq9";
    seeded
        .clinician
        .post(
            &format!("/api/clinician/patients/{PATIENT}/schedules"),
            json!({ "instrument": "phq9", "every_days": 14 }),
        )
        .await
        .expect(201);

    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Phone).await;
    patient.go("/").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    patient
        .find_text(
            "[data-testid=home-measures] [data-testid=measure-due][data-instrument=phq9]",
            "PHQ-9",
        )
        .await;
    patient.settled().await;
    patient.shot("01-home-due").await;
    patient
        .click("[data-testid=measure-due][data-instrument=phq9] a")
        .await;
    patient.find("[data-testid=questionnaire-phq9]").await;
    patient.settled().await;
    assert_eq!(patient.path().await, "/measures/phq9");
    assert_eq!(
        patient.js(NO_OVERFLOW, vec![]).await,
        json!(true),
        "the form fits 360 px"
    );
    assert!(text_of(&patient, "[data-testid=question-stem]")
        .await
        .contains("Over the last 2 weeks"));
    assert!(text_of(&patient, "[data-testid=recall-period]")
        .await
        .contains("2 weeks"));
    assert!(text_of(&patient, "[data-testid=attribution]")
        .await
        .contains("Pfizer"));
    // Nine items and the optional difficulty item, each a fieldset with a legend and
    // four labelled radio buttons.
    let groups = patient
        .js(
            "return [...document.querySelectorAll('[data-testid=questionnaire-phq9] fieldset')].map(f =>
                [f.dataset.item, !!f.querySelector('legend'),
                 [...f.querySelectorAll('input[type=radio]')].filter(i =>
                     document.querySelector(`label[for=\"${i.id}\"]`)).length]);",
            vec![],
        )
        .await;
    let expected: Vec<Value> = (1..=9)
        .map(|i| json!([i.to_string(), true, 4]))
        .chain([json!(["difficulty", true, 4])])
        .collect();
    assert_eq!(groups, json!(expected));
    assert!(text_of(&patient, "#phq9-9-legend")
        .await
        .contains("better off dead"));

    // Sending with questions unanswered names them; nothing is sent.
    patient.click("[data-testid=measure-submit]").await;
    patient
        .find_text(
            "[data-testid=form-error][data-kind=error]",
            "Please answer questions 1, 2, 3, 4, 5, 6, 7, 8, 9.",
        )
        .await;
    assert!(patient.focused_matches("#phq9-1-0").await);
    patient.shot("02-unanswered").await;

    // "Several days" for items 1 to 8 and for item 9: a total of 9, mild, and item 9.
    for item in 1..=9 {
        patient.click(&format!("label[for='phq9-{item}-1']")).await;
    }
    assert_eq!(patient.count("fieldset[aria-invalid=true]").await, 0);
    patient.shot("03-answered").await;
    patient.click("[data-testid=measure-submit]").await;
    patient.find("[data-testid=measure-result]").await;
    patient.settled().await;
    let order = patient.js(HELP_FIRST, vec![]).await;
    assert_eq!(
        order,
        json!({ "first": "result-crisis", "help_before_result": true }),
        "{}",
        patient.describe().await
    );
    assert!(text_of(&patient, "[data-testid=result-crisis]")
        .await
        .contains("Important"));
    assert!(text_of(&patient, "[data-testid=result-crisis]")
        .await
        .contains("116 123"));
    assert!(
        patient.focused_matches(".result-crisis-title").await,
        "focus moves to the help"
    );
    assert_eq!(
        text_of(&patient, "[data-testid=result-band]").await,
        "PHQ-9 (depression): Score 9 out of 27: Mild"
    );
    assert!(text_of(&patient, "[data-testid=result-guidance]")
        .await
        .contains("better off dead"));
    assert!(text_of(&patient, "[data-testid=result-care-team]")
        .await
        .starts_with("Your care team has been alerted"));
    assert!(text_of(&patient, "[data-testid=result-monitoring]")
        .await
        .contains("not monitored around the clock"));
    assert_eq!(
        patient
            .count("[data-testid=measure-result][data-notified=true]")
            .await,
        1
    );
    // The trend has the new answer.
    patient
        .find("svg[data-testid=trend-phq9][data-points='1'] circle[data-value='9']")
        .await;
    assert_eq!(
        patient.js(NO_OVERFLOW, vec![]).await,
        json!(true),
        "the result fits 360 px"
    );
    patient.shot("04-result-help-first").await;

    // What the server holds: the answers as given, and an urgent alert for the team.
    let history = seeded
        .patient
        .get("/api/measures/responses?instrument=phq9")
        .await
        .expect(200);
    let response = &history.body["responses"][0];
    assert_eq!(history.body["responses"].as_array().unwrap().len(), 1);
    assert_eq!(response["total"], 9);
    assert_eq!(response["answers"]["9"], 1);
    assert_eq!(
        response["answers"].as_object().unwrap().len(),
        9,
        "no difficulty answer"
    );
    assert_eq!(response["flags"], json!(["item9_positive"]));
    let alerts = seeded
        .clinician
        .get("/api/clinician/alerts?status=open")
        .await
        .expect(200);
    assert_eq!(alerts.body["alerts"][0]["severity"], "urgent");
    assert_eq!(alerts.body["alerts"][0]["patient"]["username"], PATIENT);

    // Back home, nothing is due any more; the questionnaires page shows the trend.
    patient.click("[data-testid=nav-home]").await;
    patient
        .find("[data-testid=home-measures] [data-testid=measures-due-empty]")
        .await;
    patient.settled().await;
    patient.click("[data-testid=home-all-measures]").await;
    patient
        .find("[data-instrument=phq9] svg[data-testid=trend-phq9][data-points='1']")
        .await;
    patient.settled().await;
    assert_eq!(patient.js(NO_OVERFLOW, vec![]).await, json!(true));
    patient.shot("05-questionnaires").await;
    patient.assert_clean_console().await;
    patient.close().await;
}

/// On a phone, with the keyboard alone: a patient with no care team answers the GAD-7
/// and is told no clinician will see it, with the crisis resources first; the C-SSRS
/// asks items 3–5 only after a yes to 2, and 6b only after a yes to 6, and sends only
/// what it asked.
#[tokio::test(flavor = "multi_thread")]
async fn a_patient_without_a_care_team_is_told_no_one_will_see_the_answer() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    const TEST: &str = "measures_alone";
    let alone = patient(&server, "alex.alone").await;

    let browser = Browser::open(&tools, &server, TEST, "patient", Viewport::Phone).await;
    browser.go("/measures/gad7").await;
    browser.sign_in("alex.alone", PASSWORD).await;
    browser.find("[data-testid=questionnaire-gad7]").await;
    browser.settled().await;
    assert_eq!(browser.js(NO_OVERFLOW, vec![]).await, json!(true));
    // Tab into each group and choose with Space; the arrow keys move within a group.
    for item in 1..=7 {
        browser.tab_to(&format!("#gad7-{item}-0")).await;
        browser.press(&[' ']).await;
    }
    browser.tab_to("#gad7-1-0").await;
    browser.press(&[Key::Down.into()]).await;
    assert!(browser.focused_matches("#gad7-1-1:checked").await);
    browser.shot("01-gad7-keyboard").await;
    browser.tab_to("[data-testid=measure-submit]").await;
    browser.press(&[Key::Enter.into()]).await;
    browser.find("[data-testid=measure-result]").await;
    browser.settled().await;
    let order = browser.js(HELP_FIRST, vec![]).await;
    assert_eq!(
        order,
        json!({ "first": "result-crisis", "help_before_result": true })
    );
    assert_eq!(
        text_of(&browser, "[data-testid=result-band]").await,
        "GAD-7 (anxiety): Score 1 out of 21: Minimal"
    );
    assert!(text_of(&browser, "[data-testid=result-care-team]")
        .await
        .starts_with("No clinician will see this answer"));
    assert_eq!(
        browser
            .count("[data-testid=measure-result][data-notified=false]")
            .await,
        1
    );
    assert_eq!(browser.js(NO_OVERFLOW, vec![]).await, json!(true));
    browser.shot("02-gad7-no-one-will-see").await;

    // The C-SSRS: 3–5 appear after a yes to 2 and go again after a no.
    browser.go("/measures/cssrs").await;
    browser.find("[data-testid=questionnaire-cssrs]").await;
    browser.settled().await;
    let shown =
        "return [...document.querySelectorAll('[data-testid=questionnaire-cssrs] fieldset')]
        .filter(f => !f.hidden).map(f => f.dataset.item).join(',');";
    assert_eq!(browser.js(shown, vec![]).await, json!("1,2,6"));
    browser.click("label[for='cssrs-1-1']").await;
    browser.click("label[for='cssrs-2-1']").await;
    assert_eq!(browser.js(shown, vec![]).await, json!("1,2,3,4,5,6"));
    browser.click("label[for='cssrs-3-1']").await;
    browser.click("label[for='cssrs-6-1']").await;
    assert_eq!(browser.js(shown, vec![]).await, json!("1,2,3,4,5,6,6b"));
    browser.shot("03-cssrs-all-asked").await;
    browser.click("label[for='cssrs-2-0']").await;
    browser.click("label[for='cssrs-6-0']").await;
    assert_eq!(browser.js(shown, vec![]).await, json!("1,2,6"));
    browser.click("[data-testid=measure-submit]").await;
    browser.find("[data-testid=measure-result]").await;
    browser.settled().await;
    assert_eq!(
        text_of(&browser, "[data-testid=result-band]").await,
        "C-SSRS screener (suicide risk): Risk: Low"
    );
    assert!(text_of(&browser, "[data-testid=result-care-team]")
        .await
        .starts_with("No clinician will see this answer"));
    assert_eq!(
        browser.js(HELP_FIRST, vec![]).await["first"],
        "result-crisis"
    );
    browser.shot("04-cssrs-result").await;
    let history = alone
        .get("/api/measures/responses?instrument=cssrs")
        .await
        .expect(200);
    assert_eq!(
        history.body["responses"][0]["answers"],
        json!({ "1": true, "2": false, "6": false }),
        "only the items asked are sent"
    );
    assert_eq!(history.body["responses"][0]["care_team_notified"], false);
    browser.assert_clean_console().await;
    browser.close().await;
}
