//! Installable: the manifest, its icons and the service worker, served as they must be.

use crate::common::*;
use serde_json::{json, Value};

/// Installable: the manifest, its icons and the service worker, with their types; the
/// service worker's list of the app's files; and a CSP that lets them work.
#[tokio::test(flavor = "multi_thread")]
async fn the_app_is_installable_with_a_manifest_and_a_service_worker() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let client = Client::new(&server);
    let manifest = client.get("/manifest.webmanifest").await.expect(200);
    assert_eq!(manifest.header("content-type"), "application/manifest+json");
    let manifest: Value = match manifest.body {
        Value::String(text) => serde_json::from_str(&text).unwrap(),
        other => other,
    };
    assert_eq!(manifest["display"], json!("standalone"));
    assert_eq!(manifest["start_url"], json!("/"));
    assert_eq!(manifest["theme_color"], json!("#1d5866"));
    for icon in manifest["icons"].as_array().unwrap() {
        let src = icon["src"].as_str().unwrap();
        let reply = client.get(src).await.expect(200);
        assert_eq!(
            reply.header("content-type").split(';').next(),
            icon["type"].as_str(),
            "{src}"
        );
    }
    let worker = client.get("/sw.js").await.expect(200);
    assert_eq!(
        worker.header("content-type"),
        "text/javascript; charset=utf-8"
    );
    let csp = worker.header("content-security-policy").to_owned();
    assert!(
        csp.contains("worker-src 'self'") && csp.contains("manifest-src 'self'"),
        "{csp}"
    );
    let shell = client.get("/app-shell.json").await.expect(200);
    let files = shell.body["files"].as_array().unwrap();
    assert!(files.contains(&json!("/index.html")), "{files:?}");
    // The modules at the hashed addresses the page names (src/web/assets.rs).
    for file in ["/app.js", "/offline.js", "/components/safety-plan.js"] {
        let (stem, extension) = file.rsplit_once('.').unwrap();
        assert!(
            files.iter().filter_map(|f| f.as_str()).any(|f| {
                f.len() == file.len() + 17
                    && f.starts_with(&format!("{stem}."))
                    && f.ends_with(&format!(".{extension}"))
            }),
            "{file} in {files:?}"
        );
    }
    assert!(!files
        .iter()
        .any(|f| f.as_str().unwrap().starts_with("/api/")));
    let index = client.get("/").await.expect(200);
    let html = index
        .body
        .as_str()
        .or(index.body["text"].as_str())
        .unwrap_or_default()
        .to_owned();
    assert!(
        html.contains(r#"<link rel="manifest" href="/manifest.webmanifest">"#),
        "{html}"
    );
}
