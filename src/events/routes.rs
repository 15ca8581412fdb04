//! `GET /api/events`: the signed-in person's events as Server-Sent Events. A reconnect
//! sends `Last-Event-ID` and gets what it missed; a new stream starts with `ready`,
//! whose id is where a later reconnect catches up from. A heartbeat comment keeps proxies
//! (Railway's among them) from closing a quiet stream. The stream ends with
//! `session_ended` (the code a 401 would carry) as soon as its session ends: at once when
//! it is ended (the event), and at its idle or absolute limit. It is not activity: an open
//! stream never keeps an idle session alive.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use serde::Deserialize;
use tokio::sync::{broadcast, mpsc};
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
    let (sender, receiver) = mpsc::channel(64);
    let presence = state.presence.opened(current.user.id).await?;
    let stream = Stream {
        _presence: presence,
        _counted: state.metrics.event_stream_opened(),
        state: state.clone(),
        user_id: current.user.id,
        session_id: current.session.id.clone(),
        last_seen_at: current.session.last_seen_at,
        expires_at: current.session.expires_at,
        sender,
    };
    tokio::spawn(stream.run(first, backlog, live));
    let body = stream::unfold(receiver, |mut receiver| async move {
        let event = receiver.recv().await?;
        Some((Ok::<_, Infallible>(event), receiver))
    });
    let heartbeat = state.settings.events_heartbeat;
    Ok(Sse::new(body)
        .keep_alive(KeepAlive::new().interval(heartbeat).text("heartbeat"))
        .into_response())
}

/// One open stream: whose, which session, and where its events go.
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
    sender: mpsc::Sender<SseEvent>,
}

#[derive(Deserialize)]
struct SessionEnded {
    session_id: String,
}

/// Why the stream stops.
enum Stop {
    /// The client went away.
    Gone,
    /// The session ended: say why, then close.
    Ended(NotSignedIn),
    /// This stream fell too far behind: it closes, and the client reconnects with
    /// `Last-Event-ID` and catches up from the table.
    Behind,
    /// The server is shutting down: the client reconnects, to another instance.
    Closing,
}

impl Stream {
    async fn run(
        mut self,
        first: Option<i64>,
        backlog: Vec<Event>,
        mut live: broadcast::Receiver<Arc<Event>>,
    ) {
        let mut sent_up_to = first.unwrap_or(0);
        if let Some(id) = first {
            if self
                .send(
                    SseEvent::default()
                        .id(id.to_string())
                        .event("ready")
                        .data("{}"),
                )
                .await
                .is_err()
            {
                return;
            }
        }
        let mut stop = None;
        for event in backlog {
            sent_up_to = event.id;
            if let Err(why) = self.deliver(&event).await {
                stop = Some(why);
                break;
            }
        }
        let stop = match stop {
            Some(stop) => stop,
            None => self.follow(&mut live, sent_up_to).await,
        };
        if let Stop::Ended(why) = stop {
            let _ = self.send(ended(why)).await;
        }
    }

    /// Live events until the session ends, the client leaves or the stream falls behind.
    async fn follow(
        &mut self,
        live: &mut broadcast::Receiver<Arc<Event>>,
        mut sent_up_to: i64,
    ) -> Stop {
        loop {
            let deadline = self.next_check();
            let received = tokio::select! {
                received = live.recv() => received,
                () = tokio::time::sleep(deadline) => {
                    match self.check_session().await {
                        Ok(()) => continue,
                        Err(stop) => return stop,
                    }
                }
                () = self.sender.closed() => return Stop::Gone,
                () = self.state.streams_closing.closed() => return Stop::Closing,
            };
            let event = match received {
                Ok(event) => event,
                Err(broadcast::error::RecvError::Lagged(_)) => return Stop::Behind,
                Err(broadcast::error::RecvError::Closed) => return Stop::Gone,
            };
            // Caught up from the table already, or someone else's.
            if event.user_id != self.user_id || event.id <= sent_up_to {
                continue;
            }
            sent_up_to = event.id;
            if let Err(stop) = self.deliver(&event).await {
                return stop;
            }
        }
    }

    /// Sends one event; an event that ends this stream's session stops it.
    async fn deliver(&mut self, event: &Event) -> Result<(), Stop> {
        if event.kind == "session_ended" {
            let ended = serde_json::from_str::<SessionEnded>(&event.data).ok();
            if ended.is_none_or(|e| e.session_id != self.session_id) {
                // Another of this person's devices: nothing this one shows or does.
                return Ok(());
            }
            // The reason, read as a request would read it.
            return Err(self
                .check_session()
                .await
                .err()
                .unwrap_or(Stop::Ended(NotSignedIn::Ended(EndReason::SignedOut))));
        }
        let message = SseEvent::default()
            .id(event.id.to_string())
            .event(event.kind.as_str())
            .data(event.data.as_str());
        self.send(message).await.map_err(|_| Stop::Gone)
    }

    async fn send(&self, event: SseEvent) -> Result<(), ()> {
        self.sender.send(event).await.map_err(|_| ())
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
        match sessions::still_live(&self.state.db, settings, &self.session_id).await {
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
