//! The test harness: a fresh database per test (SQLite, or PostgreSQL when
//! `TEST_POSTGRES_URL` is set), the real `healing-space` process, and a cookie-keeping
//! HTTP client that sends the CSRF token like the web app does.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use sqlx::Connection;

pub const BINARY: &str = env!("CARGO_BIN_EXE_healing-space");
pub const PASSWORD: &str = "correct horse battery";
pub const KEY_A: &str = "test-key-A-0123456789-abcdefghijklmnopqrstuvwxyz";
pub const KEY_B: &str = "test-key-B-9876543210-ZYXWVUTSRQPONMLKJIHGFEDCBA";

/// A database of this test's own, removed afterwards.
pub struct TestDb {
    pub url: String,
    dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary folder");
        match std::env::var("TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            None => TestDb {
                url: format!("sqlite://{}/healing-space.db", dir.path().display()),
                dir,
                postgres: None,
            },
            Some(admin_url) => {
                let name = format!("hs_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .expect("TEST_POSTGRES_URL reachable");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(base, _)| base);
                TestDb {
                    url: format!("{base}/{name}"),
                    dir,
                    postgres: Some((admin_url.clone(), name)),
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// A direct connection, for checking what was stored.
    pub async fn connect(&self) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        sqlx::AnyConnection::connect(&self.url)
            .await
            .expect("connect to the test database")
    }

    pub async fn scalar_i64(&self, sql: &str) -> i64 {
        let mut conn = self.connect().await;
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&mut conn)
            .await
            .expect(sql)
    }

    pub async fn execute(&self, sql: &str) {
        let mut conn = self.connect().await;
        sqlx::query(sql).execute(&mut conn).await.expect(sql);
    }

    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

/// The real server process.
pub struct Server {
    child: Option<Child>,
    pub port: u16,
    pub env: BTreeMap<String, String>,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Development mode on loopback with `KEY_A`, a generous per-address limit, and `extra`.
    pub async fn start(db: &TestDb, extra: &[(&str, &str)]) -> Server {
        let mut env = BTreeMap::new();
        for (name, value) in [
            ("DEBUG", "1"),
            ("HOST", "127.0.0.1"),
            ("PORT", "0"),
            ("SECRET_KEY", KEY_A),
            ("AUTH_RATE_LIMIT_PER_MINUTE", "1000"),
            ("RUST_LOG", "info"),
        ] {
            env.insert(name.to_owned(), value.to_owned());
        }
        env.insert("DATABASE_URL".into(), db.url.clone());
        env.insert(
            "DATA_DIR".into(),
            db.dir().join("data").display().to_string(),
        );
        Server::start_with(env, extra).await
    }

    pub async fn start_with(mut env: BTreeMap<String, String>, extra: &[(&str, &str)]) -> Server {
        for (name, value) in extra {
            env.insert((*name).to_owned(), (*value).to_owned());
        }
        let mut server = Server {
            child: None,
            port: 0,
            env,
            log: Arc::new(Mutex::new(String::new())),
        };
        server.spawn().await;
        server
    }

    async fn spawn(&mut self) {
        let mut child = Command::new(BINARY)
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(&self.env)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start healing-space");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let log = self.log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(address) = line.split("listen=").nth(1) {
                    let port = address
                        .split_whitespace()
                        .next()
                        .and_then(|a| a.rsplit(':').next())
                        .and_then(|p| p.parse::<u16>().ok());
                    let _ = tx.send(port);
                }
                log.lock().unwrap().push_str(&(line + "\n"));
            }
            let _ = tx.send(None);
        });
        let port = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(60)))
            .await
            .unwrap();
        match port {
            Ok(Some(port)) => {
                self.port = port;
                self.env.insert("PORT".into(), port.to_string());
                self.child = Some(child);
            }
            _ => {
                let _ = child.kill();
                panic!("the server did not start; its log:\n{}", self.logs());
            }
        }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn logs(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// SIGTERM, then wait for the process to exit.
    pub async fn stop(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("the server is running");
        terminate(&child);
        tokio::task::spawn_blocking(move || child.wait().unwrap())
            .await
            .unwrap()
    }

    /// Stops and starts again on the same port, with some variables changed (None removes).
    pub async fn restart(&mut self, changes: &[(&str, Option<&str>)]) {
        self.stop().await;
        for (name, value) in changes {
            match value {
                Some(value) => self.env.insert((*name).to_owned(), (*value).to_owned()),
                None => self.env.remove(*name),
            };
        }
        self.spawn().await;
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

pub fn terminate(child: &Child) {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
}

/// A response: status, headers and the JSON body (Null when there is none).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The error code, or "" when the body is not an error.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn field(&self) -> &str {
        self.body["error"]["field"].as_str().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    #[track_caller]
    pub fn expect(self, status: u16) -> Reply {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }

    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) -> Reply {
        assert_eq!(
            (self.status, self.code()),
            (status, code),
            "body: {}",
            self.body
        );
        assert!(
            !self.body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .is_empty(),
            "an error has a message"
        );
        self
    }
}

/// A browser-like client: keeps cookies and sends the CSRF token it was last given.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    csrf: Arc<Mutex<Option<String>>>,
}

impl Client {
    pub fn new(server: &Server) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            base: server.base(),
            csrf: Arc::new(Mutex::new(None)),
        }
    }

    /// The same cookies and token, talking to another instance.
    pub fn on(&self, server: &Server) -> Client {
        Client {
            base: server.base(),
            ..self.clone()
        }
    }

    pub fn csrf(&self) -> Option<String> {
        self.csrf.lock().unwrap().clone()
    }

    pub fn set_csrf(&self, token: Option<&str>) {
        *self.csrf.lock().unwrap() = token.map(str::to_owned);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.http.get(self.url(path))).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(self.with_csrf(self.http.post(self.url(path))).json(&body))
            .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send(self.with_csrf(self.http.patch(self.url(path))).json(&body))
            .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(self.with_csrf(self.http.delete(self.url(path))))
            .await
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path))
    }

    pub fn with_csrf(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.csrf() {
            Some(token) => request.header("X-CSRF-Token", token),
            None => request,
        }
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        if let Some(token) = body["csrf_token"].as_str() {
            self.set_csrf(Some(token));
        }
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn register(&self, username: &str, extra: Value) -> Reply {
        let mut body = json!({ "username": username, "password": PASSWORD, "display_name": format!("{username} (test)") });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        self.post("/api/auth/register", body).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Reply {
        self.post(
            "/api/auth/login",
            json!({ "username": username, "password": password }),
        )
        .await
    }
}

/// A new client signed in as a new patient.
pub async fn patient(server: &Server, username: &str) -> Client {
    let client = Client::new(server);
    client.register(username, json!({})).await.expect(201);
    client
}

/// Runs the binary with a given environment and arguments to completion.
pub fn run_binary(
    args: &[&str],
    env: &[(&str, &str)],
    dir: &std::path::Path,
) -> std::process::Output {
    Command::new(BINARY)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run healing-space")
}

impl Server {
    /// Waits for a process already told to stop.
    pub async fn stop_waiting(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("the server is running");
        tokio::task::spawn_blocking(move || child.wait().unwrap())
            .await
            .unwrap()
    }
}

/// Creates an administrator with the real `admin create` command and signs them in.
pub async fn admin(server: &Server, db: &TestDb, username: &str) -> Client {
    use std::io::Write;
    let mut child = Command::new(BINARY)
        .args(["admin", "create", "--username", username])
        .env_clear()
        .env("DATABASE_URL", &db.url)
        .current_dir(db.dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "admin create");
    let client = Client::new(server);
    client.login(username, PASSWORD).await.expect(200);
    client
}

/// A clinician an administrator has approved.
pub async fn approved_clinician(server: &Server, admin: &Client, username: &str) -> Client {
    let client = Client::new(server);
    client
        .register(username, json!({ "role": "clinician" }))
        .await
        .expect(201);
    admin
        .post(&format!("/api/admin/users/{username}/approve"), json!({}))
        .await
        .expect(200);
    client
}

/// A patient whom `clinician` has taken into their care team.
pub async fn patient_of(
    server: &Server,
    clinician: &Client,
    username: &str,
    clinician_name: &str,
) -> Client {
    let client = Client::new(server);
    client
        .register(username, json!({ "clinician": clinician_name }))
        .await
        .expect(201);
    let requests = clinician.get("/api/clinician/requests").await.expect(200);
    let id = requests.body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["patient"]["username"] == username)
        .expect("the request reached the clinician")["id"]
        .as_i64()
        .unwrap();
    clinician
        .post(&format!("/api/clinician/requests/{id}/approve"), json!({}))
        .await
        .expect(200);
    client
}

/// Everyone the feature tests need: an administrator, a clinician with patient A in
/// their care team, a clinician without, a clinician awaiting approval, and patient B.
pub struct World {
    pub admin: Client,
    pub dr_in: Client,
    pub dr_out: Client,
    pub dr_pending: Client,
    pub patient_a: Client,
    pub patient_b: Client,
}

impl World {
    pub async fn new(server: &Server, db: &TestDb) -> World {
        let admin = admin(server, db, "admin").await;
        let dr_in = approved_clinician(server, &admin, "dr.in").await;
        let dr_out = approved_clinician(server, &admin, "dr.out").await;
        let dr_pending = Client::new(server);
        dr_pending
            .register("dr.pending", json!({ "role": "clinician" }))
            .await
            .expect(201);
        let patient_a = patient_of(server, &dr_in, "patient.a", "dr.in").await;
        let patient_b = patient(server, "patient.b").await;
        World {
            admin,
            dr_in,
            dr_out,
            dr_pending,
            patient_a,
            patient_b,
        }
    }
}
