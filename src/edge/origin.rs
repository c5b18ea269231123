//! Where a state-changing request comes from, and what it carries. Browsers say where a request
//! comes from (`Sec-Fetch-Site`, `Origin`) and pages can't forge either, so a hostile page's
//! form post or `fetch` is told apart from the app's own. A client that sends neither (an old
//! browser, a privacy proxy, a script) must show the per-session token instead.

use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, ORIGIN};

use super::token::Session;

/// The server functions' argument encoding: what the app's client (and a plain form) sends.
pub const FORM: &str = "application/x-www-form-urlencoded";
/// The fault-control routes take JSON.
pub const JSON: &str = "application/json";

/// `scheme://host[:port]` of a URL, lower-case, as browsers send it in `Origin`.
pub fn of_url(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| format!("{}://{}", scheme.to_ascii_lowercase(), authority.to_ascii_lowercase()))
}

/// Ok when the request comes from the app's own pages (see the module docs); else why not.
pub fn check(req: &Request, our_origin: &str, session: Option<&Session>) -> Result<(), &'static str> {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return match site {
            "same-origin" | "none" => Ok(()),
            _ => Err("Sec-Fetch-Site is not same-origin"),
        };
    }
    if let Some(origin) = header(ORIGIN.as_str()) {
        let origin = origin.to_ascii_lowercase();
        // Our base URL, or the very host this request was sent to (which the host allowlist
        // has already accepted): the page that sent it was served from here.
        let same_host = header(HOST.as_str()).is_some_and(|host| {
            let host = host.to_ascii_lowercase();
            origin == format!("http://{host}") || origin == format!("https://{host}")
        });
        return if origin == our_origin || same_host { Ok(()) } else { Err("Origin is another site") };
    }
    if session.is_some_and(|s| s.token_matches(header(super::token::HEADER))) {
        return Ok(());
    }
    Err(NO_PROOF)
}

/// Why [`check`] refused a request that says nothing of where it comes from: a form may still
/// carry the session token as its [`super::token::FIELD`].
pub const NO_PROOF: &str = "no Sec-Fetch-Site, Origin or session token";

/// Ok with the body's type when it is the one this route takes (`None`: there is no body,
/// or the route takes none); else the type to send.
pub fn check_content_type(req: &Request) -> Result<Option<&'static str>, &'static str> {
    let path = req.uri().path();
    if !path.starts_with("/api/") {
        // No other route takes a body; the router answers what it answers (405, 404).
        return Ok(None);
    }
    // The fault-control routes (`crate::server`'s `/api/faults` and `PUT /api/faults/latency`)
    // take JSON; every server function (the fault panel's `/api/faults/*` among them) a form.
    let expected = if path == "/api/faults" || req.method() == axum::http::Method::PUT { JSON } else { FORM };
    let declared = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let essence = declared.map(|t| t.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
    match essence {
        Some(t) if t == expected => Ok(Some(expected)),
        None if has_no_body(req) => Ok(None),
        _ => Err(expected),
    }
}

/// Whether every name and value of a form body decodes to UTF-8. The argument decoder would
/// replace broken bytes with U+FFFD and store that; a broken body is refused instead.
pub fn form_is_utf8(body: &[u8]) -> bool {
    body.split(|b| *b == b'&').flat_map(|pair| pair.split(|b| *b == b'=')).all(|part| percent_decode(part).is_some_and(|d| std::str::from_utf8(&d).is_ok()))
}

/// `application/x-www-form-urlencoded` decoding of one name or value (`+` is a space); `None`
/// for a `%` not followed by two hex digits.
fn percent_decode(part: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(part.len());
    let mut bytes = part.iter().copied();
    while let Some(b) = bytes.next() {
        out.push(match b {
            b'+' => b' ',
            b'%' => {
                let hex = |c: Option<u8>| c.and_then(|c| (c as char).to_digit(16));
                (hex(bytes.next())? * 16 + hex(bytes.next())?) as u8
            }
            other => other,
        });
    }
    Some(out)
}

fn has_no_body(req: &Request) -> bool {
    let length = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    length == Some(0) || (length.is_none() && !req.headers().contains_key("transfer-encoding"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    const OURS: &str = "http://127.0.0.1:3000";

    fn post(headers: &[(&str, &str)]) -> Request {
        let mut b = Request::builder().method("POST").uri("/api/orders/star").header(HOST, "127.0.0.1:3000");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Body::empty()).unwrap()
    }

    #[test]
    fn the_apps_own_pages_pass_and_other_sites_do_not() {
        for ok in [
            post(&[("sec-fetch-site", "same-origin")]),
            post(&[("sec-fetch-site", "none")]),
            post(&[("origin", OURS)]),
            post(&[("origin", "HTTP://127.0.0.1:3000")]),
        ] {
            assert_eq!(check(&ok, OURS, None), Ok(()));
        }
        for refused in [
            post(&[("sec-fetch-site", "cross-site"), ("origin", OURS)]),
            post(&[("sec-fetch-site", "same-site")]),
            post(&[("origin", "https://evil.example")]),
            post(&[("origin", "null")]),
            post(&[("origin", "http://127.0.0.1:3001")]),
            post(&[]),
        ] {
            assert!(check(&refused, OURS, None).is_err());
        }
    }

    #[test]
    fn with_neither_header_only_the_sessions_own_token_passes() {
        let session = Session::fresh();
        let token = session.token().to_string();
        assert_eq!(check(&post(&[(super::super::token::HEADER, &token)]), OURS, Some(&session)), Ok(()));
        assert!(check(&post(&[(super::super::token::HEADER, &token)]), OURS, Some(&Session::fresh())).is_err());
        assert!(check(&post(&[(super::super::token::HEADER, &token)]), OURS, None).is_err(), "no cookie");
        assert!(check(&post(&[(super::super::token::HEADER, "")]), OURS, Some(&session)).is_err());
    }

    #[test]
    fn server_functions_take_forms_and_fault_controls_take_json() {
        let req = |path: &str, ct: Option<&str>, len: &str| {
            let (method, path) = path.split_once(' ').unwrap_or(("POST", path));
            let mut b = Request::builder().method(method).uri(path).header(CONTENT_LENGTH, len);
            if let Some(ct) = ct {
                b = b.header(CONTENT_TYPE, ct);
            }
            b.body(Body::empty()).unwrap()
        };
        assert_eq!(check_content_type(&req("/api/orders/star", Some("application/x-www-form-urlencoded; charset=UTF-8"), "3")), Ok(Some(FORM)));
        assert_eq!(check_content_type(&req("/api/orders/star", Some("text/plain"), "3")), Err(FORM));
        assert_eq!(check_content_type(&req("/api/orders/star", Some("multipart/form-data; boundary=x"), "3")), Err(FORM));
        assert_eq!(check_content_type(&req("/api/orders/star", None, "3")), Err(FORM));
        assert_eq!(check_content_type(&req("/api/orders/page", None, "0")), Ok(None));
        assert_eq!(check_content_type(&req("/api/faults", Some("application/json"), "9")), Ok(Some(JSON)));
        assert_eq!(check_content_type(&req("PUT /api/faults/latency", Some(FORM), "9")), Err(JSON));
        assert_eq!(check_content_type(&req("/api/faults/state", Some(FORM), "0")), Ok(Some(FORM)), "the fault panel's server function");
    }

    #[test]
    fn a_form_with_broken_utf8_or_percent_escapes_is_told_apart() {
        assert!(form_is_utf8(b"key=1&customer=Caf%C3%A9+Noir&note="));
        assert!(form_is_utf8(b""));
        assert!(!form_is_utf8(b"note=%FF%FE"));
        assert!(!form_is_utf8(b"note=%C3%28"));
        assert!(!form_is_utf8(b"%FF=1"));
        assert!(!form_is_utf8(b"note=100%"));
        assert!(!form_is_utf8(b"note=%zz"));
        assert!(!form_is_utf8(&[b'a', b'=', 0xff]));
    }

    #[test]
    fn an_origin_is_scheme_and_authority() {
        assert_eq!(of_url("https://Desk.example.com/path?q").as_deref(), Some("https://desk.example.com"));
        assert_eq!(of_url("http://127.0.0.1:3000").as_deref(), Some("http://127.0.0.1:3000"));
        assert_eq!(of_url("desk.example.com"), None);
    }
}
