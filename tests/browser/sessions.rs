//! Sessions in the browser: one survives a restart of the real server process, and
//! signing out everywhere else explains itself to the other browser.

use crate::browser::*;
use crate::common::*;
use fantoccini::Locator;
use serde_json::json;

/// A restart between two steps: the browser stays signed in and the next click works.
#[tokio::test]
async fn the_browser_stays_signed_in_across_a_server_restart() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let mut server = Server::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    const TEST: &str = "restart";

    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Desktop).await;
    patient.go("/messages/new").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    patient.choose("#recipient", CLINICIAN).await;
    patient
        .fill(
            "#message-content",
            "Written before the restart, sent after it.",
        )
        .await;
    patient.shot("01-before-restart").await;

    server.restart(&[]).await;

    patient.click("[data-testid=send-message]").await;
    patient
        .find_text("[data-testid=message]", "sent after it")
        .await;
    patient.settled().await;
    assert_eq!(patient.count("[data-testid=signin-notice]").await, 0);
    patient.shot("02-sent-after-restart").await;

    patient.click("[data-testid=nav-mood]").await;
    patient.find("[data-testid=mood-chart]").await;
    patient.settled().await;
    assert_eq!(patient.path().await, "/mood");
    patient.shot("03-next-screen").await;

    let inbox = seeded
        .clinician
        .get("/api/messages/inbox")
        .await
        .expect(200);
    assert_eq!(inbox.body["total_unread"], 1, "{}", inbox.body);
    patient.assert_clean_console().await;
    patient.close().await;
}

/// "Sign out everywhere else" in one browser: the other says why on its next action, and
/// after signing in again continues on the same screen, unsent reply included.
#[tokio::test(flavor = "multi_thread")]
async fn signing_out_everywhere_else_explains_itself_and_returns_to_the_same_screen() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    let sent = seeded
        .patient
        .post(
            "/api/messages/send",
            json!({ "recipient": CLINICIAN, "subject": "Appointments", "content": "Can we move Thursday?" }),
        )
        .await
        .expect(201);
    let conversation = sent.body["conversation_id"].as_i64().unwrap();
    // Only the two browsers are signed in as the patient.
    seeded
        .patient
        .post("/api/auth/logout", json!({}))
        .await
        .expect(200);
    const TEST: &str = "signout_elsewhere";

    let first = Browser::open(&tools, &server, TEST, "first", Viewport::Desktop).await;
    first.go("/").await;
    first.sign_in(PATIENT, PASSWORD).await;
    first.click("[data-testid=nav-messages]").await;
    first.click("[data-testid=conversation-item]").await;
    first
        .find_text("[data-testid=message]", "move Thursday")
        .await;
    first.fill("#reply", "Friday works too.").await;
    first.shot("01-first-writing").await;

    let second = Browser::open(&tools, &server, TEST, "second", Viewport::Desktop).await;
    second.go("/settings").await;
    second.sign_in(PATIENT, PASSWORD).await;
    second.find("[data-testid=devices]").await;
    second.settled().await;
    assert_eq!(second.path().await, "/settings");
    second
        .wait_for(
            "two signed-in devices",
            "return document.querySelectorAll('[data-testid=device]').length === 2",
            vec![],
        )
        .await;
    second.shot("02-second-devices").await;
    // The other device is named here, and shows the network it signed in from.
    let other = "[data-testid=device][data-current=false]";
    second
        .click(&format!("{other} [data-testid=device-rename]"))
        .await;
    second
        .fill(&format!("{other} input[name=name]"), "Kitchen laptop")
        .await;
    second
        .click(&format!("{other} [data-testid=device-name-save]"))
        .await;
    second
        .find_text(
            &format!("{other} [data-testid=device-title]"),
            "Kitchen laptop",
        )
        .await;
    second
        .find_text(&format!("{other} .row-meta"), "from 127.0.0.x")
        .await;
    second.settled().await;
    second.click("[data-testid=signout-others]").await;
    second
        .find_text(
            "[data-testid=form-error][data-kind=success]",
            "1 other device",
        )
        .await;
    second
        .wait_for(
            "one signed-in device",
            "return document.querySelectorAll('[data-testid=device]').length === 1",
            vec![],
        )
        .await;
    second.shot("03-second-signed-out-others").await;

    // The first browser's next action: sending the reply it was writing.
    if first.count("[data-testid=reply-send]").await > 0 {
        let _ = first
            .wd
            .find(Locator::Css("[data-testid=reply-send]"))
            .await
            .unwrap()
            .click()
            .await;
    }
    first
        .find_text(
            "[data-testid=signin-notice]",
            "You signed out on another device.",
        )
        .await;
    assert_eq!(first.path().await, "/signin");
    first.shot("04-first-told-why").await;

    first.sign_in(PATIENT, PASSWORD).await;
    first
        .find_text("[data-testid=message]", "move Thursday")
        .await;
    assert_eq!(
        first.path().await,
        format!("/messages/{conversation}"),
        "back on the same screen"
    );
    let draft = first
        .js("return document.querySelector('#reply').value", vec![])
        .await;
    assert_eq!(
        draft, "Friday works too.",
        "the unsent reply is still there"
    );
    first.click("[data-testid=reply-send]").await;
    first
        .find_text(
            "[data-testid=message][data-from-me=true]",
            "Friday works too.",
        )
        .await;
    first.settled().await;
    first.shot("05-first-continues").await;

    // The second browser is still signed in.
    second.click("[data-testid=nav-home]").await;
    second.find("[data-testid=greeting]").await;
    second.settled().await;

    first.assert_clean_console().await;
    second.assert_clean_console().await;
    first.close().await;
    second.close().await;
}
