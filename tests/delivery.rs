//! Delivery: the built files from their own route (precompressed, cached by content, revalidated
//! with 304) and compressed pages and API answers, against real HTTP.

mod common;

use common::spawn_app;
use orderdesk::edge::assets::{self, Assets};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// A site folder as the release build leaves it: a hashed WASM file with its brotli and gzip
/// copies, and a favicon (not hashed) without copies.
fn site(dir: &Path) {
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::write(dir.join("pkg/orderdesk.Q1w2E3.wasm"), b"\0asm raw bytes").unwrap();
    std::fs::write(dir.join("pkg/orderdesk.Q1w2E3.wasm.br"), b"brotli copy").unwrap();
    std::fs::write(dir.join("pkg/orderdesk.Q1w2E3.wasm.gz"), b"gzip copy").unwrap();
    std::fs::write(dir.join("favicon.svg"), b"<svg/>").unwrap();
    std::fs::write(dir.join("secret.txt"), b"not for the web").unwrap();
}

/// The assets route alone, on a real port, serving `dir`.
async fn serve_site(dir: &Path, hashed: bool) -> String {
    let router: axum::Router = assets::routes(Arc::new(Assets::new(dir, hashed)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    res.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn built_files_come_in_the_smallest_encoding_the_browser_takes_and_are_kept_for_a_year() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    let base = serve_site(dir.path(), true).await;
    let client = reqwest::Client::new();
    let wasm = format!("{base}/pkg/orderdesk.Q1w2E3.wasm");

    for (accept, encoding, body) in [
        (Some("gzip, deflate, br, zstd"), Some("br"), "brotli copy"),
        (Some("gzip"), Some("gzip"), "gzip copy"),
        (Some("br;q=0, gzip;q=0.5"), Some("gzip"), "gzip copy"),
        (None, None, "\0asm raw bytes"),
    ] {
        let mut req = client.get(&wasm);
        if let Some(accept) = accept {
            req = req.header("accept-encoding", accept);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 200, "{accept:?}");
        assert_eq!(header(&res, "content-encoding"), encoding, "{accept:?}");
        assert_eq!(header(&res, "vary"), Some("accept-encoding"), "caches keep one copy per encoding");
        assert_eq!(header(&res, "content-type"), Some("application/wasm"), "streaming compilation needs it");
        assert_eq!(header(&res, "cache-control"), Some("public, max-age=31536000, immutable"));
        assert!(header(&res, "etag").is_some());
        assert_eq!(res.bytes().await.unwrap(), body.as_bytes(), "{accept:?}");
    }

    // A revalidation (after a hard reload, say) gets 304 without the body, whichever copy it had.
    let first = client.get(&wasm).header("accept-encoding", "br").send().await.unwrap();
    let etag = header(&first, "etag").unwrap().to_string();
    let again = client.get(&wasm).header("accept-encoding", "gzip").header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
    let other = client.get(&wasm).header("if-none-match", "\"0000\"").send().await.unwrap();
    assert_eq!(other.status(), 200, "a different ETag gets the file");

    // HEAD: the headers only.
    let head = client.head(&wasm).header("accept-encoding", "br").send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(header(&head, "content-encoding"), Some("br"));
}

#[tokio::test]
async fn files_without_a_hashed_name_are_revalidated_and_nothing_outside_the_folder_is_served() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    let base = serve_site(dir.path(), true).await;
    let client = reqwest::Client::new();

    let icon = client.get(format!("{base}/favicon.svg")).header("accept-encoding", "br").send().await.unwrap();
    assert_eq!(icon.status(), 200);
    assert_eq!(header(&icon, "cache-control"), Some("no-cache"), "not hashed: may change with a deploy");
    assert_eq!(header(&icon, "content-type"), Some("image/svg+xml"));
    assert_eq!(header(&icon, "content-encoding"), None, "no copy to send");
    let etag = header(&icon, "etag").unwrap().to_string();
    let revalidated = client.get(format!("{base}/favicon.svg")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(revalidated.status(), 304);

    for hostile in ["/pkg/../secret.txt", "/pkg/%2e%2e/secret.txt", "/pkg/.hidden", "/pkg/missing.wasm", "/pkg/a%00b"] {
        let res = client.get(format!("{base}{hostile}")).send().await.unwrap();
        assert_eq!(res.status(), 404, "{hostile}");
        assert!(!res.text().await.unwrap().contains("not for the web"), "{hostile}");
    }

    // Without content hashes (a debug build), even the client's files are revalidated.
    let plain = serve_site(dir.path(), false).await;
    let res = client.get(format!("{plain}/pkg/orderdesk.Q1w2E3.wasm")).send().await.unwrap();
    assert_eq!(header(&res, "cache-control"), Some("no-cache"));
}

fn gunzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut out).expect("valid gzip");
    out
}

fn unbrotli(bytes: &[u8]) -> String {
    let mut out = String::new();
    brotli_decompressor::Decompressor::new(bytes, 4096).read_to_string(&mut out).expect("valid brotli");
    out
}

#[tokio::test]
async fn pages_and_api_answers_are_compressed_for_browsers_that_take_it_but_never_the_event_stream() {
    let app = spawn_app().await;

    let page = app.client.get(app.url("/sign-in")).header("accept-encoding", "br, gzip").send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(header(&page, "content-encoding"), Some("br"));
    assert!(header(&page, "vary").is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")));
    assert!(unbrotli(&page.bytes().await.unwrap()).starts_with("<!DOCTYPE html>"));

    let orders = app.client.get(app.url("/orders")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(header(&orders, "content-encoding"), Some("gzip"));
    assert!(gunzip(&orders.bytes().await.unwrap()).contains("data-testid=\"order-row\""));

    let json = app
        .client
        .post(app.url("/api/orders/page"))
        .header("accept-encoding", "gzip")
        .form(&[("after", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 200);
    assert_eq!(header(&json, "content-encoding"), Some("gzip"), "a page of 25 orders is worth compressing");
    let page: orderdesk::domain::OrderPage = serde_json::from_str(&gunzip(&json.bytes().await.unwrap())).unwrap();
    assert_eq!(page.orders.len(), 25);

    // Without Accept-Encoding: as before.
    let plain = app.client.get(app.url("/sign-in")).send().await.unwrap();
    assert_eq!(header(&plain, "content-encoding"), None);
    assert!(plain.text().await.unwrap().starts_with("<!DOCTYPE html>"));

    // The event stream is never held back by a compressor.
    let events = app.client.get(app.url("/api/events?workspace=1")).header("accept-encoding", "br, gzip").send().await.unwrap();
    assert_eq!(events.status(), 200);
    assert_eq!(header(&events, "content-encoding"), None);

    // A missing built file is a plain 404 that starts no session.
    let missing = reqwest::Client::new().get(app.url("/pkg/missing.Zz9.wasm")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.headers().get("set-cookie").is_none());
}
