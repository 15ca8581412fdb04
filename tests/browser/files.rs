//! The web app's files, fetched without a browser: types, caching, every screen's
//! address (dots and all), the app's own 404 page, and no inline script, style or
//! handler for the CSP to block.

use crate::common::*;
use serde_json::Value;

/// The web app's files: types, caching, client-side routes, and the app's 404 page (no
/// browser).
#[tokio::test(flavor = "multi_thread")]
async fn the_web_app_is_served_with_types_routes_and_its_own_404() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(format!("{}{path}", server.base())).send();

    // Every screen, and a dotted deep link of every screen with a parameter (usernames
    // have dots), on reload or from a bookmark.
    for path in [
        "/",
        "/messages",
        "/messages/",
        "/messages/12",
        "/messages/new",
        "/messages/x.y",
        "/support",
        "/mood",
        "/measures",
        "/measures/phq9",
        "/feedback",
        "/settings",
        "/clinician",
        "/clinician/alerts",
        "/clinician/patients/jordan.lee",
        "/clinician/patients/jordan.lee/overview",
        "/clinician/patients/jordan.lee/mood",
        "/clinician/patients/jordan.lee/mood?days=30",
        "/admin",
        "/admin/feedback",
        "/admin/audit",
        "/signin",
        "/register",
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
        assert!(loads_the_app(&body));
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
    // Neither a file nor a screen: the app, with a 404, shows its own "not found" page,
    // under the same CSP; never a 304 that a cache would take for a success.
    for path in [
        "/missing.png",
        "/views/nope.js",
        "/.hidden.js",
        "/nowhere",
        "/messages/1/2",
        "/clinician/patients/jordan.lee/notes",
        "/jordan.lee",
    ] {
        let response = http
            .get(format!("{}{path}", server.base()))
            .header("If-None-Match", "*")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
        assert!(header("content-type").starts_with("text/html"), "{path}");
        assert!(header("content-security-policy").contains("script-src 'self'"));
        let body = response.text().await.unwrap();
        assert!(loads_the_app(&body), "{path}");
    }
    // The API keeps its JSON errors.
    for path in ["/api/nothing-here", "/api/people/jordan.lee", "/api/app.js"] {
        let response = get(path).await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found", "{path}");
    }

    // No inline script or style anywhere: the CSP would block it.
    let index = get("/").await.unwrap().text().await.unwrap();
    assert!(!index.contains("style="));
    assert!(!index.contains("<style"));
    assert!(!index.contains("<script>"));
    // One inline script, the import map, which the CSP allows by its hash.
    assert_eq!(index.matches("<script type=\"importmap\">").count(), 1);
    assert!(!has_inline_handler(&index), "no inline event handlers");
}

/// The page's module script: the app, at its hashed address (`/app.<hash>.js`; that
/// address is tested in tests/api/fast_pages.rs).
fn loads_the_app(html: &str) -> bool {
    html.contains("<script type=\"module\" src=\"/app.") && !html.contains("src=\"/app.js\"")
}

/// An `on...=` attribute, such as `onclick="..."`.
fn has_inline_handler(html: &str) -> bool {
    html.match_indices(" on").any(|(at, _)| {
        let rest = &html[at + 3..];
        let name: String = rest.chars().take_while(char::is_ascii_alphabetic).collect();
        !name.is_empty() && rest[name.len()..].trim_start().starts_with('=')
    })
}
