//! Narrow screens: every screen, for every role, at 320 px (the narrowest phone in use)
//! and at 375 and 768 px, fits its width: nothing scrolls sideways and the "Need help
//! now?" button is whole.

use crate::browser::*;
use crate::common::*;
use serde_json::{json, Value};

const WIDTHS: [u32; 3] = [320, 375, 768];

/// How the page fits the viewport, and the first elements that stick out of the width
/// asked for, `arguments[0]` (for the failure message: a page too wide for a phone's
/// viewport widens the viewport instead).
const MEASURE: &str = "
    const width = window.innerWidth;
    const asked = arguments[0];
    const box = (el) => el.getBoundingClientRect();
    const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (typeof el.className === 'string' && el.className.trim()
            ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    const crisis = box(document.querySelector('[data-testid=crisis-button]'));
    const sticking = [...document.querySelectorAll('body *')]
        .filter((el) => box(el).width > 0 && (box(el).right > asked + 0.5 || box(el).left < -0.5))
        .filter((el) => !el.closest('.visually-hidden'))
        .slice(0, 6)
        .map((el) => `${name(el)} ${Math.round(box(el).left)}..${Math.round(box(el).right)}`);
    return {
        width,
        scroll_width: document.documentElement.scrollWidth,
        crisis_left: crisis.left,
        crisis_right: crisis.right,
        crisis_width: crisis.width,
        sticking,
    };";

/// The viewport's width, as a phone of that width shows the page.
async fn set_width(browser: &Browser, width: u32) {
    let params = json!({ "width": width, "height": 740, "deviceScaleFactor": 1, "mobile": true });
    browser
        .session(
            http::Method::POST,
            "goog/cdp/execute",
            json!({ "cmd": "Emulation.setDeviceMetricsOverride", "params": params }),
        )
        .await;
}

/// Opens each screen (the path, and an element that shows it is there) and measures it
/// at every width; what does not fit is added to `misfits`.
async fn measure_screens(
    browser: &Browser,
    who: &str,
    screens: &[(&str, &str)],
    misfits: &mut Vec<String>,
) {
    for (path, ready) in screens {
        set_width(browser, WIDTHS[0]).await;
        browser.go(path).await;
        browser.find(ready).await;
        browser.settled().await;
        for width in WIDTHS {
            set_width(browser, width).await;
            let found: Value = browser.js(MEASURE, vec![json!(width)]).await;
            let screen = match path.trim_matches('/') {
                "" => "home".to_owned(),
                path => path.replace('/', "_"),
            };
            let step = format!("{who}-{width}-{screen}");
            browser.shot(&step).await;
            let fits = found["width"] == json!(width)
                && found["scroll_width"].as_f64() <= found["width"].as_f64()
                && found["crisis_left"].as_f64() >= Some(0.0)
                && found["crisis_right"].as_f64() <= found["width"].as_f64()
                && found["crisis_width"].as_f64() > Some(0.0);
            if !fits {
                misfits.push(format!("{who} at {width} px on {path}: {found}"));
            }
        }
    }
}

/// Everything a person sees, made as long as real names and messages get.
async fn seed_long_content(seeded: &Seeded, server: &App) -> i64 {
    let long = "Thanks, this helps a lot: https://example.org/a-rather-long-address/without-any-spaces-in-it-at-all?and=more";
    let sent = seeded
        .patient
        .post(
            "/api/messages/send",
            json!({ "recipient": CLINICIAN, "subject": "A subject that goes on for quite a while, as some do", "content": long }),
        )
        .await
        .expect(201);
    seeded
        .patient
        .post(
            "/api/support",
            json!({ "content": "Where do I change my email address?" }),
        )
        .await
        .expect(201);
    seeded
        .patient
        .post(
            "/api/mood",
            json!({ "score": 6, "note": long, "sleep_hours": 7 }),
        )
        .await
        .expect(201);
    seeded
        .patient
        .post(
            "/api/feedback",
            json!({ "category": "bug", "message": long }),
        )
        .await
        .expect(201);
    // A PHQ-9 with item 9 positive: a result to show, and an urgent alert.
    let answers: serde_json::Map<String, Value> =
        (1..=9).map(|i| (i.to_string(), json!(1))).collect();
    seeded
        .patient
        .post(
            "/api/measures/phq9/responses",
            json!({ "answers": answers }),
        )
        .await
        .expect(201);
    // A request waiting for the clinician, and a clinician waiting for the administrator.
    Client::new(server)
        .register(
            "alexandra.montgomery-smythe",
            json!({ "clinician": CLINICIAN }),
        )
        .await
        .expect(201);
    Client::new(server)
        .register("dr.waiting", json!({ "role": "clinician" }))
        .await
        .expect(201);
    sent.body["conversation_id"].as_i64().unwrap()
}

/// A safety plan with an entry of one long unbroken word, which must wrap.
async fn seed_long_plan(seeded: &Seeded) {
    let mut plan = json!({});
    for key in [
        "warning_signs",
        "internal_coping",
        "social_distraction",
        "people_to_ask",
        "professionals",
        "environment_safety",
        "reasons_for_living",
    ] {
        plan[key] = json!([]);
    }
    plan["warning_signs"] = json!(["Thinking about it", "x".repeat(200)]);
    let put = seeded
        .patient
        .request(reqwest::Method::PUT, "/api/safety-plan")
        .json(&plan);
    seeded
        .patient
        .send(seeded.patient.with_csrf(put))
        .await
        .expect(200);
}

/// At 320, 375 and 768 px, every screen of every role fits: no sideways scrolling, and
/// the "Need help now?" button inside the viewport.
#[tokio::test(flavor = "multi_thread")]
async fn every_screen_fits_from_320_px_up() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    let conversation = seed_long_content(&seeded, &server).await;
    seed_long_plan(&seeded).await;
    const TEST: &str = "narrow";
    let mut misfits = Vec::new();

    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Phone).await;
    measure_screens(
        &patient,
        "signed-out",
        &[
            ("/signin", "#username"),
            ("/register", "#reg-username"),
            ("/forgot-password", "#forgot-who"),
            ("/reset-password", "[data-testid=link-problem]"),
            ("/verify-email", "[data-testid=email-problem]"),
            ("/no/such/page", "#main h1"),
        ],
        &mut misfits,
    )
    .await;
    patient.go("/").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    let messages = format!("/messages/{conversation}");
    measure_screens(
        &patient,
        "patient",
        &[
            ("/", "[data-testid=home-checkin]"),
            ("/messages", "[data-testid=conversation-item]"),
            ("/messages/new", "#recipient"),
            (&messages, "[data-testid=message]"),
            ("/support", "#support-content"),
            ("/mood", "[data-testid=mood-entry]"),
            ("/measures", "[data-testid=instrument]"),
            ("/measures/phq9", "[data-testid=questionnaire-phq9]"),
            ("/measures/cssrs", "[data-testid=questionnaire-cssrs]"),
            ("/feedback", "[data-testid=feedback-item]"),
            ("/settings", "[data-testid=device]"),
            ("/safety-plan", "[data-testid=plan-entry]"),
            ("/safety-plan?edit=1", "[data-testid=plan-editor]"),
        ],
        &mut misfits,
    )
    .await;
    // The crisis panel itself, open at 320 px: whole, and the page still does not
    // scroll sideways.
    set_width(&patient, 320).await;
    patient.click("[data-testid=crisis-button]").await;
    patient
        .find("[data-testid=crisis-panel] .crisis-list")
        .await;
    let panel = patient
        .js(
            "const r = document.getElementById('crisis-panel').getBoundingClientRect();
             return [r.left >= 0 && r.right <= window.innerWidth, window.innerWidth,
                     document.documentElement.scrollWidth];",
            vec![],
        )
        .await;
    assert_eq!(panel, json!([true, 320, 320]), "the crisis panel at 320 px");
    patient.shot("patient-320-crisis-panel").await;
    // The close-account dialog in Settings, open at 320 px: whole, no sideways scrolling.
    patient.go("/settings").await;
    set_width(&patient, 320).await;
    patient.click("[data-testid=close-account]").await;
    patient
        .find("[data-testid=close-dialog] #close-password")
        .await;
    let dialog = patient
        .js(
            "const r = document.querySelector('[data-testid=close-dialog]').getBoundingClientRect();
             return [r.left >= 0 && r.right <= window.innerWidth, window.innerWidth,
                     document.documentElement.scrollWidth];",
            vec![],
        )
        .await;
    assert_eq!(
        dialog,
        json!([true, 320, 320]),
        "the close dialog at 320 px"
    );
    patient.shot("patient-320-close-dialog").await;
    patient.assert_clean_console().await;
    patient.close().await;

    let clinician = Browser::open(&tools, &server, TEST, "clinician", Viewport::Phone).await;
    clinician.go("/").await;
    clinician.sign_in(CLINICIAN, PASSWORD).await;
    let mood = format!("/clinician/patients/{PATIENT}/mood");
    let overview = format!("/clinician/patients/{PATIENT}/overview");
    let plan = format!("/clinician/patients/{PATIENT}/safety-plan");
    measure_screens(
        &clinician,
        "clinician",
        &[
            ("/", "[data-testid=greeting]"),
            ("/clinician", "[data-testid=care-request]"),
            (&mood, "[data-testid=mood-chart]"),
            ("/clinician/alerts", "[data-testid=alert]"),
            (&overview, "[data-testid=patient-instrument-latest]"),
            (&plan, "[data-testid=plan-entry]"),
            (&messages, "[data-testid=message]"),
        ],
        &mut misfits,
    )
    .await;
    clinician.close().await;

    let admin = Browser::open(&tools, &server, TEST, "admin", Viewport::Phone).await;
    admin.go("/").await;
    admin.sign_in("admin", PASSWORD).await;
    measure_screens(
        &admin,
        "admin",
        &[
            ("/", "[data-testid=greeting]"),
            ("/messages", "[data-testid=conversation-item]"),
            ("/admin", "[data-testid=approve-user]"),
            ("/admin/feedback", "[data-testid=admin-feedback]"),
            ("/admin/audit", "[data-testid=audit-entry]"),
        ],
        &mut misfits,
    )
    .await;
    admin.assert_clean_console().await;
    admin.close().await;

    assert!(
        misfits.is_empty(),
        "screens that do not fit:\n{}",
        misfits.join("\n")
    );
}
