//! The published contract: `/api/openapi.json` is an OpenAPI 3.1 document that needs no
//! session, documents every route the router has and nothing it lacks, and says what
//! each operation really answers; `/api/docs` renders it under the app's own CSP.

use std::collections::BTreeSet;
use std::path::Path;

use healing_space::http::ErrorCode;
use serde_json::{json, Value};

use crate::common::*;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];
/// What the router's fallback says for a path that matches no route.
const NO_ROUTE: &str = "There is nothing at this address. Check the path.";

/// Each documented operation: its method, path template and description.
fn operations(document: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                found.push((method.to_owned(), path.clone(), operation.clone()));
            }
        }
    }
    found
}

/// The template with every path parameter filled with a value of its type.
fn concrete(path: &str, operation: &Value) -> String {
    let mut path = path.to_owned();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        if parameter["in"] != "path" {
            continue;
        }
        let value = match parameter["schema"]["type"].as_str() {
            Some("integer") => "1",
            _ => "someone",
        };
        path = path.replace(
            &format!("{{{}}}", parameter["name"].as_str().unwrap()),
            value,
        );
    }
    path
}

async fn call(client: &Client, method: &str, path: &str, operation: &Value) -> Reply {
    let method = method.to_uppercase().parse().unwrap();
    let request = client.with_csrf(client.request(method, path));
    let request = match operation.get("requestBody") {
        Some(_) => request.json(&json!({})),
        None => request,
    };
    client.send(request).await
}

async fn document(server: &App) -> Value {
    let reply = Client::new(server)
        .get("/api/openapi.json")
        .await
        .expect(200);
    assert!(reply.header("content-type").starts_with("application/json"));
    reply.body
}

#[tokio::test(flavor = "multi_thread")]
async fn the_document_is_openapi_3_1_and_needs_no_session() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let document = document(&server).await;
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        document["openapi"]
    );
    assert!(operations(&document).len() >= 45);

    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["session_cookie"]["in"], "cookie");
    assert_eq!(schemes["session_cookie"]["name"], "hs_session");
    assert_eq!(schemes["csrf_token"]["in"], "header");
    assert_eq!(schemes["csrf_token"]["name"], "X-CSRF-Token");

    let schemas = &document["components"]["schemas"];
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(schemas["ErrorCode"]["enum"], json!(codes));
    assert_eq!(
        schemas["ErrorDetail"]["properties"]["code"]["$ref"],
        "#/components/schemas/ErrorCode"
    );
    assert_eq!(schemas["ErrorResponse"]["required"], json!(["error"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_operation_is_described_once_and_consistently() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let document = document(&server).await;
    let mut ids = BTreeSet::new();
    for (method, path, operation) in operations(&document) {
        let name = format!("{} {path}", method.to_uppercase());
        let id = operation["operationId"].as_str().unwrap_or_default();
        assert!(ids.insert(id.to_owned()), "{name}: operationId {id} twice");
        assert!(operation["summary"].is_string(), "{name} has no summary");
        assert!(operation["tags"][0].is_string(), "{name} has no tag");
        let requirement = &operation["security"][0];
        let with_session = requirement.get("session_cookie").is_some();
        let changes = method != "get";
        assert_eq!(
            requirement.get("csrf_token").is_some(),
            with_session && changes,
            "{name}: a change with a session needs X-CSRF-Token, nothing else does"
        );
        for (status, response) in operation["responses"].as_object().unwrap() {
            if status.starts_with('4') || status.starts_with('5') {
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                let readiness = path == "/api/ready";
                assert!(
                    readiness || schema == "#/components/schemas/ErrorResponse",
                    "{name} {status} is not an ErrorResponse"
                );
            }
        }
    }
}

/// Every documented operation reaches a handler: as nobody, a session's operation answers
/// 401 and any other answers neither the fallback's 404 nor a 405.
#[tokio::test(flavor = "multi_thread")]
async fn every_documented_operation_exists() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let nobody = Client::new(&server);
    let mut wrong = Vec::new();
    for (method, path, operation) in operations(&document(&server).await) {
        let reply = call(&nobody, &method, &concrete(&path, &operation), &operation).await;
        let needs_session = operation["security"]
            .as_array()
            .is_some_and(|all| all.iter().all(|r| r.get("session_cookie").is_some()));
        let fallback = reply.status == 405
            || (reply.status == 404 && reply.body["error"]["message"] == NO_ROUTE);
        if fallback || (needs_session && reply.status != 401) {
            wrong.push(format!("{method} {path}: {} {}", reply.status, reply.body));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every route is documented: a documented path answers 405 to every other method, and
/// no route is added outside the `#[utoipa::path]` declarations that build the document.
#[tokio::test(flavor = "multi_thread")]
async fn every_route_is_documented() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let document = document(&server).await;
    let nobody = Client::new(&server);
    let mut wrong = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        let operation = METHODS.iter().find_map(|m| item.get(*m)).unwrap();
        for method in METHODS.iter().filter(|m| item.get(**m).is_none()) {
            let reply = call(&nobody, method, &concrete(path, operation), &json!({})).await;
            if (reply.status, reply.code()) != (405, "method_not_allowed") {
                wrong.push(format!("{method} {path} is undocumented: {}", reply.status));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    let sources = rust_sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    for (file, text) in &sources {
        // The web app's own router serves the pages outside /api, and `/metrics` is the
        // operator's, for Prometheus, outside /api and the document.
        if file.contains("/src/web/") || file.ends_with("/src/scrape.rs") {
            continue;
        }
        for plain in [".route(", ".route_service(", "axum::routing"] {
            assert!(
                !text.contains(plain),
                "{file} adds a route with `{plain}`, outside the document: use routes!"
            );
        }
    }
    let declared: usize = sources
        .iter()
        .map(|(_, text)| text.matches("#[utoipa::path(").count())
        .sum();
    assert_eq!(
        declared,
        operations(&document).len(),
        "every #[utoipa::path] handler is routed (in a routes!) and so documented"
    );
}

fn rust_sources(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(rust_sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            found.push((path.display().to_string(), text));
        }
    }
    found
}

/// What each operation answers, to nobody, a patient and an administrator sending an
/// empty body and made-up ids, is a status the document lists for it, with a known code.
#[tokio::test(flavor = "multi_thread")]
async fn answers_are_documented() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let callers = [
        ("nobody", Client::new(&server)),
        ("patient", patient(&server, "contract.patient").await),
        ("admin", admin(&server, &db, "contract.admin").await),
    ];
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    let mut wrong = Vec::new();
    for (method, path, operation) in operations(&document(&server).await) {
        // Signing out or in would change who the callers are.
        if path.starts_with("/api/auth/") && method != "get" {
            continue;
        }
        for (who, caller) in &callers {
            let reply = call(caller, &method, &concrete(&path, &operation), &operation).await;
            let status = reply.status.to_string();
            let documented = operation["responses"].get(&status).is_some();
            let code = reply.body["error"]["code"].as_str();
            if !documented || code.is_some_and(|c| !codes.contains(&c)) {
                wrong.push(format!("{method} {path} as {who}: {status} {}", reply.body));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reference_page_is_served_from_here_under_the_apps_csp() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let client = Client::new(&server);
    let page = client.get("/api/docs").await.expect(200);
    assert!(page.header("content-type").starts_with("text/html"));
    let app = client.get("/").await.expect(200);
    let csp = page.header("content-security-policy");
    assert_eq!(csp, app.header("content-security-policy"), "the app's CSP");
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"));
    assert!(!csp.contains("unsafe") && !csp.contains("http"), "{csp}");

    let html = page.body.as_str().expect("HTML");
    let linked: Vec<&str> = html
        .split(['"', '\''])
        .filter(|part| part.ends_with(".js") || part.ends_with(".css"))
        .collect();
    assert_eq!(
        linked.len(),
        2,
        "one module and one style sheet: {linked:?}"
    );
    for asset in linked {
        assert!(
            asset.starts_with('/') && !asset.starts_with("//"),
            "{asset}"
        );
        let reply = client.get(asset).await.expect(200);
        let text = reply.body.as_str().unwrap_or_default();
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "{asset}"
        );
    }
}
