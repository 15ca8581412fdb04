//! The app's page, `index.html`, as it is served: every file it names at its hashed
//! address (`assets.rs`), and, where `web/index.html` marks the place, an import map and
//! a preload of every module the first page needs (`first_modules.rs`): the app's, and
//! for a screen's address (`screens.rs`) its view's.
//!
//! The import map sends each plain address (`/router.js`) to its hashed one, so the
//! modules' own imports, which name plain addresses, fetch hashed files too; and
//! `import.meta.resolve('/icons/lifebuoy.svg')` gives the icon's hashed address. The preloads
//! let the browser fetch the first page's modules at once instead of one level of imports
//! at a time; other screens' modules come when they are first shown.
//!
//! The import map is an inline script, which the Content-Security-Policy allows by its
//! SHA-256 (`script_hash`), computed here once.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use base64::Engine;
use sha2::{Digest, Sha256};

use super::{assets, first_modules, screens, Assets, INDEX};

/// Where `web/index.html` wants the import map and the module preloads.
const MARKER: &str = "<!-- import map and module preloads (src/web/page.rs) -->";

pub struct Page {
    pub html: Vec<u8>,
    pub etag: String,
    /// `'sha256-...'`, the import map's, for `script-src`.
    pub script_hash: String,
}

/// The page with the first page's modules only, and one per screen's view module with
/// that view's modules preloaded too.
struct Pages {
    plain: Page,
    by_view: BTreeMap<&'static str, Page>,
}

static PAGES: LazyLock<Option<Pages>> = LazyLock::new(|| {
    let source = Assets::get(INDEX)?;
    let source = String::from_utf8_lossy(&source.data);
    let by_view = screens::view_modules()
        .into_iter()
        .map(|view| (view, build(&source, Some(view))))
        .collect();
    Some(Pages {
        plain: build(&source, None),
        by_view,
    })
});

/// The page, or `None` if the build embedded no `index.html`.
pub fn page() -> Option<&'static Page> {
    PAGES.as_ref().map(|pages| &pages.plain)
}

/// The page for a screen whose view is in `view`: it also preloads the view's modules,
/// which would otherwise arrive one level of imports at a time after the app started.
pub fn page_for(view: &str) -> Option<&'static Page> {
    let pages = PAGES.as_ref()?;
    Some(pages.by_view.get(view).unwrap_or(&pages.plain))
}

/// The source for the CSP's `script-src`: the page's import map.
pub fn script_hash() -> Option<&'static str> {
    page().map(|page| page.script_hash.as_str())
}

fn build(source: &str, view: Option<&str>) -> Page {
    let imports: BTreeMap<String, String> = assets::hashed_addresses().collect();
    let import_map = serde_json::json!({ "imports": imports }).to_string();
    let mut first = first_modules::static_graph("/app.js");
    if let Some(view) = view {
        first.extend(first_modules::static_graph(view));
    }
    let preloads: String = imports
        .iter()
        .filter(|(plain, _)| first.contains(plain.as_str()))
        .map(|(_, hashed)| format!("\n  <link rel=\"modulepreload\" href=\"{hashed}\">"))
        .collect();
    let head = format!("<script type=\"importmap\">{import_map}</script>{preloads}");
    let html = with_hashed_addresses(source).replacen(MARKER, &head, 1);
    let script_hash = format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(import_map.as_bytes()))
    );
    let etag = format!(
        "\"{}\"",
        hex::encode(&Sha256::digest(html.as_bytes())[..16])
    );
    Page {
        html: html.into_bytes(),
        etag,
        script_hash,
    }
}

/// Every `src="/..."` and `href="/..."` of a file with a hashed address, at that address.
fn with_hashed_addresses(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(at) = next_address(rest) {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let end = after.find('"').unwrap_or(after.len());
        let (address, tail) = after.split_at(end);
        match assets::hashed_address(address) {
            Some(hashed) => out.push_str(&hashed),
            None => out.push_str(address),
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Where the next `src="/` or `href="/` address starts (at its `/`).
fn next_address(text: &str) -> Option<usize> {
    ["src=\"/", "href=\"/"]
        .iter()
        .filter_map(|attribute| text.find(attribute).map(|at| at + attribute.len() - 1))
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_marks_where_the_import_map_goes() {
        let source = Assets::get(INDEX).unwrap();
        let source = String::from_utf8_lossy(&source.data);
        assert_eq!(source.matches(MARKER).count(), 1);
        let html = String::from_utf8(page().unwrap().html.clone()).unwrap();
        assert!(!html.contains(MARKER));
        // Before the first module script, as import maps must be.
        let map = html.find("<script type=\"importmap\">").unwrap();
        assert!(map < html.find("<script type=\"module\"").unwrap());
        assert!(map < html.find("rel=\"modulepreload\"").unwrap());
    }

    #[test]
    fn addresses_of_hashed_files_are_rewritten_and_others_kept() {
        let html = with_hashed_addresses(
            r#"<link href="/app.css"><img src="/icons/logo.svg"><link rel="manifest" href="/manifest.webmanifest"><a href="/">"#,
        );
        let css = assets::hashed_address("/app.css").unwrap();
        let logo = assets::hashed_address("/icons/logo.svg").unwrap();
        assert_eq!(
            html,
            format!(
                r#"<link href="{css}"><img src="{logo}"><link rel="manifest" href="/manifest.webmanifest"><a href="/">"#
            )
        );
    }

    #[test]
    fn the_script_hash_is_the_import_maps() {
        let page = page().unwrap();
        let html = String::from_utf8(page.html.clone()).unwrap();
        let start = html.find("<script type=\"importmap\">").unwrap() + 25;
        let end = start + html[start..].find("</script>").unwrap();
        let digest = Sha256::digest(&html.as_bytes()[start..end]);
        let expected = base64::engine::general_purpose::STANDARD.encode(digest);
        assert_eq!(page.script_hash, format!("'sha256-{expected}'"));
    }
}
