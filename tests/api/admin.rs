//! Administration: finding people, approving clinicians, disabling and enabling accounts,
//! ending sessions, and the audit log.

use crate::common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn administrators_approve_disable_enable_and_sign_people_out() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let admin = &world.admin;
    let clinicians = admin
        .get("/api/admin/users?role=clinician")
        .await
        .expect(200);
    assert_eq!(
        usernames(&clinicians.body["users"], "username"),
        ["dr.in", "dr.out", "dr.pending"]
    );
    assert_eq!(clinicians.body["users"][2]["status"], "pending");
    let found = admin.get("/api/admin/users?q=PATIENT.A").await.expect(200);
    assert_eq!(usernames(&found.body["users"], "username"), ["patient.a"]);
    assert_eq!(
        admin.get("/api/admin/users?q=%25").await.body["total"],
        0,
        "a search for % is literal"
    );
    let paged = admin
        .get("/api/admin/users?limit=2&page=3")
        .await
        .expect(200);
    assert_eq!(paged.body["total"], 6);
    assert_eq!(
        usernames(&paged.body["users"], "username"),
        ["patient.a", "patient.b"]
    );

    world
        .dr_pending
        .get("/api/clinician/patients")
        .await
        .expect_error(403, "clinician_not_approved");
    let old_cookie_session = world.dr_pending.get("/api/auth/me").await.body["session_id"].clone();
    admin
        .post("/api/admin/users/dr.pending/approve", json!({}))
        .await
        .expect(200);
    admin
        .post("/api/admin/users/dr.pending/approve", json!({}))
        .await
        .expect_error(409, "not_pending");
    world
        .dr_pending
        .get("/api/clinician/patients")
        .await
        .expect(200);
    assert_eq!(
        world.dr_pending.get("/api/auth/me").await.body["session_id"],
        old_cookie_session
    );

    let other = Client::new(&server);
    other.login("patient.b", PASSWORD).await.expect(200);
    let support = admin
        .post(
            "/api/messages/send",
            json!({ "recipient": "patient.b", "content": "How can we help?" }),
        )
        .await
        .expect(201);
    let support_id = support.body["conversation_id"].clone();
    let support_page = format!("/api/messages/conversations/{support_id}");
    let disabled = admin
        .post("/api/admin/users/patient.b/disable", json!({}))
        .await
        .expect(200);
    assert_eq!(disabled.body["user"]["status"], "disabled");
    world
        .patient_b
        .get("/api/home/data")
        .await
        .expect_error(401, "account_disabled");
    other
        .get("/api/messages/inbox")
        .await
        .expect_error(401, "account_disabled");
    Client::new(&server)
        .login("patient.b", PASSWORD)
        .await
        .expect_error(401, "account_disabled");
    admin
        .post("/api/admin/users/admin/disable", json!({}))
        .await
        .expect_error(409, "cannot_disable_self");
    // A disabled account cannot be written to, even by support.
    let page = admin.get(&support_page).await.expect(200);
    assert_eq!(page.body["conversation"]["can_reply"], false);
    admin
        .post(
            "/api/messages/send",
            json!({ "conversation_id": support_id, "content": "Still there?" }),
        )
        .await
        .expect_error(403, "recipient_not_allowed");
    admin
        .post("/api/admin/users/patient.b/enable", json!({}))
        .await
        .expect(200);
    assert_eq!(
        admin.get(&support_page).await.body["conversation"]["can_reply"],
        true
    );
    admin
        .post(
            "/api/messages/send",
            json!({ "conversation_id": support_id, "content": "Welcome back." }),
        )
        .await
        .expect(201);
    let page = admin.get(&support_page).await.expect(200);
    let contents: Vec<&str> = page.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, ["How can we help?", "Welcome back."]);
    let reply = other
        .get("/api/messages/inbox")
        .await
        .expect_error(401, "session_revoked");
    assert_eq!(
        reply.body["error"]["reason"], "admin",
        "enabled again: the session was ended by an administrator"
    );
    let back = Client::new(&server);
    back.login("patient.b", PASSWORD).await.expect(200);

    let ended = admin
        .post("/api/admin/users/patient.b/end-sessions", json!({}))
        .await
        .expect(200);
    assert_eq!(ended.body["ended"], 1);
    let reply = back
        .get("/api/home/data")
        .await
        .expect_error(401, "session_revoked");
    assert_eq!(reply.body["error"]["reason"], "admin");

    let audit = admin
        .get("/api/admin/audit?user=patient.b")
        .await
        .expect(200);
    let events: Vec<String> = usernames(&audit.body["entries"], "event");
    for expected in [
        "all_sessions_ended",
        "account_enabled",
        "account_disabled",
        "sign_in_succeeded",
        "account_created",
    ] {
        assert!(
            events.contains(&expected.to_owned()),
            "{expected} in {events:?}"
        );
    }
    assert_eq!(audit.body["entries"][0]["event"], "all_sessions_ended");
    assert_eq!(audit.body["entries"][0]["actor"], "admin");
    let everything = admin
        .get("/api/admin/audit?limit=100")
        .await
        .expect(200)
        .body
        .to_string();
    assert!(everything.contains("clinician_approved") && everything.contains("care_team_approved"));
    assert!(!everything.contains(PASSWORD));
}
