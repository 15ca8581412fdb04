//! A way back in, in the browser, with mail through a real SMTP server: an address
//! confirmed from its mailed link, "Forgot password?" all the way to signing in with the
//! new password (on a phone-sized screen), an administrator's reset link for someone
//! without email, and a lock-out that points to "Forgot password?" and never stops the
//! owner's own browser (its device cookie).

use crate::browser::*;
use crate::common::*;
use serde_json::json;

const ROBIN: &str = "robin";
const ROBIN_MAIL: &str = "robin@example.test";
const NEW_PASSWORD: &str = "lantern orchard pebble";

/// The address bar's `#...` part (empty once the app has read a link's token).
async fn fragment(browser: &Browser) -> String {
    let hash = browser.js("return location.hash", vec![]).await;
    hash.as_str().unwrap_or_default().to_owned()
}

/// Both password fields of the reset screen, then submit.
async fn set_password(browser: &Browser, password: &str) {
    browser.fill("#reset-password", password).await;
    browser.fill("#reset-password-again", password).await;
    browser.click("[data-testid=reset-submit]").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forgotten_password_is_reset_by_mail_all_the_way_through() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let mail = MailServer::start();
    let server = App::start(&db, &mail.env()).await;
    const TEST: &str = "recovery";
    let robin = Client::new(&server);
    let with_email = json!({ "email": ROBIN_MAIL });
    robin.register(ROBIN, with_email).await.expect(201);
    let verify = mail.wait_for(ROBIN_MAIL, 1).await[0].link_token("/verify-email");

    // The mailed link confirms the address, signed out, and leaves the address bar.
    let browser = Browser::open(&tools, &server, TEST, "robin", Viewport::Phone).await;
    browser.go(&format!("/verify-email#token={verify}")).await;
    browser
        .find_text("[data-testid=email-confirmed]", ROBIN_MAIL)
        .await;
    assert_eq!(fragment(&browser).await, "");
    browser.shot("01-address-confirmed").await;
    let me = robin.get("/api/auth/me").await.expect(200).body;
    assert_eq!(me["user"]["email_verified"], true, "{me}");

    // Sign-in → Forgot password? → the address.
    browser.go("/signin").await;
    browser.click("[data-testid=forgot-link]").await;
    browser.find("#forgot-who").await;
    assert_eq!(browser.path().await, "/forgot-password");
    browser
        .find_text("[data-testid=forgot-no-email]", "care team")
        .await;
    browser.fill("#forgot-who", ROBIN_MAIL).await;
    browser.click("[data-testid=forgot-submit]").await;
    browser
        .find_text("[data-testid=form-error][data-kind=success]", "30 minutes")
        .await;
    browser.shot("02-link-asked-for").await;
    let mails = mail.wait_for(ROBIN_MAIL, 2).await;
    assert_eq!(mails[1].subject(), "Reset your Healing Space password");
    let token = mails[1].link_token("/reset-password");

    // The link: a guessable password is refused on its field, with the server's reason.
    browser.go(&format!("/reset-password#token={token}")).await;
    browser.find("#reset-password").await;
    assert_eq!(fragment(&browser).await, "");
    set_password(&browser, "robin robin 2024").await;
    browser
        .find_text("#reset-password-error", "cannot contain your username")
        .await;
    browser.shot("03-password-refused").await;
    set_password(&browser, NEW_PASSWORD).await;
    browser
        .find_text("[data-testid=reset-done]", "signed out")
        .await;
    browser.shot("04-password-set").await;
    let ended = robin.get("/api/auth/me").await.expect(401).body;
    assert_eq!(ended["error"]["reason"], "password_changed", "{ended}");

    // Sign in, the username already there: the old password no longer works, the new does.
    browser.click("[data-testid=reset-signin]").await;
    browser.find("#password").await;
    let prefilled = browser
        .js("return document.getElementById('username').value", vec![])
        .await;
    assert_eq!(prefilled, json!(ROBIN));
    browser.fill("#password", PASSWORD).await;
    browser.click("[data-testid=signin-submit]").await;
    browser
        .find_text("[data-testid=form-error]", "not correct")
        .await;
    browser.fill("#password", NEW_PASSWORD).await;
    browser.click("[data-testid=signin-submit]").await;
    browser.gone("#signin-submit").await;
    browser.settled().await;
    assert_eq!(browser.path().await, "/");
    browser.shot("05-signed-in").await;

    // Settings shows the address as confirmed.
    browser.go("/settings").await;
    browser
        .find("[data-testid=email-status][data-state=confirmed]")
        .await;
    browser.settled().await;
    browser.shot("06-settings").await;

    // The same link again: used, explained, with the way to a new one.
    browser.go(&format!("/reset-password#token={token}")).await;
    set_password(&browser, "another fresh passphrase").await;
    browser
        .find("[data-testid=link-problem][data-code=link_used]")
        .await;
    browser.find("[data-testid=ask-new-link]").await;
    browser.shot("07-link-used").await;
    browser.assert_clean_console().await;
    browser.close().await;
    Client::new(&server)
        .login(ROBIN, PASSWORD)
        .await
        .expect_error(401, "invalid_credentials");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_creates_a_reset_link_shown_once() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    admin(&server, &db, "admin").await;
    patient(&server, "no.email").await;
    const TEST: &str = "reset-link";

    let browser = Browser::open(&tools, &server, TEST, "admin", Viewport::Desktop).await;
    browser.go("/signin").await;
    browser.sign_in("admin", PASSWORD).await;
    browser.go("/admin").await;
    let row = "[data-testid=admin-user][data-username='no.email']";
    browser
        .click(&format!("{row} [data-testid=create-reset-link]"))
        .await;
    browser
        .find_text("[data-testid=reset-link-dialog]", "only once")
        .await;
    browser.shot("01-confirm").await;
    browser.click("[data-testid=dialog-confirm]").await;
    let url_field = format!("{row} [data-testid=reset-link-url]");
    browser.find(&url_field).await;
    browser.gone("[data-testid=reset-link-dialog]").await;
    browser
        .find_text(&format!("{row} [data-testid=reset-link]"), "works once")
        .await;
    let focused = browser
        .js("return document.activeElement.dataset.testid || ''", vec![])
        .await;
    assert_eq!(focused, json!("reset-link-url"));
    browser
        .click(&format!("{row} [data-testid=reset-link-copy]"))
        .await;
    // Copied, or (where the browser refuses the clipboard) how to copy it by hand.
    browser
        .wait_for(
            "the copy result",
            "return document.querySelector(arguments[0]).textContent",
            vec![json!(format!("{row} [data-testid=reset-link-copied]"))],
        )
        .await;
    browser.shot("02-link-shown").await;
    let url = browser
        .js(
            "return document.querySelector(arguments[0]).value",
            vec![json!(url_field)],
        )
        .await;
    let url = url.as_str().unwrap().to_owned();
    let prefix = format!("{}/reset-password#token=", server.base());
    assert!(url.starts_with(&prefix), "{url}");

    // The link works, once, for that person only.
    browser.go(&url[server.base().len()..]).await;
    set_password(&browser, NEW_PASSWORD).await;
    browser
        .find_text("[data-testid=reset-done]", "password is set")
        .await;
    browser.shot("03-used").await;
    browser.assert_clean_console().await;
    browser.close().await;
    Client::new(&server)
        .login("no.email", NEW_PASSWORD)
        .await
        .expect(200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lock_out_points_to_forgot_password_and_never_stops_the_owners_browser() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[("LOGIN_MAX_FAILURES", "2")]).await;
    patient(&server, ROBIN).await;
    // Robin's own laptop signed in before the attack, and signed out.
    let laptop = Browser::open(&tools, &server, "locked-out", "laptop", Viewport::Desktop).await;
    laptop.go("/signin").await;
    laptop.sign_in(ROBIN, PASSWORD).await;
    laptop.find("[data-testid=nav-home]").await;
    laptop.go("/settings").await;
    laptop.click("[data-testid=signout]").await;
    laptop.find("#username").await;
    // Someone else guesses, from clients Robin never used.
    for _ in 0..2 {
        Client::new(&server)
            .login(ROBIN, "wrong password")
            .await
            .expect_error(401, "invalid_credentials");
    }
    const TEST: &str = "locked-out";

    let browser = Browser::open(&tools, &server, TEST, "robin", Viewport::Phone).await;
    browser.go("/signin").await;
    browser.fill("#username", ROBIN).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("[data-testid=signin-submit]").await;
    browser
        .find_text("[data-testid=locked-out]", "Too many unsuccessful")
        .await;
    browser.shot("01-locked-out").await;
    browser.click("[data-testid=locked-out-forgot]").await;
    browser.find("#forgot-who").await;
    assert_eq!(browser.path().await, "/forgot-password");
    browser.assert_clean_console().await;
    browser.close().await;
    // The laptop Robin signed in with before still signs in with the right password.
    laptop.go("/signin").await;
    laptop.sign_in(ROBIN, PASSWORD).await;
    laptop.find("[data-testid=nav-home]").await;
    laptop.shot("02-owner-signed-in").await;
    laptop.assert_clean_console().await;
    laptop.close().await;
}
