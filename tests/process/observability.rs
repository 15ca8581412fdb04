//! What an operator sees of the process: `LOG_FORMAT=json` writes one JSON object per
//! line, each line of a request with its id and route and never a username, password or
//! token; `doctor` says whether `/metrics` answers, and never shows `METRICS_TOKEN`.

use serde_json::{json, Value};

use crate::common::*;
use crate::production_env;

const TOKEN: &str = "metrics-token-0123456789-abcdefghijklmnop";

#[tokio::test]
async fn json_logs_carry_each_requests_id_and_route_but_no_username() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[("LOG_FORMAT", "json"), ("METRICS_TOKEN", TOKEN)]).await;
    let jordan = Client::new(&server);
    jordan
        .register("jordan.private", json!({}))
        .await
        .expect(201);
    Client::new(&server)
        .login("jordan.private", "a wrong password typed")
        .await
        .expect_error(401, "invalid_credentials");
    // An address that names someone, refused: its log line names the route only.
    let refused = Client::new(&server)
        .get("/api/clinician/patients/jordan.private/mood")
        .await
        .expect_error(401, "not_authenticated");
    let request_id = refused.header("x-request-id").to_owned();
    assert!(!request_id.is_empty());
    let scraped = reqwest::Client::new()
        .get(format!("{}/metrics", server.base()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200);

    let logs = server.logs_once(|logs| logs.contains(&request_id)).await;
    let lines: Vec<Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let started = lines
        .iter()
        .find(|l| l["fields"]["message"] == "Healing Space is listening")
        .expect("the start-up line");
    assert_eq!(started["level"], "INFO");
    assert_eq!(
        started["fields"]["listen"],
        format!("127.0.0.1:{}", server.port)
    );
    let line = lines
        .iter()
        .find(|l| l["span"]["request_id"] == request_id.as_str())
        .expect("the refused request's line");
    assert_eq!(line["fields"]["message"], "request not signed in");
    assert_eq!(line["fields"]["code"], "not_authenticated");
    assert_eq!(line["span"]["name"], "request");
    assert_eq!(line["span"]["method"], "GET");
    assert_eq!(
        line["span"]["route"],
        "/api/clinician/patients/{username}/mood"
    );
    assert_eq!(line["spans"][0]["request_id"], request_id.as_str());
    assert!(line["timestamp"].is_string());

    for secret in ["jordan", "a wrong password", PASSWORD, TOKEN, KEY_A] {
        assert!(!logs.contains(secret), "{secret} in the log:\n{logs}");
    }
}

/// `doctor`'s line for `name`, or "".
fn line_of(stdout: &str, name: &str) -> String {
    stdout
        .lines()
        .find(|l| l.contains(name))
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn doctor_says_whether_metrics_are_on_without_showing_the_token() {
    let db = TestDb::new().await;
    let doctor = |extra: &[(&str, &str)]| {
        let mut env = production_env(&db, Some(KEY_A));
        env.extend_from_slice(extra);
        let output = run_binary(&["doctor"], &env, db.dir());
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        (output.status.success(), stdout)
    };
    let (passed, stdout) = doctor(&[]);
    let metrics = line_of(&stdout, "METRICS_TOKEN");
    assert!(passed && metrics.starts_with("PASS"), "{stdout}");
    assert!(
        metrics.contains("not set") && metrics.contains("404"),
        "{metrics}"
    );
    assert!(line_of(&stdout, "LOG_FORMAT").contains("text"), "{stdout}");

    let (passed, stdout) = doctor(&[("METRICS_TOKEN", TOKEN), ("LOG_FORMAT", "json")]);
    let metrics = line_of(&stdout, "METRICS_TOKEN");
    assert!(passed && metrics.starts_with("PASS"), "{stdout}");
    assert!(metrics.contains("GET /metrics answers"), "{metrics}");
    assert!(line_of(&stdout, "LOG_FORMAT").contains("json"), "{stdout}");
    assert!(!stdout.contains(TOKEN), "{stdout}");

    let (passed, stdout) = doctor(&[("METRICS_TOKEN", KEY_A)]);
    let metrics = line_of(&stdout, "METRICS_TOKEN");
    assert!(!passed && metrics.starts_with("FAIL"), "{stdout}");
    assert!(metrics.contains("SECRET_KEY"), "{metrics}");
    assert!(!stdout.contains(KEY_A), "{stdout}");
}
