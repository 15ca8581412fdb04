//! `POST /api/support`: "Contact support", the one way people other than administrators
//! reach the administrators (`Channel::Support`). Without a new subject it continues the
//! conversation they already have with support, as a send to a recipient does.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::sent_body;
use crate::http::idempotency::idempotency_key;
use crate::http::{ApiResult, ErrorResponse, Input};
use crate::messaging::views::MessageSent;
use crate::messaging::{
    earlier_send, may_message_in, parse_content, parse_subject, request_fingerprint, store,
    Channel, MessagingError,
};
use crate::sessions::CurrentUser;
use crate::state::AppState;

/// Where a support message goes, in its idempotency fingerprint (no username has a space).
const SUPPORT: &str = "contact support";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(contact_support))
}

#[derive(Deserialize, ToSchema)]
struct SupportRequest {
    /// Starts a new conversation with support; at most 200 characters. Without it, the
    /// message continues my latest conversation with support.
    subject: Option<String>,
    /// 1 to 10,000 characters.
    content: String,
}

/// Writes to support (the administrators); with an `Idempotency-Key`, a repeat answers
/// with the first send.
#[utoipa::path(post, path = "/support", tag = "messages", request_body = SupportRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 200 visible characters: a retry with the same key sends nothing new")),
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 201, description = "Sent", body = MessageSent),
        (status = 403, description = "`forbidden`: administrators are support, and write to each other with a new message", body = ErrorResponse),
        (status = 422, description = "`idempotency_key_reused`: this `Idempotency-Key` was used for a different message (`field` is `Idempotency-Key`)", body = ErrorResponse),
        (status = 503, description = "`support_unavailable`: there is no administrator to reach yet", body = ErrorResponse),
    ))]
async fn contact_support(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Input(request): Input<SupportRequest>,
) -> ApiResult<(StatusCode, Json<MessageSent>)> {
    let key = idempotency_key(&headers)?;
    let content = parse_content(&request.content)?;
    let subject = parse_subject(request.subject.as_deref())?;
    // "support" stands where a send names its recipient, so the same key for a send and
    // for support is a reused key.
    let fingerprint = key
        .as_ref()
        .map(|_| request_fingerprint(Some(SUPPORT), None, subject.as_deref(), &content));
    let key = key
        .as_deref()
        .zip(fingerprint.as_deref())
        .map(|(key, fingerprint)| store::Idempotency { key, fingerprint });
    if let Some(key) = key {
        if let Some(sent) = earlier_send(&state.db, me.user.id, key).await? {
            return Ok((StatusCode::CREATED, sent_body(&sent)));
        }
    }
    let desk = store::support_administrator(&state.db)
        .await?
        .ok_or(MessagingError::SupportUnavailable)?;
    if !may_message_in(&me.user, &desk, false, Channel::Support) {
        return Err(MessagingError::AdministratorsAreSupport.into());
    }
    let existing = match subject {
        Some(_) => None,
        None => store::latest_support_conversation(&state.db, me.user.id).await?,
    };
    let outcome = match existing {
        Some(conversation_id) => {
            let reply = store::Reply {
                me: &me.user,
                conversation_id,
                content: &content,
                key,
            };
            store::reply(&state.db, &reply).await?
        }
        None => {
            let new = store::NewMessage {
                sender_id: me.user.id,
                recipient_id: desk.id,
                conversation_id: None,
                subject: subject.as_deref(),
                content: &content,
            };
            store::send(&state.db, &new, key).await?
        }
    };
    let sent = super::sent_from(&state, &me, key, outcome).await?;
    Ok((StatusCode::CREATED, sent_body(&sent)))
}
