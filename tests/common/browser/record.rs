//! What the browser recorded: its console, and a screenshot of every screen visited
//! (saved as `target/screenshots/<test>-<step>.png`).

use std::path::{Path, PathBuf};

use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::{json, Value};

use super::{Browser, SCREENSHOTS};

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

impl Browser {
    pub async fn session(&self, method: http::Method, path: &'static str, body: Value) -> Value {
        self.wd
            .issue_cmd(SessionCommand { method, path, body })
            .await
            .unwrap_or(Value::Null)
    }

    /// The browser console since the last call (chromedriver's log endpoint).
    pub async fn console(&self) -> Vec<String> {
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
    pub async fn assert_clean_console(&self) {
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
    pub async fn shot(&self, step: &str) -> PathBuf {
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
