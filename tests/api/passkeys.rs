//! Passkeys over HTTP, with real credentials made and used by webauthn-authenticator-rs's
//! software authenticator: adding one from Settings, signing in with it (no password, no
//! username, no CSRF token, the same answer as a password sign-in), a ceremony that works
//! once and expires, removing one, another person's passkey, closed, disabled and erased
//! accounts, the per-address limit, an address that is no domain name, and bad input of
//! every kind.
//!
//! WebAuthn needs a domain name, so these clients reach the server at `localhost`.
//! `SoftPasskey` keeps no discoverable credentials: [`Authenticator`] remembers, as a
//! platform authenticator does, which user handle each credential was made for, names the
//! credential in the sign-in options and returns the handle with the assertion (it is not
//! signed, so this changes nothing the server checks).

mod edges;
mod input;
mod second_factor;

use crate::common::*;
use serde_json::{json, Value};
use webauthn_authenticator_rs::prelude::{Url, WebauthnAuthenticator};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{
    CreationChallengeResponse, PublicKeyCredential, RequestChallengeResponse,
};
use webauthn_rs_proto::AllowCredentials;

/// A software authenticator that keeps its passkeys like a platform authenticator does.
struct Authenticator {
    soft: SoftPasskey,
    origin: Url,
    /// Each credential made: its id, and the user handle it was made for.
    credentials: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Authenticator {
    fn new(server: &App) -> Authenticator {
        Authenticator {
            // `true`: it says it verified the user (a PIN or a fingerprint), as the
            // server requires.
            soft: SoftPasskey::new(true),
            origin: Url::parse(&Localhost(server).base()).unwrap(),
            credentials: Vec::new(),
        }
    }

    /// `navigator.credentials.create` with the server's options.
    fn create(&mut self, options: &Value) -> Value {
        let mut options: CreationChallengeResponse =
            serde_json::from_value(options.clone()).expect("creation options");
        let handle = options.public_key.user.id.clone();
        // SoftPasskey refuses to be asked for a discoverable credential; it acts as one here.
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.require_resident_key = false;
        }
        let credential = self
            .soft
            .do_registration(self.origin.clone(), options)
            .expect("the authenticator makes a passkey");
        self.credentials.push((credential.raw_id.clone(), handle));
        serde_json::to_value(&credential).unwrap()
    }

    /// `navigator.credentials.get` with the server's options, the person picking the
    /// `which`-th passkey this authenticator made.
    fn get(&mut self, options: &Value, which: usize) -> PublicKeyCredential {
        let mut options: RequestChallengeResponse =
            serde_json::from_value(options.clone()).expect("request options");
        let (id, handle) = self.credentials[which].clone();
        options.public_key.allow_credentials = vec![AllowCredentials {
            type_: "public-key".into(),
            id,
            transports: None,
        }];
        let mut credential = self
            .soft
            .do_authentication(self.origin.clone(), options)
            .expect("the authenticator signs");
        credential.response.user_handle = Some(handle);
        credential
    }
}

async fn add_passkey(client: &Client, authenticator: &mut Authenticator, name: Value) -> Reply {
    let started = client
        .post("/api/auth/passkeys/register/start", json!({}))
        .await
        .expect(200);
    let credential = authenticator.create(&started.body["options"]);
    client
        .post(
            "/api/auth/passkeys/register/finish",
            json!({ "ceremony": started.body["ceremony"], "name": name, "credential": credential }),
        )
        .await
}

/// A sign-in ceremony begun: its id and the options.
async fn start_sign_in(client: &Client) -> (String, Value) {
    let started = client
        .post("/api/auth/passkeys/sign-in/start", json!({}))
        .await
        .expect(200);
    let ceremony = started.body["ceremony"].as_str().unwrap().to_owned();
    (ceremony, started.body["options"].clone())
}

async fn finish_sign_in(
    client: &Client,
    ceremony: &str,
    credential: &PublicKeyCredential,
) -> Reply {
    client
        .post(
            "/api/auth/passkeys/sign-in/finish",
            json!({ "ceremony": ceremony, "credential": credential }),
        )
        .await
}

async fn sign_in(client: &Client, authenticator: &mut Authenticator, which: usize) -> Reply {
    let (ceremony, options) = start_sign_in(client).await;
    let credential = authenticator.get(&options, which);
    finish_sign_in(client, &ceremony, &credential).await
}

async fn signed_in_patient(at: &Localhost<'_>, username: &str) -> Client {
    let client = Client::new(at);
    client.register(username, json!({})).await.expect(201);
    client
}

fn object_keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[tokio::test(flavor = "multi_thread")]
async fn a_passkey_added_in_settings_signs_in_without_a_password() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let at = Localhost(&server);
    let alex = signed_in_patient(&at, "alex").await;
    let mut phone = Authenticator::new(&server);

    // The options ask for a discoverable passkey made with the user verified, for this site.
    let started = alex
        .post("/api/auth/passkeys/register/start", json!({}))
        .await
        .expect(200);
    let options = &started.body["options"]["publicKey"];
    assert_eq!(options["rp"]["id"], "localhost", "{options}");
    assert_eq!(options["user"]["name"], "alex");
    let selection = &options["authenticatorSelection"];
    assert_eq!(selection["userVerification"], "required", "{options}");
    assert_eq!(selection["residentKey"], "required", "{options}");
    assert_eq!(selection["requireResidentKey"], true);
    assert!(started.body["expires_at"].is_string());

    let added = add_passkey(&alex, &mut phone, json!("My phone"))
        .await
        .expect(201);
    assert_eq!(added.body["name"], "My phone");
    assert!(added.body["created_at"].is_string());
    assert_eq!(added.body["last_used_at"], Value::Null);
    let id = added.body["id"].as_i64().unwrap();
    let listed = alex.get("/api/auth/passkeys").await.expect(200);
    assert_eq!(listed.body["passkeys"].as_array().unwrap().len(), 1);
    assert_eq!(listed.body["passkeys"][0]["id"], id);
    assert_eq!(listed.body["passkeys"][0]["name"], "My phone");

    // A new browser: no session, no CSRF token, no username, no password.
    let browser = Client::new(&at);
    let (ceremony, options) = start_sign_in(&browser).await;
    assert_eq!(options["publicKey"]["rpId"], "localhost", "{options}");
    assert_eq!(options["publicKey"]["userVerification"], "required");
    assert!(
        options["publicKey"]["allowCredentials"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "discoverable: no credential named, {options}"
    );
    assert_eq!(options["mediation"], Value::Null, "a button, not autofill");
    let credential = phone.get(&options, 0);
    let signed_in = finish_sign_in(&browser, &ceremony, &credential)
        .await
        .expect(200);
    assert_eq!(signed_in.body["user"]["username"], "alex");
    assert_eq!(signed_in.body["role"], "patient");
    let cookies: Vec<&str> = signed_in
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(
        cookies.iter().any(|c| c.starts_with("hs_session=")),
        "{cookies:?}"
    );
    assert!(
        cookies.iter().any(|c| c.starts_with("hs_device_")),
        "{cookies:?}"
    );
    let me = browser.get("/api/auth/me").await.expect(200);
    assert_eq!(me.body["user"]["username"], "alex");
    assert_eq!(me.body["csrf_token"], signed_in.body["csrf_token"]);

    // The same answer as signing in with a password.
    let with_password = Client::new(&at).login("alex", PASSWORD).await.expect(200);
    assert_eq!(
        object_keys(&signed_in.body),
        object_keys(&with_password.body)
    );
    assert_eq!(
        object_keys(&signed_in.body["user"]),
        object_keys(&with_password.body["user"])
    );

    // The ceremony worked once.
    finish_sign_in(&Client::new(&at), &ceremony, &credential)
        .await
        .expect_error(400, "passkey_ceremony_expired");
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM passkey_ceremonies WHERE kind = 'sign_in'")
            .await,
        0
    );

    // Its use is recorded: when, and the counter it reached.
    let listed = alex.get("/api/auth/passkeys").await.expect(200);
    assert!(listed.body["passkeys"][0]["last_used_at"].is_string());
    sign_in(&Client::new(&at), &mut phone, 0).await.expect(200);
    assert_eq!(
        db.scalar_i64(
            "SELECT COUNT(*) FROM audit_log WHERE event = 'sign_in_succeeded' AND detail = 'passkey'"
        )
        .await,
        2
    );
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM audit_log WHERE event = 'passkey_added'")
            .await,
        1
    );
    // The audit log holds no credential material, only which passkey.
    assert_eq!(
        db.scalar_i64(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE event = 'passkey_added' AND detail = 'passkey {id}'"
        ))
        .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_assertion_for_another_ceremony_or_altered_is_refused() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let at = Localhost(&server);
    let alex = signed_in_patient(&at, "alex").await;
    let mut phone = Authenticator::new(&server);
    add_passkey(&alex, &mut phone, json!("Phone"))
        .await
        .expect(201);

    // An assertion made for one ceremony's challenge does not finish another.
    let (_, options) = start_sign_in(&Client::new(&at)).await;
    let old = phone.get(&options, 0);
    let (other, _) = start_sign_in(&Client::new(&at)).await;
    finish_sign_in(&Client::new(&at), &other, &old)
        .await
        .expect_error(401, "passkey_not_accepted");

    // The signature covers the authenticator data (its flags and counter).
    let (ceremony, options) = start_sign_in(&Client::new(&at)).await;
    let mut altered = phone.get(&options, 0);
    altered.response.authenticator_data = old.response.authenticator_data.clone();
    finish_sign_in(&Client::new(&at), &ceremony, &altered)
        .await
        .expect_error(401, "passkey_not_accepted");
    let failed = db
        .scalar_i64(
            "SELECT COUNT(*) FROM audit_log WHERE event = 'sign_in_failed' AND detail = 'passkey'",
        )
        .await;
    assert_eq!(failed, 2);
    // Whose passkey it claimed to be is in the log.
    let about_alex = db
        .scalar_i64(
            "SELECT COUNT(*) FROM audit_log a JOIN users u ON u.id = a.subject_id \
             WHERE a.event = 'sign_in_failed' AND u.username = 'alex'",
        )
        .await;
    assert_eq!(about_alex, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_removed_passkey_signs_in_no_more_and_another_persons_is_not_found() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let at = Localhost(&server);
    let alex = signed_in_patient(&at, "alex").await;
    let sam = signed_in_patient(&at, "sam").await;
    let mut phone = Authenticator::new(&server);
    let first = add_passkey(&alex, &mut phone, json!("Phone"))
        .await
        .expect(201)
        .body["id"]
        .as_i64()
        .unwrap();
    let second = add_passkey(&alex, &mut phone, json!("Laptop"))
        .await
        .expect(201)
        .body["id"]
        .as_i64()
        .unwrap();

    // Already registered credentials are excluded from a new registration.
    let started = alex
        .post("/api/auth/passkeys/register/start", json!({}))
        .await
        .expect(200);
    let excluded = started.body["options"]["publicKey"]["excludeCredentials"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(excluded.len(), 2, "{}", started.body);

    // Sam sees none of Alex's passkeys and cannot remove them; nor finish Alex's ceremony.
    let sams = sam.get("/api/auth/passkeys").await.expect(200);
    assert_eq!(sams.body["passkeys"], json!([]));
    sam.delete(&format!("/api/auth/passkeys/{first}"))
        .await
        .expect_error(404, "not_found");
    sam.delete("/api/auth/passkeys/not-a-number")
        .await
        .expect_error(404, "not_found");
    let credential = phone.create(&started.body["options"]);
    sam.post(
        "/api/auth/passkeys/register/finish",
        json!({ "ceremony": started.body["ceremony"], "credential": credential }),
    )
    .await
    .expect_error(400, "passkey_ceremony_expired");
    assert_eq!(
        alex.get("/api/auth/passkeys").await.expect(200).body["passkeys"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let removed = alex
        .delete(&format!("/api/auth/passkeys/{first}"))
        .await
        .expect(200);
    assert_eq!(removed.body, json!({ "removed": true, "id": first }));
    alex.delete(&format!("/api/auth/passkeys/{first}"))
        .await
        .expect_error(404, "not_found");
    let left = alex.get("/api/auth/passkeys").await.expect(200);
    assert_eq!(left.body["passkeys"][0]["id"], second);
    assert_eq!(left.body["passkeys"].as_array().unwrap().len(), 1);

    sign_in(&Client::new(&at), &mut phone, 0)
        .await
        .expect_error(401, "passkey_not_accepted");
    sign_in(&Client::new(&at), &mut phone, 1).await.expect(200);
    assert_eq!(
        db.scalar_i64("SELECT COUNT(*) FROM audit_log WHERE event = 'passkey_removed'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disabled_or_closed_account_does_not_sign_in_with_its_passkey() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let at = Localhost(&server);
    let admin = admin(&at, &db, "admin").await;
    let alex = signed_in_patient(&at, "alex").await;
    let mut phone = Authenticator::new(&server);
    add_passkey(&alex, &mut phone, json!("Phone"))
        .await
        .expect(201);

    admin
        .post("/api/admin/users/alex/disable", json!({}))
        .await
        .expect(200);
    sign_in(&Client::new(&at), &mut phone, 0)
        .await
        .expect_error(401, "account_disabled");
    admin
        .post("/api/admin/users/alex/enable", json!({}))
        .await
        .expect(200);
    let again = Client::new(&at);
    sign_in(&again, &mut phone, 0).await.expect(200);
    again
        .post("/api/me/close", json!({ "password": PASSWORD }))
        .await
        .expect(200);
    sign_in(&Client::new(&at), &mut phone, 0)
        .await
        .expect_error(401, "account_closed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ceremony_expires_after_five_minutes() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let at = Localhost(&server);
    let alex = signed_in_patient(&at, "alex").await;
    let mut phone = Authenticator::new(&server);
    add_passkey(&alex, &mut phone, json!("Phone"))
        .await
        .expect(201);
    let (ceremony, options) = start_sign_in(&Client::new(&at)).await;
    let expires = db
        .scalar_i64("SELECT MAX(expires_at - created_at) FROM passkey_ceremonies")
        .await;
    assert_eq!(expires, 5 * 60 * 1000);
    db.execute("UPDATE passkey_ceremonies SET expires_at = created_at")
        .await;
    let credential = phone.get(&options, 0);
    finish_sign_in(&Client::new(&at), &ceremony, &credential)
        .await
        .expect_error(400, "passkey_ceremony_expired");
}

#[tokio::test(flavor = "multi_thread")]
async fn passkeys_need_a_domain_name_and_the_sign_in_checks_the_origin() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    // At 127.0.0.1, an IP address, no relying party can be named.
    let alex = Client::new(&server);
    alex.register("alex", json!({})).await.expect(201);
    for path in [
        "/api/auth/passkeys/register/start",
        "/api/auth/passkeys/sign-in/start",
    ] {
        let refused = alex.post(path, json!({})).await;
        let refused = refused.expect_error(409, "passkeys_unavailable");
        assert!(refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("domain name"));
    }
    alex.get("/api/auth/passkeys").await.expect(200);

    // Like the password sign-in, it needs no CSRF token but refuses other sites.
    let at = Localhost(&server);
    let stranger = Client::new(&at);
    let request = stranger
        .request(reqwest::Method::POST, "/api/auth/passkeys/sign-in/finish")
        .header("Origin", "https://elsewhere.example")
        .json(&json!({ "ceremony": "x", "credential": {} }));
    stranger
        .send(request)
        .await
        .expect_error(403, "csrf_failed");
    // Adding one needs the session's token.
    let alex = signed_in_patient(&at, "alex.too").await;
    alex.set_csrf(None);
    alex.post("/api/auth/passkeys/register/start", json!({}))
        .await
        .expect_error(403, "csrf_failed");
}
