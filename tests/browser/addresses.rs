//! Addresses: a screen's address works on reload, from a bookmark and in a new tab, dots
//! in usernames and all; an address that is no screen shows the app's "not found" page.

use crate::browser::*;
use crate::common::*;

/// The clinician's view of a patient whose username has a dot: opened from a bookmark,
/// reloaded, and at its first address; then addresses that are no screen.
#[tokio::test(flavor = "multi_thread")]
async fn dotted_deep_links_reload_to_their_screen_and_unknown_paths_are_not_found() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    seeded
        .patient
        .post("/api/mood", serde_json::json!({ "score": 8 }))
        .await
        .expect(201);
    const TEST: &str = "addresses";
    let mood = format!("/clinician/patients/{PATIENT}/mood");
    let heading = format!("{}: mood over time", display(PATIENT));

    let clinician = Browser::open(&tools, &server, TEST, "clinician", Viewport::Desktop).await;
    // A bookmark, signed out: sign in, then the screen asked for.
    clinician.go(&mood).await;
    clinician.find("[data-testid=signin-notice]").await;
    clinician.sign_in(CLINICIAN, PASSWORD).await;
    clinician.find_text("#main h1", &heading).await;
    clinician
        .find("svg[data-testid=mood-chart][data-points='1']")
        .await;
    clinician.settled().await;
    assert_eq!(clinician.path().await, mood);
    clinician.shot("01-bookmark-after-sign-in").await;

    clinician.wd.refresh().await.unwrap();
    clinician.find_text("#main h1", &heading).await;
    clinician
        .find("svg[data-testid=mood-chart][data-points='1']")
        .await;
    clinician.settled().await;
    assert_eq!(clinician.path().await, mood);
    clinician.shot("02-reloaded").await;

    // The screen's first address, as bookmarked before it moved.
    clinician
        .go(&format!("/clinician/patients/{PATIENT}"))
        .await;
    clinician.find_text("#main h1", &heading).await;
    clinician.settled().await;
    clinician.shot("03-first-address").await;

    // No such screen, and no such file: the app's own page, signed in or not.
    for (step, path) in [
        ("04-no-screen", "/clinician/patients/sam.patient/notes"),
        ("05-no-file", "/views/missing.js"),
    ] {
        clinician.go(path).await;
        clinician
            .find_text("#main h1", "We could not find that page")
            .await;
        assert_eq!(clinician.path().await, path);
        assert_eq!(
            clinician.js("return document.title", vec![]).await,
            "Page not found – Healing Space"
        );
        assert_eq!(clinician.count("[data-testid=crisis-button]").await, 1);
        clinician.shot(step).await;
    }
    clinician.click("#main a.button").await;
    clinician.find("[data-testid=greeting]").await;
    assert_eq!(clinician.path().await, "/");
    clinician.assert_clean_console().await;
    clinician.close().await;
}

/// Loading the home page fetches its data while the session is being restored, and the
/// screen uses that answer rather than asking again. Signed out, the early answer (a 401)
/// is never shown: the person signs in and sees their home with its data.
#[tokio::test(flavor = "multi_thread")]
async fn the_home_page_fetches_its_data_once_while_the_session_is_restored() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    seeded
        .patient
        .post("/api/mood", serde_json::json!({ "score": 7 }))
        .await
        .expect(201);
    const TEST: &str = "first-data";
    // One request for the data, started before the session's status had answered.
    let fetched_once_and_early = "const entries = performance.getEntriesByType('resource');\
        const at = (path) => entries.filter((e) => new URL(e.name).pathname === path);\
        const data = at('/api/home/data'), status = at('/api/auth/status');\
        return data.length === 1 && status.length === 1\
          && data[0].startTime < status[0].responseEnd";

    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Desktop).await;
    patient.go("/").await;
    patient.find("#username").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    patient.find("[data-testid=checked-in-today]").await;
    assert_eq!(patient.path().await, "/");
    patient.shot("01-signed-in").await;

    patient.wd.refresh().await.unwrap();
    patient.find("[data-testid=checked-in-today]").await;
    patient.settled().await;
    assert_eq!(
        patient.js(fetched_once_and_early, vec![]).await,
        serde_json::json!(true)
    );
    patient.shot("02-reloaded").await;
    patient.assert_clean_console().await;
    patient.close().await;
}
