//! The parts of the OpenAPI document that follow from this toolkit rather than from any
//! one route: the error answers every operation can give because of what it takes (a
//! session, a CSRF token, a JSON body, path or query parameters), written once here so
//! that each handler's annotation lists only its own successes and refusals.
//!
//! An operation says what it takes through its security requirement: the session cookie
//! (`SESSION`), with the roles allowed as the requirement's list (OpenAPI 3.1 allows role
//! names there for schemes other than OAuth), and the CSRF header (`CSRF`).

use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Content, Header, OpenApi, Ref, RefOr, Response};
use utoipa::{PartialSchema, ToSchema};

use super::error::ErrorResponse;
use super::limits::{MAX_HEADER_BYTES, MAX_URI_BYTES};

/// The security scheme of the session cookie.
pub const SESSION: &str = "session_cookie";
/// The security scheme of the `X-CSRF-Token` header.
pub const SECOND_STEP: &str = "second_step_cookie";
pub const CSRF: &str = "csrf_token";

const JSON: &str = "application/json";

/// Adds the error answers each operation can give by construction, and the schemas they
/// refer to.
pub fn add_common_errors(document: &mut OpenApi) {
    let components = document.components.get_or_insert_with(Default::default);
    let mut schemas = vec![(ErrorResponse::name().into_owned(), ErrorResponse::schema())];
    ErrorResponse::schemas(&mut schemas);
    components.schemas.extend(schemas);
    for item in document.paths.paths.values_mut() {
        for (state_changing, operation) in operations(item) {
            for (status, description) in common_errors(operation, state_changing) {
                add_error(operation, status, &description);
            }
            if let Some(RefOr::T(too_many)) = operation.responses.responses.get_mut("429") {
                too_many
                    .headers
                    .entry("Retry-After".to_owned())
                    .or_insert_with(retry_after);
            }
        }
    }
}

/// Each operation of a path, and whether its method changes something.
fn operations(item: &mut PathItem) -> impl Iterator<Item = (bool, &mut Operation)> {
    [
        (false, &mut item.get),
        (false, &mut item.head),
        (false, &mut item.options),
        (true, &mut item.post),
        (true, &mut item.put),
        (true, &mut item.patch),
        (true, &mut item.delete),
    ]
    .into_iter()
    .filter_map(|(state_changing, operation)| Some((state_changing, operation.as_mut()?)))
}

/// The errors an operation can answer because of what it takes, by status.
fn common_errors(operation: &Operation, state_changing: bool) -> Vec<(&'static str, String)> {
    let mut errors = vec![
        ("400", "`malformed_request`: the request is not valid HTTP/1.1.".to_owned()),
        ("414", format!("`uri_too_long`: the path and query are over {MAX_URI_BYTES} bytes.")),
        ("431", format!("`headers_too_large`: the headers are over {MAX_HEADER_BYTES} bytes.")),
        ("500", "`internal_error`: something failed on the server; the cause is logged.".to_owned()),
        ("503", "`database_unavailable`: the database did not answer (see `Retry-After`); `request_timeout`: the answer took too long; `server_busy`: every connection the server takes is in use.".to_owned()),
    ];
    let session = session_roles(operation);
    if state_changing || may_have_session(operation) {
        // A signed-in request may renew its session, which is a write too.
        errors.push(("503", "`storage_unavailable`: SQLite cannot write its files (a full disk, a read-only file); nothing was saved (see `Retry-After`).".to_owned()));
    }
    if state_changing {
        errors.push((
            "403",
            "`csrf_failed`: the request's `Origin` (or `Referer`) is another site.".to_owned(),
        ));
    }
    if let Some(roles) = session {
        errors.push(("401", "Not signed in: `not_authenticated` (no session cookie), `session_unknown`, `session_expired` (`reason` is `idle` or `absolute`), `session_revoked` (`reason` says who ended it) or `account_disabled`.".to_owned()));
        if state_changing {
            errors.push((
                "403",
                "`csrf_failed`: the `X-CSRF-Token` header is missing or not this session's."
                    .to_owned(),
            ));
        }
        if !roles.is_empty() {
            errors.push((
                "403",
                format!("`forbidden`: only for {}.", roles.join(", ")),
            ));
        }
        if roles.iter().any(|role| role == "clinician") {
            errors.push(("403", "`clinician_not_approved`: the clinician's account awaits an administrator's approval.".to_owned()));
        }
    }
    if operation.request_body.is_some() {
        errors.extend([
            (
                "400",
                "`malformed_json`: the body is not JSON; `unreadable_body`: it could not be read."
                    .to_owned(),
            ),
            (
                "413",
                "`payload_too_large`: the body is over the size limit.".to_owned(),
            ),
            (
                "415",
                "`unsupported_media_type`: the body is not sent as `application/json`.".to_owned(),
            ),
            (
                "422",
                "`validation_failed`: a field is missing or not acceptable; `field` names it."
                    .to_owned(),
            ),
        ]);
    }
    if has_parameter(operation, ParameterIn::Path) {
        errors.push((
            "404",
            "`not_found`: no such thing, or not yours to see.".to_owned(),
        ));
    }
    if has_parameter(operation, ParameterIn::Query) {
        errors.push((
            "422",
            "`validation_failed`: a query parameter is not acceptable; `field` names it."
                .to_owned(),
        ));
    }
    errors
}

/// The roles allowed (empty for anyone signed in), when the operation needs a session. An
/// empty requirement beside the session's makes it optional (used when sent, no `401`).
fn session_roles(operation: &Operation) -> Option<Vec<String>> {
    let requirements = security_requirements(operation);
    if requirements
        .iter()
        .any(|r| r.as_object().is_some_and(|r| r.is_empty()))
    {
        return None;
    }
    requirements
        .iter()
        .find_map(|r| serde_json::from_value(r.get(SESSION)?.clone()).ok())
}

/// Whether the operation takes the session cookie, required or not.
fn may_have_session(operation: &Operation) -> bool {
    security_requirements(operation)
        .iter()
        .any(|requirement| requirement.get(SESSION).is_some())
}

/// The operation's security requirements in their JSON form (their schemes are private
/// fields).
fn security_requirements(operation: &Operation) -> Vec<serde_json::Value> {
    operation
        .security
        .iter()
        .flatten()
        .filter_map(|requirement| serde_json::to_value(requirement).ok())
        .collect()
}

fn has_parameter(operation: &Operation, place: ParameterIn) -> bool {
    operation
        .parameters
        .iter()
        .flatten()
        .any(|parameter| parameter.parameter_in == place)
}

/// An error answer with the `ErrorResponse` body; beside one the annotation already gives
/// for this status, one more line of its description.
fn add_error(operation: &mut Operation, status: &str, description: &str) {
    let responses = &mut operation.responses.responses;
    let response = responses
        .entry(status.to_owned())
        .or_insert_with(|| RefOr::T(error_response(status)));
    let RefOr::T(response) = response else { return };
    if !response.description.contains(description) {
        if !response.description.is_empty() {
            response.description.push('\n');
        }
        response.description.push_str(description);
    }
}

fn error_response(status: &str) -> Response {
    let mut response = Response::new("");
    let schema = Ref::from_schema_name(ErrorResponse::name());
    response
        .content
        .insert(JSON.to_owned(), Content::new(Some(schema)));
    if matches!(status, "429" | "503") {
        response
            .headers
            .insert("Retry-After".to_owned(), retry_after());
    }
    response
}

/// The `Retry-After` header of a `429` or `503`.
fn retry_after() -> Header {
    let seconds = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1));
    let mut header = Header::new(seconds);
    header.description = Some("Seconds to wait before trying again.".to_owned());
    header
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::security::SecurityRequirement;

    #[test]
    fn a_patient_only_change_lists_every_refusal() {
        let mut operation = Operation::new();
        operation.security = Some(vec![
            SecurityRequirement::new(SESSION, ["patient"]).add::<_, _, String>(CSRF, [])
        ]);
        let errors = common_errors(&operation, true);
        let forbidden: Vec<_> = errors.iter().filter(|(s, _)| *s == "403").collect();
        assert_eq!(forbidden.len(), 3, "origin, token and role: {forbidden:?}");
        assert!(errors.iter().any(|(s, _)| *s == "401"));
        assert!(
            !errors.iter().any(|(s, _)| *s == "422"),
            "no body, no query"
        );
    }

    #[test]
    fn descriptions_of_one_status_are_joined() {
        let mut operation = Operation::new();
        add_error(&mut operation, "403", "one");
        add_error(&mut operation, "403", "two");
        add_error(&mut operation, "403", "one");
        let RefOr::T(response) = &operation.responses.responses["403"] else {
            panic!("a response")
        };
        assert_eq!(response.description, "one\ntwo");
    }
}
