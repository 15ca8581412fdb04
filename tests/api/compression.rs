//! Compressed answers: gzip or brotli, as the client accepts, for JSON and the web app's
//! files; read back, they are the same bytes. Small answers are sent as they are, and a
//! file's `ETag` still revalidates (weak once compressed). That event streams are never
//! compressed is tested beside the predicate, in `src/http/middleware.rs`, and over HTTP
//! in `events.rs`.

use std::io::Read;

use crate::common::*;

/// The body as the server meant it, undoing its `Content-Encoding`.
fn decoded(fetched: &Fetched) -> Vec<u8> {
    let mut plain = Vec::new();
    match fetched.header("content-encoding") {
        "" => plain.clone_from(&fetched.body),
        "gzip" => {
            flate2::read::GzDecoder::new(&fetched.body[..])
                .read_to_end(&mut plain)
                .unwrap();
        }
        "br" => {
            brotli_decompressor::Decompressor::new(&fetched.body[..], 4096)
                .read_to_end(&mut plain)
                .unwrap();
        }
        other => panic!("unexpected encoding {other}"),
    }
    plain
}

#[tokio::test(flavor = "multi_thread")]
async fn json_is_compressed_as_the_client_accepts_and_reads_the_same() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let plain = fetch(&server, "/api/openapi.json", &[]).await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("content-encoding"), "");
    let document: serde_json::Value = serde_json::from_slice(&plain.body).unwrap();
    for (accepted, encoding) in [
        ("gzip", "gzip"),
        ("br", "br"),
        ("gzip, deflate, br", "br"),
        ("br;q=0.5, gzip", "gzip"),
    ] {
        let compressed = fetch(
            &server,
            "/api/openapi.json",
            &[("accept-encoding", accepted)],
        )
        .await;
        assert_eq!(compressed.status, 200, "{accepted}");
        assert_eq!(
            compressed.header("content-encoding"),
            encoding,
            "{accepted}"
        );
        assert!(compressed.header("vary").contains("accept-encoding"));
        assert!(
            compressed.body.len() * 3 < plain.body.len(),
            "{accepted}: smaller"
        );
        assert_eq!(decoded(&compressed), plain.body, "{accepted}");
        let read: serde_json::Value = serde_json::from_slice(&decoded(&compressed)).unwrap();
        assert_eq!(read, document);
        // The API's own headers stay.
        assert_eq!(compressed.header("cache-control"), "no-store");
        assert_eq!(compressed.header("x-content-type-options"), "nosniff");
        assert!(!compressed.header("x-request-id").is_empty());
    }
    // An encoding the server does not offer: sent as it is.
    let other = fetch(&server, "/api/openapi.json", &[("accept-encoding", "zstd")]).await;
    assert_eq!(other.header("content-encoding"), "");
    assert_eq!(other.body, plain.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_in_persons_json_is_compressed_too() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let patient = patient(&server, "sam").await;
    let plain = patient.get("/api/measures").await.expect(200);
    let request = patient
        .request(reqwest::Method::GET, "/api/measures")
        .header("accept-encoding", "gzip");
    let response = request.send().await.unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let body = response.bytes().await.unwrap();
    let mut read = Vec::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_end(&mut read)
        .unwrap();
    let read: serde_json::Value = serde_json::from_slice(&read).unwrap();
    assert_eq!(read, plain.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_web_apps_files_are_compressed_and_still_revalidate() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    for path in ["/app.js", "/app.css", "/index.html", "/views/messages.js"] {
        let plain = fetch(&server, path, &[]).await;
        assert_eq!(plain.status, 200, "{path}");
        let strong = plain.header("etag").to_owned();
        assert!(strong.starts_with('"'), "{path}: {strong}");
        for encoding in ["gzip", "br"] {
            let compressed = fetch(&server, path, &[("accept-encoding", encoding)]).await;
            assert_eq!(compressed.header("content-encoding"), encoding, "{path}");
            assert_eq!(decoded(&compressed), plain.body, "{path}");
            assert_eq!(compressed.header("cache-control"), "no-cache", "{path}");
            assert_eq!(
                compressed.header("content-type"),
                plain.header("content-type")
            );
            // Another representation: the same tag, weak.
            let weak = compressed.header("etag");
            assert_eq!(weak, format!("W/{strong}"), "{path}");
            for tag in [weak, strong.as_str()] {
                let again = fetch(
                    &server,
                    path,
                    &[("accept-encoding", encoding), ("if-none-match", tag)],
                )
                .await;
                assert_eq!(again.status, 304, "{path} revalidates with {tag}");
                assert!(again.body.is_empty());
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn small_answers_and_images_are_sent_as_they_are() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let health = fetch(&server, "/api/health", &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(health.status, 200);
    assert!(health.body.len() < 1024);
    assert_eq!(health.header("content-encoding"), "");
    let read: serde_json::Value = serde_json::from_slice(&health.body).unwrap();
    assert_eq!(read["status"], "ok");
    let logo = fetch(
        &server,
        "/icons/logo.svg",
        &[("accept-encoding", "gzip, br")],
    )
    .await;
    assert_eq!(logo.status, 200);
    assert!(logo.body.len() < 1024);
    assert_eq!(logo.header("content-encoding"), "");
    assert!(
        logo.header("etag").starts_with('"'),
        "a plain answer's tag stays strong"
    );
    let icon = fetch(
        &server,
        "/icons/app-192.png",
        &[("accept-encoding", "gzip, br")],
    )
    .await;
    assert_eq!(icon.status, 200);
    assert!(icon.body.len() > 1024);
    assert_eq!(
        icon.header("content-encoding"),
        "",
        "a PNG is compressed already"
    );
}
