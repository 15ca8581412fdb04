//! The home dashboard: everything a person sees first, in one request.

pub mod store;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::accounts::{Role, UserView};
use crate::care_teams::views::care_team_views;
use crate::http::ApiResult;
use crate::messaging::store::total_unread;
use crate::mood::{self, day_of, streak, today};
use crate::sessions::CurrentUser;
use crate::state::AppState;
use crate::storage::{now_ms, rfc3339_opt};

pub fn router() -> Router<AppState> {
    Router::new().route("/home/data", get(home))
}

async fn home(State(state): State<AppState>, me: CurrentUser) -> ApiResult<Json<Value>> {
    let user = &me.user;
    let mut body = json!({
        "user": UserView::from(user),
        "last_sign_in_at": rfc3339_opt(me.session.previous_login_at),
        "unread_messages": 0,
        "mood": null,
        "care_team": [],
        "pending_care_team_requests": [],
        "clinician": null,
        "crisis_resources": state.settings.crisis_resources,
    });
    match user.role {
        Role::Patient => {
            let (unread, links) = store::patient_overview(&state.db, user.id).await?;
            let (clinicians, pending) = care_team_views(links);
            body["unread_messages"] = json!(unread);
            body["care_team"] = json!(clinicians);
            body["pending_care_team_requests"] = json!(pending);
            body["mood"] = mood_summary(&state, user.id).await?;
        }
        Role::Clinician => {
            let counts = store::clinician_counts(&state.db, user.id).await?;
            let approved = user.is_approved_clinician();
            body["unread_messages"] = json!(counts.unread);
            body["clinician"] = json!({
                "approved": approved,
                "patient_count": if approved { counts.patients } else { 0 },
                "pending_requests": if approved { counts.pending } else { 0 },
            });
        }
        Role::Admin => body["unread_messages"] = json!(total_unread(&state.db, user.id).await?),
    }
    Ok(Json(body))
}

/// The latest check-in, whether there is one today, and the streak in days.
async fn mood_summary(state: &AppState, user_id: i64) -> ApiResult<Value> {
    let year_ago = now_ms() - 366 * 24 * 60 * 60 * 1000;
    let recent = mood::store::recent_check_ins(&state.db, user_id, year_ago).await?;
    let days: Vec<_> = recent.times.iter().map(|t| day_of(*t)).collect();
    Ok(json!({
        "latest": recent.latest.map(|e| e.to_json()),
        "checked_in_today": days.first() == Some(&today()),
        "streak_days": streak(&days, today()),
    }))
}
