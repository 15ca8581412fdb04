//! Messaging in the browser: a patient and their clinician write to each other, and a
//! long conversation pages back; a server that cannot be reached is explained.

use crate::browser::*;
use crate::common::*;
use serde_json::json;

/// The seed flow: a patient writes to their clinician, who sees the badge and replies.
#[tokio::test(flavor = "multi_thread")]
async fn a_patient_and_their_clinician_exchange_messages() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    const TEST: &str = "messages";

    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Desktop).await;
    patient.go("/").await;
    patient.find("#username").await;
    patient.shot("01-patient-signin").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    patient.find("[data-testid=greeting]").await;
    patient.settled().await;
    patient.shot("02-patient-home").await;

    patient.click("[data-testid=nav-messages]").await;
    patient.find("[data-testid=inbox-empty]").await;
    patient.settled().await;
    assert_eq!(patient.path().await, "/messages");
    patient.shot("03-patient-inbox").await;

    patient.click("[data-testid=new-message]").await;
    patient.choose("#recipient", CLINICIAN).await;
    patient.fill("#subject", "This week").await;
    patient
        .fill(
            "#message-content",
            "Hello, the new routine is helping.\nSleeping a little better.",
        )
        .await;
    patient.shot("04-patient-new-message").await;
    patient.click("[data-testid=send-message]").await;
    patient
        .find_text("[data-testid=message]", "the new routine is helping")
        .await;
    patient.settled().await;
    patient.shot("05-patient-conversation").await;
    // Away from the conversation (an open one would show the reply live and read it).
    patient.click("[data-testid=nav-home]").await;
    patient.find("[data-testid=home-checkin]").await;

    let clinician = Browser::open(&tools, &server, TEST, "clinician", Viewport::Desktop).await;
    clinician.go("/messages").await;
    clinician.find("[data-testid=signin-notice]").await;
    clinician.sign_in(CLINICIAN, PASSWORD).await;
    // Signing in returns to the screen asked for.
    clinician.find("[data-testid=conversation-item]").await;
    assert_eq!(clinician.path().await, "/messages");
    clinician.find_text("[data-testid=unread-badge]", "1").await;
    clinician
        .find("[data-testid=conversation-item][data-unread='1']")
        .await;
    clinician.settled().await;
    clinician.shot("06-clinician-inbox").await;

    clinician.click("[data-testid=conversation-item]").await;
    clinician
        .find_text("[data-testid=message]", "the new routine is helping")
        .await;
    // Opening the conversation marked it read.
    clinician.gone("[data-testid=unread-badge]").await;
    clinician
        .fill("#reply", "Glad to hear it. Let's talk on Thursday.")
        .await;
    clinician.click("[data-testid=reply-send]").await;
    clinician
        .find_text(
            "[data-testid=message][data-from-me=true]",
            "talk on Thursday",
        )
        .await;
    clinician.settled().await;
    clinician.shot("07-clinician-replied").await;

    // The reply reaches the patient's badge as it is sent; their inbox shows it unread.
    patient.find_text("[data-testid=unread-badge]", "1").await;
    patient.click("[data-testid=nav-messages]").await;
    patient
        .find("[data-testid=conversation-item][data-unread='1']")
        .await;
    patient.shot("08-patient-inbox-reply").await;
    patient.click("[data-testid=conversation-item]").await;
    patient
        .find_text(
            "[data-testid=message][data-from-me=false]",
            "talk on Thursday",
        )
        .await;
    assert_eq!(patient.count("[data-testid=message]").await, 2);
    patient.gone("[data-testid=unread-badge]").await;
    patient.shot("09-patient-reads-reply").await;

    // Once the patient has left the care team, the conversation stays readable and says
    // why there is no reply box.
    seeded
        .patient
        .delete(&format!("/api/care-team/{CLINICIAN}"))
        .await
        .expect(200);
    let conversation = patient.path().await;
    patient.go(&conversation).await;
    patient
        .find_text("[data-testid=cannot-reply]", "can no longer send messages")
        .await;
    patient.gone("#reply").await;
    assert_eq!(patient.count("[data-testid=message]").await, 2);
    patient.shot("10-patient-left-care-team").await;

    patient.assert_clean_console().await;
    clinician.assert_clean_console().await;
    patient.close().await;
    clinician.close().await;
}

/// A long conversation pages back; a server that cannot be reached gets an explanation,
/// never a blank screen.
#[tokio::test(flavor = "multi_thread")]
async fn long_conversations_page_back_and_failures_are_explained() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let mut server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    let first = seeded
        .patient
        .post(
            "/api/messages/send",
            json!({ "recipient": CLINICIAN, "content": "Message 1 of 60" }),
        )
        .await
        .expect(201);
    let conversation = first.body["conversation_id"].as_i64().unwrap();
    for n in 2..=60 {
        let sender = if n % 2 == 0 {
            &seeded.clinician
        } else {
            &seeded.patient
        };
        sender
            .post(
                "/api/messages/send",
                json!({ "conversation_id": conversation, "content": format!("Message {n} of 60") }),
            )
            .await
            .expect(201);
    }
    const TEST: &str = "long_conversation";

    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Desktop).await;
    patient.go(&format!("/messages/{conversation}")).await;
    patient.sign_in(PATIENT, PASSWORD).await;
    patient
        .find_text("[data-testid=message]", "Message 60 of 60")
        .await;
    patient.settled().await;
    assert_eq!(patient.count("[data-testid=message]").await, 50);
    patient.shot("01-newest-page").await;
    patient.click("[data-testid=load-earlier]").await;
    patient
        .wait_for(
            "all 60 messages",
            "return document.querySelectorAll('[data-testid=message]').length === 60",
            vec![],
        )
        .await;
    let order = patient
        .js(
            "return [...document.querySelectorAll('[data-testid=message] .content')]
                 .map(e => e.textContent)",
            vec![],
        )
        .await;
    let expected: Vec<String> = (1..=60).map(|n| format!("Message {n} of 60")).collect();
    assert_eq!(order, json!(expected), "oldest first, no gaps, no repeats");
    assert_eq!(patient.count("[data-testid=load-earlier]").await, 0);
    patient.shot("02-all-loaded").await;

    // The server goes away: the next screen says what happened and what to do.
    server.stop().await.expect("the server stops");
    patient.click("[data-testid=nav-home]").await;
    patient
        .find_text("[data-testid=error]", "could not reach Healing Space")
        .await;
    patient
        .find_text("[data-testid=error] button", "Try again")
        .await;
    patient.shot("03-server-unreachable").await;
    patient.assert_clean_console().await;
    patient.close().await;
}
