//! The security headers every answer carries, and the Content-Security-Policy of a page.

use axum::http::header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use axum::http::{HeaderMap, HeaderName, HeaderValue};

/// For answers that are not pages (JSON, files, errors): they run nothing and embed nothing.
const NOT_A_PAGE: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The nonce of one page: made by the edge for each page request, used by Leptos for the
/// page's scripts (the shell provides it) and sent in the page's policy.
#[derive(Clone, Debug)]
pub struct PageNonce(pub String);

impl PageNonce {
    /// 128 random bits, hex; `None` should the system's random source fail (the page then
    /// gets the strict policy and runs no script, which is safe).
    pub fn fresh() -> Option<PageNonce> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).ok()?;
        Some(PageNonce(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }
}

/// Adds the security headers an answer doesn't already have; an HTML page made with `nonce`
/// gets [`page_policy`], everything else the policy of something that runs nothing.
pub fn secure(headers: &mut HeaderMap, nonce: Option<&PageNonce>) {
    let is_page = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
    if let (true, Some(nonce)) = (is_page, nonce) {
        let dev_reload = std::env::var_os("LEPTOS_WATCH").is_some();
        if let Ok(policy) = HeaderValue::from_str(&page_policy(&nonce.0, dev_reload)) {
            headers.insert(CONTENT_SECURITY_POLICY, policy);
        }
    }
    let defaults: [(HeaderName, &'static str); 5] = [
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // Legacy browsers' `frame-ancestors 'none'`: Place and Cancel can't be clickjacked.
        (X_FRAME_OPTIONS, "DENY"),
        // Order numbers are in our URLs; other sites needn't learn them.
        (REFERRER_POLICY, "same-origin"),
        (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
        (CONTENT_SECURITY_POLICY, NOT_A_PAGE),
    ];
    for (name, value) in defaults {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
}

/// A page's policy: scripts only with this page's `nonce` (the hydration script, streamed
/// resources) and what they load (`'strict-dynamic'`), WebAssembly compiled from our own
/// bytes, everything else from our origin; never framed. Style attributes are allowed (the
/// job progress bar sets its width); style sheets come from our origin only. `dev_reload`
/// adds the websocket cargo-leptos' live reload uses.
pub fn page_policy(nonce: &str, dev_reload: bool) -> String {
    let connect = if dev_reload { "'self' ws: wss:" } else { "'self'" };
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src {connect}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_gets_its_nonce_policy_and_everything_else_the_strict_one() {
        let mut headers = HeaderMap::new();
        headers.insert(axum::http::header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        secure(&mut headers, Some(&PageNonce("abc".into())));
        let csp = headers.get(CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
        assert!(csp.contains("'nonce-abc'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(headers.get(X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
        assert_eq!(headers.get(X_FRAME_OPTIONS).unwrap(), "DENY");
        assert!(headers.contains_key(REFERRER_POLICY));

        let mut json = HeaderMap::new();
        json.insert(axum::http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        secure(&mut json, Some(&PageNonce("abc".into())));
        assert_eq!(json.get(CONTENT_SECURITY_POLICY).unwrap(), NOT_A_PAGE);
        let mut unmade = HeaderMap::new();
        unmade.insert(axum::http::header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        secure(&mut unmade, None);
        assert_eq!(unmade.get(CONTENT_SECURITY_POLICY).unwrap(), NOT_A_PAGE, "no nonce: no script runs");
        assert_ne!(PageNonce::fresh().unwrap().0, PageNonce::fresh().unwrap().0);
    }
}
