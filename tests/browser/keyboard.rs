//! The keyboard alone: signing in and sending a message with Tab, Enter and typing.

use crate::browser::*;
use crate::common::*;
use fantoccini::key::Key;
use serde_json::json;

/// Signing in and sending a message with the keyboard alone: Tab, Enter and typing.
#[tokio::test(flavor = "multi_thread")]
async fn signing_in_and_sending_a_message_work_with_the_keyboard_alone() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    const TEST: &str = "keyboard";

    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Desktop).await;
    patient.go("/").await;
    patient.find("#username").await;
    patient.tab_to("#username").await;
    patient.type_text(PATIENT).await;
    patient.press(&[Key::Tab.into()]).await;
    assert!(patient.focused_matches("#password").await);
    patient.type_text(PASSWORD).await;
    patient.shot("01-signin-typed").await;
    patient.press(&[Key::Enter.into()]).await;
    patient.find("[data-testid=greeting]").await;
    patient.settled().await;
    patient.shot("02-home").await;

    patient.tab_to("[data-testid=nav-messages]").await;
    patient.press(&[Key::Enter.into()]).await;
    patient.find("[data-testid=inbox-empty]").await;
    patient.tab_to("[data-testid=new-message]").await;
    patient.press(&[Key::Enter.into()]).await;
    patient.find("#recipient").await;
    patient.settled().await;

    patient.tab_to("#recipient").await;
    // Typing on a focused list picks the first entry that starts with it.
    patient.type_text("dr").await;
    let chosen = patient
        .js("return document.querySelector('#recipient').value", vec![])
        .await;
    assert_eq!(chosen, json!(CLINICIAN), "{}", patient.describe().await);
    patient.press(&[Key::Tab.into()]).await;
    assert!(patient.focused_matches("#subject").await);
    patient.type_text("From the keyboard").await;
    patient.tab_to("#message-content").await;
    patient.type_text("Sent without touching the mouse.").await;
    patient.tab_to("[data-testid=send-message]").await;
    // Focus is visible on the button about to be pressed.
    let outline = patient
        .js(
            "const s = getComputedStyle(document.activeElement);
             return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;",
            vec![],
        )
        .await;
    assert_eq!(outline, json!(true), "a visible focus ring");
    patient.shot("03-compose-focused-send").await;
    patient.press(&[Key::Enter.into()]).await;
    patient
        .find_text("[data-testid=message]", "without touching the mouse")
        .await;
    patient.settled().await;
    patient.shot("04-sent").await;

    // And the reply box is reachable too; Ctrl+Enter sends.
    patient.tab_to("#reply").await;
    patient.type_text("And a second one.").await;
    patient.chord(Key::Control, Key::Enter).await;
    patient
        .find_text("[data-testid=message]", "a second one")
        .await;
    patient.shot("05-replied").await;

    let inbox = seeded
        .clinician
        .get("/api/messages/inbox")
        .await
        .expect(200);
    assert_eq!(
        inbox.body["conversations"][0]["subject"],
        "From the keyboard"
    );
    assert_eq!(inbox.body["total_unread"], 2);
    assert_eq!(
        inbox.body["conversations"][0]["other"]["display_name"],
        display(PATIENT)
    );
    patient.assert_clean_console().await;
    patient.close().await;
}
