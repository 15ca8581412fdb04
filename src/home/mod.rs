//! The home dashboard: everything a person sees first, in one request.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::accounts::{Role, UserView};
use crate::care_teams::routes::care_team_of;
use crate::care_teams::store::count_for_clinician;
use crate::http::{ApiResult, AppState};
use crate::messaging::store::total_unread;
use crate::mood::{self, day_of, streak, today};
use crate::sessions::CurrentUser;
use crate::storage::{now_ms, rfc3339_opt};

pub fn router() -> Router<AppState> {
    Router::new().route("/home/data", get(home))
}

async fn home(State(state): State<AppState>, me: CurrentUser) -> ApiResult<Json<Value>> {
    let user = &me.user;
    let mut body = json!({
        "user": UserView::from(user),
        "last_sign_in_at": rfc3339_opt(me.session.previous_login_at),
        "unread_messages": total_unread(&state.db, user.id).await?,
        "mood": null,
        "care_team": [],
        "pending_care_team_requests": [],
        "clinician": null,
        "crisis_resources": state.settings.crisis_resources,
    });
    match user.role {
        Role::Patient => {
            body["mood"] = mood_summary(&state, user.id).await?;
            let (clinicians, pending) = care_team_of(&state, user.id).await?;
            body["care_team"] = json!(clinicians);
            body["pending_care_team_requests"] = json!(pending);
        }
        Role::Clinician => {
            let (patients, pending) = count_for_clinician(&state.db, user.id).await?;
            body["clinician"] = json!({
                "approved": user.is_approved_clinician(),
                "patient_count": if user.is_approved_clinician() { patients } else { 0 },
                "pending_requests": if user.is_approved_clinician() { pending } else { 0 },
            });
        }
        Role::Admin => {}
    }
    Ok(Json(body))
}

/// The latest check-in, whether there is one today, and the streak in days.
async fn mood_summary(state: &AppState, user_id: i64) -> ApiResult<Value> {
    let year_ago = now_ms() - 366 * 24 * 60 * 60 * 1000;
    let times = mood::store::check_in_times(&state.db, user_id, year_ago).await?;
    let days: Vec<_> = times.iter().map(|t| day_of(*t)).collect();
    let latest = match times.first() {
        Some(&at) => mood::store::since(&state.db, user_id, at)
            .await?
            .first()
            .map(|e| e.to_json()),
        None => None,
    };
    Ok(json!({
        "latest": latest,
        "checked_in_today": days.first() == Some(&today()),
        "streak_days": streak(&days, today()),
    }))
}
