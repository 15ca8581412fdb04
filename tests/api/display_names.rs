//! Names that could fool someone: display names are NFC on one line without invisible
//! characters, and no name claims a role its account does not have.

use crate::common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn names_claiming_a_role_the_account_lacks_are_refused() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let client = Client::new(&server);
    for display_name in [
        "Administrator",
        "Support (Administrator)",
        "ＳＵＰＰＯＲＴ",
        "Аdmin",
        "4dm1n team",
        "Dr Kim",
        "Nurse Joy",
    ] {
        let reply = client
            .register("plain.pat", json!({ "display_name": display_name }))
            .await
            .expect_error(422, "validation_failed");
        assert_eq!(reply.field(), "display_name", "{display_name}");
        let message = reply.body["error"]["message"].as_str().unwrap();
        assert!(message.contains("kept for"), "{message}");
    }
    // The username is the display name when none is given, and is held to the same rule.
    for username in ["support", "admin.fan", "dr.who"] {
        let reply = client
            .register(username, json!({ "display_name": null }))
            .await
            .expect_error(422, "validation_failed");
        assert_eq!(reply.field(), "username", "{username}");
    }

    // A clinician may carry a clinical title; nobody but an administrator a staff one.
    let clinician = Client::new(&server);
    let reply = clinician
        .register(
            "kim",
            json!({ "role": "clinician", "display_name": "Dr Kim" }),
        )
        .await
        .expect(201);
    assert_eq!(reply.body["user"]["display_name"], "Dr Kim");
    let reply = Client::new(&server)
        .register(
            "lee",
            json!({ "role": "clinician", "display_name": "Lee (Support)" }),
        )
        .await
        .expect_error(422, "validation_failed");
    assert_eq!(reply.field(), "display_name");
    assert_eq!(db.scalar_i64("SELECT COUNT(*) FROM users").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn display_names_are_normalised_and_refuse_invisible_characters() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    for (display_name, why) in [
        ("Anna\u{202E}lehcaR", "a right-to-left override"),
        ("An\u{200B}na", "a zero-width space"),
        ("\u{3164}", "a blank Hangul filler"),
        ("Anna\nB", "a line break"),
        ("\u{0301}", "nothing visible"),
    ] {
        let reply = Client::new(&server)
            .register("quiet.quinn", json!({ "display_name": display_name }))
            .await
            .expect_error(422, "validation_failed");
        assert_eq!(reply.field(), "display_name", "{why}");
    }
    let client = Client::new(&server);
    let decomposed = "  Jose\u{0301}   Garci\u{0301}a ";
    let reply = client
        .register("jose.g", json!({ "display_name": decomposed }))
        .await
        .expect(201);
    assert_eq!(reply.body["user"]["display_name"], "José García");
    let me = client.get("/api/auth/me").await.expect(200);
    assert_eq!(me.body["user"]["display_name"], "José García");
}

/// The app shows a role badge beside every name that could fool someone; the role comes
/// with the name in every answer that lists people.
#[tokio::test(flavor = "multi_thread")]
async fn people_are_listed_with_their_username_and_role() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let asking = Client::new(&server);
    let ask = json!({ "clinician": "dr.in" });
    asking.register("asking.ann", ask).await.expect(201);
    let message = json!({ "recipient": "dr.in", "content": "Hello" });
    let sent = world.patient_a.post("/api/messages/send", message).await;
    let id = sent.expect(201).body["conversation_id"].as_i64().unwrap();
    let feedback = json!({ "category": "bug", "message": "Hi" });
    world
        .patient_a
        .post("/api/feedback", feedback)
        .await
        .expect(201);

    let requests = world.dr_in.get("/api/clinician/requests").await.expect(200);
    let patient = &requests.body["requests"][0]["patient"];
    assert_eq!(
        (&patient["username"], &patient["role"]),
        (&json!("asking.ann"), &json!("patient"))
    );
    let team = asking.get("/api/care-team").await.expect(200);
    assert_eq!(team.body["pending"][0]["clinician"]["role"], "clinician");
    let inbox = world.dr_in.get("/api/messages/inbox").await.expect(200);
    let other = &inbox.body["conversations"][0]["other"];
    assert_eq!(
        (&other["username"], &other["role"]),
        (&json!("patient.a"), &json!("patient"))
    );
    let path = format!("/api/messages/conversations/{id}");
    let conversation = world.patient_a.get(&path).await.expect(200);
    assert_eq!(
        conversation.body["conversation"]["other"]["role"],
        "clinician"
    );
    let recipients = world
        .patient_a
        .get("/api/messages/recipients")
        .await
        .expect(200);
    assert_eq!(recipients.body["recipients"][0]["role"], "clinician");
    let feedback = world.admin.get("/api/admin/feedback").await.expect(200);
    assert_eq!(feedback.body["feedback"][0]["author"]["role"], "patient");
    let users = world
        .admin
        .get("/api/admin/users?q=asking")
        .await
        .expect(200);
    assert_eq!(users.body["users"][0]["role"], "patient");
}
