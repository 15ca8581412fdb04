//! `/api/messages/...`. A conversation someone is not part of is a 404, never a 403, so
//! its existence does not leak.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::{
    ArchivedState, ConversationInfo, ConversationPage, ConversationRead, Correspondent, InboxItem,
    InboxPage, MessageHidden, MessageSent, MessageView, RecipientList, SentPage, UnreadCount,
};
use super::{
    earlier_send, may_message, may_message_in, parse_content, parse_subject, request_fingerprint,
    store, Channel, MessagingError,
};
use crate::accounts::{store as users, User, Username};
use crate::http::idempotency::{idempotency_key, IDEMPOTENCY_FIELD};
use crate::http::{
    ApiError, ApiResult, ErrorCode, ErrorResponse, Input, PageQuery, Paging, Path, Query,
};
use crate::sessions::CurrentUser;
use crate::state::AppState;
use crate::storage::rfc3339;

mod support;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(support::router())
        .routes(routes!(recipients))
        .routes(routes!(send))
        .routes(routes!(inbox))
        .routes(routes!(sent))
        .routes(routes!(unread_count))
        .routes(routes!(conversation))
        .routes(routes!(mark_read))
        .routes(routes!(archive))
        .routes(routes!(unarchive))
        .routes(routes!(hide))
}

/// The people I may start a conversation with: my care team first, then other clinicians
/// (an administrator may write to anyone). Administrators are reached through support.
#[utoipa::path(get, path = "/messages/recipients", tag = "messages",
    security(("session_cookie" = [])),
    responses((status = 200, description = "The people I may message", body = RecipientList)))]
async fn recipients(
    State(state): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<RecipientList>> {
    let recipients = store::recipients(&state.db, &me.user).await?;
    let recipients = recipients.into_iter().map(Into::into).collect();
    Ok(Json(RecipientList { recipients }))
}

/// Either `recipient` or `conversation_id`.
#[derive(Deserialize, ToSchema)]
struct SendRequest {
    /// A username: the message goes into the conversation the two already have, or a new
    /// one when `subject` is given.
    #[schema(example = "dr.morgan")]
    recipient: Option<String>,
    /// A conversation of mine, to reply in.
    #[schema(minimum = 1)]
    conversation_id: Option<i64>,
    /// Starts a new conversation; at most 200 characters.
    #[schema(max_length = 200)]
    subject: Option<String>,
    /// 1 to 10,000 characters.
    #[schema(
        example = "Could we talk about my sleep on Thursday?",
        min_length = 1,
        max_length = 10000
    )]
    content: String,
}

fn sent_body(sent: &store::Sent) -> Json<MessageSent> {
    Json(MessageSent::from(sent))
}

/// Sends a message; with an `Idempotency-Key`, a repeat answers with the first send.
#[utoipa::path(post, path = "/messages/send", tag = "messages", request_body = SendRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 200 visible characters: a retry with the same key sends nothing new")),
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 201, description = "Sent", body = MessageSent),
        (status = 403, description = "`recipient_not_allowed`: this person cannot be messaged (or does not exist)", body = ErrorResponse),
        (status = 404, description = "`not_found`: no conversation of mine has this id", body = ErrorResponse),
        (status = 422, description = "`idempotency_key_reused`: this `Idempotency-Key` was used for a different message (`field` is `Idempotency-Key`)", body = ErrorResponse),
    ))]
async fn send(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Input(request): Input<SendRequest>,
) -> ApiResult<(StatusCode, Json<MessageSent>)> {
    let key = idempotency_key(&headers)?;
    let content = parse_content(&request.content)?;
    let subject = parse_subject(request.subject.as_deref())?;
    let fingerprint = key.as_ref().map(|_| {
        let recipient = request.recipient.as_deref();
        request_fingerprint(
            recipient,
            request.conversation_id,
            subject.as_deref(),
            &content,
        )
    });
    let key = key
        .as_deref()
        .zip(fingerprint.as_deref())
        .map(|(key, fingerprint)| store::Idempotency { key, fingerprint });
    if let Some(key) = key {
        if let Some(sent) = earlier_send(&state.db, me.user.id, key).await? {
            return Ok((StatusCode::CREATED, sent_body(&sent)));
        }
    }
    let reply_into = |conversation_id| store::Reply {
        me: &me.user,
        conversation_id,
        content: &content,
        key,
    };
    let outcome = match (request.recipient.as_deref(), request.conversation_id) {
        (Some(name), None) => {
            let recipient = allowed_recipient(&state, &me.user, name).await?;
            let existing = match subject {
                Some(_) => None,
                None => store::latest_between(&state.db, me.user.id, recipient.id).await?,
            };
            match existing {
                // Written into the conversation the two already have: a reply.
                Some(id) => store::reply(&state.db, &reply_into(id)).await?,
                None => {
                    let new = store::NewMessage {
                        sender_id: me.user.id,
                        recipient_id: recipient.id,
                        conversation_id: None,
                        subject: subject.as_deref(),
                        content: &content,
                    };
                    store::send(&state.db, &new, key).await?
                }
            }
        }
        (None, Some(id)) => store::reply(&state.db, &reply_into(id)).await?,
        _ => {
            return Err(ApiError::invalid(
                "recipient",
                "Send either recipient (a username) or conversation_id, not both.",
            ))
        }
    };
    let sent = sent_from(&state, &me, key, outcome).await?;
    Ok((StatusCode::CREATED, sent_body(&sent)))
}

/// The message a send stored, or why it stored none.
async fn sent_from(
    state: &AppState,
    me: &CurrentUser,
    key: Option<store::Idempotency<'_>>,
    outcome: store::SendOutcome,
) -> ApiResult<store::Sent> {
    match outcome {
        store::SendOutcome::Sent(sent) => Ok(sent),
        // A concurrent send with the same key won: answer with its message instead.
        store::SendOutcome::KeyTaken => {
            let key = key.ok_or_else(|| anyhow::anyhow!("a key taken without a key"))?;
            Ok(earlier_send(&state.db, me.user.id, key)
                .await?
                .ok_or_else(|| anyhow::anyhow!("idempotent send vanished"))?)
        }
        store::SendOutcome::NotInConversation => Err(ApiError::not_found("conversation")),
        store::SendOutcome::NotAllowed => Err(MessagingError::RecipientNotAllowed.into()),
    }
}

/// The same refusal whether the name does not exist or the person may not be messaged.
async fn allowed_recipient(state: &AppState, me: &User, name: &str) -> ApiResult<User> {
    let Ok(username) = Username::parse(name) else {
        return Err(MessagingError::RecipientNotAllowed.into());
    };
    match users::find_by_username(&state.db, username.as_str()).await? {
        Some(user) if may_message(&state.db, me, &user, Channel::Direct).await? => Ok(user),
        _ => Err(MessagingError::RecipientNotAllowed.into()),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct InboxQuery {
    /// From 1.
    #[param(minimum = 1, maximum = 1_000_000)]
    page: Option<i64>,
    /// 1 to 100; 20 when not given.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// Only conversations with unread messages.
    #[serde(default)]
    unread_only: bool,
    /// The archived conversations instead of the others.
    #[serde(default)]
    archived: bool,
}

/// My conversations, the latest activity first.
#[utoipa::path(get, path = "/messages/inbox", tag = "messages", params(InboxQuery),
    security(("session_cookie" = [])),
    responses((status = 200, description = "A page of the inbox", body = InboxPage)))]
async fn inbox(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(query): Query<InboxQuery>,
) -> ApiResult<Json<InboxPage>> {
    let paging = Paging::parse(
        &PageQuery {
            page: query.page,
            limit: query.limit,
        },
        20,
    )?;
    let filter = store::InboxFilter {
        archived: query.archived,
        unread_only: query.unread_only,
    };
    let (entries, counts) = store::inbox(
        &state.db,
        me.user.id,
        &filter,
        paging.fetch(),
        paging.offset(),
    )
    .await?;
    let (entries, page) = paging.finish(entries);
    let conversations = entries
        .into_iter()
        .map(|c| InboxItem::new(c, &me.user))
        .collect();
    Ok(Json(InboxPage {
        page,
        conversations,
        total: counts.shown,
        total_unread: counts.unread,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ConversationQuery {
    /// Messages older than this message id (`next_before` of the page before).
    #[param(minimum = 1)]
    before: Option<i64>,
    /// 1 to 100; 50 when not given.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
}

/// A conversation of mine and a page of its messages, the newest page first.
#[utoipa::path(get, path = "/messages/conversations/{id}", tag = "messages",
    params(("id" = i64, Path, description = "The conversation's id"), ConversationQuery),
    security(("session_cookie" = [])),
    responses((status = 200, description = "The conversation", body = ConversationPage)))]
async fn conversation(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<ConversationQuery>,
) -> ApiResult<Json<ConversationPage>> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=Paging::MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            "limit is a number from 1 to 100.",
        ));
    }
    if query.before.is_some_and(|b| b < 1) {
        return Err(ApiError::invalid("before", "before is a message id."));
    }
    let header = store::header(&state.db, id, me.user.id)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    let mut messages = store::page(
        &state.db,
        me.user.id,
        id,
        query.before.unwrap_or(i64::MAX),
        limit + 1,
    )
    .await?;
    let has_more = messages.len() as i64 > limit;
    messages.truncate(limit as usize);
    messages.reverse();
    let next_before = if has_more {
        messages.first().map(|m| m.id)
    } else {
        None
    };
    let can_reply = may_message_in(&me.user, &header.other, header.in_care_team, Channel::Reply);
    let other = header.other;
    let messages = messages
        .into_iter()
        .map(|m| {
            let from_me = m.sender_id == me.user.id;
            let sender = if from_me { &me.user } else { &other };
            MessageView {
                id: m.id,
                from_me,
                sender: Correspondent {
                    username: sender.username.clone(),
                    display_name: sender.shown_name().to_owned(),
                    role: None,
                },
                content: m.content,
                sent_at: rfc3339(m.sent_at),
            }
        })
        .collect();
    Ok(Json(ConversationPage {
        conversation: ConversationInfo {
            id,
            subject: header.subject,
            other: Correspondent {
                display_name: other.shown_name().to_owned(),
                username: other.username,
                role: Some(other.role.as_str().to_owned()),
            },
            archived: header.archived,
            can_reply,
        },
        messages,
        has_more,
        next_before,
    }))
}

async fn member_of(state: &AppState, id: i64, me: &CurrentUser) -> ApiResult<()> {
    store::header(&state.db, id, me.user.id)
        .await?
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("conversation"))
}

/// Marks a conversation of mine read.
#[utoipa::path(post, path = "/messages/conversations/{id}/read", tag = "messages",
    params(("id" = i64, Path, description = "The conversation's id")),
    security(("session_cookie" = [], "csrf_token" = [])),
    responses((status = 200, description = "Read", body = ConversationRead)))]
async fn mark_read(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<ConversationRead>> {
    member_of(&state, id, &me).await?;
    store::mark_read(&state.db, id, me.user.id).await?;
    let total_unread = store::total_unread(&state.db, me.user.id).await?;
    Ok(Json(ConversationRead {
        unread_count: 0,
        total_unread,
    }))
}

/// Archives a conversation of mine (for me only).
#[utoipa::path(post, path = "/messages/conversations/{id}/archive", tag = "messages",
    params(("id" = i64, Path, description = "The conversation's id")),
    security(("session_cookie" = [], "csrf_token" = [])),
    responses((status = 200, description = "Archived", body = ArchivedState)))]
async fn archive(
    state: State<AppState>,
    me: CurrentUser,
    id: Path<i64>,
) -> ApiResult<Json<ArchivedState>> {
    set_archived(state, me, id, true).await
}

/// Moves a conversation of mine back to the inbox.
#[utoipa::path(post, path = "/messages/conversations/{id}/unarchive", tag = "messages",
    params(("id" = i64, Path, description = "The conversation's id")),
    security(("session_cookie" = [], "csrf_token" = [])),
    responses((status = 200, description = "Not archived", body = ArchivedState)))]
async fn unarchive(
    state: State<AppState>,
    me: CurrentUser,
    id: Path<i64>,
) -> ApiResult<Json<ArchivedState>> {
    set_archived(state, me, id, false).await
}

async fn set_archived(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    archived: bool,
) -> ApiResult<Json<ArchivedState>> {
    member_of(&state, id, &me).await?;
    store::set_archived(&state.db, id, me.user.id, archived).await?;
    Ok(Json(ArchivedState { archived }))
}

/// The messages I sent, newest first.
#[utoipa::path(get, path = "/messages/sent", tag = "messages", params(PageQuery),
    security(("session_cookie" = [])),
    responses((status = 200, description = "A page of sent messages", body = SentPage)))]
async fn sent(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(query): Query<PageQuery>,
) -> ApiResult<Json<SentPage>> {
    let paging = Paging::parse(&query, 20)?;
    let rows = store::sent_by(&state.db, me.user.id, paging.fetch(), paging.offset()).await?;
    let (rows, page) = paging.finish(rows);
    let messages = rows.into_iter().map(Into::into).collect();
    Ok(Json(SentPage { page, messages }))
}

/// How many messages I have not read.
#[utoipa::path(get, path = "/messages/unread-count", tag = "messages",
    security(("session_cookie" = [])),
    responses((status = 200, description = "The count", body = UnreadCount)))]
async fn unread_count(
    State(state): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<UnreadCount>> {
    let total_unread = store::total_unread(&state.db, me.user.id).await?;
    Ok(Json(UnreadCount { total_unread }))
}

/// Hides a message from my view of its conversation.
#[utoipa::path(delete, path = "/messages/{id}", tag = "messages",
    params(("id" = i64, Path, description = "The message's id")),
    security(("session_cookie" = [], "csrf_token" = [])),
    responses((status = 200, description = "Hidden", body = MessageHidden)))]
async fn hide(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<MessageHidden>> {
    if !store::hide(&state.db, id, me.user.id).await? {
        return Err(ApiError::not_found("message"));
    }
    Ok(Json(MessageHidden { hidden: true }))
}

/// The one place messaging's errors become HTTP answers.
impl From<MessagingError> for ApiError {
    fn from(error: MessagingError) -> Self {
        match error {
            MessagingError::Invalid { field, message } => ApiError::invalid(field, message),
            MessagingError::RecipientNotAllowed => ApiError::forbidden(
                ErrorCode::RecipientNotAllowed,
                "You cannot send messages to this person. You can message the people in your care team; to reach an administrator, contact support.",
            )
            .with_field("recipient"),
            MessagingError::IdempotencyKeyReused => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::IdempotencyKeyReused,
                "This Idempotency-Key was already used for a different message. Use a new key for each new message, and the same key only to retry the same one.",
            )
            .with_field(IDEMPOTENCY_FIELD),
            MessagingError::Database(error) => error.into(),
            MessagingError::SupportUnavailable => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::SupportUnavailable,
                "Support cannot be reached: there is no administrator yet. If you need help now, use “Need help now?”.",
            ),
            MessagingError::AdministratorsAreSupport => ApiError::forbidden(
                ErrorCode::Forbidden,
                "Administrators are support: write to another administrator with a new message.",
            ),
        }
    }
}
