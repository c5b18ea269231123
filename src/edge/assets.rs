//! The built files: the client (`/pkg/…`: script, WASM, stylesheet) and the site's own files
//! (the favicon), served by a route of their own, from memory.
//!
//! - Each file is read from the site folder once, on its first request, with the brotli and
//!   gzip copies the release build made beside it (`cargo leptos build --release
//!   --precompress`), and kept for the life of the process: a deploy replaces the folder and
//!   restarts the server together. Only files that exist are kept, so the memory is bounded by
//!   the folder, whatever is asked.
//! - The answer is the smallest copy the browser accepts (`Accept-Encoding`), with
//!   `Content-Encoding` and `Vary: Accept-Encoding`.
//! - Content-hashed names (the build's `hash-files`) never change content: they are cached
//!   for a year, `immutable`. Anything else must be revalidated (`no-cache`), and a
//!   revalidation whose `ETag` still matches gets `304 Not Modified` without the body.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// A year: the longest a browser is asked to keep a file.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Revalidate each time (cheap: a matching `ETag` answers 304 without the body).
const REVALIDATE: &str = "no-cache";

/// One file and its precompressed copies.
struct Asset {
    content_type: HeaderValue,
    /// Of the uncompressed content; each encoding's copy answers with its own variant.
    etag: String,
    raw: Bytes,
    br: Option<Bytes>,
    gzip: Option<Bytes>,
}

/// The encodings a file can be sent in, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
            Encoding::Identity => "identity",
        }
    }
}

/// The site's own files at its root (everything else lives under `/pkg/`).
pub const ROOT_FILES: [&str; 1] = ["/favicon.svg"];

/// Whether `path` names a built file rather than a page or the API.
pub fn is_file_path(path: &str) -> bool {
    path.starts_with("/pkg/") || ROOT_FILES.contains(&path)
}

/// Where the build left its list of content-hashed names (`hash_file`, `hash.txt`): beside
/// this binary, as Leptos reads it.
pub fn hash_list(hash_file: &str) -> Option<PathBuf> {
    Some(std::env::current_exe().ok()?.parent()?.join(hash_file))
}

/// The route that serves them, for the server's router.
pub fn routes<S: Clone + Send + Sync + 'static>(assets: Arc<Assets>) -> axum::Router<S> {
    let serve = axum::routing::get(serve).with_state(assets);
    ROOT_FILES.iter().fold(axum::Router::new().route("/pkg/{*file}", serve.clone()), |router, path| router.route(path, serve.clone()))
}

/// The site folder's files, as served.
pub struct Assets {
    root: PathBuf,
    /// Whether the client's files carry their content's hash in their names.
    hashed: bool,
    loaded: RwLock<HashMap<String, Arc<Asset>>>,
}

impl Assets {
    /// `root`: the site folder (`target/site`); `hashed`: the build hashed the client's names.
    pub fn new(root: impl Into<PathBuf>, hashed: bool) -> Assets {
        Assets { root: root.into(), hashed, loaded: RwLock::default() }
    }

    /// The file at `path` (relative to the site folder), read on first use.
    async fn get(&self, path: &str) -> Option<Arc<Asset>> {
        if let Some(asset) = self.loaded.read().ok()?.get(path) {
            return Some(asset.clone());
        }
        let asset = Arc::new(read(&self.root.join(path)).await?);
        let mut loaded = self.loaded.write().ok()?;
        Some(loaded.entry(path.to_string()).or_insert(asset).clone())
    }

    fn cache_control(&self, path: &str) -> &'static str {
        if self.hashed && path.starts_with("pkg/") { IMMUTABLE } else { REVALIDATE }
    }
}

/// Reads a file and its `.br` and `.gz` copies; `None` when it isn't a readable file.
async fn read(file: &Path) -> Option<Asset> {
    let raw = Bytes::from(tokio::fs::read(file).await.ok()?);
    let copy = |ext: &str| {
        let mut name = file.as_os_str().to_owned();
        name.push(ext);
        PathBuf::from(name)
    };
    let br = tokio::fs::read(copy(".br")).await.ok().map(Bytes::from);
    let gzip = tokio::fs::read(copy(".gz")).await.ok().map(Bytes::from);
    let digest = Sha256::digest(&raw);
    let etag = digest.iter().take(12).map(|b| format!("{b:02x}")).collect::<String>();
    let content_type = HeaderValue::from_static(content_type(file));
    Some(Asset { content_type, etag, raw, br, gzip })
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or_default() {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "html" => "text/html; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// A path the site folder may hold: segments of letters, digits, `.`, `_` and `-`, none of
/// them `.` or `..` or hidden, so a request can never leave the folder.
fn site_path(uri_path: &str) -> Option<&str> {
    let path = uri_path.strip_prefix('/')?;
    let safe = |s: &str| !s.is_empty() && !s.starts_with('.') && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    (path.len() <= 200 && path.split('/').all(safe)).then_some(path)
}

/// The best encoding both the browser (`Accept-Encoding`, with its q-values) and the file
/// have. A coding named with `q=0` is refused; `*` stands for any coding not named.
fn negotiate(headers: &HeaderMap, has_br: bool, has_gzip: bool) -> Encoding {
    let accepted: Vec<(String, bool)> = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|item| {
            let mut parts = item.split(';');
            let coding = parts.next()?.trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (!coding.is_empty()).then_some((coding, q > 0.0))
        })
        .collect();
    let takes = |token: &str| {
        accepted
            .iter()
            .find(|(c, _)| c == token)
            .or_else(|| accepted.iter().find(|(c, _)| c == "*"))
            .is_some_and(|(_, ok)| *ok)
    };
    if has_br && takes("br") {
        Encoding::Brotli
    } else if has_gzip && takes("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// Whether `If-None-Match` names this file (any of its encodings; weak tags compare equal).
fn still_fresh(headers: &HeaderMap, etag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|tag| {
        let tag = tag.trim();
        tag == "*" || tag.trim_start_matches("W/").trim_matches('"').split('-').next() == Some(etag)
    })
}

/// The static route's handler (GET and HEAD).
pub async fn serve(State(assets): State<Arc<Assets>>, req: Request) -> Response {
    let Some(path) = site_path(req.uri().path()) else { return not_found() };
    let Some(asset) = assets.get(path).await else { return not_found() };
    let encoding = negotiate(req.headers(), asset.br.is_some(), asset.gzip.is_some());
    let etag = match encoding {
        Encoding::Identity => format!("\"{}\"", asset.etag),
        other => format!("\"{}-{}\"", asset.etag, other.token()),
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(assets.cache_control(path)));
    if asset.br.is_some() || asset.gzip.is_some() {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    if still_fresh(req.headers(), &asset.etag) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.insert(header::CONTENT_TYPE, asset.content_type.clone());
    let body = match encoding {
        Encoding::Brotli => asset.br.clone(),
        Encoding::Gzip => asset.gzip.clone(),
        Encoding::Identity => None,
    };
    if encoding != Encoding::Identity {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding.token()));
    }
    (headers, Body::from(body.unwrap_or_else(|| asset.raw.clone()))).into_response()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, REVALIDATE)], "There is no such file.").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn picks_the_best_encoding_the_browser_takes() {
        let ae = |v: &str| with(header::ACCEPT_ENCODING, v);
        assert_eq!(negotiate(&ae("gzip, deflate, br, zstd"), true, true), Encoding::Brotli);
        assert_eq!(negotiate(&ae("gzip, deflate"), true, true), Encoding::Gzip);
        assert_eq!(negotiate(&ae("br;q=0, gzip"), true, true), Encoding::Gzip);
        assert_eq!(negotiate(&ae("*"), true, true), Encoding::Brotli);
        assert_eq!(negotiate(&ae("*, br;q=0"), true, true), Encoding::Gzip);
        assert_eq!(negotiate(&ae("BR"), true, true), Encoding::Brotli);
        assert_eq!(negotiate(&ae("identity"), true, true), Encoding::Identity);
        assert_eq!(negotiate(&HeaderMap::new(), true, true), Encoding::Identity);
        assert_eq!(negotiate(&ae("br"), false, true), Encoding::Identity, "no brotli copy, and gzip not asked for");
    }

    #[test]
    fn a_revalidation_matches_any_encoding_of_the_same_content() {
        let inm = |v: &str| with(header::IF_NONE_MATCH, v);
        assert!(still_fresh(&inm("\"abc\""), "abc"));
        assert!(still_fresh(&inm("\"abc-br\""), "abc"));
        assert!(still_fresh(&inm("W/\"abc-gzip\""), "abc"));
        assert!(still_fresh(&inm("\"x\", \"abc\""), "abc"));
        assert!(still_fresh(&inm("*"), "abc"));
        assert!(!still_fresh(&inm("\"abd\""), "abc"));
        assert!(!still_fresh(&HeaderMap::new(), "abc"));
    }

    #[test]
    fn only_plain_paths_inside_the_site_folder() {
        assert_eq!(site_path("/pkg/orderdesk.Ab-_9.wasm"), Some("pkg/orderdesk.Ab-_9.wasm"));
        assert_eq!(site_path("/favicon.svg"), Some("favicon.svg"));
        for hostile in ["/pkg/../Cargo.toml", "/pkg/./x", "/pkg//x", "/.env", "/pkg/%2e%2e/x", "/pkg/a b", "pkg/x", "/pkg/x\\..\\y"] {
            assert_eq!(site_path(hostile), None, "{hostile}");
        }
        assert_eq!(site_path(&format!("/{}", "a".repeat(300))), None);
    }
}
