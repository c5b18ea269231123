//! The per-session request token: a random value in an HttpOnly cookie that a request without
//! `Sec-Fetch-Site` or `Origin` must also carry in a header (or, for forms, a field). Another
//! site can make a browser send our cookie but can't read it, so it can't send the token.

use axum::extract::Request;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};

/// The cookie that holds the token.
pub const COOKIE_NAME: &str = "orderdesk_token";
/// The request header that repeats it.
pub const HEADER: &str = "x-orderdesk-token";
/// The form field that repeats it (every form the app renders carries it).
pub const FIELD: &str = "token";
/// 32 random bytes, hex.
const LEN: usize = 64;

/// A session token: from the request's cookie, or freshly made for a page (whose answer then
/// sets the cookie).
#[derive(Clone, Debug)]
pub struct Session {
    token: String,
}

impl Session {
    /// The session the request's cookie names, if it carries a well-formed one.
    pub fn from_cookie(req: &Request) -> Option<Session> {
        from_cookies(req.headers()).map(|token| Session { token })
    }

    /// A new random token. Should the system's random source fail, the token is empty and
    /// matches nothing (requests then need `Origin`).
    pub fn fresh() -> Session {
        let mut bytes = [0u8; LEN / 2];
        let token = match getrandom::fill(&mut bytes) {
            Ok(()) => bytes.iter().map(|b| format!("{b:02x}")).collect(),
            Err(e) => {
                tracing::error!(error = %e, "no randomness for a session token");
                String::new()
            }
        };
        Session { token }
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// Whether the form `body` (`application/x-www-form-urlencoded`) carries this session's token.
    pub fn token_in_form(&self, body: &[u8]) -> bool {
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        self.token_matches(fields.iter().find(|(k, _)| k == FIELD).map(|(_, v)| v.as_str()))
    }

    /// Whether `sent` is this session's token (compared in constant time).
    pub fn token_matches(&self, sent: Option<&str>) -> bool {
        let Some(sent) = sent else { return false };
        if self.token.len() != LEN || sent.len() != LEN {
            return false;
        }
        self.token.bytes().zip(sent.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

fn from_cookies(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_string())
        .filter(|t| t.len() == LEN && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Sets the session's cookie on an answer: HttpOnly (no script reads it), SameSite=Lax,
/// Secure when the app is served over HTTPS.
pub fn set_cookie(headers: &mut HeaderMap, session: &Session, secure: bool) {
    if session.token.is_empty() {
        return;
    }
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!("{COOKIE_NAME}={}; Path=/; HttpOnly; SameSite=Lax{secure}", session.token);
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        headers.append(SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    #[test]
    fn a_session_keeps_its_cookie_and_a_forged_cookie_is_replaced() {
        let first = Session::fresh();
        assert_eq!(first.token().len(), LEN);
        assert_ne!(first.token(), Session::fresh().token(), "tokens are random");
        let req = |cookie: &str| Request::builder().header(COOKIE, cookie).body(Body::empty()).unwrap();
        let again = Session::from_cookie(&req(&format!("theme=dark; {COOKIE_NAME}={}", first.token()))).unwrap();
        assert!(again.token_matches(Some(first.token())));
        for forged in ["", "x", &"g".repeat(LEN), &format!("{}\"", &first.token()[1..])] {
            assert!(Session::from_cookie(&req(&format!("{COOKIE_NAME}={forged}"))).is_none(), "{forged:?} is not a token");
            assert!(!Session::fresh().token_matches(Some(forged)));
        }
    }

    #[test]
    fn the_cookie_is_http_only_and_secure_over_https() {
        let mut headers = HeaderMap::new();
        set_cookie(&mut headers, &Session::fresh(), true);
        let cookie = headers.get(SET_COOKIE).unwrap().to_str().unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.ends_with("; Secure"), "{cookie}");
    }
}
