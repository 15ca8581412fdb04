//! Fast pages (issue 17): the app's page is revalidated on each use (`no-cache`, `ETag`,
//! `304`), and preloads the modules of the app and of the screen at its address, and
//! every file it names, directly or through its import map, is at an address
//! with its content's hash, which browsers keep for a year (`immutable`). Another hash
//! at such an address is a 404; the import map, an inline script, is allowed by its
//! SHA-256 in the Content-Security-Policy.

use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::*;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `/views/home.0123456789abcdef.js`: (`/views/home.js`, `0123456789abcdef`).
fn split_hash(address: &str) -> Option<(String, String)> {
    let (folder, file) = address.rsplit_once('/')?;
    let mut parts = file.rsplitn(3, '.');
    let (extension, hash, stem) = (parts.next()?, parts.next()?, parts.next()?);
    let hex = hash.len() == 16
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    hex.then(|| (format!("{folder}/{stem}.{extension}"), hash.to_owned()))
}

/// Every `src="/..."` and `href="/..."` of the page but its links to itself (`/`).
fn addresses(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["src=\"/", "href=\"/"] {
        for (at, _) in html.match_indices(attribute) {
            let start = at + attribute.len() - 1;
            let end = start + html[start..].find('"').unwrap();
            if end > start + 1 {
                found.push(html[start..end].to_owned());
            }
        }
    }
    found
}

/// The text of the page's import map.
fn import_map(html: &str) -> &str {
    let open = "<script type=\"importmap\">";
    let start = html.find(open).expect("an import map") + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    &html[start..end]
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_page_is_revalidated_on_each_use_and_answers_304_when_unchanged() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    // Every address that is the app, with another address of the same screen, which
    // gets the same page.
    for (path, same_screen) in [
        ("/", "/"),
        ("/index.html", "/index.html"),
        ("/signin", "/signin/"),
        ("/messages/12", "/messages/7"),
        ("/safety-plan", "/safety-plan"),
    ] {
        let page = fetch(&server, path, &[]).await;
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(page.header("cache-control"), "no-cache", "{path}");
        let etag = page.header("etag").to_owned();
        assert!(etag.starts_with('"') && etag.len() > 2, "{path}: {etag}");
        let same = fetch(&server, same_screen, &[]).await;
        assert_eq!(same.header("etag"), etag, "{same_screen}");
        assert_eq!(same.body, page.body, "{same_screen}");
        let unchanged = fetch(&server, same_screen, &[("if-none-match", &etag)]).await;
        assert_eq!(unchanged.status, 304, "{same_screen}");
        assert!(unchanged.body.is_empty(), "{same_screen}");
        assert_eq!(unchanged.header("etag"), etag, "{same_screen}");
        let other = fetch(&server, path, &[("if-none-match", "\"another\"")]).await;
        assert_eq!(other.status, 200, "{path}");
        assert_eq!(other.body, page.body, "{path}");
    }
}

/// The hashed addresses of a page's module preloads.
fn preloads(html: &str) -> Vec<String> {
    let open = "<link rel=\"modulepreload\" href=\"";
    html.match_indices(open)
        .map(|(at, _)| {
            let start = at + open.len();
            html[start..start + html[start..].find('"').unwrap()].to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_screens_page_preloads_its_own_modules_and_no_other_screens() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let plain = String::from_utf8(fetch(&server, "/index.html", &[]).await.body).unwrap();
    let map: Value = serde_json::from_str(import_map(&plain)).unwrap();
    let hashed = |plain: &str| map["imports"][plain].as_str().unwrap().to_owned();
    let home = String::from_utf8(fetch(&server, "/", &[]).await.body).unwrap();
    let inbox = String::from_utf8(fetch(&server, "/messages/12", &[]).await.body).unwrap();
    let (plain, home, inbox) = (preloads(&plain), preloads(&home), preloads(&inbox));

    // Every page preloads the app and what it imports.
    for page in [&plain, &home, &inbox] {
        assert!(page.contains(&hashed("/app.js")), "{page:?}");
        assert!(page.contains(&hashed("/router.js")), "{page:?}");
    }
    // The home page also its view, and the view's own imports; not the inbox's.
    assert!(home.contains(&hashed("/views/home.js")), "{home:?}");
    assert!(
        home.contains(&hashed("/components/moodform.js")),
        "{home:?}"
    );
    assert!(!home.contains(&hashed("/views/messages.js")), "{home:?}");
    assert!(inbox.contains(&hashed("/views/messages.js")), "{inbox:?}");
    assert!(!inbox.contains(&hashed("/views/home.js")), "{inbox:?}");
    // The plain page (and the "not found" one) neither.
    assert!(!plain.contains(&hashed("/views/home.js")), "{plain:?}");
    assert!(!plain.contains(&hashed("/views/messages.js")), "{plain:?}");
    assert!(home.len() > plain.len() && inbox.len() > plain.len());
    for preload in plain.iter() {
        assert!(
            home.contains(preload) && inbox.contains(preload),
            "{preload}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_file_the_page_names_has_its_content_hash_in_its_address_and_is_immutable() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    // The plain page: the app's own modules only.
    let page = fetch(&server, "/index.html", &[]).await;
    let html = String::from_utf8(page.body.clone()).unwrap();

    let map: Value = serde_json::from_str(import_map(&html)).unwrap();
    let imports = map["imports"].as_object().unwrap();
    // Every module of the app, and nothing that must keep its own address.
    for plain in [
        "/app.js",
        "/router.js",
        "/views/home.js",
        "/components/dom.js",
    ] {
        assert!(imports.contains_key(plain), "{plain} in the import map");
    }
    for plain in ["/index.html", "/sw.js", "/manifest.webmanifest"] {
        assert!(
            !imports.contains_key(plain),
            "{plain} not in the import map"
        );
    }

    let mut named: Vec<String> = addresses(&html);
    // Stylesheets, icons and the app's modules; each screen's module is named by the
    // import map only, and preloaded by that screen's page.
    assert!(named.len() > 20, "{} addresses", named.len());
    let home = imports["/views/home.js"].as_str().unwrap();
    assert!(!named.iter().any(|address| address == home), "{named:?}");
    named.extend(imports.values().map(|v| v.as_str().unwrap().to_owned()));
    let mut checked = 0;
    for address in named {
        // The manifest: browsers look for it where they first found it.
        if address == "/manifest.webmanifest" {
            continue;
        }
        let (plain, hash) =
            split_hash(&address).unwrap_or_else(|| panic!("{address} has no content hash"));
        let file = fetch(&server, &address, &[]).await;
        assert_eq!(file.status, 200, "{address}");
        assert_eq!(file.header("cache-control"), IMMUTABLE, "{address}");
        let digest = hex::encode(Sha256::digest(&file.body));
        assert!(digest.starts_with(&hash), "{address}: content {digest}");
        // The plain address still answers, with the same bytes, revalidated on each use.
        let plain_file = fetch(&server, &plain, &[]).await;
        assert_eq!(plain_file.status, 200, "{plain}");
        assert_eq!(plain_file.header("cache-control"), "no-cache", "{plain}");
        assert_eq!(plain_file.body, file.body, "{plain}");
        if let Some(hashed) = imports.get(&plain) {
            assert_eq!(hashed, &address, "{plain}: one hashed address");
        }
        checked += 1;
    }
    assert!(checked > 80, "{checked} files checked");
    // The first page's modules are preloaded, at their hashed addresses.
    let app = imports["/app.js"].as_str().unwrap();
    assert!(html.contains(&format!("<script type=\"module\" src=\"{app}\">")));
    assert!(html.contains(&format!("<link rel=\"modulepreload\" href=\"{app}\">")));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_import_map_is_allowed_by_its_hash_and_no_other_inline_script() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let page = fetch(&server, "/", &[]).await;
    let html = String::from_utf8(page.body.clone()).unwrap();
    let digest = Sha256::digest(import_map(&html).as_bytes());
    let source = format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    );
    let policy = page.header("content-security-policy");
    let script_src = policy
        .split(';')
        .map(str::trim)
        .find(|directive| directive.starts_with("script-src "))
        .unwrap();
    assert_eq!(script_src, format!("script-src 'self' {source}"));
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(html.matches("<script").count(), 2, "the map and the app");
    // The API answers carry the same policy.
    let api = fetch(&server, "/api/health", &[]).await;
    assert_eq!(api.header("content-security-policy"), policy);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_with_another_hash_is_not_found_and_not_kept() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let html = String::from_utf8(fetch(&server, "/", &[]).await.body).unwrap();
    let map: Value = serde_json::from_str(import_map(&html)).unwrap();
    let app = map["imports"]["/app.js"].as_str().unwrap().to_owned();
    let (_, hash) = split_hash(&app).unwrap();
    let other = if hash == "0000000000000000" {
        "1111111111111111"
    } else {
        "0000000000000000"
    };
    let mut wrong = vec![
        app.replace(&hash, other),
        "/views/nothing.0123456789abcdef.js".to_owned(),
        "/app.0123456789abcdef.css.js".to_owned(),
    ];
    if hash.bytes().any(|b| b.is_ascii_alphabetic()) {
        wrong.push(app.replace(&hash, &hash.to_uppercase()));
    }
    for path in wrong {
        let response = fetch(&server, &path, &[("if-none-match", "*")]).await;
        assert_eq!(response.status, 404, "{path}");
        assert_eq!(response.header("cache-control"), "no-cache", "{path}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_service_worker_keeps_the_files_at_the_addresses_the_page_names() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let html = String::from_utf8(fetch(&server, "/", &[]).await.body).unwrap();
    let shell = fetch(&server, "/app-shell.json", &[]).await;
    assert_eq!(shell.status, 200);
    let shell: Value = serde_json::from_slice(&shell.body).unwrap();
    let files: Vec<&str> = shell["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for address in addresses(&html) {
        assert!(files.contains(&address.as_str()), "{address} in {files:?}");
    }
    for plain in ["/index.html", "/sw.js", "/manifest.webmanifest"] {
        assert!(files.contains(&plain), "{plain}");
    }
    assert!(
        !files.contains(&"/app.js"),
        "the page never asks for /app.js"
    );
}
