//! Wherever a display name could fool someone, the username and a role badge stand beside
//! it: conversations (list and header), the recipients picker, care-team requests and the
//! administrator's list of people.

use crate::browser::*;
use crate::common::*;
use serde_json::json;

/// The person shown in `scope` carries `@username` and the badge of `role`.
async fn shows_person(browser: &Browser, scope: &str, username: &str, role: &str) {
    browser
        .find_text(
            &format!("{scope} [data-testid=person-username]"),
            &format!("@{username}"),
        )
        .await;
    browser
        .find(&format!(
            "{scope} [data-testid=role-badge][data-role={role}]"
        ))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn usernames_and_role_badges_stand_beside_display_names() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    const TEST: &str = "names";
    let message = json!({ "recipient": CLINICIAN, "subject": "Hello", "content": "Hi there" });
    seeded
        .patient
        .post("/api/messages/send", message)
        .await
        .expect(201);
    let asking = Client::new(&server);
    let ask = json!({ "display_name": "Kim", "clinician": CLINICIAN });
    asking.register("kim.asks", ask).await.expect(201);

    let clinician = Browser::open(&tools, &server, TEST, "clinician", Viewport::Desktop).await;
    clinician.go("/signin").await;
    clinician.sign_in(CLINICIAN, PASSWORD).await;
    clinician.go("/messages").await;
    shows_person(
        &clinician,
        "[data-testid=conversation-item]",
        PATIENT,
        "patient",
    )
    .await;
    clinician.settled().await;
    clinician.shot("01-clinician-inbox").await;
    clinician.click("[data-testid=conversation-item]").await;
    clinician
        .find_text("[data-testid=message]", "Hi there")
        .await;
    shows_person(&clinician, "h1", PATIENT, "patient").await;
    clinician.settled().await;
    clinician.shot("02-clinician-conversation").await;
    clinician.go("/clinician").await;
    shows_person(
        &clinician,
        "[data-testid=care-request]",
        "kim.asks",
        "patient",
    )
    .await;
    clinician.settled().await;
    clinician.shot("03-clinician-requests").await;
    clinician.close().await;

    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Desktop).await;
    patient.go("/signin").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    patient.go("/messages").await;
    shows_person(
        &patient,
        "[data-testid=conversation-item]",
        CLINICIAN,
        "clinician",
    )
    .await;
    patient.go("/messages/new").await;
    let option = format!("#recipient option[value='{CLINICIAN}']");
    patient
        .find_text(&option, &format!("@{CLINICIAN}, Clinician"))
        .await;
    patient.settled().await;
    patient.shot("04-patient-recipients").await;
    patient.close().await;

    let admin = Browser::open(&tools, &server, TEST, "admin", Viewport::Desktop).await;
    admin.go("/signin").await;
    admin.sign_in("admin", PASSWORD).await;
    admin.go("/admin").await;
    for (username, role) in [
        (CLINICIAN, "clinician"),
        (PATIENT, "patient"),
        ("admin", "admin"),
    ] {
        let row = format!("[data-testid=admin-user][data-username='{username}']");
        shows_person(&admin, &row, username, role).await;
    }
    admin.settled().await;
    admin.shot("05-admin-people").await;
    admin.close().await;
}
