//! `GET /metrics`: the service's metrics in Prometheus' text format, for a scraper that
//! sends `Authorization: Bearer $METRICS_TOKEN`. It is outside `/api` and the published
//! document: it is for the operator's monitoring, not for the app.
//!
//! Anyone else, and everyone when `METRICS_TOKEN` is unset, gets exactly what an address
//! nobody serves gets (the request is handed to the web app, whose answer that is), so
//! the address gives away nothing, not even that it exists.
//!
//! What changes without a request (the pools, the risk alerts) is read here, at each
//! scrape, with one cheap query for each kind of alert count.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Extension, Router};
use tower::ServiceExt;

use crate::alerts::store as alert_store;
use crate::config::MetricsToken;
use crate::metrics::{self, AlertCounts, Scraped};
use crate::state::AppState;
use crate::storage::{millis, now_ms, Database, DbError};

pub const PATH: &str = "/metrics";

/// How long a scrape waits for the database before answering without its gauges.
const DATABASE_WAIT: Duration = Duration::from_secs(5);

/// What answers an address nobody serves: the web app's router.
#[derive(Clone)]
struct Unserved(Router);

/// `/metrics`, for every method; all but an authorised `GET` go to `unserved`.
pub fn router(unserved: Router) -> Router<AppState> {
    Router::new()
        .route(PATH, any(metrics))
        .layer(Extension(Unserved(unserved)))
}

async fn metrics(
    State(state): State<AppState>,
    Extension(Unserved(unserved)): Extension<Unserved>,
    request: Request,
) -> Response {
    let token = state.settings.metrics_token.as_ref();
    if request.method() != Method::GET || !authorised(request.headers(), token) {
        return match unserved.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
    }
    let scraped = Scraped {
        pools: state.db.pool_stats(),
        alerts: alert_counts(&state).await,
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(metrics::CONTENT_TYPE),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        state.metrics.render(&scraped),
    )
        .into_response()
}

/// `Authorization: Bearer <token>` with the configured token, compared in constant time.
fn authorised(headers: &HeaderMap, token: Option<&MetricsToken>) -> bool {
    let Some(token) = token else {
        return false;
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return false;
    };
    let value = value.as_bytes();
    let scheme = b"bearer ";
    if value.len() <= scheme.len() || !value[..scheme.len()].eq_ignore_ascii_case(scheme) {
        return false;
    }
    token.matches(value[scheme.len()..].trim_ascii())
}

/// The alert gauges, or None when the database does not answer in time (the scrape
/// then says `healing_space_database_up 0`).
async fn alert_counts(state: &AppState) -> Option<AlertCounts> {
    let overdue_before = now_ms() - millis(state.settings.alert_ack);
    let read = read_alert_counts(&state.db, overdue_before);
    match tokio::time::timeout(DATABASE_WAIT, read).await {
        Ok(Ok(counts)) => Some(counts),
        Ok(Err(error)) => {
            tracing::warn!(%error, "metrics: could not count the risk alerts");
            None
        }
        Err(_) => {
            tracing::warn!(wait = ?DATABASE_WAIT, "metrics: the database did not answer in time");
            None
        }
    }
}

async fn read_alert_counts(db: &Database, overdue_before: i64) -> Result<AlertCounts, DbError> {
    let open = alert_store::open_by_severity(db).await?;
    let urgent = alert_store::urgent_counts(db, overdue_before).await?;
    Ok(AlertCounts {
        open: open
            .into_iter()
            .map(|row| (row.severity, row.alerts))
            .collect(),
        overdue: urgent.overdue,
        unattended: urgent.unattended,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::read_metrics_token;

    const TOKEN: &str = "scrape-token-0123456789-ABCDEFGHIJKLMNOP";

    fn token() -> MetricsToken {
        let source = |name: &str| (name == "METRICS_TOKEN").then(|| TOKEN.to_owned());
        read_metrics_token(&source, None).unwrap().unwrap()
    }

    fn with_authorization(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn only_the_bearer_token_is_let_in() {
        let token = token();
        for good in [format!("Bearer {TOKEN}"), format!("bearer  {TOKEN} ")] {
            assert!(
                authorised(&with_authorization(&good), Some(&token)),
                "{good}"
            );
        }
        for bad in [
            String::new(),
            "Bearer".to_owned(),
            "Bearer ".to_owned(),
            TOKEN.to_owned(),
            format!("Basic {TOKEN}"),
            format!("Bearer {TOKEN}x"),
            format!("Bearer {}", &TOKEN[1..]),
        ] {
            assert!(
                !authorised(&with_authorization(&bad), Some(&token)),
                "{bad}"
            );
        }
        assert!(!authorised(&HeaderMap::new(), Some(&token)));
        let sent = with_authorization(&format!("Bearer {TOKEN}"));
        assert!(!authorised(&sent, None), "unset: nobody, whatever is sent");
    }
}
