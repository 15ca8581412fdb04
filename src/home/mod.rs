//! The home dashboard: everything a person sees first, in one request.

pub mod store;
pub mod views;

use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts::{Role, UserView};
use crate::alerts::views::AlertCounts;
use crate::care_teams::views::care_team_views;
use crate::http::ApiResult;
use crate::measures::due_for;
use crate::messaging::store::total_unread;
use crate::mood::{self, day_of, streak, today, views::MoodEntryView};
use crate::sessions::CurrentUser;
use crate::state::AppState;
use crate::storage::{now_ms, rfc3339_opt};
use views::{ClinicianSummary, HomeData, MoodSummary};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(home))
}

/// Everything the home screen shows, in one request.
#[utoipa::path(get, path = "/home/data", tag = "home",
    security(("session_cookie" = [])),
    responses((status = 200, description = "The home dashboard", body = HomeData)))]
async fn home(State(state): State<AppState>, me: CurrentUser) -> ApiResult<Json<HomeData>> {
    let user = &me.user;
    let mut body = HomeData {
        user: UserView::from(user),
        last_sign_in_at: rfc3339_opt(me.session.previous_login_at),
        unread_messages: 0,
        mood: None,
        care_team: Vec::new(),
        pending_care_team_requests: Vec::new(),
        measures_due: Vec::new(),
        clinician: None,
        crisis_resources: state.settings.crisis_resources.clone(),
    };
    match user.role {
        Role::Patient => {
            let (unread, links) = store::patient_overview(&state.db, user.id).await?;
            let (clinicians, pending) = care_team_views(links);
            body.unread_messages = unread;
            body.care_team = clinicians;
            body.pending_care_team_requests = pending;
            body.mood = Some(mood_summary(&state, user.id).await?);
            body.measures_due = due_for(&state.db, user.id).await?.due;
        }
        Role::Clinician => {
            let counts = store::clinician_counts(&state.db, user.id).await?;
            let approved = user.is_approved_clinician();
            body.unread_messages = counts.unread;
            body.clinician = Some(ClinicianSummary {
                approved,
                patient_count: if approved { counts.patients } else { 0 },
                pending_requests: if approved { counts.pending } else { 0 },
                open_alerts: AlertCounts {
                    urgent: counts.urgent,
                    review: counts.review,
                },
            });
        }
        Role::Admin => body.unread_messages = total_unread(&state.db, user.id).await?,
    }
    Ok(Json(body))
}

/// The latest check-in, whether there is one today, and the streak in days.
async fn mood_summary(state: &AppState, user_id: i64) -> ApiResult<MoodSummary> {
    let year_ago = now_ms() - 366 * 24 * 60 * 60 * 1000;
    let recent = mood::store::recent_check_ins(&state.db, user_id, year_ago).await?;
    let days: Vec<_> = recent.times.iter().map(|t| day_of(*t)).collect();
    Ok(MoodSummary {
        latest: recent.latest.as_ref().map(MoodEntryView::from),
        checked_in_today: days.first() == Some(&today()),
        streak_days: streak(&days, today()),
    })
}
