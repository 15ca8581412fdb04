//! Who may call what: every route, called as nobody, patient A, patient B, a clinician in
//! A's care team, one outside it, a clinician awaiting approval and an administrator (the
//! table is checked against the OpenAPI document, so a new route needs a row). That no id
//! reaches another person's data is in [`crate::ownership`].

mod cbt;
mod clinical;
mod passkeys;
mod recovery;
mod safety_plan;
mod two_factor;

use crate::common::*;
use serde_json::{json, Value};

/// The callers, in this order, in every row of the table.
const CALLERS: [&str; 7] = [
    "nobody",
    "patient A",
    "patient B",
    "dr in",
    "dr out",
    "dr pending",
    "admin",
];

pub struct Row {
    method: reqwest::Method,
    path: String,
    body: Option<Value>,
    expected: [u16; 7],
}

pub fn row(method: &str, path: impl Into<String>, body: Option<Value>, expected: [u16; 7]) -> Row {
    Row {
        method: method.parse().unwrap(),
        path: path.into(),
        body,
        expected,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_checks_who_is_calling() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let nobody = Client::new(&server);
    // Requests addressed to dr.in, for approving and declining.
    patient_of_pending(&server, "patient.c").await;
    patient_of_pending(&server, "patient.d").await;
    let requests = world.dr_in.get("/api/clinician/requests").await.expect(200);
    let request_id = |name: &str| {
        requests.body["requests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["patient"]["username"] == name)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (approve_id, decline_id) = (request_id("patient.c"), request_id("patient.d"));
    let sent = world
        .patient_a
        .post(
            "/api/messages/send",
            json!({ "recipient": "dr.in", "content": "private" }),
        )
        .await
        .expect(201);
    let conversation = sent.body["conversation_id"].as_i64().unwrap();
    let message = sent.body["message_id"].as_i64().unwrap();
    let feedback = world
        .patient_a
        .post(
            "/api/feedback",
            json!({ "category": "bug", "message": "mine" }),
        )
        .await
        .expect(201)
        .body["feedback"]["id"]
        .as_i64()
        .unwrap();
    world
        .patient_a
        .post("/api/mood", json!({ "score": 3 }))
        .await
        .expect(201);
    let c = format!("/api/messages/conversations/{conversation}");
    let mut table = clinical::rows(&world).await;
    table.extend(cbt::rows(&world).await);
    table.extend(safety_plan::rows(&world).await);
    table.extend(recovery::rows());
    table.extend(two_factor::rows());
    table.extend(passkeys::rows());
    table.extend(vec![
        row("GET", "/api/events", None, [401, 200, 200, 200, 200, 200, 200]),
        row(
            "GET",
            "/api/home/data",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "GET",
            "/api/care-team",
            None,
            [401, 200, 200, 403, 403, 403, 403],
        ),
        row(
            "POST",
            "/api/care-team/requests",
            Some(json!({ "clinician": "dr.out" })),
            [401, 201, 201, 403, 403, 403, 403],
        ),
        row(
            "DELETE",
            "/api/care-team/dr.out",
            None,
            [401, 200, 200, 403, 403, 403, 403],
        ),
        row(
            "GET",
            "/api/clinicians",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "GET",
            "/api/clinician/requests",
            None,
            [401, 403, 403, 200, 200, 403, 403],
        ),
        row(
            "POST",
            format!("/api/clinician/requests/{approve_id}/approve"),
            None,
            [401, 403, 403, 200, 404, 403, 403],
        ),
        row(
            "POST",
            format!("/api/clinician/requests/{decline_id}/decline"),
            None,
            [401, 403, 403, 200, 404, 403, 403],
        ),
        row(
            "GET",
            "/api/clinician/patients",
            None,
            [401, 403, 403, 200, 200, 403, 403],
        ),
        row(
            "GET",
            "/api/clinician/patients/patient.a/mood",
            None,
            [401, 403, 403, 200, 404, 403, 403],
        ),
        row(
            "GET",
            "/api/clinician/patients/patient.b/mood",
            None,
            [401, 403, 403, 404, 404, 403, 403],
        ),
        row(
            "GET",
            "/api/messages/recipients",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "POST",
            "/api/messages/send",
            Some(json!({ "recipient": "dr.in", "content": "hello" })),
            [401, 201, 403, 403, 201, 403, 201],
        ),
        row(
            "POST",
            "/api/messages/send",
            Some(json!({ "conversation_id": conversation, "content": "hello" })),
            [401, 201, 404, 201, 404, 404, 404],
        ),
        row(
            "POST",
            "/api/support",
            Some(json!({ "content": "I need help with my account" })),
            [401, 201, 201, 201, 201, 201, 403],
        ),
        row(
            "GET",
            "/api/messages/inbox",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        row("GET", c.clone(), None, [401, 200, 404, 200, 404, 404, 404]),
        row(
            "POST",
            format!("{c}/read"),
            None,
            [401, 200, 404, 200, 404, 404, 404],
        ),
        row(
            "POST",
            format!("{c}/archive"),
            None,
            [401, 200, 404, 200, 404, 404, 404],
        ),
        row(
            "POST",
            format!("{c}/unarchive"),
            None,
            [401, 200, 404, 200, 404, 404, 404],
        ),
        row(
            "GET",
            "/api/messages/sent",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "GET",
            "/api/messages/unread-count",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "DELETE",
            format!("/api/messages/{message}"),
            None,
            [401, 200, 404, 200, 404, 404, 404],
        ),
        row(
            "POST",
            "/api/mood",
            Some(json!({ "score": 5 })),
            [401, 201, 201, 403, 403, 403, 403],
        ),
        row(
            "GET",
            "/api/mood/history",
            None,
            [401, 200, 200, 403, 403, 403, 403],
        ),
        row(
            "POST",
            "/api/feedback",
            Some(json!({ "category": "other", "message": "hi" })),
            [401, 201, 201, 201, 201, 201, 201],
        ),
        row(
            "GET",
            "/api/feedback",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "GET",
            "/api/admin/feedback",
            None,
            [401, 403, 403, 403, 403, 403, 200],
        ),
        row(
            "PATCH",
            format!("/api/admin/feedback/{feedback}"),
            Some(json!({ "status": "resolved" })),
            [401, 403, 403, 403, 403, 403, 200],
        ),
        row(
            "GET",
            "/api/admin/users",
            None,
            [401, 403, 403, 403, 403, 403, 200],
        ),
        row(
            "POST",
            "/api/admin/users/patient.b/approve",
            None,
            [401, 403, 403, 403, 403, 403, 409],
        ),
        row(
            "POST",
            "/api/admin/users/patient.d/disable",
            None,
            [401, 403, 403, 403, 403, 403, 200],
        ),
        row(
            "POST",
            "/api/admin/users/patient.d/enable",
            None,
            [401, 403, 403, 403, 403, 403, 200],
        ),
        row(
            "POST",
            "/api/admin/users/patient.d/end-sessions",
            None,
            [401, 403, 403, 403, 403, 403, 200],
        ),
        row(
            "GET",
            "/api/admin/audit",
            None,
            [401, 403, 403, 403, 403, 403, 200],
        ),
        row(
            "GET",
            "/api/me/export",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        // Read without counting as activity, but only by a signed-in person.
        row(
            "GET",
            "/api/auth/session-deadline",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        // Open to anyone: the same answer whoever calls.
        row("GET", "/api/health", None, [200; 7]),
        row("GET", "/api/ready", None, [200; 7]),
        row("GET", "/api/openapi.json", None, [200; 7]),
        row("GET", "/api/docs", None, [200; 7]),
        row("GET", "/api/auth/status", None, [200; 7]),
        row("POST", "/api/auth/register", Some(json!({})), [422; 7]),
        row(
            "POST",
            "/api/auth/login",
            Some(json!({ "username": "no.such.person", "password": "not-a-password" })),
            [401; 7],
        ),
        // Anyone signed in, about their own account and sessions.
        row(
            "GET",
            "/api/auth/me",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "GET",
            "/api/auth/sessions",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "DELETE",
            "/api/auth/sessions/no-such-session",
            None,
            [401, 404, 404, 404, 404, 404, 404],
        ),
        row(
            "PATCH",
            "/api/auth/sessions/no-such-session",
            Some(json!({ "name": "Phone" })),
            [401, 404, 404, 404, 404, 404, 404],
        ),
        row(
            "POST",
            "/api/auth/sessions/revoke-others",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "POST",
            "/api/auth/change-password",
            Some(
                json!({ "current_password": "not-my-password", "new_password": "a-new-password-1" }),
            ),
            [401, 403, 403, 403, 403, 403, 403],
        ),
        // Last: it signs every caller out.
        row(
            "POST",
            "/api/auth/logout",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
    ]);
    let uncovered = undocumented_by_the_table(&nobody, &table).await;
    assert!(uncovered.is_empty(), "routes without a row: {uncovered:?}");
    let callers = [
        &nobody,
        &world.patient_a,
        &world.patient_b,
        &world.dr_in,
        &world.dr_out,
        &world.dr_pending,
        &world.admin,
    ];
    let mut mismatches = Vec::new();
    for row in &table {
        for (index, caller) in callers.iter().enumerate() {
            let mut request = caller.with_csrf(caller.request(row.method.clone(), &row.path));
            request = request.json(row.body.as_ref().unwrap_or(&json!({})));
            let reply = caller.send(request).await;
            if reply.status != row.expected[index] {
                mismatches.push(format!(
                    "{} {} as {}: {} (expected {}) {}",
                    row.method,
                    row.path,
                    CALLERS[index],
                    reply.status,
                    row.expected[index],
                    reply.body
                ));
            }
            assert!(
                reply.body["error"].is_null() || reply.body["error"]["code"].is_string(),
                "JSON errors only"
            );
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// The documented operations (`METHOD /api/path/{param}`) that no row of the table calls.
async fn undocumented_by_the_table(client: &Client, table: &[Row]) -> Vec<String> {
    let document = client.get("/api/openapi.json").await.expect(200).body;
    let mut uncovered = Vec::new();
    for (template, item) in document["paths"].as_object().unwrap() {
        let methods = ["get", "post", "put", "patch", "delete"];
        for method in methods.iter().filter(|m| item.get(**m).is_some()) {
            let method = method.to_uppercase();
            let called = table
                .iter()
                .any(|row| row.method.as_str() == method && matches_template(template, &row.path));
            if !called {
                uncovered.push(format!("{method} {template}"));
            }
        }
    }
    uncovered
}

/// Whether `path` is `template` with each `{parameter}` filled by one segment.
fn matches_template(template: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or_default();
    let (template, path): (Vec<_>, Vec<_>) =
        (template.split('/').collect(), path.split('/').collect());
    template.len() == path.len()
        && template
            .iter()
            .zip(&path)
            .all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}') && !p.is_empty()))
}

async fn patient_of_pending(server: &App, username: &str) -> Client {
    let client = Client::new(server);
    client
        .register(username, json!({ "clinician": "dr.in" }))
        .await
        .expect(201);
    client
}
