//! `GET /api/events`: the signed-in person's events as Server-Sent Events. A reconnect
//! sends `Last-Event-ID` and gets what it missed; a new stream starts with `ready`,
//! whose id is where a later reconnect catches up from. A heartbeat comment keeps proxies
//! (Railway's among them) from closing a quiet stream. The stream ends with
//! `session_ended` (the code a 401 would carry) as soon as its session ends: at once when
//! it is ended (the event), and at its idle or absolute limit. It is not activity: an open
//! stream never keeps an idle session alive.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use serde::Deserialize;
use tokio::sync::broadcast;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::presence::Open;
use super::Event;
use crate::http::ApiResult;
use crate::metrics::OpenEventStream;
use crate::sessions::current::error_code;
use crate::sessions::{self, CurrentUser, EndReason, NotSignedIn};
use crate::state::AppState;
use crate::storage::{millis, now_ms};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events))
}

/// My events, as they happen (`text/event-stream`). Each has an id; `message`
/// (`conversation_id`, `message_id`; never the content), `read`, `unread`, `alert`
/// (`alert_id`, `severity`; for the care team's clinicians), `measure_due` (for patients)
/// and `session_ended` (`code`, `reason`: the stream then closes).
#[utoipa::path(get, path = "/events", tag = "events",
    params(("Last-Event-ID" = Option<i64>, Header, description = "The last event received, on a reconnect")),
    security(("session_cookie" = [])),
    responses((status = 200, description = "The stream", content_type = "text/event-stream", body = String)))]
async fn events(
    State(state): State<AppState>,
    current: CurrentUser,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let live = state.events.subscribe();
    let last_seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let (first, backlog) = match last_seen {
        Some(after) => (
            None,
            super::since_for(&state.db, current.user.id, after).await?,
        ),
        None => (Some(super::latest(&state.db).await?), Vec::new()),
    };
    let presence = state.presence.opened(current.user.id).await?;
    let stream = Stream {
        _presence: presence,
        _counted: state.metrics.event_stream_opened(),
        state: state.clone(),
        user_id: current.user.id,
        session_id: current.session.id.clone(),
        last_seen_at: current.session.last_seen_at,
        expires_at: current.session.expires_at,
        ready: first,
        backlog: backlog.into(),
        sent_up_to: first.unwrap_or(0),
        live,
        ended: false,
    };
    // The stream is the body itself: no task or channel of its own, so an open stream
    // costs little more than its connection (issue 17: 10,000 open in under 300 MB), and
    // it ends when hyper drops the body because the client went away.
    let body = stream::unfold(stream, |mut stream| async move {
        let event = stream.next().await?;
        Some((Ok::<_, Infallible>(event), stream))
    });
    let heartbeat = state.settings.events_heartbeat;
    Ok(Sse::new(body)
        .keep_alive(KeepAlive::new().interval(heartbeat).text("heartbeat"))
        .into_response())
}

/// One open stream: whose, which session, and what it has still to send.
struct Stream {
    /// Counts this stream open until it ends.
    _presence: Open,
    /// In `healing_space_event_streams_open` until it ends.
    _counted: OpenEventStream,
    state: AppState,
    user_id: i64,
    session_id: String,
    last_seen_at: i64,
    expires_at: i64,
    /// A new stream's first event, `ready`, with the id a reconnect catches up from.
    ready: Option<i64>,
    /// What a reconnect missed, read from the table.
    backlog: VecDeque<Event>,
    /// The newest event sent; the live ones up to it came in the backlog already.
    sent_up_to: i64,
    live: broadcast::Receiver<Arc<Event>>,
    /// The last event went out: the stream ends.
    ended: bool,
}

#[derive(Deserialize)]
struct SessionEnded {
    session_id: String,
}

/// Why the stream stops.
enum Stop {
    /// The session ended: say why, then close.
    Ended(NotSignedIn),
    /// This stream fell too far behind: it closes, and the client reconnects with
    /// `Last-Event-ID` and catches up from the table.
    Behind,
    /// The server is shutting down: the client reconnects, to another instance.
    Closing,
}

impl Stream {
    /// The next event to send: `ready`, then the backlog, then live events, until the
    /// session ends, the stream falls behind or the server shuts down (None).
    async fn next(&mut self) -> Option<SseEvent> {
        if self.ended {
            return None;
        }
        if let Some(id) = self.ready.take() {
            return Some(
                SseEvent::default()
                    .id(id.to_string())
                    .event("ready")
                    .data("{}"),
            );
        }
        let stopped = loop {
            let event = match self.backlog.pop_front() {
                Some(event) => Arc::new(event),
                None => match self.next_live().await {
                    Ok(event) => event,
                    Err(stop) => break stop,
                },
            };
            self.sent_up_to = self.sent_up_to.max(event.id);
            match self.deliverable(&event).await {
                Ok(Some(message)) => return Some(message),
                Ok(None) => {}
                Err(stop) => break stop,
            }
        };
        self.ended = true;
        match stopped {
            Stop::Ended(why) => Some(ended(why)),
            Stop::Behind | Stop::Closing => None,
        }
    }

    /// The next live event of this person's that the backlog did not bring, looking at
    /// the session whenever it could have reached a limit.
    async fn next_live(&mut self) -> Result<Arc<Event>, Stop> {
        loop {
            let deadline = self.next_check();
            let received = tokio::select! {
                received = self.live.recv() => received,
                () = tokio::time::sleep(deadline) => {
                    self.check_session().await?;
                    continue;
                }
                () = self.state.streams_closing.closed() => return Err(Stop::Closing),
            };
            match received {
                // Caught up from the table already, or someone else's.
                Ok(event) if event.user_id != self.user_id || event.id <= self.sent_up_to => {}
                Ok(event) => return Ok(event),
                Err(broadcast::error::RecvError::Lagged(_)) => return Err(Stop::Behind),
                Err(broadcast::error::RecvError::Closed) => return Err(Stop::Closing),
            }
        }
    }

    /// The event as sent, or None when it is not for this stream; an event that ends
    /// this stream's session stops it.
    async fn deliverable(&mut self, event: &Event) -> Result<Option<SseEvent>, Stop> {
        if event.kind == "session_ended" {
            let ended = serde_json::from_str::<SessionEnded>(&event.data).ok();
            if ended.is_none_or(|e| e.session_id != self.session_id) {
                // Another of this person's devices: nothing this one shows or does.
                return Ok(None);
            }
            // The reason, read as a request would read it.
            return Err(self
                .check_session()
                .await
                .err()
                .unwrap_or(Stop::Ended(NotSignedIn::Ended(EndReason::SignedOut))));
        }
        Ok(Some(
            SseEvent::default()
                .id(event.id.to_string())
                .event(event.kind.as_str())
                .data(event.data.as_str()),
        ))
    }

    /// When the session could reach a limit, or a regular look in case an event was
    /// missed: whichever is sooner.
    fn next_check(&self) -> Duration {
        let idle = millis(self.state.settings.sessions.idle_timeout);
        let limit = self.expires_at.min(self.last_seen_at + idle);
        let until_limit = u64::try_from(limit - now_ms()).unwrap_or(0);
        Duration::from_millis(until_limit + 1).min(self.state.settings.events_heartbeat)
    }

    async fn check_session(&mut self) -> Result<(), Stop> {
        let settings = &self.state.settings.sessions;
        // Boxed: the lookup's future is large, and inline it would sit in every open
        // stream's body for its whole life rather than only during a check.
        let looked_up = Box::pin(sessions::still_live(
            &self.state.db,
            settings,
            &self.session_id,
        ))
        .await;
        match looked_up {
            Ok(Ok(live)) => {
                self.last_seen_at = live.last_seen_at;
                self.expires_at = live.expires_at;
                Ok(())
            }
            Ok(Err(why)) => Err(Stop::Ended(why)),
            Err(error) => {
                // The database is away: the stream carries on, and looks again later.
                tracing::warn!(%error, "events: cannot check a stream's session");
                Ok(())
            }
        }
    }
}

/// The stream's last event: the code and reason a 401 would carry.
fn ended(why: NotSignedIn) -> SseEvent {
    let data = serde_json::json!({ "code": error_code(why), "reason": why.reason() });
    SseEvent::default()
        .event("session_ended")
        .data(data.to_string())
}
