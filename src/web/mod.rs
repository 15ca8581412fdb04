//! The web app: static files from `web/`, embedded in the binary, served at `/`.
//!
//! - a path that is one of the embedded files is that file, with its content type;
//! - a path that is a screen of the app (`screens.rs`, the paths of `web/routes.js`:
//!   `/messages/12`, `/clinician/patients/jordan.lee/mood`) gets the app, `index.html`,
//!   so that every screen's address works on reload and from a bookmark, dots and all,
//!   with the screen's own modules preloaded;
//! - anything else gets the app with a 404 status: it shows its own "not found" page, in
//!   its own look and under the same CSP. (`/api/...` is the API's, with JSON errors.)
//!
//! `/app-shell.json` lists the files of the app, for the service worker (`web/sw.js`) to
//! keep so that the app opens offline.
//!
//! The app's page (`page.rs`) names every file at an address with its content's hash
//! (`assets.rs`): those are kept by browsers for a year (`immutable`), and a new release
//! names new addresses. The page itself, and every file at its plain address, is
//! revalidated on each use (`Cache-Control: no-cache`) against its `ETag`, so a new
//! release is picked up at once and an unchanged page costs a `304`.

mod assets;
mod first_modules;
mod page;
mod screens;

pub use page::script_hash;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rust_embed::{EmbeddedFile, RustEmbed};

use crate::state::AppState;

#[derive(RustEmbed)]
#[folder = "web/"]
struct Assets;

const INDEX: &str = "index.html";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(file_or_screen))
        .route("/app-shell.json", get(app_shell))
        .route("/{*path}", get(file_or_screen))
}

/// An embedded file, the app for one of its screens, or the app's "not found" page. The
/// path is matched as requested (percent-encoded), as the app's router matches it.
async fn file_or_screen(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    let Some(app) = page::page() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match assets::lookup(path) {
        Some(assets::Hashed::Current(name)) => {
            if let Some(file) = Assets::get(&name) {
                return serve(&name, file, &headers, IMMUTABLE);
            }
        }
        Some(assets::Hashed::Stale) => return not_found_page(app),
        None => {}
    }
    match embedded(path) {
        Some((INDEX, _)) => serve_page(app, &headers),
        Some((name, file)) => serve(name, file, &headers, REVALIDATE),
        None => match screens::view_module(path).and_then(page::page_for) {
            Some(screen) => serve_page(screen, &headers),
            None => not_found_page(app),
        },
    }
}

/// A file whose address names its content never changes at that address.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Anything else is checked with the server on each use.
const REVALIDATE: &str = "no-cache";

/// Every file of the app the service worker keeps for offline use: all embedded files
/// except the API reference (`reference/`), which is no part of the app; each at its
/// hashed address if it has one.
async fn app_shell() -> Response {
    // At the addresses the page names, so that they are there when it opens offline.
    let files: Vec<String> = shell_files()
        .map(|name| {
            let plain = format!("/{name}");
            assets::hashed_address(&plain).unwrap_or(plain)
        })
        .collect();
    (
        [(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE))],
        axum::Json(serde_json::json!({ "files": files })),
    )
        .into_response()
}

fn shell_files() -> impl Iterator<Item = String> {
    Assets::iter()
        .map(|name| name.into_owned())
        .filter(|name| !name.starts_with("reference/") && !name.starts_with('.'))
}

/// The embedded file at `path`, if it is one; never a hidden (dot) file.
fn embedded(path: &str) -> Option<(&str, EmbeddedFile)> {
    let name = path.strip_prefix('/')?;
    let hidden = name
        .split('/')
        .any(|segment| segment.is_empty() || segment.starts_with('.'));
    if hidden {
        return None;
    }
    Assets::get(name).map(|file| (name, file))
}

/// The app with a 404 status: its router finds no screen for the address and says so.
/// Never a `304`, which would turn the 404 into a success for a cache.
fn not_found_page(app: &page::Page) -> Response {
    (
        StatusCode::NOT_FOUND,
        [
            (header::CONTENT_TYPE, content_type(INDEX)),
            (header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE)),
        ],
        app.html.clone(),
    )
        .into_response()
}

/// The app's page, or `304` when the client's copy is current.
fn serve_page(app: &page::Page, headers: &HeaderMap) -> Response {
    respond(INDEX, &app.etag, || app.html.clone(), headers, REVALIDATE)
}

/// One embedded file, or `304` when the client's copy is current.
fn serve(name: &str, file: EmbeddedFile, headers: &HeaderMap, caching: &'static str) -> Response {
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    respond(name, &etag, || file.data.into_owned(), headers, caching)
}

fn respond(
    name: &str,
    etag: &str,
    body: impl FnOnce() -> Vec<u8>,
    headers: &HeaderMap,
    caching: &'static str,
) -> Response {
    let mut response = if matches_etag(headers, etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type(name))], body()).into_response()
    };
    let response_headers = response.headers_mut();
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(caching));
    if let Ok(value) = HeaderValue::from_str(etag) {
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

    #[test]
    fn the_installable_app_has_the_right_content_types() {
        assert_eq!(content_type("sw.js"), "text/javascript; charset=utf-8");
        assert_eq!(
            content_type("manifest.webmanifest"),
            "application/manifest+json"
        );
    }

    #[test]
    fn the_app_shell_lists_the_app_but_not_the_reference() {
        let files: Vec<String> = shell_files().collect();
        for name in [
            INDEX,
            "app.js",
            "sw.js",
            "manifest.webmanifest",
            "offline.js",
        ] {
            assert!(files.iter().any(|f| f == name), "{name} in {files:?}");
        }
        assert!(!files.iter().any(|f| f.starts_with("reference/")));
    }
}
