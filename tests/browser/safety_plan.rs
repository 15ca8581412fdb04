//! The safety plan in the browser: a patient writes their plan on a phone, the browser
//! goes offline (Chromium's network emulation, and the server stopped too, so nothing can
//! answer), and the plan still opens from "Need help now?", before and after a reload;
//! a clinician edits the plan and marks it reviewed, the patient sees the new version,
//! and a patient whose save crosses the clinician's keeps every word typed; a risky
//! result offers the plan, signing out deletes it from the device, and alerts say when
//! it was last reviewed. Also: the app is installable (manifest, icons, service worker,
//! with their content types).

mod installable;
mod offline;

use crate::browser::*;
use crate::common::*;
use serde_json::{json, Value};

pub const SECTIONS: [&str; 7] = [
    "warning_signs",
    "internal_coping",
    "social_distraction",
    "people_to_ask",
    "professionals",
    "environment_safety",
    "reasons_for_living",
];

/// Whether the device holds a saved plan is `arguments[0]` (the Cache API answers later:
/// call until it does).
const PLAN_SAVED_IS: &str = "
    caches.open('hs-plan-v1').then((c) => c.match('/api/safety-plan'))
        .then((r) => { window.__planSaved = !!r; });
    return window.__planSaved === arguments[0];";

/// What shows in print: the header, navigation and footer (shown?), any button, the
/// plan's sections, its care team and crisis lines.
const ON_PAPER: &str = "
    const shown = (el) => !!el && getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0;
    return {
        chrome: ['.site-header', '#nav', '.site-footer'].map((css) => shown(document.querySelector(css))),
        buttons: [...document.querySelectorAll('#main button')].some(shown),
        sections: [...document.querySelectorAll('[data-testid=plan-section]')].filter(shown).length,
        care_team: shown(document.querySelector('[data-testid=plan-care-team]')),
        crisis: shown(document.querySelector('[data-testid=plan-crisis]')),
    };";

/// One entry added to a section of the open editor.
pub async fn add_entry(browser: &Browser, section: &str, text: &str) {
    let scope = format!("[data-testid=plan-edit-section][data-section={section}]");
    let before = browser.count(&format!("{scope} textarea")).await;
    browser
        .click(&format!("{scope} [data-testid=plan-add]"))
        .await;
    let input = format!(
        "{scope} [data-testid=plan-edit-entry]:nth-child({}) textarea",
        before + 1
    );
    assert!(
        browser.focused_matches(&input).await,
        "Add moves focus to the new entry"
    );
    browser.fill(&input, text).await;
}

pub async fn plan_text(browser: &Browser) -> String {
    browser.find("[data-testid=safety-plan]").await;
    browser
        .js(
            "return document.querySelector('[data-testid=safety-plan]').innerText",
            vec![],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

pub async fn put_plan(client: &Client, path: &str, etag: Option<&str>, body: Value) -> Reply {
    let mut request = client.request(reqwest::Method::PUT, path).json(&body);
    if let Some(etag) = etag {
        request = request.header("If-Match", etag);
    }
    client.send(client.with_csrf(request)).await
}

pub fn plan_body(warning_signs: &[&str]) -> Value {
    let mut body = json!({});
    for key in SECTIONS {
        body[key] = json!([]);
    }
    body["warning_signs"] = json!(warning_signs);
    body["reasons_for_living"] = json!(["My sister"]);
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clinician_edits_the_plan_and_the_patient_sees_the_new_version() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    const TEST: &str = "safety_plan_clinician";
    put_plan(
        &seeded.patient,
        "/api/safety-plan",
        None,
        plan_body(&["Not sleeping"]),
    )
    .await
    .expect(200);

    let clinician = Browser::open(&tools, &server, TEST, "clinician", Viewport::Desktop).await;
    clinician.go("/").await;
    clinician.sign_in(CLINICIAN, PASSWORD).await;
    clinician
        .go(&format!("/clinician/patients/{PATIENT}/overview"))
        .await;
    clinician.click("[data-testid=patient-safety-plan]").await;
    clinician
        .find_text("[data-testid=safety-plan]", "Not sleeping")
        .await;
    clinician.settled().await;
    assert_eq!(
        clinician.path().await,
        format!("/clinician/patients/{PATIENT}/safety-plan")
    );
    clinician
        .find_text("[data-testid=plan-reviewed]", "Not reviewed")
        .await;
    clinician.click("[data-testid=plan-edit]").await;
    add_entry(&clinician, "warning_signs", "Pulling away from friends").await;
    clinician.click("[data-testid=plan-save]").await;
    clinician
        .find("[data-testid=plan-updated][data-version='2']")
        .await;
    clinician.click("[data-testid=plan-review]").await;
    clinician
        .find_text(
            "[data-testid=plan-reviewed]",
            "Last reviewed with a clinician",
        )
        .await;
    clinician.click("[data-testid=plan-show-history]").await;
    clinician
        .find("[data-testid=plan-version][data-version='1']")
        .await;
    assert_eq!(clinician.count("[data-testid=plan-version]").await, 2);
    clinician.shot("01-clinician").await;
    // A clinician's crisis panel has the crisis lines and no plan.
    clinician.click("[data-testid=crisis-button]").await;
    clinician
        .find("[data-testid=crisis-panel] .crisis-list")
        .await;
    assert_eq!(clinician.count("[data-testid=crisis-plan]").await, 0);
    clinician.click("#crisis-close").await;

    // The patient sees the clinician's version, and who wrote it.
    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Desktop).await;
    patient.go("/safety-plan").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    patient
        .find_text("[data-testid=safety-plan]", "Pulling away from friends")
        .await;
    patient
        .find_text("[data-testid=plan-updated]", &display(CLINICIAN))
        .await;
    patient
        .find_text(
            "[data-testid=plan-reviewed]",
            "Last reviewed with a clinician",
        )
        .await;
    patient.shot("02-patient-sees").await;

    // On paper: every section, the care team and the crisis lines; no navigation, no
    // buttons.
    patient.find("[data-testid=plan-print]").await;
    patient
        .session(
            http::Method::POST,
            "goog/cdp/execute",
            json!({ "cmd": "Emulation.setEmulatedMedia", "params": { "media": "print" } }),
        )
        .await;
    let paper = patient.js(ON_PAPER, vec![]).await;
    assert_eq!(
        paper,
        json!({ "chrome": [false, false, false], "buttons": false, "sections": 7,
                "care_team": true, "crisis": true }),
        "{}",
        patient.describe().await
    );
    patient.shot("02-print").await;
    patient
        .session(
            http::Method::POST,
            "goog/cdp/execute",
            json!({ "cmd": "Emulation.setEmulatedMedia", "params": { "media": "" } }),
        )
        .await;

    // "Need help now?" opens the plan first, with a way to the whole plan.
    patient.click("[data-testid=crisis-button]").await;
    patient
        .find_text("[data-testid=crisis-plan]", "Pulling away from friends")
        .await;
    patient.click("[data-testid=crisis-plan-link]").await;
    patient.gone("#crisis-panel[open]").await;
    assert_eq!(patient.path().await, "/safety-plan");

    // The patient edits while the clinician saves again: nothing the patient typed is
    // lost, the clinician's version is shown, and saving again keeps the patient's text.
    patient.click("[data-testid=plan-edit]").await;
    add_entry(&patient, "internal_coping", "Music, loud").await;
    put_plan(
        &seeded.clinician,
        &format!("/api/clinician/patients/{PATIENT}/safety-plan"),
        Some("\"2\""),
        plan_body(&[
            "Not sleeping",
            "Pulling away from friends",
            "Skipping meals",
        ]),
    )
    .await
    .expect(200);
    patient.click("[data-testid=plan-save]").await;
    patient
        .find_text("[data-testid=form-error]", "Someone else changed this plan")
        .await;
    patient
        .find_text("[data-testid=plan-conflict]", "Skipping meals")
        .await;
    let kept = patient
        .js(
            "return [...document.querySelectorAll('[data-section=internal_coping] textarea')].map(t => t.value)",
            vec![],
        )
        .await;
    assert_eq!(kept, json!(["Music, loud"]));
    patient.shot("03-conflict").await;
    // The clinician's new entry joins the patient's form; then one save keeps both.
    patient.click("[data-testid=plan-merge]").await;
    let merged = patient
        .js(
            "return [...document.querySelectorAll('[data-section=warning_signs] textarea')].map(t => t.value)",
            vec![],
        )
        .await;
    assert_eq!(
        merged,
        json!([
            "Not sleeping",
            "Pulling away from friends",
            "Skipping meals"
        ])
    );
    patient.click("[data-testid=plan-save]").await;
    patient
        .find("[data-testid=plan-updated][data-version='4']")
        .await;
    let latest = seeded.patient.get("/api/safety-plan").await.expect(200);
    assert_eq!(latest.body["internal_coping"], json!(["Music, loud"]));
    assert_eq!(
        latest.body["warning_signs"],
        json!([
            "Not sleeping",
            "Pulling away from friends",
            "Skipping meals"
        ])
    );
    let versions = seeded
        .patient
        .get("/api/safety-plan/versions")
        .await
        .expect(200);
    assert_eq!(versions.body["versions"].as_array().unwrap().len(), 4);
    patient.assert_clean_console().await;
    clinician.assert_clean_console().await;
    patient.close().await;
    clinician.close().await;
}

/// After a PHQ-9 with item 9 positive the plan is offered, one step away; signing out
/// deletes the plan saved on the device; the alert the care team gets says the plan was
/// never reviewed, and then when it was.
#[tokio::test(flavor = "multi_thread")]
async fn a_risky_result_offers_the_plan_signing_out_deletes_it_and_alerts_show_reviews() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    const TEST: &str = "safety_plan_offer";
    put_plan(
        &seeded.patient,
        "/api/safety-plan",
        None,
        plan_body(&["Not sleeping"]),
    )
    .await
    .expect(200);

    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Phone).await;
    patient.go("/measures/phq9").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    patient.find("[data-testid=questionnaire-phq9]").await;
    patient.settled().await;
    for item in 1..=9 {
        patient.click(&format!("label[for='phq9-{item}-1']")).await;
    }
    patient.click("[data-testid=measure-submit]").await;
    patient.find("[data-testid=offer-safety-plan]").await;
    patient.shot("01-offer").await;
    patient.click("[data-testid=offer-safety-plan-link]").await;
    patient.find("[data-testid=safety-plan]").await;
    assert_eq!(patient.path().await, "/safety-plan");
    // Signing out deletes the plan from the device.
    patient
        .wait_for(
            "the plan saved on the device",
            PLAN_SAVED_IS,
            vec![json!(true)],
        )
        .await;
    patient.go("/settings").await;
    patient.click("[data-testid=signout]").await;
    patient.find("#username").await;
    patient
        .wait_for("the saved plan deleted", PLAN_SAVED_IS, vec![json!(false)])
        .await;
    // Nobody signed in: the crisis panel shows the resources, and no plan.
    patient.click("[data-testid=crisis-button]").await;
    patient
        .find("[data-testid=crisis-panel] .crisis-list")
        .await;
    assert_eq!(
        patient
            .count("[data-testid=crisis-plan]:not([hidden])")
            .await,
        0
    );
    patient.click("#crisis-close").await;

    let clinician = Browser::open(&tools, &server, TEST, "clinician", Viewport::Desktop).await;
    clinician.go("/clinician/alerts").await;
    clinician.sign_in(CLINICIAN, PASSWORD).await;
    clinician
        .find_text(
            "[data-testid=alert-plan-reviewed]",
            "Safety plan last reviewed: never",
        )
        .await;
    let review = seeded.clinician.request(
        reqwest::Method::POST,
        &format!("/api/clinician/patients/{PATIENT}/safety-plan/review"),
    );
    seeded
        .clinician
        .send(seeded.clinician.with_csrf(review))
        .await
        .expect(200);
    clinician.go("/clinician/alerts").await;
    clinician
        .find("[data-testid=alert-plan-reviewed][data-reviewed=true]")
        .await;
    clinician.shot("02-alert").await;
    patient.assert_clean_console().await;
    clinician.assert_clean_console().await;
    patient.close().await;
    clinician.close().await;
}
