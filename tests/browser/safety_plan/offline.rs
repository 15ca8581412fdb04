//! Offline: the patient's plan, written in the browser (across the clinician's first
//! version: a 428), opens from "Need help now?" with no network at all, on the page and
//! after a reload.

use super::{add_entry, plan_body, plan_text, put_plan, SECTIONS};
use crate::browser::*;
use crate::common::*;
use serde_json::{json, Value};

/// `true` when the page fits the phone's 360 px.
const FITS_360: &str =
    "return window.innerWidth === 360 && document.documentElement.scrollWidth <= 360;";

/// Whether the plan saved in the service worker's cache is version `arguments[0]` (read
/// into a global, since the Cache API answers later; call until it is).
const SAVED_PLAN_IS_VERSION: &str = "
    caches.open('hs-plan-v1').then((c) => c.match('/api/safety-plan'))
        .then((r) => (r ? r.json() : null)).then((p) => { window.__savedPlan = p; });
    return !!window.__savedPlan && window.__savedPlan.version === arguments[0];";

/// What every cache holds: {cache name: [paths]}.
const CACHED: &str = "
    (async () => {
        const all = {};
        for (const name of await caches.keys()) {
            const keys = await (await caches.open(name)).keys();
            all[name] = keys.map((r) => new URL(r.url).pathname);
        }
        window.__cached = all;
    })();
    return window.__cached || null;";

/// No network at all: Chromium's emulation for the page, and the server stopped.
async fn go_offline(browser: &Browser, server: &mut App) {
    let conditions =
        json!({ "offline": true, "latency": 0, "download_throughput": 0, "upload_throughput": 0 });
    browser
        .session(
            http::Method::POST,
            "chromium/network_conditions",
            json!({ "network_conditions": conditions }),
        )
        .await;
    browser
        .session(
            http::Method::POST,
            "goog/cdp/execute",
            json!({ "cmd": "Network.emulateNetworkConditions", "params": {
                "offline": true, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0 } }),
        )
        .await;
    let online = browser.js("return navigator.onLine", vec![]).await;
    assert_eq!(
        online,
        json!(false),
        "Chromium's network emulation is offline"
    );
    server.stop().await.expect("the server stops");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patient_writes_a_plan_and_opens_it_offline_from_the_crisis_panel() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let mut server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    const TEST: &str = "safety_plan_offline";

    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Phone).await;
    patient.go("/").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    // The service worker controls the page once it has installed the app's files.
    patient
        .wait_for(
            "the service worker",
            "return !!navigator.serviceWorker.controller",
            vec![],
        )
        .await;
    patient.click("[data-testid=home-safety-plan]").await;
    patient.find("[data-testid=plan-empty]").await;
    patient.settled().await;
    assert_eq!(patient.path().await, "/safety-plan");
    // The sections in the Stanley-Brown order, section 5 with the care team and the
    // crisis lines even before anything is written.
    let order = patient
        .js(
            "return [...document.querySelectorAll('[data-testid=plan-section]')].map(s => s.dataset.section)",
            vec![],
        )
        .await;
    assert_eq!(order, json!(SECTIONS));
    let empty = plan_text(&patient).await;
    assert!(
        empty.contains("5. Professionals and services I can contact"),
        "{empty}"
    );
    assert!(empty.contains(&display(CLINICIAN)), "{empty}");
    assert!(empty.contains("Samaritans"), "{empty}");
    patient.shot("01-empty").await;

    patient.click("[data-testid=plan-edit]").await;
    patient.find("[data-testid=plan-editor]").await;
    add_entry(&patient, "warning_signs", "Staying in bed all day").await;
    add_entry(&patient, "warning_signs", "Not answering my phone").await;
    add_entry(&patient, "internal_coping", "A walk by the river").await;
    add_entry(&patient, "people_to_ask", "Alex, 07700 900123").await;
    add_entry(&patient, "reasons_for_living", "My dog, Biscuit").await;
    // Every entry has its label; a removed entry is gone before saving.
    let unlabelled = patient
        .js(
            "return [...document.querySelectorAll('[data-testid=plan-editor] textarea')]
                .filter(t => !document.querySelector(`label[for=\"${t.id}\"]`)).length",
            vec![],
        )
        .await;
    assert_eq!(unlabelled, json!(0));
    patient
        .click("[data-section=warning_signs] [data-testid=plan-edit-entry]:nth-child(2) [data-testid=plan-remove]")
        .await;
    assert_eq!(
        patient.js(FITS_360, vec![]).await,
        json!(true),
        "the editor fits 360 px"
    );
    patient.shot("02-editing").await;
    // Meanwhile the clinician writes the first version: the patient's save, made from no
    // plan at all, is told so (428), keeps its text, shows that version, and saves next.
    put_plan(
        &seeded.clinician,
        &format!("/api/clinician/patients/{PATIENT}/safety-plan"),
        None,
        plan_body(&["Cancelling plans"]),
    )
    .await
    .expect(200);
    patient.click("[data-testid=plan-save]").await;
    patient
        .find_text(
            "[data-testid=form-error]",
            "This plan changed before your changes were saved",
        )
        .await;
    patient
        .find_text("[data-testid=plan-conflict]", "Cancelling plans")
        .await;
    patient.click("[data-testid=plan-save]").await;
    patient
        .find_text("[data-testid=plan-updated]", "Last changed by you")
        .await;
    patient.settled().await;
    let text = plan_text(&patient).await;
    for entry in [
        "Staying in bed all day",
        "A walk by the river",
        "Alex, 07700 900123",
        "My dog, Biscuit",
    ] {
        assert!(text.contains(entry), "{entry} in {text}");
    }
    assert!(!text.contains("Not answering my phone"), "{text}");
    assert_eq!(
        patient.js(FITS_360, vec![]).await,
        json!(true),
        "the plan fits 360 px"
    );
    patient.shot("03-saved").await;

    // What the server keeps is what the patient wrote.
    let saved = seeded.patient.get("/api/safety-plan").await.expect(200);
    assert_eq!(saved.body["version"], json!(2));
    assert_eq!(
        saved.body["warning_signs"],
        json!(["Staying in bed all day"])
    );
    assert_eq!(saved.body["reasons_for_living"], json!(["My dog, Biscuit"]));

    // The device keeps the app and the latest plan, and no other answer of the API.
    patient
        .wait_for(
            "the latest plan saved on the device",
            SAVED_PLAN_IS_VERSION,
            vec![json!(2)],
        )
        .await;
    let cached = patient.wait_for("the caches", CACHED, vec![]).await;
    assert_eq!(
        cached["hs-plan-v1"],
        json!(["/api/safety-plan"]),
        "{cached}"
    );
    let shell: Vec<&str> = cached["hs-shell-v1"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        // The app at its hashed address (`/app.<hash>.js`), as the page names it.
        shell.contains(&"/index.html")
            && shell
                .iter()
                .any(|path| path.starts_with("/app.") && path.len() == "/app.js".len() + 17),
        "{shell:?}"
    );
    assert!(
        !shell.iter().any(|path| path.starts_with("/api/")),
        "{shell:?}"
    );
    assert_eq!(cached.as_object().unwrap().len(), 2, "{cached}");

    go_offline(&patient, &mut server).await;
    // Still on the page: the panel opens the plan first, then the crisis lines.
    patient.click("[data-testid=crisis-button]").await;
    patient
        .find_text("[data-testid=crisis-plan]", "Staying in bed all day")
        .await;
    patient.find("[data-testid=crisis-plan-offline]").await;
    let panel = patient
        .js(
            "return document.querySelector('[data-testid=crisis-panel]').innerText",
            vec![],
        )
        .await;
    let panel = panel.as_str().unwrap_or_default();
    let plan_at = panel
        .find("My dog, Biscuit")
        .expect("the plan in the panel");
    let crisis_at = panel
        .find("Samaritans")
        .expect("the crisis lines in the panel");
    assert!(plan_at < crisis_at, "the plan comes first: {panel}");
    patient.shot("04-offline-panel").await;
    patient.click("#crisis-close").await;

    // A reload with no network: the app opens from the device, and so does the plan.
    patient.go("/safety-plan").await;
    patient.find("[data-testid=offline-help]").await;
    patient.click("[data-testid=crisis-button]").await;
    patient
        .find_text("[data-testid=crisis-plan]", "A walk by the river")
        .await;
    patient
        .find_text("[data-testid=crisis-panel]", "Samaritans")
        .await;
    patient.shot("05-offline-reload").await;
    patient.assert_clean_console().await;
    patient.close().await;
}
