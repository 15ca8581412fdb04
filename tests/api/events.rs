//! Pushed events (`GET /api/events`) through the real server: a message reaches the
//! recipient's stream (ids, never the content) with its unread count, read marks reach the
//! sender, an alert reaches the care team, a reconnect with `Last-Event-ID` catches up, an
//! event written through one instance reaches a stream on another, the heartbeat, and a
//! stream that ends with its session (signed out elsewhere, disabled, idle) and never keeps
//! an idle session alive.

use std::time::Duration;

use crate::common::*;
use crate::measures::phq9;
use reqwest::Method;
use serde_json::{json, Value};

/// One event as the stream sent it.
#[derive(Debug, Clone, Default)]
struct Sse {
    id: Option<i64>,
    event: String,
    data: Value,
    comment: bool,
}

/// An open event stream, read frame by frame.
struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    async fn open(client: &Client, last_event_id: Option<i64>) -> EventStream {
        let mut request = client.request(Method::GET, "/api/events");
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await.expect("the server answers");
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        EventStream {
            response,
            buffer: String::new(),
        }
    }

    /// The next frame (an event or a comment), or `None` once the stream ended; panics
    /// after `wait`.
    async fn next_frame(&mut self, wait: Duration) -> Option<Sse> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                return Some(parse(&frame));
            }
            let chunk = tokio::time::timeout(wait, self.response.chunk())
                .await
                .expect("a frame in time")
                .expect("the stream reads");
            match chunk {
                Some(bytes) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                None => return None,
            }
        }
    }

    /// The next event, past heartbeats.
    async fn next(&mut self) -> Sse {
        loop {
            let frame = self
                .next_frame(Duration::from_secs(10))
                .await
                .expect("an event");
            if !frame.comment {
                return frame;
            }
        }
    }

    /// Events until one of `kind`, which is returned.
    async fn until(&mut self, kind: &str) -> Sse {
        loop {
            let event = self.next().await;
            if event.event == kind {
                return event;
            }
        }
    }

    async fn ends(&mut self) {
        while let Some(frame) = self.next_frame(Duration::from_secs(10)).await {
            assert!(frame.comment, "nothing after the end: {frame:?}");
        }
    }
}

fn parse(frame: &str) -> Sse {
    let mut sse = Sse::default();
    let mut data = String::new();
    for line in frame.lines() {
        if let Some(rest) = line.strip_prefix(':') {
            sse.comment = true;
            sse.event = rest.trim().to_owned();
        } else if let Some(rest) = line.strip_prefix("id:") {
            sse.id = rest.trim().parse().ok();
        } else if let Some(rest) = line.strip_prefix("event:") {
            sse.event = rest.trim().to_owned();
        } else if let Some(rest) = line.strip_prefix("data:") {
            data.push_str(rest.trim());
        }
    }
    sse.data = serde_json::from_str(&data).unwrap_or(Value::Null);
    sse
}

async fn conversation_with_a(world: &World) -> i64 {
    world
        .dr_in
        .post(
            "/api/messages/send",
            json!({ "recipient": "patient.a", "subject": "Hello", "content": "first" }),
        )
        .await
        .expect(201)
        .body["conversation_id"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn messages_read_marks_and_alerts_arrive_as_they_happen_without_content() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let conversation = conversation_with_a(&world).await;
    let mut a = EventStream::open(&world.patient_a, None).await;
    let ready = a.next().await;
    assert_eq!(ready.event, "ready");
    assert!(ready.id.unwrap() > 0, "{ready:?}");
    let mut dr = EventStream::open(&world.dr_in, None).await;
    assert_eq!(dr.next().await.event, "ready");

    let sent = world
        .dr_in
        .post(
            "/api/messages/send",
            json!({ "conversation_id": conversation, "content": "a very private thing" }),
        )
        .await
        .expect(201)
        .body;
    let message = a.until("message").await;
    assert_eq!(
        message.data,
        json!({ "conversation_id": conversation, "message_id": sent["message_id"] })
    );
    assert!(message.id.unwrap() > ready.id.unwrap());
    let unread = a.until("unread").await;
    assert_eq!(
        unread.data,
        json!({ "conversation_id": conversation, "unread": 2 })
    );

    world
        .patient_a
        .post(
            &format!("/api/messages/conversations/{conversation}/read"),
            json!({}),
        )
        .await
        .expect(200);
    let read = dr.until("read").await;
    assert_eq!(
        read.data,
        json!({ "conversation_id": conversation, "read_up_to_message_id": sent["message_id"] })
    );
    assert_eq!(a.until("unread").await.data["unread"], 0);

    // A PHQ-9 answer about self-harm raises an urgent alert: the care team hears at once.
    world
        .patient_a
        .post("/api/measures/phq9/responses", phq9([1; 8], 2))
        .await
        .expect(201);
    let alert = dr.until("alert").await;
    assert_eq!(alert.data["severity"], "urgent", "{alert:?}");
    assert!(alert.data["alert_id"].as_i64().is_some());
    // Nothing in any event names content or people.
    let stored = db
        .scalar_i64(
            "SELECT COUNT(*) FROM events WHERE data LIKE '%private%' OR data LIKE '%patient.a%'",
        )
        .await;
    assert_eq!(stored, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reconnect_catches_up_from_its_last_event_id() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let conversation = conversation_with_a(&world).await;
    let last = {
        let mut a = EventStream::open(&world.patient_a, None).await;
        a.next().await.id.unwrap()
    };
    let mut ids = Vec::new();
    for text in ["one", "two"] {
        let sent = world
            .dr_in
            .post(
                "/api/messages/send",
                json!({ "conversation_id": conversation, "content": text }),
            )
            .await
            .expect(201);
        ids.push(sent.body["message_id"].clone());
    }
    let mut a = EventStream::open(&world.patient_a, Some(last)).await;
    let first = a.until("message").await;
    let second = a.until("message").await;
    assert_eq!(first.data["message_id"], ids[0]);
    assert_eq!(second.data["message_id"], ids[1]);
    assert!(second.id > first.id);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_event_written_through_one_instance_reaches_a_stream_on_another() {
    let db = TestDb::new().await;
    let one = App::start(&db, &[]).await;
    let two = App::start(&db, &[]).await;
    let world = World::new(&one, &db).await;
    let conversation = conversation_with_a(&world).await;
    let mut a = EventStream::open(&world.patient_a.on(&two), None).await;
    assert_eq!(a.next().await.event, "ready");
    let sent = world
        .dr_in
        .post(
            "/api/messages/send",
            json!({ "conversation_id": conversation, "content": "across" }),
        )
        .await
        .expect(201);
    let message = a.until("message").await;
    assert_eq!(message.data["message_id"], sent.body["message_id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_ends_with_its_session_and_says_why() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[("EVENTS_HEARTBEAT_SECONDS", "1")]).await;
    let world = World::new(&server, &db).await;
    // A quiet stream gets heartbeats.
    let mut a = EventStream::open(&world.patient_a, None).await;
    assert_eq!(a.next().await.event, "ready");
    let beat = a.next_frame(Duration::from_secs(5)).await.unwrap();
    assert!(beat.comment, "{beat:?}");

    // Signed out from another device: the stream says so and closes.
    let other = Client::new(&server);
    other.login("patient.a", PASSWORD).await.expect(200);
    let sessions = other.get("/api/auth/sessions").await.expect(200).body;
    let streamed = sessions["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] != true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut others = EventStream::open(&other, None).await;
    assert_eq!(others.next().await.event, "ready");
    other
        .delete(&format!("/api/auth/sessions/{streamed}"))
        .await
        .expect(200);
    let ended = a.until("session_ended").await;
    assert_eq!(ended.data["code"], "session_revoked", "{ended:?}");
    a.ends().await;
    // The device that stays signed in hears nothing of the other one's end: its next
    // event is the next message.
    conversation_with_a(&world).await;
    let next = others.next().await;
    assert_eq!(next.event, "message", "{next:?}");

    // Disabled by an administrator.
    let mut b = EventStream::open(&world.patient_b, None).await;
    assert_eq!(b.next().await.event, "ready");
    world
        .admin
        .post("/api/admin/users/patient.b/disable", json!({}))
        .await
        .expect(200);
    let ended = b.until("session_ended").await;
    assert_eq!(ended.data["code"], "account_disabled", "{ended:?}");
    b.ends().await;
    // No stream may open without a session.
    Client::new(&server)
        .get("/api/events")
        .await
        .expect_error(401, "not_authenticated");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_open_stream_does_not_keep_an_idle_session_alive() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[("SESSION_IDLE_TIMEOUT_SECONDS", "2")]).await;
    let alex = patient(&server, "alex").await;
    let mut stream = EventStream::open(&alex, None).await;
    assert_eq!(stream.next().await.event, "ready");
    let ended = stream.until("session_ended").await;
    assert_eq!(
        ended.data,
        json!({ "code": "session_expired", "reason": "idle" })
    );
    stream.ends().await;
    alex.get("/api/auth/me")
        .await
        .expect_error(401, "session_expired");
}

/// A client that accepts compression still gets its stream as it is: a compressor would
/// hold events back until enough bytes gathered (and keep its room for as long as the
/// stream is open).
#[tokio::test(flavor = "multi_thread")]
async fn an_event_stream_is_never_compressed_whatever_the_client_accepts() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let response = world
        .patient_a
        .request(Method::GET, "/api/events")
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("content-encoding").is_none());
    let mut a = EventStream {
        response,
        buffer: String::new(),
    };
    assert_eq!(a.next().await.event, "ready");
    let conversation = conversation_with_a(&world).await;
    let message = a.next().await;
    assert_eq!(message.event, "message");
    assert_eq!(message.data["conversation_id"], conversation);
}
