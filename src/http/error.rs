//! The one error type of the HTTP layer and the one JSON shape every error takes:
//! `{"error": {"code": "...", "message": "...", "field"?: "..."}}`.

pub use super::error_code::ErrorCode;
use crate::storage::DbError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
    /// A finer reason next to the code, such as which session limit passed.
    pub reason: Option<&'static str>,
    pub retry_after_seconds: Option<u64>,
    /// For `412 precondition_failed`: the version that is current now.
    pub current_version: Option<i64>,
    /// Response extensions for layers above, such as the session layer's "clear the
    /// cookie" marker; the HTTP layer itself knows nothing of sessions.
    pub extensions: axum::http::Extensions,
    /// For 500s: the cause, logged and never sent.
    pub source: Option<anyhow::Error>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            reason: None,
            retry_after_seconds: None,
            current_version: None,
            extensions: axum::http::Extensions::new(),
            source: None,
        }
    }

    /// 422: the input was understood but a field is not acceptable.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::ValidationFailed,
            message,
        );
        error.field = Some(field.into());
        error
    }

    /// 409: the value is taken (a duplicate username, say).
    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut error = ApiError::new(StatusCode::CONFLICT, ErrorCode::AlreadyExists, message);
        error.field = Some(field.into());
        error
    }

    /// 404, also for things that exist but belong to someone else.
    pub fn not_found(what: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("No such {what}, or it is not yours to see."),
        )
    }

    pub fn forbidden(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, code, message)
    }

    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn too_many(code: ErrorCode, message: impl Into<String>, retry_after_seconds: u64) -> Self {
        let mut error = ApiError::new(StatusCode::TOO_MANY_REQUESTS, code, message);
        error.retry_after_seconds = Some(retry_after_seconds.max(1));
        error
    }

    pub fn internal(source: anyhow::Error) -> Self {
        let mut error = ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "Something went wrong on our side. Please try again in a moment.",
        );
        error.source = Some(source);
        error
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Attaches a value to the response's extensions, for a layer above to act on.
    pub fn with_extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }
}

impl From<DbError> for ApiError {
    /// A database that cannot be reached or written answers 503 with `Retry-After`: the
    /// request was fine, and may succeed later. Anything else is a 500.
    fn from(error: DbError) -> Self {
        let (code, message, retry_after_seconds) = if error.is_unavailable() {
            (
                ErrorCode::DatabaseUnavailable,
                "The database did not answer. Please try again in a moment.",
                1,
            )
        } else if error.is_storage_unavailable() {
            (
                ErrorCode::StorageUnavailable,
                "Nothing can be saved just now, and nothing of this was. Please try again later.",
                STORAGE_RETRY_AFTER_SECONDS,
            )
        } else {
            return ApiError::internal(error.into());
        };
        let mut unavailable = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, message);
        unavailable.retry_after_seconds = Some(retry_after_seconds);
        unavailable.source = Some(error.into());
        unavailable
    }
}

/// A full disk or a read-only file waits for an operator, so clients need not come back
/// every second.
pub const STORAGE_RETRY_AFTER_SECONDS: u64 = 10;

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> Self {
        ApiError::internal(error)
    }
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorResponse {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// For a person to read.
    pub message: String,
    /// The field at fault, named as in the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// A finer reason next to the code, such as which session limit passed (`idle`,
    /// `absolute`) or who ended the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// With `precondition_failed`: the version that is current now, to reload and edit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Some(source) = &self.source {
            tracing::error!(error = ?source, "request failed");
        }
        let body = ErrorResponse {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                field: self.field,
                reason: self.reason,
                current_version: self.current_version,
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after_seconds {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().extend(self.extensions);
        response
    }
}

/// The fallback for paths that match no route.
pub async fn route_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "There is nothing at this address. Check the path.",
    )
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "This address does not accept that method.",
    )
}
