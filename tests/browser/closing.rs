//! Closing an account in Settings and reopening it in Administration: a wrong password is
//! refused on its field; the right one closes the account and signs the patient out with
//! "Your account is closed" (and on their other device, the session ends with "This
//! account was closed"); signing in again says the account was closed; an
//! administrator reopens it (and a second reopening is refused with the server's 409);
//! then the patient signs in again.

use crate::browser::*;
use crate::common::*;
use fantoccini::key::Key;
use serde_json::json;

const ROW: &str = "[data-testid=admin-user][data-username='sam.patient']";

#[tokio::test(flavor = "multi_thread")]
async fn a_patient_closes_their_account_and_an_administrator_reopens_it() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    const TEST: &str = "closing";

    // The patient is also signed in on a computer, where the session then ends.
    let computer = Browser::open(&tools, &server, TEST, "computer", Viewport::Desktop).await;
    computer.go("/").await;
    computer.sign_in(PATIENT, PASSWORD).await;
    computer.find("[data-testid=home-checkin]").await;

    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Phone).await;
    patient.go("/settings").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    patient
        .find_text("[data-testid=close-consequences]", "Former member")
        .await;
    patient.settled().await;

    // "Download your data" leads to the download button on this screen.
    patient.click("[data-testid=close-export-link]").await;
    assert!(patient.focused_matches("[data-testid=export-data]").await);
    assert_eq!(patient.path().await, "/settings");

    // "Need help now?" from the section itself opens the crisis lines.
    patient.click("[data-testid=close-crisis]").await;
    patient
        .find("[data-testid=crisis-panel] .crisis-list")
        .await;
    patient.click("#crisis-close").await;
    patient.gone("[data-testid=crisis-panel][open]").await;

    patient.click("[data-testid=close-account]").await;
    patient
        .find("[data-testid=close-dialog] #close-password")
        .await;
    patient.shot("01-dialog").await;
    patient
        .fill("#close-password", "not my password at all")
        .await;
    patient.click("[data-testid=dialog-confirm]").await;
    patient
        .find_text("#close-password-error", "not correct")
        .await;
    patient.shot("02-wrong-password").await;
    seeded.patient.get("/api/auth/me").await.expect(200);

    // The right password, by keyboard: Enter in the field confirms.
    patient.fill("#close-password", PASSWORD).await;
    patient.press(&[Key::Enter.into()]).await;
    patient
        .find_text("[data-testid=signin-notice]", "Your account is closed")
        .await;
    patient
        .find_text("[data-testid=signin-notice]", "Until ")
        .await;
    assert_eq!(patient.path().await, "/signin");
    patient.gone("[data-testid=close-dialog]").await;
    patient.shot("03-closed").await;
    seeded
        .patient
        .get("/api/auth/me")
        .await
        .expect_error(401, "account_closed");

    computer.go("/mood").await;
    computer
        .find_text("[data-testid=signin-notice]", "This account was closed")
        .await;
    computer.shot("03-computer-signed-out").await;
    computer.assert_clean_console().await;
    computer.close().await;

    patient.fill("#username", PATIENT).await;
    patient.fill("#password", PASSWORD).await;
    patient.click("[data-testid=signin-submit]").await;
    patient
        .find_text("[data-testid=form-error]", "This account was closed")
        .await;
    patient.shot("04-sign-in-refused").await;
    // Until erasure its owner can still download their data, with the password typed.
    patient.click("[data-testid=closed-export]").await;
    patient
        .find_text("[data-testid=account-closed] [role=status]", "downloaded")
        .await;

    let admin = Browser::open(&tools, &server, TEST, "admin", Viewport::Phone).await;
    admin.go("/admin").await;
    admin.sign_in("admin", PASSWORD).await;
    admin.find(&format!("{ROW}[data-status=closed]")).await;
    admin.find_text(ROW, "Closed by its owner").await;
    assert_eq!(
        admin
            .count(&format!("{ROW} [data-testid=enable-user]"))
            .await,
        0
    );
    admin.shot("05-closed-in-list").await;
    admin
        .click(&format!("{ROW} [data-testid=reopen-user]"))
        .await;
    admin.find("[data-testid=reopen-dialog]").await;
    admin.click("[data-testid=dialog-confirm]").await;
    admin.gone("[data-testid=reopen-dialog]").await;
    admin.find(&format!("{ROW}[data-status=active]")).await;
    admin.shot("06-reopened").await;

    // Closed again, then reopened by someone else while the dialog is open: the 409.
    let again = Client::new(&server);
    again.login(PATIENT, PASSWORD).await.expect(200);
    again
        .post("/api/me/close", json!({ "password": PASSWORD }))
        .await
        .expect(200);
    admin.go("/admin").await;
    admin
        .click(&format!("{ROW} [data-testid=reopen-user]"))
        .await;
    admin.find("[data-testid=reopen-dialog]").await;
    seeded
        .admin
        .post("/api/admin/users/sam.patient/reopen", json!({}))
        .await
        .expect(200);
    admin.click("[data-testid=dialog-confirm]").await;
    admin
        .find_text(
            "[data-testid=reopen-dialog] [data-testid=form-error]",
            "not closed",
        )
        .await;
    admin.shot("07-already-reopened").await;
    admin.assert_clean_console().await;
    admin.close().await;

    patient.fill("#password", PASSWORD).await;
    patient.click("[data-testid=signin-submit]").await;
    patient.gone("#signin-submit").await;
    let me = seeded
        .admin
        .get("/api/admin/users?q=sam.patient")
        .await
        .expect(200)
        .body;
    assert_eq!(me["users"][0]["status"], "active", "{me}");
    patient.find("[data-testid=home-checkin]").await;
    patient.shot("08-signed-in-again").await;
    patient.assert_clean_console().await;
    patient.close().await;
}
