//! Settings, "Name and email", with mail through a real SMTP server: a bad address is
//! refused on its field; a new name and address are saved and the address shows as not
//! confirmed until its mailed link is opened (signed in, here); then it is removed.

use crate::browser::*;
use crate::common::*;
use serde_json::json;

const SAM_MAIL: &str = "sam@example.test";

/// The state of the address shown in Settings (`data-state`), once it reads `state`.
async fn email_state(browser: &Browser, state: &str) {
    browser
        .find(&format!("[data-testid=email-status][data-state={state}]"))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_and_address_are_changed_confirmed_and_removed_in_settings() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let mail = MailServer::start();
    let server = App::start(&db, &mail.env()).await;
    let sam = patient(&server, "sam").await;
    const TEST: &str = "profile";

    let browser = Browser::open(&tools, &server, TEST, "sam", Viewport::Phone).await;
    browser.go("/settings").await;
    browser.sign_in("sam", PASSWORD).await;
    email_state(&browser, "none").await;
    browser.settled().await;

    browser.fill("#profile-email", "not an address").await;
    browser.click("[data-testid=profile-save]").await;
    browser.find("#profile-email-error").await;
    browser.shot("01-bad-address").await;

    browser.fill("#profile-name", "Sam Rivers").await;
    browser.fill("#profile-email", SAM_MAIL).await;
    browser.click("[data-testid=profile-save]").await;
    browser
        .find_text("[data-testid=form-error][data-kind=success]", SAM_MAIL)
        .await;
    email_state(&browser, "unconfirmed").await;
    browser.shot("02-not-confirmed").await;
    let me = sam.get("/api/auth/me").await.expect(200).body;
    assert_eq!(me["user"]["display_name"], "Sam Rivers", "{me}");
    assert_eq!(me["user"]["email"], SAM_MAIL, "{me}");
    assert_eq!(me["user"]["email_verified"], false, "{me}");

    // A link that went astray is sent again; the newest one is used.
    mail.wait_for(SAM_MAIL, 1).await;
    browser.click("[data-testid=email-resend]").await;
    browser
        .find_text("[data-testid=form-error][data-kind=success]", "new link")
        .await;
    // The mailed link, opened while signed in, leads back to Settings.
    let token = mail.wait_for(SAM_MAIL, 2).await[1].link_token("/verify-email");
    browser.go(&format!("/verify-email#token={token}")).await;
    browser
        .find_text("[data-testid=email-confirmed]", SAM_MAIL)
        .await;
    browser.click("[data-testid=to-settings]").await;
    email_state(&browser, "confirmed").await;
    browser.settled().await;
    browser.shot("03-confirmed").await;

    browser.click("[data-testid=email-remove]").await;
    email_state(&browser, "none").await;
    browser
        .gone("[data-testid=email-remove]:not([hidden])")
        .await;
    browser.shot("04-removed").await;
    let me = sam.get("/api/auth/me").await.expect(200).body;
    assert_eq!(me["user"]["email"], json!(null), "{me}");
    browser.assert_clean_console().await;
    browser.close().await;
}
