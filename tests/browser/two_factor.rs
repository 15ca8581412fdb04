//! Two-step sign-in in the browser: a clinician, whose role requires it, registers and is
//! taken straight to setting up an authenticator app (the QR code drawn from the server's
//! SVG, the key to type, a code to confirm, the recovery codes shown once); then signs out
//! and back in with a code; then sees it on in Settings.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::browser::*;
use crate::common::*;

/// The code an authenticator app shows for `secret`, `offset` seconds from now.
fn code(secret: &str, offset: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).expect("a base32 secret");
    let totp = totp_rs::Builder::new().with_secret(secret).build().unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    totp.generate(now + offset).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clinician_sets_up_an_authenticator_app_and_signs_in_with_its_codes() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[("REQUIRE_2FA", "clinician,admin")]).await;
    const TEST: &str = "two-factor";
    let browser = Browser::open(&tools, &server, TEST, "dr.ines", Viewport::Phone).await;

    // Registering as a clinician leads to setting up the app before any session.
    browser.go("/register").await;
    browser.click("#reg-role-clinician").await;
    browser.fill("#reg-username", "dr.ines").await;
    browser.fill("#reg-password", PASSWORD).await;
    browser.click("[data-testid=register-submit]").await;
    browser.find("[data-testid=totp-qr] path").await;
    let secret = browser
        .js(
            "return document.querySelector('[data-testid=totp-secret]').dataset.secret",
            vec![],
        )
        .await;
    let secret = secret.as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 32);
    let shown = browser
        .js(
            "return document.querySelector('[data-testid=totp-secret]').textContent",
            vec![],
        )
        .await;
    assert_eq!(shown.as_str().unwrap().replace(' ', ""), secret);
    browser.shot("01-scan-the-code").await;
    let nobody = get_with_cookie(&server, "/api/auth/me", "").await;
    assert_eq!(nobody.status, 401);

    browser.fill("#totp-confirm-code", "000000").await;
    browser.click("[data-testid=totp-confirm]").await;
    browser
        .find_text("#totp-confirm-code-error", "does not match")
        .await;
    browser.fill("#totp-confirm-code", &code(&secret, 0)).await;
    browser.click("[data-testid=totp-confirm]").await;
    browser.find("[data-testid=recovery-codes]").await;
    assert_eq!(browser.count("[data-testid=recovery-code]").await, 10);
    browser.shot("02-recovery-codes").await;
    browser.click("[data-testid=recovery-codes-saved]").await;
    browser.gone("[data-testid=recovery-codes]").await;
    browser
        .wait_for(
            "the signed-in app",
            "return location.pathname === '/' || location.pathname === '/home'",
            vec![],
        )
        .await;
    let me = browser
        .js("return fetch('/api/auth/me').then(r => r.json())", vec![])
        .await;
    assert_eq!(me["user"]["username"], "dr.ines", "{me}");

    // Signing out and in again: the password, then a code.
    browser.go("/settings").await;
    browser
        .find_text("[data-testid=two-factor-state]", "On")
        .await;
    browser
        .find_text(
            "[data-testid=recovery-codes-left]",
            "10 recovery codes left",
        )
        .await;
    browser.shot("03-settings").await;
    browser.click("[data-testid=signout]").await;
    browser.find("#username").await;
    browser.sign_in("dr.ines", PASSWORD).await;
    browser.find("#second-factor-code").await;
    browser.shot("04-code-step").await;
    browser.fill("#second-factor-code", "123 12").await;
    browser.click("[data-testid=second-factor-submit]").await;
    browser
        .find_text("#second-factor-code-error", "not right")
        .await;
    browser
        .fill("#second-factor-code", &code(&secret, 30))
        .await;
    browser.click("[data-testid=second-factor-submit]").await;
    browser.gone("#second-factor-code").await;
    browser.go("/settings").await;
    browser
        .find_text("[data-testid=two-factor-state]", "On")
        .await;
    browser.assert_clean_console().await;
}
