//! The web app: static files from `web/`, embedded in the binary, served at `/`.
//!
//! - `/` and any path whose last segment has no extension (`/messages/12`, `/settings`)
//!   is a client-side route and gets `index.html`;
//! - a path with an extension is a file: served with its content type, or our JSON 404
//!   when there is no such file.
//!
//! Every file is revalidated on each use (`Cache-Control: no-cache`) against its `ETag`,
//! so a new release is picked up at once and an unchanged file costs a `304`.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rust_embed::RustEmbed;

use crate::http::error::route_not_found;
use crate::state::AppState;

#[derive(RustEmbed)]
#[folder = "web/"]
struct Assets;

const INDEX: &str = "index.html";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/{*path}", get(asset))
}

async fn index(headers: HeaderMap) -> Response {
    serve(INDEX, &headers).await
}

async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let last = path.rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        serve(&path, &headers).await
    } else {
        serve(INDEX, &headers).await
    }
}

/// One embedded file, or the JSON 404.
async fn serve(path: &str, headers: &HeaderMap) -> Response {
    let hidden = path
        .split('/')
        .any(|segment| segment.is_empty() || segment.starts_with('.'));
    let Some(file) = (!hidden).then(|| Assets::get(path)).flatten() else {
        return route_not_found().await.into_response();
    };
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    let mut response = if matches_etag(headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, content_type(path))],
            file.data.into_owned(),
        )
            .into_response()
    };
    let response_headers = response.headers_mut();
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response_headers.insert(header::ETAG, value);
    }
    response
}

fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|candidate| {
            let candidate = candidate.trim();
            candidate == "*" || candidate.trim_start_matches("W/") == etag
        })
}

fn content_type(path: &str) -> HeaderValue {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || matches!(
            mime.essence_str(),
            "application/javascript" | "application/json" | "image/svg+xml"
        );
    let value = if textual && mime.get_param("charset").is_none() {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.to_string()
    };
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("application/octet-stream"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert_eq!(content_type("app.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("icons/x.svg"), "image/svg+xml; charset=utf-8");
    }

    #[test]
    fn index_is_embedded() {
        assert!(Assets::get(INDEX).is_some());
    }
}
