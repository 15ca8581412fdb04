//! The web app in a real browser: headless Chromium driven through chromedriver, against
//! the real server. Accounts are seeded through the API; everything a person does here
//! goes through the pages. Every screen visited is saved under `target/screenshots/`.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian: `apt-get install
//! chromium chromium-driver`; or set `CHROME_BIN` / `CHROMEDRIVER`). Without them the
//! browser tests are skipped with a note, unless `REQUIRE_BROWSER_TESTS=1`, when they fail.

mod common;

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{ClientBuilder, Locator};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(20);
const SCREENSHOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/target/screenshots");

/// Browser tests share two cores with everything else: one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

// -----------------------------------------------------------------------------------------
// The browser

struct Tools {
    chromedriver: String,
    chromium: String,
}

/// Chromium and chromedriver, or None (after saying why) when the test should be skipped.
fn tools() -> Option<Tools> {
    let chromedriver =
        std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let chromium = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let missing: Vec<&str> = [&chromedriver, &chromium]
        .into_iter()
        .filter(|path| !Path::new(path.as_str()).exists())
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return Some(Tools {
            chromedriver,
            chromium,
        });
    }
    let message = format!(
        "browser tests need {} (apt-get install chromium chromium-driver)",
        missing.join(" and ")
    );
    if std::env::var("REQUIRE_BROWSER_TESTS").as_deref() == Ok("1") {
        panic!("{message}; REQUIRE_BROWSER_TESTS=1 makes this a failure");
    }
    eprintln!("SKIPPED: {message}; set REQUIRE_BROWSER_TESTS=1 to fail instead");
    None
}

macro_rules! tools_or_skip {
    () => {
        match tools() {
            Some(tools) => tools,
            None => return,
        }
    };
}

#[derive(Clone, Copy)]
enum Viewport {
    Desktop,
    /// 360 px wide, the narrowest phone the app is made for.
    Phone,
}

/// Any WebDriver endpoint of the session (chromedriver's log and DevTools extensions).
#[derive(Debug)]
struct SessionCommand {
    method: http::Method,
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for SessionCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (self.method.clone(), Some(self.body.to_string()))
    }
}

/// One browser context: its own chromedriver, Chromium and profile (so its own cookies).
struct Browser {
    wd: fantoccini::Client,
    driver: Child,
    _profile: tempfile::TempDir,
    base: String,
    test: &'static str,
    who: &'static str,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    async fn open(
        tools: &Tools,
        server: &Server,
        test: &'static str,
        who: &'static str,
        viewport: Viewport,
    ) -> Browser {
        let port = free_port();
        let driver = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so Chromium goes with it if the test panics.
            .process_group(0)
            .spawn()
            .expect("start chromedriver");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < WAIT,
                "chromedriver did not listen on {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let mut args = vec![
            "--headless".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--lang=en-GB".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut options = json!({ "binary": tools.chromium });
        match viewport {
            Viewport::Desktop => args.push("--window-size=1280,900".into()),
            Viewport::Phone => {
                options["mobileEmulation"] = json!({
                    "deviceMetrics": { "width": 360, "height": 780, "pixelRatio": 1.0, "touch": false }
                });
            }
        }
        options["args"] = json!(args);
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": options,
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let mut driver = Some(driver);
        let wd = loop {
            let attempt =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(capabilities.clone())
                    .connect(&format!("http://127.0.0.1:{port}"))
                    .await;
            match attempt {
                Ok(wd) => break wd,
                Err(error) if started.elapsed() < WAIT * 2 => {
                    eprintln!("retrying the browser session: {error}");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(error) => {
                    kill_group(driver.take().as_mut().unwrap());
                    panic!("could not start Chromium through chromedriver: {error}");
                }
            }
        };
        std::fs::create_dir_all(SCREENSHOTS).unwrap();
        Browser {
            wd,
            driver: driver.take().unwrap(),
            _profile: profile,
            base: server.base(),
            test,
            who,
        }
    }

    async fn close(self) {
        let _ = self.wd.clone().close().await;
    }

    async fn go(&self, path: &str) {
        self.wd
            .goto(&format!("{}{}", self.base, path))
            .await
            .unwrap();
    }

    async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.wd.execute(script, args).await.unwrap_or(Value::Null)
    }

    async fn path(&self) -> String {
        self.wd.current_url().await.unwrap().path().to_owned()
    }

    async fn page_text(&self) -> String {
        self.js(
            "return document.body ? document.body.innerText : ''",
            vec![],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Where the browser is and what it shows, for failure messages.
    async fn describe(&self) -> String {
        let url = self
            .wd
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        let text: String = self.page_text().await.chars().take(4000).collect();
        let logs = self.console().await;
        format!(
            "[{who}] at {url}\n--- page text ---\n{text}\n--- browser console ---\n{}",
            logs.join("\n"),
            who = self.who
        )
    }

    /// Waits until `script` (a function body) returns something truthy; returns it.
    async fn wait_for(&self, what: &str, script: &str, args: Vec<Value>) -> Value {
        let started = Instant::now();
        loop {
            let value = self.js(script, args.clone()).await;
            let ready = match &value {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::String(s) => !s.is_empty(),
                Value::Number(n) => n.as_f64() != Some(0.0),
                _ => true,
            };
            if ready {
                return value;
            }
            if started.elapsed() > WAIT {
                panic!("timed out waiting for {what}\n{}", self.describe().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for a visible element matching `css`.
    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.wait_for(
            &format!("`{css}`"),
            "const el = document.querySelector(arguments[0]);
             return !!el && el.getClientRects().length > 0;",
            vec![json!(css)],
        )
        .await;
        self.wd.find(Locator::Css(css)).await.unwrap()
    }

    /// Waits for an element matching `css` whose text contains `text`.
    async fn find_text(&self, css: &str, text: &str) {
        self.wait_for(
            &format!("`{css}` containing {text:?}"),
            "return [...document.querySelectorAll(arguments[0])]
                 .some(el => el.textContent.includes(arguments[1]));",
            vec![json!(css), json!(text)],
        )
        .await;
    }

    async fn gone(&self, css: &str) {
        self.wait_for(
            &format!("`{css}` to go away"),
            "return !document.querySelector(arguments[0]);",
            vec![json!(css)],
        )
        .await;
    }

    async fn count(&self, css: &str) -> u64 {
        self.js(
            "return document.querySelectorAll(arguments[0]).length",
            vec![json!(css)],
        )
        .await
        .as_u64()
        .unwrap_or(0)
    }

    async fn click(&self, css: &str) {
        let element = self.find(css).await;
        if let Err(error) = element.click().await {
            panic!(
                "could not click `{css}`: {error}\n{}",
                self.describe().await
            );
        }
    }

    async fn fill(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        element.clear().await.unwrap();
        element.send_keys(text).await.unwrap();
    }

    /// Waits until the loading indicators are gone and checks that nothing failed.
    async fn settled(&self) {
        self.gone("[data-testid=loading]").await;
        if self.count("[data-testid=error]").await > 0 {
            panic!("the page shows an error\n{}", self.describe().await);
        }
    }

    /// Picks the option with `value` in the <select> matching `css`.
    async fn choose(&self, css: &str, value: &str) {
        let option = format!("{css} option[value='{value}']");
        self.wait_for(
            &format!("`{option}`"),
            "return !!document.querySelector(arguments[0]);",
            vec![json!(option)],
        )
        .await;
        self.wd
            .find(Locator::Css(&option))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let chosen = self
            .js(
                "return document.querySelector(arguments[0]).value",
                vec![json!(css)],
            )
            .await;
        assert_eq!(chosen, json!(value), "{}", self.describe().await);
    }

    async fn sign_in(&self, username: &str, password: &str) {
        self.fill("#username", username).await;
        self.fill("#password", password).await;
        self.click("[data-testid=signin-submit]").await;
        self.gone("#signin-submit").await;
    }

    // Keyboard: key presses sent to whatever has focus, as a person would.

    async fn press(&self, keys: &[char]) {
        let mut actions = KeyActions::new("keyboard".into());
        for &key in keys {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.wd.perform_actions(actions).await.unwrap();
    }

    /// A key pressed while `modifier` is held down.
    async fn chord(&self, modifier: Key, key: Key) {
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down {
                value: modifier.into(),
            })
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() })
            .then(KeyAction::Up {
                value: modifier.into(),
            });
        self.wd.perform_actions(actions).await.unwrap();
    }

    async fn type_text(&self, text: &str) {
        self.press(&text.chars().collect::<Vec<_>>()).await;
    }

    async fn focused_matches(&self, css: &str) -> bool {
        self.js(
            "return !!document.activeElement && document.activeElement.matches(arguments[0]);",
            vec![json!(css)],
        )
        .await
            == Value::Bool(true)
    }

    /// Presses Tab until the element matching `css` has focus.
    async fn tab_to(&self, css: &str) {
        for _ in 0..60 {
            if self.focused_matches(css).await {
                return;
            }
            self.press(&[Key::Tab.into()]).await;
        }
        panic!("Tab never reached `{css}`\n{}", self.describe().await);
    }

    async fn session(&self, method: http::Method, path: &'static str, body: Value) -> Value {
        self.wd
            .issue_cmd(SessionCommand { method, path, body })
            .await
            .unwrap_or(Value::Null)
    }

    /// The browser console since the last call (chromedriver's log endpoint).
    async fn console(&self) -> Vec<String> {
        let logs = self
            .session(http::Method::POST, "se/log", json!({ "type": "browser" }))
            .await;
        logs.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| {
                        format!(
                            "{} {}",
                            e["level"].as_str().unwrap_or(""),
                            e["message"].as_str().unwrap_or("")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// No Content-Security-Policy violation and no uncaught script error so far.
    /// (Failed requests, like the 401 that sends someone to sign in, are expected.)
    async fn assert_clean_console(&self) {
        let problems: Vec<String> = self
            .console()
            .await
            .into_iter()
            .filter(|line| {
                line.contains("Content Security Policy")
                    || line.contains("Uncaught")
                    || line.contains("SyntaxError")
                    || line.contains("TypeError")
                    || line.contains("ReferenceError")
            })
            .collect();
        assert!(
            problems.is_empty(),
            "[{}] console problems:\n{}",
            self.who,
            problems.join("\n")
        );
    }

    /// Saves the whole page as `target/screenshots/<test>-<step>.png`.
    async fn shot(&self, step: &str) -> PathBuf {
        let path = Path::new(SCREENSHOTS).join(format!("{}-{step}.png", self.test));
        let metrics = self
            .session(
                http::Method::POST,
                "goog/cdp/execute",
                json!({ "cmd": "Page.getLayoutMetrics", "params": {} }),
            )
            .await;
        let size = &metrics["cssContentSize"];
        let png = match (size["width"].as_f64(), size["height"].as_f64()) {
            (Some(width), Some(height)) => {
                let shot = self
                    .session(
                        http::Method::POST,
                        "goog/cdp/execute",
                        json!({ "cmd": "Page.captureScreenshot", "params": {
                            "format": "png",
                            "captureBeyondViewport": true,
                            "clip": { "x": 0, "y": 0, "width": width, "height": height.min(6000.0), "scale": 1 }
                        } }),
                    )
                    .await;
                shot["data"].as_str().and_then(|data| {
                    use base64::Engine;
                    base64::engine::general_purpose::STANDARD.decode(data).ok()
                })
            }
            _ => None,
        };
        let png = match png {
            Some(png) => png,
            None => self.wd.screenshot().await.unwrap(),
        };
        std::fs::write(&path, png).unwrap();
        path
    }
}

fn kill_group(child: &mut Child) {
    let _ = nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    );
    let _ = child.wait();
}

impl Drop for Browser {
    fn drop(&mut self) {
        kill_group(&mut self.driver);
    }
}

// -----------------------------------------------------------------------------------------
// Seeding through the API

struct Seeded {
    admin: common::Client,
    clinician: common::Client,
    patient: common::Client,
}

const CLINICIAN: &str = "dr.kim";
const PATIENT: &str = "sam.patient";

/// An administrator, a clinician they approved, and a patient in that clinician's care team.
async fn seed(server: &Server, db: &TestDb) -> Seeded {
    let admin = admin(server, db, "admin").await;
    let clinician = approved_clinician(server, &admin, CLINICIAN).await;
    let patient = patient_of(server, &clinician, PATIENT, CLINICIAN).await;
    Seeded {
        admin,
        clinician,
        patient,
    }
}

fn display(username: &str) -> String {
    format!("{username} (test)")
}

// -----------------------------------------------------------------------------------------
// The tests

/// The seed flow: a patient writes to their clinician, who sees the badge and replies.
#[tokio::test]
async fn a_patient_and_their_clinician_exchange_messages() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
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

    // The patient goes back to their inbox and reads the reply.
    patient.click("[data-testid=back-to-inbox]").await;
    patient
        .find("[data-testid=conversation-item][data-unread='1']")
        .await;
    patient.find_text("[data-testid=unread-badge]", "1").await;
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
#[tokio::test]
async fn signing_out_everywhere_else_explains_itself_and_returns_to_the_same_screen() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
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

/// On a phone: a check-in from Home shows on the mood chart; feedback shows with its status.
#[tokio::test]
async fn a_check_in_reaches_the_chart_and_feedback_shows_its_status() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    const TEST: &str = "mood_feedback";

    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Phone).await;
    patient.go("/").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    patient.find("[data-testid=home-checkin]").await;
    patient.settled().await;
    assert_eq!(
        patient.js("return window.innerWidth", vec![]).await,
        json!(360)
    );
    let overflow = patient
        .js(
            "return document.documentElement.scrollWidth > window.innerWidth",
            vec![],
        )
        .await;
    assert_eq!(
        overflow,
        json!(false),
        "nothing sticks out sideways at 360 px"
    );
    patient.shot("01-home").await;

    patient.click("#mood-score-7").await;
    patient
        .fill("#mood-note", "A walk in the park helped.")
        .await;
    patient.click("[data-testid=mood-submit]").await;
    patient
        .find_text("[data-testid=form-error][data-kind=success]", "7 out of 10")
        .await;
    patient
        .find_text("[data-testid=checked-in-today]", "7 out of 10")
        .await;
    patient.shot("02-home-checked-in").await;

    patient.click("[data-testid=nav-mood]").await;
    patient
        .find("svg[data-testid=mood-chart][data-points='1']")
        .await;
    patient.settled().await;
    assert_eq!(
        patient
            .count("svg[data-testid=mood-chart] circle[data-date]")
            .await,
        1
    );
    patient
        .find_text("[data-testid=mood-entry]", "7 out of 10")
        .await;
    patient
        .find_text("[data-testid=mood-entry]", "A walk in the park helped.")
        .await;
    patient.shot("03-mood-chart").await;

    patient.click("[data-testid=nav-feedback]").await;
    patient.settled().await;
    // Signing in again in another tab of this browser replaces the session cookie, so
    // this page's CSRF token is stale: the app fetches a fresh one and retries once.
    let status = patient
        .js(
            "return fetch('/api/auth/login', { method: 'POST', credentials: 'same-origin',
                 headers: { 'Content-Type': 'application/json' },
                 body: JSON.stringify({ username: arguments[0], password: arguments[1] }) })
               .then(r => r.status)",
            vec![json!(PATIENT), json!(PASSWORD)],
        )
        .await;
    assert_eq!(status, json!(200));
    patient.choose("#feedback-category", "feature").await;
    patient
        .fill("#feedback-message", "Could reminders come in the evening?")
        .await;
    patient.click("[data-testid=feedback-submit]").await;
    patient
        .find_text(
            "[data-testid=feedback-item]",
            "reminders come in the evening",
        )
        .await;
    patient
        .find_text(
            "[data-testid=feedback-item] [data-testid=feedback-status]",
            "New",
        )
        .await;
    patient.shot("04-feedback-sent").await;

    // An administrator picks it up; the patient sees the new status and the note.
    let list = seeded.admin.get("/api/admin/feedback").await.expect(200);
    let id = list.body["feedback"][0]["id"].as_i64().unwrap();
    seeded
        .admin
        .patch(
            &format!("/api/admin/feedback/{id}"),
            json!({ "status": "in_progress", "admin_note": "Thanks, we are looking at it." }),
        )
        .await
        .expect(200);
    patient.click("[data-testid=nav-home]").await;
    patient.find("[data-testid=greeting]").await;
    patient.click("[data-testid=nav-feedback]").await;
    patient
        .find("[data-testid=feedback-item][data-status=in_progress]")
        .await;
    patient
        .find_text("[data-testid=feedback-item]", "we are looking at it")
        .await;
    patient.settled().await;
    patient.shot("05-feedback-status").await;

    // Help is one click away on a phone too.
    patient.click("[data-testid=crisis-button]").await;
    patient.find_text("#crisis-panel", "116 123").await;
    patient.shot("06-crisis-panel").await;
    patient.click("#crisis-close").await;
    patient.gone("#crisis-panel[open]").await;

    patient.assert_clean_console().await;
    patient.close().await;
}

/// A long conversation pages back; a server that cannot be reached gets an explanation,
/// never a blank screen.
#[tokio::test]
async fn long_conversations_page_back_and_failures_are_explained() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let mut server = Server::start(&db, &[]).await;
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
    server.stop().await;
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

/// Signing in and sending a message with the keyboard alone: Tab, Enter and typing.
#[tokio::test]
async fn signing_in_and_sending_a_message_work_with_the_keyboard_alone() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
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

/// The web app's files: types, caching, client-side routes, and the JSON 404 (no browser).
#[tokio::test]
async fn the_web_app_is_served_with_types_routes_and_a_json_404() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(format!("{}{path}", server.base())).send();

    for path in [
        "/",
        "/messages",
        "/messages/12",
        "/mood",
        "/settings",
        "/clinician",
        "/admin",
        "/signin",
    ] {
        let response = get(path).await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert!(header("content-type").starts_with("text/html"), "{path}");
        assert_eq!(header("cache-control"), "no-cache", "{path}");
        assert!(header("content-security-policy").contains("script-src 'self'"));
        let body = response.text().await.unwrap();
        assert!(body.contains("<script type=\"module\" src=\"/app.js\">"));
    }
    for (path, kind) in [
        ("/app.js", "text/javascript"),
        ("/app.css", "text/css"),
        ("/views/messages.js", "text/javascript"),
        ("/icons/logo.svg", "image/svg+xml"),
    ] {
        let response = get(path).await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let content_type = response.headers()["content-type"].to_str().unwrap();
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        let again = http
            .get(format!("{}{path}", server.base()))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path} revalidates");
    }
    for path in [
        "/missing.png",
        "/views/nope.js",
        "/.hidden.js",
        "/api/nothing-here",
    ] {
        let response = get(path).await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found", "{path}");
    }

    // No inline script or style anywhere: the CSP would block it.
    let index = get("/").await.unwrap().text().await.unwrap();
    assert!(!index.contains("style="));
    assert!(!index.contains("<style"));
    assert!(!index.contains("<script>"));
    assert!(!has_inline_handler(&index), "no inline event handlers");
}

/// An `on...=` attribute, such as `onclick="..."`.
fn has_inline_handler(html: &str) -> bool {
    html.match_indices(" on").any(|(at, _)| {
        let rest = &html[at + 3..];
        let name: String = rest.chars().take_while(char::is_ascii_alphabetic).collect();
        !name.is_empty() && rest[name.len()..].trim_start().starts_with('=')
    })
}
