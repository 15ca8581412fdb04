//! "Contact support" in the browser: the administrator is not among the recipients; a
//! patient writes to support and the administrator finds it in their inbox.

use crate::browser::*;
use crate::common::*;

/// A patient contacts support from Messages; the administrator reads it and replies.
#[tokio::test(flavor = "multi_thread")]
async fn a_patient_contacts_support_and_the_administrator_answers() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    seed(&server, &db).await;
    const TEST: &str = "support";

    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Phone).await;
    patient.go("/messages/new").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    patient.find("#recipient").await;
    patient.settled().await;
    let offered = patient
        .js(
            "return [...document.querySelectorAll('#recipient option')].map(o => o.value).filter(Boolean)",
            vec![],
        )
        .await;
    assert_eq!(
        offered,
        serde_json::json!([CLINICIAN]),
        "no administrator offered"
    );
    patient.shot("01-recipients").await;

    patient.click("[data-testid=nav-messages]").await;
    patient.click("[data-testid=contact-support]").await;
    patient.find("#support-content").await;
    assert_eq!(patient.path().await, "/support");
    patient.fill("#support-subject", "Changing my email").await;
    patient
        .fill("#support-content", "How do I change my email address?")
        .await;
    patient.shot("02-contact-support").await;
    patient.click("[data-testid=support-send]").await;
    patient
        .find_text(
            "[data-testid=message][data-from-me=true]",
            "change my email address",
        )
        .await;
    patient.find("#reply").await;
    patient.settled().await;
    assert!(patient.path().await.starts_with("/messages/"));
    patient.shot("03-sent-to-support").await;

    let admin = Browser::open(&tools, &server, TEST, "admin", Viewport::Desktop).await;
    admin.go("/messages").await;
    admin.sign_in("admin", PASSWORD).await;
    admin
        .find("[data-testid=conversation-item][data-unread='1']")
        .await;
    admin
        .find_text("[data-testid=conversation-item]", "Changing my email")
        .await;
    assert_eq!(
        admin.count("[data-testid=contact-support]").await,
        0,
        "support is theirs"
    );
    admin.shot("04-admin-inbox").await;
    admin.click("[data-testid=conversation-item]").await;
    admin
        .find_text("[data-testid=message]", "change my email address")
        .await;
    admin.fill("#reply", "Settings, under Account.").await;
    admin.click("[data-testid=reply-send]").await;
    admin
        .find_text("[data-testid=message][data-from-me=true]", "under Account")
        .await;
    admin.settled().await;
    admin.shot("05-admin-replied").await;

    patient.wd.refresh().await.unwrap();
    patient
        .find_text("[data-testid=message][data-from-me=false]", "under Account")
        .await;
    patient.shot("06-patient-reads-answer").await;
    patient.assert_clean_console().await;
    admin.assert_clean_console().await;
    patient.close().await;
    admin.close().await;
}
