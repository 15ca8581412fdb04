//! `POST /api/notifications/unsubscribe?token=...`: the one-click unsubscribe of a
//! new-message mail (RFC 8058: mail programs post to the `List-Unsubscribe` address
//! without a session, so the token is the authority, and the body is ignored).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::unsubscribe;
use crate::audit::{Entry, Event};
use crate::http::{ApiError, ApiResult, ErrorCode, ErrorResponse, Query};
use crate::profile::preferences::{self, PreferenceChanges};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(unsubscribe_from_message_mail))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UnsubscribeQuery {
    /// From the mail's link.
    token: String,
}

#[derive(Serialize, ToSchema)]
struct Unsubscribed {
    /// Always false now.
    message_emails: bool,
}

/// Stops "you have a new message" mail for the person the link was mailed to.
#[utoipa::path(post, path = "/notifications/unsubscribe", tag = "auth", params(UnsubscribeQuery),
    security(()),
    responses(
        (status = 200, description = "No more new-message mail", body = Unsubscribed),
        (status = 400, description = "`link_unknown`: not a link we mailed", body = ErrorResponse),
    ))]
async fn unsubscribe_from_message_mail(
    State(state): State<AppState>,
    Query(query): Query<UnsubscribeQuery>,
) -> ApiResult<Json<Unsubscribed>> {
    let user_id = unsubscribe::verify(&state.settings.keys, &query.token).ok_or_else(|| {
        ApiError::bad_request(
            ErrorCode::LinkUnknown,
            "This unsubscribe link is not one we mailed, or it was copied incompletely. You can switch these mails off in Settings.",
        )
        .with_field("token")
    })?;
    let changes = PreferenceChanges {
        message_emails: Some(false),
    };
    preferences::change(&state.db, user_id, &changes).await?;
    Entry::new(Event::MessageMailUnsubscribed)
        .by(user_id)
        .about(user_id)
        .record(&state.db)
        .await?;
    Ok(Json(Unsubscribed {
        message_emails: false,
    }))
}
