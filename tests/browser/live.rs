//! Live updates in the browser, through the server's event stream: a reply appears in an
//! open conversation without a reload (well before the 15 s poll would fetch it), and a
//! session ended from another device signs this one out at once, keeping the half-written
//! reply for when the person signs in again.

use std::time::{Duration, Instant};

use crate::browser::*;
use crate::common::*;
use serde_json::json;

/// Well under the conversation's 15 s poll: only a pushed event is this quick.
const PUSHED: Duration = Duration::from_secs(8);

#[tokio::test(flavor = "multi_thread")]
async fn replies_arrive_live_and_a_session_ended_elsewhere_signs_out_at_once() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let seeded = seed(&server, &db).await;
    const TEST: &str = "live";
    let conversation = seeded
        .clinician
        .post(
            "/api/messages/send",
            json!({ "recipient": PATIENT, "subject": "Check-in", "content": "How was the week?" }),
        )
        .await
        .expect(201)
        .body["conversation_id"]
        .as_i64()
        .unwrap();

    let patient = Browser::open(&tools, &server, TEST, "patient", Viewport::Desktop).await;
    patient.go(&format!("/messages/{conversation}")).await;
    patient.find("#username").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    patient
        .find_text("[data-testid=message]", "How was the week?")
        .await;
    patient.settled().await;
    // The page's event stream is open (its presence is written once it listens): a
    // message sent before then would reach the page by the slower poll.
    db.scalar_once("SELECT COUNT(*) FROM stream_presence", |open| open > 0)
        .await;

    let started = Instant::now();
    seeded
        .clinician
        .post(
            "/api/messages/send",
            json!({ "conversation_id": conversation, "content": "I am around all afternoon." }),
        )
        .await
        .expect(201);
    patient
        .find_text("[data-testid=message]", "around all afternoon")
        .await;
    assert!(
        started.elapsed() < PUSHED,
        "the reply took {:?}: it was polled, not pushed",
        started.elapsed()
    );
    patient.shot("01-reply-pushed").await;

    // A half-written reply, then the session is ended from the person's phone.
    patient.fill("#reply", "Thanks, I will write tonight").await;
    let phone = &seeded.patient;
    let sessions = phone.get("/api/auth/sessions").await.expect(200).body;
    let browser_session = sessions["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] != true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let started = Instant::now();
    phone
        .delete(&format!("/api/auth/sessions/{browser_session}"))
        .await
        .expect(200);
    patient.find("[data-testid=signin-notice]").await;
    assert!(
        started.elapsed() < PUSHED,
        "signed out after {:?}",
        started.elapsed()
    );
    patient.shot("02-signed-out-at-once").await;

    // Signing in again returns to the conversation, with the reply as it was.
    patient.sign_in(PATIENT, PASSWORD).await;
    patient
        .find_text("[data-testid=message]", "around all afternoon")
        .await;
    let draft = patient
        .js("return document.querySelector('#reply').value", vec![])
        .await;
    assert_eq!(draft, json!("Thanks, I will write tonight"));
    patient.assert_clean_console().await;
}

/// The idle timeout warns a minute ahead, and "Stay signed in" keeps the session.
#[tokio::test(flavor = "multi_thread")]
async fn the_idle_timeout_warns_a_minute_ahead_and_stay_signed_in_keeps_the_session() {
    let tools = tools_or_skip!();
    let _one = ONE_AT_A_TIME.lock().await;
    let db = TestDb::new().await;
    // 90 s idle: the warning comes after 30 s without activity.
    let server = App::start(&db, &[("SESSION_IDLE_TIMEOUT_SECONDS", "90")]).await;
    seed(&server, &db).await;
    let patient = Browser::open(&tools, &server, "idle", "patient", Viewport::Phone).await;
    patient.go("/").await;
    patient.sign_in(PATIENT, PASSWORD).await;
    patient.find("[data-testid=greeting]").await;
    tokio::time::sleep(Duration::from_secs(25)).await;
    patient.find("[data-testid=idle-warning]").await;
    patient
        .find_text("[data-testid=idle-warning]", "You will be signed out in")
        .await;
    patient.shot("01-warning").await;
    patient.click("[data-testid=stay-signed-in]").await;
    patient.gone("[data-testid=idle-warning]").await;
    // Still signed in: the session's deadline moved back to the full 90 s.
    let deadline = patient
        .js(
            "return fetch('/api/auth/session-deadline').then(r => r.json())",
            vec![],
        )
        .await;
    assert!(
        deadline["seconds_left"].as_i64().unwrap() > 80,
        "{deadline}"
    );
    patient.assert_clean_console().await;
}
