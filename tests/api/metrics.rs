//! `GET /metrics` for the operator's Prometheus: an unknown address to anyone without
//! `METRICS_TOKEN`, and with it the text format, whose values follow what happened:
//! requests by route template, sign-in failures and lock-outs, refused sessions by
//! reason, mails, open and overdue risk alerts, the database's pools. No series ever
//! names a person, a token or what someone wrote.

use std::time::Duration;

use serde_json::json;

use crate::common::*;
use crate::measures::{gad7, phq9};
use text_format::Scrape;

mod text_format;

const TOKEN: &str = "metrics-token-0123456789-abcdefghijklmnop";

async fn scrape(server: &App) -> Scrape {
    let response = reqwest::Client::new()
        .get(format!("{}/metrics", server.base()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    Scrape::parse(response.text().await.unwrap())
}

/// Scrapes until `ready` holds (a mail is counted once its sending ends, after the answer).
async fn scrape_until(server: &App, ready: impl Fn(&Scrape) -> bool) -> Scrape {
    for _ in 0..100 {
        let scraped = scrape(server).await;
        if ready(&scraped) {
            return scraped;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the metrics never showed it: {}", scrape(server).await.text);
}

/// Status, content type and body: what a client can tell apart.
async fn answer(request: reqwest::RequestBuilder) -> (u16, String, String) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (status, content_type, response.text().await.unwrap())
}

const REQUESTS: &str = "healing_space_http_requests_total";

#[tokio::test(flavor = "multi_thread")]
async fn without_the_token_the_metrics_are_an_address_nobody_serves() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[("METRICS_TOKEN", TOKEN)]).await;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.base());
    let unknown = answer(http.get(url("/no-such-address"))).await;
    assert_eq!(unknown.0, 404);
    let refused = [
        http.get(url("/metrics")),
        http.get(url("/metrics"))
            .bearer_auth("not-the-token-0123456789-abcdefghijklmn"),
        http.get(url("/metrics")).bearer_auth(&TOKEN[1..]),
        http.get(url("/metrics")).bearer_auth(format!("{TOKEN}x")),
        http.get(url("/metrics"))
            .header("Authorization", format!("Basic {TOKEN}")),
        http.get(url("/metrics")).header("Authorization", TOKEN),
        http.get(url(&format!("/metrics?token={TOKEN}"))),
    ];
    for request in refused {
        assert_eq!(answer(request).await, unknown);
    }
    // Other methods, even with the token, as at any address nobody serves.
    let posted = answer(http.post(url("/metrics")).bearer_auth(TOKEN)).await;
    assert_eq!(posted, answer(http.post(url("/no-such-address"))).await);
    assert_eq!(posted.0, 405);
    assert_eq!(
        scrape(&server)
            .await
            .value("healing_space_database_up", &[]),
        Some(1.0)
    );

    // Without METRICS_TOKEN, nobody: whatever is sent.
    let off_db = TestDb::new().await;
    let off = App::start(&off_db, &[]).await;
    let off_unknown = answer(http.get(format!("{}/no-such-address", off.base()))).await;
    let tried = http
        .get(format!("{}/metrics", off.base()))
        .bearer_auth(TOKEN);
    assert_eq!(answer(tried).await, off_unknown);

    // Not in the published API, which is /api's.
    let document = Client::new(&server)
        .get("/api/openapi.json")
        .await
        .expect(200)
        .body;
    assert!(document["paths"].get("/metrics").is_none());
    assert!(!document.to_string().contains("/metrics"));
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_are_counted_by_route_template_method_and_status() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[("METRICS_TOKEN", TOKEN)]).await;
    let nobody = Client::new(&server);
    let before = scrape(&server).await;
    for id in 1..=5 {
        nobody
            .get(&format!("/api/messages/conversations/{id}"))
            .await
            .expect_error(401, "not_authenticated");
    }
    for _ in 0..3 {
        nobody.get("/api/health").await.expect(200);
    }
    for id in 1..=2 {
        nobody
            .get(&format!("/api/no/such/{id}"))
            .await
            .expect_error(404, "not_found");
    }
    nobody.get("/jordan.lee/nowhere").await.expect(404);
    nobody.get("/app.js").await.expect(200);
    let after = scrape(&server).await;
    let rise =
        |name: &str, labels: &[(&str, &str)]| after.sum(name, labels) - before.sum(name, labels);
    let conversation = [
        ("method", "GET"),
        ("route", "/api/messages/conversations/{id}"),
    ];
    let with_status = |status| {
        let mut labels = conversation.to_vec();
        labels.push(("status", status));
        labels
    };
    assert_eq!(rise(REQUESTS, &with_status("401")), 5.0);
    assert_eq!(after.value(REQUESTS, &with_status("401")), Some(5.0));
    let health = [
        ("method", "GET"),
        ("route", "/api/health"),
        ("status", "200"),
    ];
    assert_eq!(rise(REQUESTS, &health), 3.0);
    let unmatched = [("method", "GET"), ("route", "unmatched"), ("status", "404")];
    assert_eq!(rise(REQUESTS, &unmatched), 3.0, "/api and web alike");
    let web = [("method", "GET"), ("route", "web"), ("status", "200")];
    assert_eq!(rise(REQUESTS, &web), 1.0);
    // The latency histogram: every request in its count and in the +Inf bucket.
    let latency = "healing_space_http_request_duration_seconds";
    assert_eq!(rise(&format!("{latency}_count"), &conversation), 5.0);
    let mut infinite = conversation.to_vec();
    infinite.push(("le", "+Inf"));
    assert_eq!(rise(&format!("{latency}_bucket"), &infinite), 5.0);
    assert!(after.sum(&format!("{latency}_sum"), &conversation) > 0.0);
    // The scrape before this one is counted too.
    let scrapes = [("method", "GET"), ("route", "/metrics"), ("status", "200")];
    assert!(after.value(REQUESTS, &scrapes).unwrap() >= 1.0);
    // Refused sessions, by code: nobody sent no cookie.
    let no_cookie = [("result", "not_authenticated"), ("reason", "")];
    assert_eq!(rise("healing_space_session_lookups_total", &no_cookie), 5.0);

    // Templates only: no id, no address asked for, becomes a label.
    for route in after.label_values("route") {
        assert!(
            route.starts_with('/') || ["unmatched", "web"].contains(&route),
            "{route}"
        );
        assert!(!route.contains("/conversations/1"), "{route}");
        assert!(
            !route.contains("no/such") && !route.contains("jordan"),
            "{route}"
        );
    }

    // The pools, as each database has them; nothing waits on an idle server.
    let max = "healing_space_db_connections_max";
    if db.is_postgres() {
        assert_eq!(
            after.value(max, &[("pool", "postgres_statements")]),
            Some(12.0)
        );
        assert_eq!(after.value(max, &[("pool", "postgres_lookups")]), Some(1.0));
        let waiting = [("pool", "postgres_statements")];
        assert_eq!(after.value("healing_space_db_waiting", &waiting), Some(0.0));
        let idle = [("pool", "postgres_statements"), ("state", "idle")];
        assert!(after.value("healing_space_db_connections", &idle).unwrap() >= 1.0);
    } else {
        assert_eq!(after.value(max, &[("pool", "sqlite_readers")]), Some(64.0));
        assert_eq!(after.value(max, &[("pool", "sqlite_writer")]), Some(1.0));
        let queued = [("pool", "sqlite_writer")];
        assert_eq!(after.value("healing_space_db_waiting", &queued), Some(0.0));
        let idle = [("pool", "sqlite_readers"), ("state", "idle")];
        assert!(after.value("healing_space_db_connections", &idle).unwrap() >= 1.0);
    }
    assert_eq!(after.value("healing_space_database_up", &[]), Some(1.0));
    // Event streams: none yet, and the series is there for the day there are.
    assert_eq!(
        after.value("healing_space_event_streams_open", &[]),
        Some(0.0)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_failures_lock_outs_and_refused_sessions_are_counted_without_names() {
    let db = TestDb::new().await;
    let server = App::start(
        &db,
        &[("METRICS_TOKEN", TOKEN), ("LOGIN_MAX_FAILURES", "2")],
    )
    .await;
    let robin = Client::new(&server);
    robin.register("robin.private", json!({})).await.expect(201);
    let signed_in = Client::new(&server);
    let reply = signed_in.login("robin.private", PASSWORD).await.expect(200);
    let cookie = session_cookie(&reply);
    let csrf = signed_in.csrf().unwrap();
    signed_in
        .post("/api/auth/logout", json!({}))
        .await
        .expect(200);
    let refused = get_with_cookie(&server, "/api/auth/me", &cookie).await;
    let refused = refused.expect_error(401, "session_revoked");
    assert_eq!(refused.body["error"]["reason"], "signed_out");

    let guesser = Client::new(&server);
    for _ in 0..2 {
        guesser
            .login("robin.private", "wrong horse battery")
            .await
            .expect_error(401, "invalid_credentials");
    }
    guesser
        .login("robin.private", "wrong horse battery")
        .await
        .expect_error(429, "too_many_attempts");

    let scraped = scrape(&server).await;
    let password = [("step", "password")];
    assert_eq!(
        scraped.value("healing_space_sign_in_failures_total", &password),
        Some(2.0)
    );
    assert_eq!(
        scraped.value("healing_space_sign_in_lockouts_total", &password),
        Some(1.0)
    );
    let lookups = "healing_space_session_lookups_total";
    let revoked = [("result", "session_revoked"), ("reason", "signed_out")];
    assert_eq!(scraped.value(lookups, &revoked), Some(1.0));
    // The sign-out itself was a live session.
    assert!(
        scraped
            .value(lookups, &[("result", "live"), ("reason", "")])
            .unwrap()
            >= 1.0
    );

    for secret in [
        "robin",
        "wrong horse",
        PASSWORD,
        TOKEN,
        cookie.as_str(),
        csrf.as_str(),
    ] {
        assert!(!scraped.text.contains(secret), "{secret} in the metrics");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn open_and_overdue_risk_alerts_are_counted_by_severity() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[("METRICS_TOKEN", TOKEN), ("ALERT_ACK_MINUTES", "5")]).await;
    let world = World::new(&server, &db).await;
    let open = "healing_space_alerts_open";
    let before = scrape(&server).await;
    assert_eq!(before.value(open, &[("severity", "urgent")]), Some(0.0));
    assert_eq!(before.value(open, &[("severity", "review")]), Some(0.0));

    // Self-harm thoughts on PHQ-9 item 9: urgent. GAD-7 at 15: review.
    world
        .patient_a
        .post("/api/measures/phq9/responses", phq9([0; 8], 1))
        .await
        .expect(201);
    world
        .patient_a
        .post("/api/measures/gad7/responses", gad7([3, 2, 2, 2, 2, 2, 2]))
        .await
        .expect(201);
    let raised = scrape(&server).await;
    assert_eq!(raised.value(open, &[("severity", "urgent")]), Some(1.0));
    assert_eq!(raised.value(open, &[("severity", "review")]), Some(1.0));
    assert_eq!(raised.value("healing_space_alerts_overdue", &[]), Some(0.0));
    assert_eq!(
        raised.value("healing_space_alerts_unattended", &[]),
        Some(0.0)
    );

    let six_minutes = 6 * 60 * 1000;
    db.execute(&format!(
        "UPDATE risk_alerts SET triggered_at = triggered_at - {six_minutes}"
    ))
    .await;
    let waited = scrape(&server).await;
    assert_eq!(waited.value("healing_space_alerts_overdue", &[]), Some(1.0));

    let inbox = world
        .dr_in
        .get("/api/clinician/alerts?status=open")
        .await
        .expect(200)
        .body;
    let urgent = inbox["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["severity"] == "urgent")
        .unwrap()["id"]
        .clone();
    world
        .dr_in
        .post(
            &format!("/api/clinician/alerts/{urgent}/acknowledge"),
            json!({}),
        )
        .await
        .expect(200);
    let acknowledged = scrape(&server).await;
    assert_eq!(
        acknowledged.value(open, &[("severity", "urgent")]),
        Some(0.0)
    );
    assert_eq!(
        acknowledged.value(open, &[("severity", "review")]),
        Some(1.0)
    );
    assert_eq!(
        acknowledged.value("healing_space_alerts_overdue", &[]),
        Some(0.0)
    );
    assert!(!acknowledged.text.contains("patient.a"), "counts only");
}

#[tokio::test(flavor = "multi_thread")]
async fn mails_sent_and_failed_are_counted_by_kind_without_addresses() {
    let address = "casey.private@example.test";
    let mail = MailServer::start();
    let db = TestDb::new().await;
    let mut env = mail.env().to_vec();
    env.push(("METRICS_TOKEN", TOKEN));
    let server = App::start(&db, &env).await;
    Client::new(&server)
        .register("casey", json!({ "email": address }))
        .await
        .expect(201);
    mail.wait_for(address, 1).await;
    let sent = [("mail", "address_link")];
    let scraped = scrape_until(&server, |s| {
        s.value("healing_space_mails_sent_total", &sent) == Some(1.0)
    })
    .await;
    assert_eq!(
        scraped.value("healing_space_mails_failed_total", &sent),
        None
    );
    assert!(!scraped.text.contains("casey"));

    // A mail server that does not answer: the mail fails, and is counted so.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("smtp://{}", closed.local_addr().unwrap());
    drop(closed);
    let dead_db = TestDb::new().await;
    let failing = App::start(
        &dead_db,
        &[
            ("SMTP_URL", &dead),
            ("MAIL_FROM", "Healing Space <no-reply@healing.test>"),
            ("METRICS_TOKEN", TOKEN),
        ],
    )
    .await;
    Client::new(&failing)
        .register("casey", json!({ "email": address }))
        .await
        .expect(201);
    let scraped = scrape_until(&failing, |s| {
        s.value("healing_space_mails_failed_total", &sent) == Some(1.0)
    })
    .await;
    assert_eq!(scraped.value("healing_space_mails_sent_total", &sent), None);
    assert!(!scraped.text.contains("casey"));
}
