//! Sessions and CSRF against a confused or hostile client: an `Origin` header sent twice,
//! a `Referer` that is no address, and a browser that sends its session cookie twice
//! (a stale one, say for a parent domain, beside the current one).

use reqwest::Method;
use serde_json::json;

use crate::common::*;

const MOOD: &str = "/api/mood";

#[tokio::test(flavor = "multi_thread")]
async fn repeated_origins_and_referers_that_are_no_address_are_refused() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let client = patient(&server, "origin.olga").await;
    let own = server.base();
    let check_in = |headers: &[(&str, &str)]| {
        let mut request = client
            .with_csrf(client.request(Method::POST, MOOD))
            .json(&json!({ "score": 6 }));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        client.send(request)
    };

    for headers in [
        vec![("origin", own.as_str()), ("origin", "https://evil.example")],
        vec![("origin", "https://evil.example"), ("origin", own.as_str())],
        vec![("referer", "not a web address")],
        vec![("referer", "/api/mood")],
        vec![("origin", "null")],
    ] {
        let refused = check_in(&headers).await.expect_error(403, "csrf_failed");
        let message = refused.body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("Origin") || message.contains("Referer"),
            "{headers:?}: {message}"
        );
    }
    let history = client.get("/api/mood/history").await.expect(200);
    assert_eq!(history.body["entries"], json!([]), "nothing was stored");

    // This site's own Origin, or Referer, still passes, and the session was kept.
    check_in(&[("origin", own.as_str())]).await.expect(201);
    let page = format!("{own}/mood");
    check_in(&[("referer", page.as_str())]).await.expect(201);

    // Signing in, which needs no session, is guarded the same way.
    let anonymous = Client::new(&server);
    let login = anonymous
        .request(Method::POST, "/api/auth/login")
        .header("origin", own.as_str())
        .header("origin", "https://evil.example")
        .json(&json!({ "username": "origin.olga", "password": PASSWORD }));
    anonymous.send(login).await.expect_error(403, "csrf_failed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_session_among_duplicate_cookies_keeps_the_person_signed_in() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let first = Client::new(&server);
    let signed_out = session_cookie(&first.register("twin.tess", json!({})).await.expect(201));
    first.post("/api/auth/logout", json!({})).await.expect(200);
    let current = Client::new(&server);
    let login = current.login("twin.tess", PASSWORD).await.expect(200);
    let live = session_cookie(&login);
    let csrf = login.body["csrf_token"].as_str().unwrap().to_owned();

    for cookies in [
        [signed_out.as_str(), live.as_str()],
        [live.as_str(), signed_out.as_str()],
        ["never-issued-by-anyone", live.as_str()],
    ] {
        let me = with_cookies(&server, Method::GET, "/api/auth/me", &cookies, None)
            .await
            .expect(200);
        assert_eq!(me.body["user"]["username"], "twin.tess", "{cookies:?}");
        assert_eq!(me.body["session_id"], login.body["session_id"]);
    }
    let cookies = [signed_out.as_str(), live.as_str()];
    with_cookies(&server, Method::POST, MOOD, &cookies, Some(&csrf))
        .await
        .expect(201);

    // None live: the answer says what it knows best, not that nothing is known.
    let cookies = ["never-issued-by-anyone", signed_out.as_str()];
    let refused = with_cookies(&server, Method::GET, "/api/auth/me", &cookies, None)
        .await
        .expect_error(401, "session_revoked");
    assert_eq!(refused.body["error"]["reason"], "signed_out");
    let cookies = ["never-issued-by-anyone", "nor-this-one"];
    with_cookies(&server, Method::GET, "/api/auth/me", &cookies, None)
        .await
        .expect_error(401, "session_unknown");
}

/// A request whose one `Cookie` header holds the session cookie once per token, in order.
async fn with_cookies(
    server: &App,
    method: Method,
    path: &str,
    tokens: &[&str],
    csrf: Option<&str>,
) -> Reply {
    let client = Client::new(server);
    client.set_csrf(csrf);
    let header = tokens
        .iter()
        .map(|token| format!("hs_session={token}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut request = client
        .request(method.clone(), path)
        .header("cookie", header);
    if method == Method::POST {
        request = client.with_csrf(request).json(&json!({ "score": 4 }));
    }
    client.send(request).await
}
