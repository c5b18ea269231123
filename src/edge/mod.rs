//! The HTTP edge (server only): what a request must pass before the app sees it, and what
//! every answer carries. It knows nothing of orders or writes; `crate::server` mounts it in
//! front of every route.
//!
//! For each request, in this order:
//! 1. [`hosts`]: the `Host` must be one the server answers for (421 otherwise), so a hostile
//!    page can't reach us through a name it controls (DNS rebinding);
//! 2. [`origin`]: a state-changing request (any method but GET, HEAD, OPTIONS) must come from
//!    the app's own pages: `Sec-Fetch-Site` same-origin or none, or an `Origin` equal to ours,
//!    or, with neither header, a valid per-session token in a header or a form field (403
//!    otherwise); then it must carry the
//!    content type the app's client sends (415 otherwise);
//! 3. the body limit (413) and, but for the event stream, the request timeout (408);
//! 4. the built files ([`assets`]) are answered here, from memory, past none of the app's
//!    own layers (sessions, accounts, body limit);
//! 5. on the way out, [`headers`]: `nosniff`, no framing, a referrer policy, and a
//!    Content-Security-Policy: a page's allows only scripts with the nonce the edge made for
//!    it (the shell hands it to Leptos), anything else's allows nothing.
//!
//! A refused request never reaches a handler, so it changes nothing, and it gets a small JSON
//! error ([`crate::error::AppError`]), never a redirect.

pub mod assets;
pub mod headers;
pub mod hosts;
pub mod origin;
pub mod preload;
pub mod serve;
pub mod token;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;

use crate::config::Settings;
use crate::error::AppError;

/// What the edge checks requests against, made once from the settings at start-up.
#[derive(Debug)]
pub struct Edge {
    hosts: hosts::Allowed,
    /// `email.base_url`'s origin (`scheme://host[:port]`), the origin the app is opened at.
    origin: String,
    /// Whether the session cookie may only travel over HTTPS.
    secure_cookie: bool,
    /// `server.max_body_bytes`.
    max_body: usize,
}

impl Edge {
    /// `bound` is the address actually listened on (the settings may say port 0).
    pub fn new(settings: &Settings, bound: std::net::SocketAddr) -> Edge {
        let base = settings.email.base_url.trim_end_matches('/');
        Edge {
            hosts: hosts::Allowed::new(&settings.server.allowed_hosts, bound, base),
            origin: origin::of_url(base).unwrap_or_default(),
            secure_cookie: base.starts_with("https://"),
            max_body: settings.server.max_body_bytes,
        }
    }
}

impl Edge {
    /// Whether cookies may only travel over HTTPS (the app is served over it).
    pub fn secure_cookie(&self) -> bool {
        self.secure_cookie
    }
}

/// The edge's checks, as axum middleware (see the module docs for their order).
pub async fn guard(State(edge): State<Arc<Edge>>, mut req: Request, next: Next) -> Response {
    if !edge.hosts.allows(&req) {
        return refuse(StatusCode::MISDIRECTED_REQUEST, "This server doesn't answer for that host name.");
    }
    let session = token::Session::from_cookie(&req);
    if is_state_changing(req.method()) {
        let mut from_here = origin::check(&req, &edge.origin, session.as_ref());
        let content_type = origin::check_content_type(&req);
        let mut form_read = false;
        if from_here == Err(origin::NO_PROOF) && content_type == Ok(Some(origin::FORM)) {
            // A form that says nothing of where it comes from may carry the token as a field.
            match read_form(req, edge.max_body).await {
                Ok((r, body)) => {
                    req = r;
                    form_read = true;
                    if session.as_ref().is_some_and(|s| s.token_in_form(&body)) {
                        from_here = Ok(());
                    }
                }
                Err(refusal) => return *refusal,
            }
        }
        if let Err(why) = from_here {
            tracing::info!(method = %req.method(), path = req.uri().path(), why, "refused a request from another site");
            return refuse(StatusCode::FORBIDDEN, "This request didn't come from Order Desk's own pages, so it was refused and nothing changed.");
        }
        match content_type {
            Err(expected) => {
                return refuse(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    &format!("This request's content type isn't accepted here, so nothing changed. Send {expected}."),
                );
            }
            Ok(Some(origin::FORM)) if !form_read => match read_form(req, edge.max_body).await {
                Ok((r, _)) => req = r,
                Err(refusal) => return *refusal,
            },
            Ok(_) => {}
        }
    }
    let is_page = is_page_request(&req);
    let nonce = is_page.then(headers::PageNonce::fresh).flatten();
    if let Some(nonce) = &nonce {
        req.extensions_mut().insert(nonce.clone());
    }
    // A session starts with a page; API calls and files never mint one.
    let new_session = (is_page && session.is_none()).then(token::Session::fresh);
    // The page's forms repeat the token (for a browser that sends no `Origin`).
    if let Some(session) = new_session.as_ref().or(session.as_ref()).filter(|_| is_page) {
        req.extensions_mut().insert(session.clone());
    }
    let mut res = next.run(req).await;
    if res.status().as_u16() >= 400 {
        // Leptos answers a plain form's failed server function with a redirect to the page
        // that sent it, the error in the URL; an error answer is its status and typed error only.
        res.headers_mut().remove(axum::http::header::LOCATION);
    }
    headers::secure(res.headers_mut(), nonce.as_ref());
    if let Some(session) = &new_session {
        token::set_cookie(res.headers_mut(), session, edge.secure_cookie);
    }
    res
}

/// Reads a form body (it is small: the body limit bounds it) and refuses it when it is too
/// large (413) or doesn't decode to UTF-8 (400); else gives the request back whole, and the body.
async fn read_form(req: Request, max_body: usize) -> Result<(Request, axum::body::Bytes), Box<Response>> {
    let too_large = || Box::new(refuse(StatusCode::PAYLOAD_TOO_LARGE, &format!("This request is larger than {max_body} bytes, so it was refused and nothing changed.")));
    let declared = req.headers().get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body as u64) {
        return Err(too_large());
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, max_body).await.map_err(|_| too_large())?;
    if !origin::form_is_utf8(&bytes) {
        return Err(Box::new(refuse(StatusCode::BAD_REQUEST, "This request's form isn't valid UTF-8 text, so it was refused and nothing changed.")));
    }
    Ok((Request::from_parts(parts, axum::body::Body::from(bytes.clone())), bytes))
}

/// A request that may be answered with a page (the API and the built files never are).
fn is_page_request(req: &Request) -> bool {
    let path = req.uri().path();
    matches!(*req.method(), Method::GET | Method::HEAD) && !path.starts_with("/api/") && !assets::is_file_path(path)
}

/// GET, HEAD and OPTIONS only read; every other method may change something.
fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The edge's refusal: the status, and the typed error with a safe message.
pub fn refuse(status: StatusCode, message: &str) -> Response {
    let error = match status {
        StatusCode::FORBIDDEN => AppError::Forbidden { message: message.into() },
        _ => AppError::BadRequest { message: message.into() },
    };
    let mut res = (status, Json(error)).into_response();
    headers::secure(res.headers_mut(), None);
    res
}
