//! The browser harness: headless Chromium driven through chromedriver, one browser
//! context (its own chromedriver, Chromium and profile) per person, with helpers that
//! wait for what a person would see, and accounts seeded through the API.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian: `apt-get install
//! chromium chromium-driver`; or set `CHROME_BIN` / `CHROMEDRIVER`). Without them the
//! browser tests are skipped with a note, unless `REQUIRE_BROWSER_TESTS=1`, when they fail.

mod keyboard;
mod record;

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use serde_json::{json, Value};

use crate::common::{admin, approved_clinician, patient_of, Client, Running, TestDb};

const WAIT: Duration = Duration::from_secs(20);
const SCREENSHOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/target/screenshots");

/// Browser tests share two cores with everything else: one at a time.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

// -----------------------------------------------------------------------------------------
// The browser

pub struct Tools {
    chromedriver: String,
    chromium: String,
}

/// Chromium and chromedriver, or None (after saying why) when the test should be skipped.
pub fn tools() -> Option<Tools> {
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

/// The tools, or return from the test (see [`tools`]).
macro_rules! tools_or_skip {
    () => {
        match tools() {
            Some(tools) => tools,
            None => return,
        }
    };
}

#[derive(Clone, Copy)]
pub enum Viewport {
    Desktop,
    /// 360 px wide, the narrowest phone the app is made for.
    Phone,
}

/// One browser context: its own chromedriver, Chromium and profile (so its own cookies).
pub struct Browser {
    pub wd: fantoccini::Client,
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
    pub async fn open(
        tools: &Tools,
        server: &impl Running,
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

    pub async fn close(self) {
        let _ = self.wd.clone().close().await;
    }

    pub async fn go(&self, path: &str) {
        self.wd
            .goto(&format!("{}{}", self.base, path))
            .await
            .unwrap();
    }

    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.wd.execute(script, args).await.unwrap_or(Value::Null)
    }

    pub async fn path(&self) -> String {
        self.wd.current_url().await.unwrap().path().to_owned()
    }

    pub async fn page_text(&self) -> String {
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
    pub async fn describe(&self) -> String {
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
    pub async fn wait_for(&self, what: &str, script: &str, args: Vec<Value>) -> Value {
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
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
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
    pub async fn find_text(&self, css: &str, text: &str) {
        self.wait_for(
            &format!("`{css}` containing {text:?}"),
            "return [...document.querySelectorAll(arguments[0])]
                 .some(el => el.textContent.includes(arguments[1]));",
            vec![json!(css), json!(text)],
        )
        .await;
    }

    pub async fn gone(&self, css: &str) {
        self.wait_for(
            &format!("`{css}` to go away"),
            "return !document.querySelector(arguments[0]);",
            vec![json!(css)],
        )
        .await;
    }

    pub async fn count(&self, css: &str) -> u64 {
        self.js(
            "return document.querySelectorAll(arguments[0]).length",
            vec![json!(css)],
        )
        .await
        .as_u64()
        .unwrap_or(0)
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        if let Err(error) = element.click().await {
            panic!(
                "could not click `{css}`: {error}\n{}",
                self.describe().await
            );
        }
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        element.clear().await.unwrap();
        element.send_keys(text).await.unwrap();
    }

    /// Waits until the loading indicators are gone and checks that nothing failed.
    pub async fn settled(&self) {
        self.gone("[data-testid=loading]").await;
        if self.count("[data-testid=error]").await > 0 {
            panic!("the page shows an error\n{}", self.describe().await);
        }
    }

    /// Picks the option with `value` in the <select> matching `css`.
    pub async fn choose(&self, css: &str, value: &str) {
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

    pub async fn sign_in(&self, username: &str, password: &str) {
        self.fill("#username", username).await;
        self.fill("#password", password).await;
        self.click("[data-testid=signin-submit]").await;
        self.gone("#signin-submit").await;
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

pub struct Seeded {
    pub admin: Client,
    pub clinician: Client,
    pub patient: Client,
}

pub const CLINICIAN: &str = "dr.kim";
pub const PATIENT: &str = "sam.patient";

/// An administrator, a clinician they approved, and a patient in that clinician's care team.
pub async fn seed(server: &impl Running, db: &TestDb) -> Seeded {
    let admin = admin(server, db, "admin").await;
    let clinician = approved_clinician(server, &admin, CLINICIAN).await;
    let patient = patient_of(server, &clinician, PATIENT, CLINICIAN).await;
    Seeded {
        admin,
        clinician,
        patient,
    }
}

pub fn display(username: &str) -> String {
    format!("{username} (test)")
}
