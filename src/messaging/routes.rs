//! `/api/messages/...`. A conversation someone is not part of is a 404, never a 403, so
//! its existence does not leak.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::views::{
    ArchivedState, ConversationInfo, ConversationPage, ConversationRead, Correspondent, InboxItem,
    InboxPage, MessageHidden, MessageSent, MessageView, RecipientList, SentPage, UnreadCount,
};
use super::{may_message, may_message_in, parse_content, parse_subject, store, MessagingError};
use crate::accounts::{store as users, User, Username};
use crate::http::{ApiError, ApiResult, ErrorCode, Input, PageQuery, Paging, Path, Query};
use crate::sessions::CurrentUser;
use crate::state::AppState;
use crate::storage::rfc3339;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/messages/recipients", get(recipients))
        .route("/messages/send", post(send))
        .route("/messages/inbox", get(inbox))
        .route("/messages/sent", get(sent))
        .route("/messages/unread-count", get(unread_count))
        .route("/messages/conversations/{id}", get(conversation))
        .route("/messages/conversations/{id}/read", post(mark_read))
        .route("/messages/conversations/{id}/archive", post(archive))
        .route("/messages/conversations/{id}/unarchive", post(unarchive))
        .route("/messages/{id}", delete(hide))
}

/// The people I may message.
async fn recipients(
    State(state): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<RecipientList>> {
    let recipients = store::recipients(&state.db, &me.user).await?;
    let recipients = recipients.into_iter().map(Into::into).collect();
    Ok(Json(RecipientList { recipients }))
}

#[derive(Deserialize)]
struct SendRequest {
    recipient: Option<String>,
    conversation_id: Option<i64>,
    subject: Option<String>,
    content: String,
}

const IDEMPOTENCY_KEY: &str = "idempotency-key";

fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    match value.to_str().map(str::trim) {
        Ok(key) if !key.is_empty() && key.len() <= 200 => Ok(Some(key.to_owned())),
        _ => Err(ApiError::invalid(
            "Idempotency-Key",
            "The Idempotency-Key header is 1 to 200 visible characters.",
        )),
    }
}

fn sent_body(sent: &store::Sent) -> Json<MessageSent> {
    Json(MessageSent::from(sent))
}

async fn send(
    State(state): State<AppState>,
    me: CurrentUser,
    headers: HeaderMap,
    Input(request): Input<SendRequest>,
) -> ApiResult<(StatusCode, Json<MessageSent>)> {
    let key = idempotency_key(&headers)?;
    if let Some(key) = &key {
        if let Some(sent) = store::sent_with_key(&state.db, me.user.id, key).await? {
            return Ok((StatusCode::CREATED, sent_body(&sent)));
        }
    }
    let content = parse_content(&request.content)?;
    let subject = parse_subject(request.subject.as_deref())?;
    let reply_into = |conversation_id| store::Reply {
        me: &me.user,
        conversation_id,
        content: &content,
        key: key.as_deref(),
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
                    store::send(&state.db, &new, key.as_deref()).await?
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
    let sent = match outcome {
        store::SendOutcome::Sent(sent) => sent,
        // A concurrent retry with the same key won: answer with its message instead.
        store::SendOutcome::KeyTaken => {
            let key = key.as_deref().unwrap_or_default();
            store::sent_with_key(&state.db, me.user.id, key)
                .await?
                .ok_or_else(|| anyhow::anyhow!("idempotent send vanished"))?
        }
        store::SendOutcome::NotInConversation => return Err(ApiError::not_found("conversation")),
        store::SendOutcome::NotAllowed => return Err(MessagingError::RecipientNotAllowed.into()),
    };
    Ok((StatusCode::CREATED, sent_body(&sent)))
}

/// The same refusal whether the name does not exist or the person may not be messaged.
async fn allowed_recipient(state: &AppState, me: &User, name: &str) -> ApiResult<User> {
    let Ok(username) = Username::parse(name) else {
        return Err(MessagingError::RecipientNotAllowed.into());
    };
    match users::find_by_username(&state.db, username.as_str()).await? {
        Some(user) if may_message(&state.db, me, &user).await? => Ok(user),
        _ => Err(MessagingError::RecipientNotAllowed.into()),
    }
}

#[derive(Deserialize)]
struct InboxQuery {
    page: Option<i64>,
    limit: Option<i64>,
    #[serde(default)]
    unread_only: bool,
    #[serde(default)]
    archived: bool,
}

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

#[derive(Deserialize)]
struct ConversationQuery {
    before: Option<i64>,
    limit: Option<i64>,
}

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
    let can_reply = may_message_in(&me.user, &header.other, header.in_care_team);
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
                    display_name: sender.display_name.clone(),
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
                username: other.username,
                display_name: other.display_name,
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

async fn archive(
    state: State<AppState>,
    me: CurrentUser,
    id: Path<i64>,
) -> ApiResult<Json<ArchivedState>> {
    set_archived(state, me, id, true).await
}

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

async fn unread_count(
    State(state): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<UnreadCount>> {
    let total_unread = store::total_unread(&state.db, me.user.id).await?;
    Ok(Json(UnreadCount { total_unread }))
}

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
                "You cannot send messages to this person. You can message the clinicians in your care team, and support.",
            )
            .with_field("recipient"),
        }
    }
}
