//! Extractors whose rejections are our JSON errors and name the field at fault.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use super::error::{ApiError, ErrorCode};

/// A JSON body. Wrong content type is 415, unparsable JSON 400, too large 413,
/// and a missing or mistyped field 422 with `field` set.
pub struct Input<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Input<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers().get(header::CONTENT_TYPE)) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Send the body as JSON with the header Content-Type: application/json.",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::PayloadTooLarge,
                    "The request body is too large.",
                )
            } else {
                ApiError::bad_request(
                    ErrorCode::UnreadableBody,
                    "The request body could not be read.",
                )
            }
        })?;
        parse_json(&bytes).map(Input)
    }
}

fn is_json(content_type: Option<&header::HeaderValue>) -> bool {
    let Some(value) = content_type.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mime = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// One JSON value, and nothing after it but white space: `{...} garbage` is malformed.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let inner = error.inner();
        if inner.is_data() {
            field_error(&error.path().to_string(), &inner.to_string())
        } else {
            malformed_json(inner)
        }
    })?;
    deserializer.end().map_err(|error| malformed_json(&error))?;
    Ok(value)
}

fn malformed_json(error: &serde_json::Error) -> ApiError {
    ApiError::bad_request(
        ErrorCode::MalformedJson,
        format!("The request body is not valid JSON ({error})."),
    )
}

/// Query parameters, with the same 422-and-field rule as bodies.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or_default()).map(Query)
    }
}

/// A query string into `T`; a parameter that does not fit is a 422 naming it.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer)
        .map_err(|error| field_error(&error.path().to_string(), &error.inner().to_string()))
}

/// Path parameters. One that cannot be read names nothing that exists, so it is a 404.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Path(value))
            .map_err(|_| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    ErrorCode::NotFound,
                    "There is nothing at this address. Check the path.",
                )
            })
    }
}

/// serde reports a missing field at its parent's path, naming it in backticks.
fn field_error(path: &str, detail: &str) -> ApiError {
    let field = if path.is_empty() || path == "." {
        detail.split('`').nth(1).unwrap_or("body").to_owned()
    } else {
        path.to_owned()
    };
    let message = if detail.starts_with("missing field") {
        format!("{field} is required.")
    } else {
        format!("{field} has the wrong type or format: {detail}.")
    };
    ApiError::invalid(field, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Login {
        username: String,
        tries: u8,
    }

    #[test]
    fn missing_and_mistyped_fields_are_named() {
        let missing = parse_json::<Login>(br#"{"tries": 1}"#).unwrap_err();
        assert_eq!(missing.field.as_deref(), Some("username"));
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        let mistyped = parse_json::<Login>(br#"{"username": "a", "tries": "x"}"#).unwrap_err();
        assert_eq!(mistyped.field.as_deref(), Some("tries"));
        let broken = parse_json::<Login>(b"{").unwrap_err();
        assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn nothing_may_follow_the_json_value() {
        let trailing = parse_json::<Login>(br#"{"username": "a", "tries": 1} garbage"#);
        let trailing = trailing.unwrap_err();
        assert_eq!(
            (trailing.status, trailing.code),
            (StatusCode::BAD_REQUEST, ErrorCode::MalformedJson)
        );
        let second = parse_json::<Login>(br#"{"username": "a", "tries": 1}{}"#).unwrap_err();
        assert_eq!(second.code, ErrorCode::MalformedJson);
        assert!(parse_json::<Login>(b"{\"username\": \"a\", \"tries\": 1}\r\n ").is_ok());
    }
}
