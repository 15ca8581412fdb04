//! Mail about new messages and urgent alerts, through a real SMTP server: the recipient
//! is mailed that a message waits (never what it says or who wrote it), at most once per
//! interval and never while they have the app open; the one-click unsubscribe switches it
//! off; an urgent alert mails the care team's clinicians at once and again when overdue.

use std::time::Duration;

use crate::common::*;
use crate::measures::phq9;
use reqwest::Method;
use serde_json::json;

/// Confirms `email` for the signed-in client through the link mailed to it.
async fn confirm_address(client: &Client, mail: &MailServer, email: &str) {
    client
        .patch("/api/me", json!({ "email": email }))
        .await
        .expect(200);
    let token = mail.wait_for(email, 1).await[0].link_token("/verify-email");
    client
        .post("/api/me/email/verify", json!({ "token": token }))
        .await
        .expect(200);
}

/// The mails to `address` with this subject.
fn with_subject(mail: &MailServer, address: &str, subject: &str) -> Vec<ReceivedMail> {
    mail.to(address)
        .into_iter()
        .filter(|m| m.subject() == subject)
        .collect()
}

async fn wait_for_subject(
    mail: &MailServer,
    address: &str,
    subject: &str,
    count: usize,
) -> Vec<ReceivedMail> {
    // Up to 20 s: the overdue alert scan runs every 5 s, and a loaded machine is slow.
    for _ in 0..400 {
        let found = with_subject(mail, address, subject);
        if found.len() >= count {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{address} got {} mails of \"{subject}\", expected {count}",
        with_subject(mail, address, subject).len()
    );
}

/// As if the interval between new-message mails had passed for everyone.
async fn interval_passes(db: &TestDb) {
    db.execute(
        "UPDATE notification_state SET last_message_mail_at = last_message_mail_at - 7200000",
    )
    .await;
}

/// Long enough for a mail that was going to be sent to have arrived.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(1500)).await;
}

const NEW_MESSAGE: &str = "You have a new message on Healing Space";
const A_MAIL: &str = "a@example.test";

async fn send(world: &World, conversation: i64, content: &str) {
    world
        .dr_in
        .post(
            "/api/messages/send",
            json!({ "conversation_id": conversation, "content": content }),
        )
        .await
        .expect(201);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_message_is_mailed_once_an_interval_only_while_away_and_never_its_content() {
    let db = TestDb::new().await;
    let mail = MailServer::start();
    let mut env = mail.env().to_vec();
    // An hour, which the test ages (`interval_passes`): a slow machine cannot make it pass.
    env.push(("MESSAGE_MAIL_EVERY_SECONDS", "3600"));
    let server = App::start(&db, &env).await;
    let world = World::new(&server, &db).await;
    confirm_address(&world.patient_a, &mail, A_MAIL).await;
    let conversation = world
        .dr_in
        .post(
            "/api/messages/send",
            json!({ "recipient": "patient.a", "subject": "Medication", "content": "the sertraline dose" }),
        )
        .await
        .expect(201)
        .body["conversation_id"]
        .as_i64()
        .unwrap();
    let notice = wait_for_subject(&mail, A_MAIL, NEW_MESSAGE, 1)
        .await
        .remove(0);
    for secret in ["sertraline", "Medication", "dr.in", "dr.in (test)"] {
        assert!(!notice.text.contains(secret), "{secret} in {}", notice.text);
    }
    assert!(
        notice.text.contains(&format!("{}/messages", server.base())),
        "{}",
        notice.text
    );
    assert!(
        notice
            .text
            .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{}",
        notice.text
    );
    let unsubscribe = notice
        .text
        .lines()
        .find_map(|line| line.strip_prefix("List-Unsubscribe: <"))
        .and_then(|rest| rest.strip_suffix('>'))
        .expect("a List-Unsubscribe address")
        .to_owned();

    // More messages within the interval: no more mail.
    send(&world, conversation, "second").await;
    settle().await;
    assert_eq!(with_subject(&mail, A_MAIL, NEW_MESSAGE).len(), 1);

    // After the interval, while the app is open (an event stream): none either.
    interval_passes(&db).await;
    let stream = world
        .patient_a
        .request(Method::GET, "/api/events")
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    send(&world, conversation, "third").await;
    settle().await;
    assert_eq!(with_subject(&mail, A_MAIL, NEW_MESSAGE).len(), 1);
    // Closed again: the next message is mailed.
    drop(stream);
    // The server forgets the stream's presence once hyper drops its body, a moment later.
    db.scalar_once("SELECT COUNT(*) FROM stream_presence", |open| open == 0)
        .await;
    send(&world, conversation, "fourth").await;
    wait_for_subject(&mail, A_MAIL, NEW_MESSAGE, 2).await;

    // The one-click unsubscribe, as a mail program posts it (RFC 8058).
    let http = reqwest::Client::new();
    let refused = http
        .post(format!(
            "{}/api/notifications/unsubscribe?token=1.forged",
            server.base()
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let done = http
        .post(&unsubscribe)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    let preferences = world
        .patient_a
        .get("/api/me/preferences")
        .await
        .expect(200)
        .body;
    assert_eq!(preferences, json!({ "message_emails": false }));
    interval_passes(&db).await;
    send(&world, conversation, "fifth").await;
    settle().await;
    assert_eq!(with_subject(&mail, A_MAIL, NEW_MESSAGE).len(), 2);
    // Patients without a confirmed address get none (and nothing fails).
    assert!(mail.to("patient.b@example.test").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_urgent_alert_mails_the_care_team_at_once_and_again_when_overdue() {
    let db = TestDb::new().await;
    let mail = MailServer::start();
    let server = App::start(&db, &mail.env()).await;
    let world = World::new(&server, &db).await;
    const DR: &str = "dr.in@example.test";
    const OUT: &str = "dr.out@example.test";
    confirm_address(&world.dr_in, &mail, DR).await;
    confirm_address(&world.dr_out, &mail, OUT).await;
    world
        .patient_a
        .post("/api/measures/phq9/responses", phq9([2; 8], 3))
        .await
        .expect(201);
    const RAISED: &str = "An urgent alert needs your attention on Healing Space";
    let raised = wait_for_subject(&mail, DR, RAISED, 1).await.remove(0);
    for secret in ["patient.a", "PHQ", "item 9", "suicid", "self-harm"] {
        assert!(
            !raised.text.to_lowercase().contains(&secret.to_lowercase()),
            "{secret} in {}",
            raised.text
        );
    }
    // The score (19) as a number of its own in the body: the headers' date and ids and
    // the link's port may hold those digits.
    let body = raised
        .text
        .split_once("\r\n\r\n")
        .map_or("", |(_, body)| body);
    let without_link = body.replace(&server.base(), "");
    assert!(
        without_link.contains("Sign in to see it")
            && !without_link
                .split(|c: char| !c.is_ascii_digit())
                .any(|number| number == "19"),
        "the score in {}",
        raised.text
    );
    assert!(raised.text.contains(&format!("{}/alerts", server.base())));
    // Only the patient's own care team.
    settle().await;
    assert!(with_subject(&mail, OUT, RAISED).is_empty());

    // Not acknowledged in time (ALERT_ACK_MINUTES): mailed once more.
    db.execute("UPDATE risk_alerts SET triggered_at = triggered_at - 7200000")
        .await;
    const OVERDUE: &str = "An urgent alert is still waiting on Healing Space";
    let overdue = wait_for_subject(&mail, DR, OVERDUE, 1).await;
    assert!(
        overdue[0].text.contains("60 minutes"),
        "{}",
        overdue[0].text
    );
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(with_subject(&mail, DR, OVERDUE).len(), 1, "once");
    assert_eq!(with_subject(&mail, DR, RAISED).len(), 1, "once");
}
