//! Passkeys in the browser, with WebDriver's virtual authenticator (a CTAP2 platform
//! authenticator that keeps discoverable credentials and says it verified the user): a
//! person signs in with their password, adds a passkey in Settings, signs out, and signs
//! in again with "Sign in with a passkey", no username or password; then removes it.
//!
//! WebAuthn needs a domain name, so the browser loads the app at `localhost`.

use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::{json, Value};

use crate::browser::*;
use crate::common::*;

const ROBIN: &str = "robin";

/// A W3C WebAuthn extension command of this session: `webauthn/authenticator...`.
#[derive(Debug)]
struct Authenticators {
    method: http::Method,
    path: String,
    body: Option<Value>,
}

impl WebDriverCompatibleCommand for Authenticators {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/webauthn/authenticator{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            self.method.clone(),
            self.body.as_ref().map(Value::to_string),
        )
    }
}

/// Gives the browser a platform authenticator, as a phone's or laptop's; answers its id.
async fn add_authenticator(browser: &Browser) -> String {
    let added = browser
        .wd
        .issue_cmd(Authenticators {
            method: http::Method::POST,
            path: String::new(),
            body: Some(json!({
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": true,
                "hasUserVerification": true,
                "isUserVerified": true,
                "automaticPresenceSimulation": true,
            })),
        })
        .await
        .expect("chromedriver adds a virtual authenticator");
    added.as_str().expect("an authenticator id").to_owned()
}

/// The credentials the authenticator holds.
async fn credentials(browser: &Browser, authenticator: &str) -> Vec<Value> {
    let held = browser
        .wd
        .issue_cmd(Authenticators {
            method: http::Method::GET,
            path: format!("/{authenticator}/credentials"),
            body: None,
        })
        .await
        .expect("the authenticator's credentials");
    held.as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_adds_a_passkey_and_signs_in_with_it_instead_of_a_password() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let site = Localhost(&server);
    let robin = patient(&site, ROBIN).await;
    const TEST: &str = "passkeys";

    let browser = Browser::open(&tools, &site, TEST, "robin", Viewport::Desktop).await;
    let authenticator = add_authenticator(&browser).await;
    browser.go("/signin").await;
    browser.find("[data-testid=passkey-signin]").await;
    browser.sign_in(ROBIN, PASSWORD).await;
    browser.find("[data-testid=nav-home]").await;

    // Settings → Passkeys: none yet; add one with a name.
    browser.go("/settings").await;
    browser.find("[data-testid=passkeys-none]").await;
    browser.settled().await;
    browser.shot("01-no-passkeys").await;
    browser.fill("#passkey-name", "Work laptop").await;
    browser.click("[data-testid=passkey-add]").await;
    browser
        .find_text("[data-testid=passkey-name]", "Work laptop")
        .await;
    browser
        .find_text("[data-testid=form-error][data-kind=success]", "Work laptop")
        .await;
    browser.shot("02-passkey-added").await;
    let listed = robin.get("/api/auth/passkeys").await.expect(200);
    assert_eq!(listed.body["passkeys"][0]["name"], "Work laptop");
    assert_eq!(listed.body["passkeys"][0]["last_used_at"], Value::Null);
    // The authenticator keeps it as a discoverable credential, for this site.
    let held = credentials(&browser, &authenticator).await;
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["isResidentCredential"], true, "{held:?}");
    assert_eq!(held[0]["rpId"], "localhost", "{held:?}");

    // Sign out; back in with the passkey alone.
    browser.click("[data-testid=signout]").await;
    browser.find("#username").await;
    browser.click("[data-testid=passkey-signin]").await;
    browser.gone("#signin-submit").await;
    browser.settled().await;
    assert_eq!(browser.path().await, "/");
    browser
        .find_text("[data-testid=greeting]", &display(ROBIN))
        .await;
    browser.shot("03-signed-in-with-a-passkey").await;
    assert_eq!(
        db.scalar_i64(
            "SELECT COUNT(*) FROM audit_log WHERE event = 'sign_in_succeeded' AND detail = 'passkey'"
        )
        .await,
        1
    );

    // Settings shows it used; removing it asks first.
    browser.go("/settings").await;
    browser
        .find_text("[data-testid=passkey]", "last used")
        .await;
    browser.click("[data-testid=passkey-remove]").await;
    browser
        .find_text("[data-testid=passkey-remove-dialog]", "Work laptop")
        .await;
    browser.shot("04-remove-passkey").await;
    browser
        .click("[data-testid=passkey-remove-dialog] [data-testid=dialog-confirm]")
        .await;
    browser.find("[data-testid=passkeys-none]").await;
    let listed = robin.get("/api/auth/passkeys").await.expect(200);
    assert_eq!(listed.body["passkeys"], json!([]));

    // The authenticator still offers it; the server no longer takes it.
    browser.click("[data-testid=signout]").await;
    browser.find("#username").await;
    browser.click("[data-testid=passkey-signin]").await;
    browser
        .find_text("[data-testid=form-error]", "not accepted")
        .await;
    assert_eq!(browser.path().await, "/signin");
    browser.shot("05-removed-passkey-refused").await;
    browser.assert_clean_console().await;
    browser.close().await;
}
