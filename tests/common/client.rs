//! A browser-like HTTP client (cookies kept, the CSRF token sent like the web app sends
//! it) and the replies it gets, for servers in this process and real processes alike.

use std::sync::{Arc, Mutex};

use reqwest::header::HeaderMap;
use serde_json::{json, Value};

use super::{App, Server, PASSWORD};

/// A running server, in this process or not: where to reach it.
pub trait Running {
    fn base(&self) -> String;
}

impl Running for App {
    fn base(&self) -> String {
        App::base(self)
    }
}

impl Running for Server {
    fn base(&self) -> String {
        Server::base(self)
    }
}

/// A server in this process reached at `localhost` rather than `127.0.0.1`, as passkeys
/// need: WebAuthn names a relying party by a domain name, never an IP address.
pub struct Localhost<'a>(pub &'a App);

impl Running for Localhost<'_> {
    fn base(&self) -> String {
        format!("http://localhost:{}", self.0.port())
    }
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
    pub fn new(server: &impl Running) -> Client {
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
    pub fn on(&self, server: &impl Running) -> Client {
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
        // An event stream never ends by itself: its status and headers are the answer.
        let streams = headers
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        let text = if streams {
            String::new()
        } else {
            response.text().await.unwrap()
        };
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

/// The session token from a reply's Set-Cookie header.
pub fn session_cookie(reply: &Reply) -> String {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("hs_session="))
        .and_then(|rest| rest.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// A request with a hand-written cookie and no cookie store.
pub async fn get_with_cookie(server: &impl Running, path: &str, cookie: &str) -> Reply {
    let client = Client::new(server);
    client
        .send(
            client
                .request(reqwest::Method::GET, path)
                .header("cookie", format!("hs_session={cookie}")),
        )
        .await
}

/// The `field` of every item in a JSON list.
pub fn usernames(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap_or_default().to_owned())
        .collect()
}
