//! Administration: accounts (approve clinicians, disable, enable, sign out) and the
//! audit log. Every route here is for administrators only.

pub mod views;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::accounts::{store as users, Role, User, UserView, Username};
use crate::audit::{Entry, Event};
use crate::http::{ApiError, ApiResult, ErrorCode, PageQuery, Paging, Path, Query};
use crate::sessions::{store as sessions, Admin, EndReason};
use crate::state::AppState;
use views::{AuditPage, UserChanged, UserPage, UserSessionsEnded};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list_users))
        .route("/admin/users/{username}/approve", post(approve_clinician))
        .route("/admin/users/{username}/disable", post(disable))
        .route("/admin/users/{username}/enable", post(enable))
        .route("/admin/users/{username}/end-sessions", post(end_sessions))
        .route("/admin/audit", get(audit_log))
}

#[derive(Deserialize)]
struct UsersQuery {
    role: Option<String>,
    q: Option<String>,
    page: Option<i64>,
    limit: Option<i64>,
}

/// `q` matches part of a username or display name, without regard to case.
async fn list_users(
    State(state): State<AppState>,
    _admin: Admin,
    Query(query): Query<UsersQuery>,
) -> ApiResult<Json<UserPage>> {
    let role = match query.role.as_deref().filter(|r| !r.is_empty()) {
        None => "",
        Some(text) => Role::parse(text)
            .ok_or_else(|| ApiError::invalid("role", "role is patient, clinician or admin."))?
            .as_str(),
    };
    let search = query
        .q
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_lowercase();
    if search.chars().count() > 100 {
        return Err(ApiError::invalid(
            "q",
            "A search is at most 100 characters.",
        ));
    }
    let pattern = format!(
        "%{}%",
        search
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let paging = Paging::parse(
        &PageQuery {
            page: query.page,
            limit: query.limit,
        },
        50,
    )?;
    let found = users::search(&state.db, role, &pattern, paging.fetch(), paging.offset()).await?;
    let (found, page) = paging.finish(found);
    let total = users::count_matching(&state.db, role, &pattern).await?;
    Ok(Json(UserPage {
        page,
        users: found.iter().map(UserView::from).collect(),
        total,
    }))
}

async fn find_user(state: &AppState, username: &str) -> ApiResult<User> {
    let not_found = || ApiError::not_found("user");
    let username = Username::parse(username).map_err(|_| not_found())?;
    users::find_by_username(&state.db, username.as_str())
        .await?
        .ok_or_else(not_found)
}

async fn reload(state: &AppState, id: i64) -> ApiResult<Json<UserChanged>> {
    let user = users::find_by_id(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    Ok(Json(UserChanged {
        user: UserView::from(&user),
    }))
}

async fn approve_clinician(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(username): Path<String>,
) -> ApiResult<Json<UserChanged>> {
    let user = find_user(&state, &username).await?;
    if user.role != Role::Clinician || user.approved_at.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::NotPending,
            "Only a clinician awaiting approval can be approved.",
        )
        .with_field("username"));
    }
    users::approve(&state.db, user.id).await?;
    Entry::new(Event::ClinicianApproved)
        .by(admin.user.id)
        .about(user.id)
        .record(&state.db)
        .await?;
    reload(&state, user.id).await
}

/// Disabling ends every session at once; the next request gets `account_disabled`.
async fn disable(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(username): Path<String>,
) -> ApiResult<Json<UserChanged>> {
    let user = find_user(&state, &username).await?;
    if user.id == admin.user.id {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::CannotDisableSelf,
            "You cannot disable your own account.",
        )
        .with_field("username"));
    }
    let mut tx = state.db.begin().await?;
    users::set_disabled(&mut tx, user.id, true).await?;
    let ended = sessions::end_all(
        &mut tx,
        user.id,
        None,
        EndReason::AccountDisabled,
        Some(admin.user.id),
    )
    .await?;
    tx.commit().await?;
    Entry::new(Event::AccountDisabled)
        .by(admin.user.id)
        .about(user.id)
        .detail(&format!("{ended} sessions ended"))
        .record(&state.db)
        .await?;
    reload(&state, user.id).await
}

async fn enable(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(username): Path<String>,
) -> ApiResult<Json<UserChanged>> {
    let user = find_user(&state, &username).await?;
    users::set_disabled(&state.db, user.id, false).await?;
    Entry::new(Event::AccountEnabled)
        .by(admin.user.id)
        .about(user.id)
        .record(&state.db)
        .await?;
    reload(&state, user.id).await
}

async fn end_sessions(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(username): Path<String>,
) -> ApiResult<Json<UserSessionsEnded>> {
    let user = find_user(&state, &username).await?;
    let keep = (user.id == admin.user.id).then(|| admin.session.id.clone());
    let ended = sessions::end_all(
        &state.db,
        user.id,
        keep.as_deref(),
        EndReason::Admin,
        Some(admin.user.id),
    )
    .await?;
    Entry::new(Event::AllSessionsEnded)
        .by(admin.user.id)
        .about(user.id)
        .detail(&format!("{ended} sessions ended"))
        .record(&state.db)
        .await?;
    Ok(Json(UserSessionsEnded { ended }))
}

#[derive(Deserialize)]
struct AuditQuery {
    user: Option<String>,
    page: Option<i64>,
    limit: Option<i64>,
}

/// Security events, newest first; `user` keeps those the person did or that were done to them.
async fn audit_log(
    State(state): State<AppState>,
    _admin: Admin,
    Query(query): Query<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    let paging = Paging::parse(
        &PageQuery {
            page: query.page,
            limit: query.limit,
        },
        50,
    )?;
    let user_id = match query.user.as_deref().filter(|u| !u.is_empty()) {
        Some(name) => {
            find_user(&state, name)
                .await
                .map_err(|_| ApiError::invalid("user", "There is no user with that username."))?
                .id
        }
        None => 0,
    };
    let entries = crate::audit::recent(&state.db, user_id, paging.fetch(), paging.offset()).await?;
    let (entries, page) = paging.finish(entries);
    let entries = entries.into_iter().map(Into::into).collect();
    Ok(Json(AuditPage { page, entries }))
}
