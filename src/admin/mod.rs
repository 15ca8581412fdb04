//! Administration: an overview (counts only, never clinical content), accounts (approve
//! clinicians, disable, enable, sign out) and the audit log. Every route here is for administrators only.

pub mod views;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts::{store as users, Role, User, UserView, Username};
use crate::alerts::store as alert_store;
use crate::audit::{Entry, Event};
use crate::closing;
use crate::http::{ApiError, ApiResult, ErrorCode, ErrorResponse, PageQuery, Paging, Path, Query};
use crate::sessions::{store as sessions, Admin, EndReason};
use crate::state::AppState;
use crate::storage::{millis, now_ms};
use crate::text::{self, Lines};
use views::{AuditPage, Overview, UrgentAlerts, UserChanged, UserPage, UserSessionsEnded};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(admin_overview))
        .routes(routes!(list_users))
        .routes(routes!(approve_clinician))
        .routes(routes!(disable))
        .routes(routes!(enable))
        .routes(routes!(reopen))
        .routes(routes!(end_sessions))
        .routes(routes!(audit_log))
}

/// How the service is doing, without clinical content: urgent risk alerts waiting for a
/// clinician, counted, never shown.
#[utoipa::path(get, path = "/admin/overview", tag = "admin",
    security(("session_cookie" = ["admin"])),
    responses((status = 200, description = "Counts", body = Overview)))]
async fn admin_overview(State(state): State<AppState>, _admin: Admin) -> ApiResult<Json<Overview>> {
    let ack = state.settings.alert_ack;
    let counts = alert_store::urgent_counts(&state.db, now_ms() - millis(ack)).await?;
    Ok(Json(Overview {
        urgent_alerts: UrgentAlerts {
            open: counts.open,
            overdue: counts.overdue,
            unattended: counts.unattended,
            ack_minutes: ack.as_secs() / 60,
        },
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UsersQuery {
    /// Only of this role: `patient`, `clinician` or `admin`.
    #[param(example = "clinician")]
    role: Option<String>,
    /// Part of a username or display name, without regard to case; at most 100 characters.
    #[param(max_length = 100)]
    q: Option<String>,
    /// From 1.
    #[param(minimum = 1, maximum = 1_000_000)]
    page: Option<i64>,
    /// 1 to 100; 50 when not given.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
}

/// Finds accounts: `q` matches part of a username or display name, without regard to case.
#[utoipa::path(get, path = "/admin/users", tag = "admin", params(UsersQuery),
    security(("session_cookie" = ["admin"])),
    responses((status = 200, description = "A page of accounts", body = UserPage)))]
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
    if let Err(forbidden) = text::check(&search, Lines::One) {
        return Err(ApiError::invalid("q", format!("A search {forbidden}.")));
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

/// Approves a clinician awaiting approval.
#[utoipa::path(post, path = "/admin/users/{username}/approve", tag = "admin",
    params(("username" = String, Path, description = "The clinician's username")),
    security(("session_cookie" = ["admin"], "csrf_token" = [])),
    responses(
        (status = 200, description = "Approved", body = UserChanged),
        (status = 409, description = "`not_pending`: not a clinician awaiting approval", body = ErrorResponse),
    ))]
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

/// Disables an account: every session ends at once; the next request gets `account_disabled`.
#[utoipa::path(post, path = "/admin/users/{username}/disable", tag = "admin",
    params(("username" = String, Path, description = "The person's username")),
    security(("session_cookie" = ["admin"], "csrf_token" = [])),
    responses(
        (status = 200, description = "Disabled", body = UserChanged),
        (status = 409, description = "`cannot_disable_self`: this is my own account", body = ErrorResponse),
    ))]
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

/// Enables a disabled account again.
#[utoipa::path(post, path = "/admin/users/{username}/enable", tag = "admin",
    params(("username" = String, Path, description = "The person's username")),
    security(("session_cookie" = ["admin"], "csrf_token" = [])),
    responses((status = 200, description = "Enabled", body = UserChanged)))]
async fn enable(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(username): Path<String>,
) -> ApiResult<Json<UserChanged>> {
    let user = find_user(&state, &username).await?;
    if user.closed_at.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::AccountClosed,
            "Its owner closed this account: reopen it instead.",
        ));
    }
    users::set_disabled(&state.db, user.id, false).await?;
    Entry::new(Event::AccountEnabled)
        .by(admin.user.id)
        .about(user.id)
        .record(&state.db)
        .await?;
    reload(&state, user.id).await
}

/// Reopens an account its owner closed, during the grace period (`ACCOUNT_GRACE_DAYS`).
#[utoipa::path(post, path = "/admin/users/{username}/reopen", tag = "admin",
    params(("username" = String, Path, description = "The person's username")),
    security(("session_cookie" = ["admin"], "csrf_token" = [])),
    responses(
        (status = 200, description = "Reopened: they can sign in again", body = UserChanged),
        (status = 404, description = "`not_found`: no such account", body = ErrorResponse),
        (status = 409, description = "`not_closed`, or `account_erased`: past the grace period", body = ErrorResponse),
    ))]
async fn reopen(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(username): Path<String>,
) -> ApiResult<Json<UserChanged>> {
    let user = find_user(&state, &username).await?;
    closing::reopen(&state.db, admin.user.id, &user, &state.settings.closing).await?;
    reload(&state, user.id).await
}

/// Signs a person out everywhere (myself: everywhere but here).
#[utoipa::path(post, path = "/admin/users/{username}/end-sessions", tag = "admin",
    params(("username" = String, Path, description = "The person's username")),
    security(("session_cookie" = ["admin"], "csrf_token" = [])),
    responses((status = 200, description = "Signed out", body = UserSessionsEnded)))]
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// Only what this person (a username) did or what was done to them.
    user: Option<String>,
    /// From 1.
    #[param(minimum = 1, maximum = 1_000_000)]
    page: Option<i64>,
    /// 1 to 100; 50 when not given.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
}

/// Security events, newest first; `user` keeps those the person did or that were done to them.
#[utoipa::path(get, path = "/admin/audit", tag = "admin", params(AuditQuery),
    security(("session_cookie" = ["admin"])),
    responses((status = 200, description = "A page of the audit log", body = AuditPage)))]
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
