//! The security headers every answer carries, and the Content-Security-Policy of a page.

use axum::http::header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use axum::http::{HeaderMap, HeaderName, HeaderValue};

/// For answers that are not pages (JSON, files, errors): they run nothing and embed nothing.
const NOT_A_PAGE: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Adds the security headers an answer doesn't already have. A page sets its own policy
/// ([`page_policy`]), which is kept.
pub fn secure(headers: &mut HeaderMap) {
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
    fn a_pages_own_policy_is_kept_and_the_rest_is_added() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_str(&page_policy("abc", false)).unwrap());
        secure(&mut headers);
        let csp = headers.get(CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
        assert!(csp.contains("'nonce-abc'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(headers.get(X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
        assert_eq!(headers.get(X_FRAME_OPTIONS).unwrap(), "DENY");
        assert!(headers.contains_key(REFERRER_POLICY));

        let mut json = HeaderMap::new();
        secure(&mut json);
        assert_eq!(json.get(CONTENT_SECURITY_POLICY).unwrap(), NOT_A_PAGE);
    }
}
