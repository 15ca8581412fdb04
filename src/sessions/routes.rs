//! `/api/auth/sessions`: a person's signed-in devices, and ending them.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::{
    DeviceRenamed, DeviceSession, DeviceSignedOut, OtherDevicesSignedOut, SessionList,
};
use super::{cookie, store, CurrentUser, EndReason};
use crate::audit::{Entry, Event};
use crate::http::{ApiError, ApiResult, ErrorResponse, Input, Path};
use crate::state::AppState;
use crate::storage::{millis, now_ms, rfc3339};
use crate::text::{self, Lines};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(end_one, rename_device))
        .routes(routes!(end_others))
}

/// My signed-in devices.
#[utoipa::path(get, path = "/auth/sessions", tag = "sessions",
    security(("session_cookie" = [])),
    responses((status = 200, description = "My live sessions", body = SessionList)))]
async fn list(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<SessionList>> {
    let idle = millis(state.settings.sessions.idle_timeout);
    let sessions = store::list_live(&state.db, current.user.id, now_ms(), idle).await?;
    let sessions = sessions
        .into_iter()
        .map(|s| DeviceSession {
            current: s.id == current.session.id,
            id: s.id,
            created_at: rfc3339(s.created_at),
            last_seen_at: rfc3339(s.last_seen_at),
            expires_at: rfc3339(s.expires_at),
            client: s.client,
            address: s.address,
            name: s.name,
        })
        .collect();
    Ok(Json(SessionList { sessions }))
}

/// Signs out one of my devices: another device is signed out there, this one here.
#[utoipa::path(delete, path = "/auth/sessions/{id}", tag = "sessions",
    params(("id" = String, Path, description = "A session's id, from the list")),
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "Signed out", body = DeviceSignedOut,
            headers(("Set-Cookie" = String, description = "Clears the cookie when it was this session"))),
        (status = 404, description = "`not_found`: no live session of mine has this id", body = ErrorResponse),
    ))]
async fn end_one(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    // No session id holds a control character; PostgreSQL would refuse to look one up.
    if text::check(&id, Lines::One).is_err() {
        return Err(ApiError::not_found("session"));
    }
    let is_current = id == current.session.id;
    let reason = if is_current {
        EndReason::SignedOut
    } else {
        EndReason::SignedOutElsewhere
    };
    if !store::end_one(
        &state.db,
        current.user.id,
        &id,
        reason,
        Some(current.user.id),
    )
    .await?
    {
        return Err(ApiError::not_found("session"));
    }
    Entry::new(Event::SessionEnded)
        .by(current.user.id)
        .about(current.user.id)
        .detail(reason.as_str())
        .record(&state.db)
        .await?;
    let body = Json(DeviceSignedOut {
        ended: 1,
        current: is_current,
    });
    Ok(if is_current {
        ([(header::SET_COOKIE, cookie::clear(&state.settings))], body).into_response()
    } else {
        body.into_response()
    })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct DeviceName {
    /// 1 to 60 characters on one line; `null` or `""` removes the name.
    #[schema(max_length = 60)]
    name: Option<String>,
}

/// Names one of my signed-in devices ("Kitchen laptop"), so I can tell them apart.
#[utoipa::path(patch, path = "/auth/sessions/{id}", tag = "sessions",
    params(("id" = String, Path, description = "A session's id, from the list")),
    request_body = DeviceName,
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "Named", body = DeviceRenamed),
        (status = 404, description = "`not_found`: no live session of mine has this id", body = ErrorResponse),
        (status = 422, description = "`validation_failed`: `name`", body = ErrorResponse),
    ))]
async fn rename_device(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    Input(request): Input<DeviceName>,
) -> ApiResult<Json<DeviceRenamed>> {
    let name = request
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if let Some(name) = name {
        if name.chars().count() > 60 {
            return Err(ApiError::invalid(
                "name",
                "A device name is at most 60 characters.",
            ));
        }
        if let Err(forbidden) = text::check(name, Lines::One) {
            return Err(ApiError::invalid(
                "name",
                format!("A device name {forbidden}."),
            ));
        }
    }
    if text::check(&id, Lines::One).is_err()
        || !store::rename(&state.db, current.user.id, &id, name).await?
    {
        return Err(ApiError::not_found("session"));
    }
    Ok(Json(DeviceRenamed {
        id,
        name: name.map(str::to_owned),
    }))
}

/// Signs out every other device of mine.
#[utoipa::path(post, path = "/auth/sessions/revoke-others", tag = "sessions",
    security(("session_cookie" = [], "csrf_token" = [])),
    responses((status = 200, description = "Signed out", body = OtherDevicesSignedOut)))]
async fn end_others(
    State(state): State<AppState>,
    current: CurrentUser,
) -> ApiResult<Json<OtherDevicesSignedOut>> {
    let ended = store::end_all(
        &state.db,
        current.user.id,
        Some(current.session_id()),
        EndReason::SignedOutElsewhere,
        Some(current.user.id),
    )
    .await?;
    Entry::new(Event::OtherSessionsEnded)
        .by(current.user.id)
        .about(current.user.id)
        .detail(&ended.to_string())
        .record(&state.db)
        .await?;
    Ok(Json(OtherDevicesSignedOut { ended }))
}
