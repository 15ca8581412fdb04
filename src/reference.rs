//! The API's published contract: the OpenAPI 3.1 document at `/api/openapi.json`, built
//! from the same `#[utoipa::path]` declarations that build the router (each feature's
//! router is a `utoipa_axum` `OpenApiRouter`), and the reference page for people at
//! `/api/docs`. Neither needs a session.

use axum::body::Bytes;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::OpenApi as Document;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::two_factor;
use crate::config::Settings;
use crate::http::openapi::{add_common_errors, CSRF, SECOND_STEP, SESSION};
use crate::sessions::cookie;
use crate::state::AppState;

/// Every path of the document is under this prefix, as the router nests them.
pub const PREFIX: &str = "/api";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Healing Space API",
        description = "Secure messaging, mood check-ins and care teams for people in mental-health \
            care and their clinicians. Every error answers `{\"error\": {\"code\", \"message\", \
            \"field\"?}}`, its `code` one of `ErrorCode`. A session is a cookie; every \
            state-changing request with a session also sends `X-CSRF-Token`, from the sign-in \
            answer or `/api/auth/me`."
    ),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "auth", description = "Registration, signing in and out, passwords"),
        (name = "sessions", description = "A person's signed-in devices"),
        (name = "passkeys", description = "Passkeys (WebAuthn): adding and removing them, and signing in with one"),
        (name = "care team", description = "Patients and the clinicians who look after them"),
        (name = "messages", description = "Two-person conversations"),
        (name = "home", description = "The home dashboard"),
        (name = "mood", description = "Mood check-ins"),
        (name = "feedback", description = "Feedback about Healing Space"),
        (name = "admin", description = "Accounts and the audit log, for administrators"),
        (name = "my data", description = "Everything stored about me"),
        (name = "events", description = "What happens, pushed as it happens (Server-Sent Events)"),
        (name = "reference", description = "This document, and its page for people"),
    )
)]
struct Contract;

/// The document's own parts, before the routers add their paths.
pub fn base() -> Document {
    let mut document = Contract::openapi();
    // Cargo's `UNLICENSED` is no SPDX licence, which OpenAPI's `license` would claim.
    document.info.license = None;
    document
}

/// The finished document, serialised once, for `/api/openapi.json`.
#[derive(Clone)]
pub struct Published(Bytes);

/// Finishes what the routers collected: the prefix on every path, the security schemes
/// (with this deployment's cookie name), and the errors common to many operations.
pub fn finish(mut document: Document, settings: &Settings) -> Published {
    let paths = std::mem::take(&mut document.paths.paths);
    document.paths.paths = paths
        .into_iter()
        .map(|(path, item)| (format!("{PREFIX}{path}"), item))
        .collect();
    let components = document.components.get_or_insert_with(Default::default);
    let session = ApiKeyValue::with_description(
        cookie::name(settings),
        "The session cookie, set by signing in or registering.".to_owned(),
    );
    components.add_security_scheme(SESSION, SecurityScheme::ApiKey(ApiKey::Cookie(session)));
    let token = ApiKeyValue::with_description(
        "X-CSRF-Token".to_owned(),
        "The session's CSRF token (`csrf_token` in the sign-in answer and `/api/auth/me`), \
         on every state-changing request that has a session."
            .to_owned(),
    );
    components.add_security_scheme(CSRF, SecurityScheme::ApiKey(ApiKey::Header(token)));
    let second_step = ApiKeyValue::with_description(
        two_factor::SECOND_STEP_COOKIE,
        "A sign-in waiting for its second step, set by a right password when two-factor \
         sign-in is on or required; only the second-step routes read it.",
    );
    components.add_security_scheme(
        SECOND_STEP,
        SecurityScheme::ApiKey(ApiKey::Cookie(second_step)),
    );
    add_common_errors(&mut document);
    let json = document.to_json().unwrap_or_default();
    Published(Bytes::from(json))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(openapi_document))
        .routes(routes!(reference_page))
}

/// This document: the OpenAPI 3.1 description of every operation.
#[utoipa::path(get, path = "/openapi.json", tag = "reference", responses(
    (status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object),
))]
async fn openapi_document(Extension(Published(json)): Extension<Published>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], json).into_response()
}

/// The reference page: every operation of this document, for people to read.
#[utoipa::path(get, path = "/docs", tag = "reference", responses(
    (status = 200, description = "An HTML page that renders `/api/openapi.json`", content_type = "text/html", body = String),
))]
async fn reference_page() -> Html<&'static str> {
    Html(include_str!("../web/reference/index.html"))
}
