//! Plain form posts (server only). A write made without JavaScript, or before the page's script
//! ran, is the browser posting the row's `<form>` to the same server function the app's client
//! calls. A browser needs another answer than the client: post/redirect/get back to the page it
//! came from, at the row, with the result kept in the session for that page to show once
//! ([`FormNotice`]). The app's client asks for JSON and never takes this path.
//!
//! It changes no rule: the server function runs exactly as for the client (same key, same
//! gate); only the answer's form differs.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header::{ACCEPT, HOST, LOCATION, REFERER};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;
use tower_sessions::Session;

use crate::domain::{DeleteReceipt, PlaceReceipt, WriteKind};
use crate::error::AppError;
use crate::records::form::{FormNotice, FormResult, PAGE_STATES};

/// Where the session keeps the notice until the next page shows it.
const NOTICE: &str = "form_notice";
/// A post whose key is still being worked on (an earlier submit of the same form) is asked
/// again this often, this many times, before the page says so.
const BUSY_RETRY: Duration = Duration::from_millis(100);
const BUSY_RETRIES: u32 = 30;
/// The largest answer read back (an order, a list after a move, a job).
const MAX_ANSWER_BYTES: usize = 1 << 20;

/// The plain-form layer: answers a browser's form post to a write with a redirect, and hands
/// the next page read the notice its post left. Everything else passes through untouched.
pub async fn plain_forms(session: Session, mut req: Request, next: Next) -> Response {
    if is_page_read(&req) {
        match session.remove::<FormNotice>(NOTICE).await {
            Ok(Some(notice)) => {
                req.extensions_mut().insert(notice);
            }
            Ok(None) => {}
            // A notice that can't be read is dropped: the page shows the current state anyway.
            Err(e) => tracing::warn!(error = %e, "can't read a form notice"),
        }
        return next.run(req).await;
    }
    match plain_write(&req) {
        Some(kind) => answer_post(kind, session, req, next).await,
        None => next.run(req).await,
    }
}

/// A GET of a page (not the API, not a built file).
fn is_page_read(req: &Request) -> bool {
    let path = req.uri().path();
    req.method() == Method::GET && !path.starts_with("/api/") && !path.starts_with("/pkg/")
}

/// The write a browser's own form post makes (`Accept: text/html`, which the app's client never
/// sends), if this is one.
fn plain_write(req: &Request) -> Option<WriteKind> {
    let accepts_html = req.headers().get(ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    if req.method() != Method::POST || !accepts_html {
        return None;
    }
    match req.uri().path().strip_prefix("/api/orders/")? {
        // The editor's form saves names and note at once (`super::edit_draft`).
        "edit" => Some(WriteKind::Rename),
        kind => WriteKind::parse(kind),
    }
}

async fn answer_post(kind: WriteKind, session: Session, req: Request, next: Next) -> Response {
    let back = back_to(&req);
    let (mut parts, body) = req.into_parts();
    // The edge has read and bounded the form already.
    let Ok(form) = to_bytes(body, usize::MAX).await else {
        return AppError::BadRequest { message: "The form couldn't be read. Reload the page and try again.".into() }.into_response_with_status();
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&form).unwrap_or_default();
    // Answered as the app's client is, so the answer can be read here.
    parts.headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    let mut tries = 0;
    let (status, answer) = loop {
        let res = next.clone().run(Request::from_parts(parts.clone(), Body::from(form.clone()))).await;
        let status = res.status();
        let answer = to_bytes(res.into_body(), MAX_ANSWER_BYTES).await.unwrap_or_default();
        // An earlier submit of this very form is still being saved: its answer is this one's.
        if status == StatusCode::CONFLICT && tries < BUSY_RETRIES && is_in_progress(&answer) {
            tries += 1;
            tokio::time::sleep(BUSY_RETRY).await;
            continue;
        }
        break (status, answer);
    };
    let order = fields.iter().find(|(k, _)| k == "id").map(|(_, v)| v.as_str()).unwrap_or_default().to_string();
    let at_row = |url: &str| if order.is_empty() { url.to_string() } else { format!("{url}#order-{order}") };
    if status.is_success() {
        let location = match kind {
            WriteKind::Place => match crate::wire::from_slice::<PlaceReceipt>(&answer) {
                Ok(receipt) => format!("{}/accepted", receipt.job.href()),
                Err(_) => at_row(&back),
            },
            WriteKind::Create => at_row(&with_page_state(&back, "edit", &order)),
            WriteKind::Delete => {
                if let Ok(receipt) = crate::wire::from_slice::<DeleteReceipt>(&answer) {
                    keep(&session, FormNotice::new(kind, &fields, FormResult::Deleted(receipt.order))).await;
                }
                format!("{back}#form-notice")
            }
            _ => at_row(&without_page_state(&back)),
        };
        return see_other(&location);
    }
    let error: AppError = serde_json::from_slice(&answer).unwrap_or_else(|_| AppError::internal());
    if matches!(error, AppError::Unauthorized { .. }) {
        return see_other(&crate::accounts::sign_in_url(&back));
    }
    let notice = FormNotice::new(kind, &fields, FormResult::Refused(error));
    // A refused edit goes back to its editor, open, with what was typed.
    // Any other refusal is told on its row, with the dialog it came from closed.
    let back = if notice.invalid_field().is_some() { with_page_state(&back, "edit", &order) } else { without_page_state(&back) };
    keep(&session, notice).await;
    see_other(&at_row(&back))
}

fn is_in_progress(answer: &[u8]) -> bool {
    matches!(serde_json::from_slice::<AppError>(answer), Ok(AppError::InProgress { .. }))
}

async fn keep(session: &Session, notice: FormNotice) {
    if let Err(e) = session.insert(NOTICE, notice).await {
        tracing::warn!(error = %e, "can't keep a form notice");
    }
}

/// 303: the browser follows with a GET, so a reload never posts the form again.
fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::SEE_OTHER, [(LOCATION, value)]).into_response(),
        Err(_) => (StatusCode::SEE_OTHER, [(LOCATION, HeaderValue::from_static("/orders"))]).into_response(),
    }
}

/// The page the form was on (path and query), from `Referer` when it is this very host's; the
/// orders list otherwise. Never another site: the answer is a redirect.
fn back_to(req: &Request) -> String {
    let header = |name| req.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let from_here = header(REFERER).zip(header(HOST)).and_then(|(referer, host)| {
        let rest = referer.strip_prefix("http://").or_else(|| referer.strip_prefix("https://"))?;
        let path = rest.strip_prefix(host)?;
        let path = path.split('#').next().unwrap_or_default();
        (path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/api/")).then(|| path.to_string())
    });
    from_here.unwrap_or_else(|| "/orders".to_string())
}

/// `url` in the page state `name=value` (the editor, the cancel dialog), instead of any it was in.
fn with_page_state(url: &str, name: &str, value: &str) -> String {
    let (path, mut pairs) = without_states(url);
    pairs.push((name.to_string(), value.to_string()));
    join_query(path, &pairs)
}

/// `url` in no page state: a write that went through closes the editor or dialog it came from.
fn without_page_state(url: &str) -> String {
    let (path, pairs) = without_states(url);
    join_query(path, &pairs)
}

fn without_states(url: &str) -> (&str, Vec<(String, String)>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    (path, pairs.into_iter().filter(|(k, _)| !PAGE_STATES.contains(&k.as_str())).collect())
}

fn join_query(path: &str, pairs: &[(String, String)]) -> String {
    match serde_urlencoded::to_string(pairs) {
        Ok(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(referer: Option<&str>) -> Request {
        let mut b = Request::builder().method(Method::POST).uri("/api/orders/star").header(HOST, "desk.test:3000").header(ACCEPT, "text/html,*/*");
        if let Some(r) = referer {
            b = b.header(REFERER, r);
        }
        b.body(Body::empty()).unwrap()
    }

    #[test]
    fn a_post_goes_back_only_to_a_page_of_this_host() {
        assert_eq!(back_to(&post(Some("http://desk.test:3000/orders?q=lamp#order-1"))), "/orders?q=lamp");
        for hostile in ["http://evil.test/orders", "http://desk.test:3000.evil.test/x", "http://desk.test:3000//evil.test/", "http://desk.test:3000/api/orders/star"] {
            assert_eq!(back_to(&post(Some(hostile))), "/orders", "{hostile}");
        }
        assert_eq!(back_to(&post(None)), "/orders");
    }

    #[test]
    fn only_a_browsers_form_post_to_a_write_is_a_plain_write() {
        assert_eq!(plain_write(&post(None)), Some(WriteKind::Star));
        let client = Request::builder().method(Method::POST).uri("/api/orders/star").header(ACCEPT, "application/json").body(Body::empty()).unwrap();
        assert_eq!(plain_write(&client), None);
        let read = Request::builder().method(Method::POST).uri("/api/orders/page").header(ACCEPT, "text/html").body(Body::empty()).unwrap();
        assert_eq!(plain_write(&read), None);
    }

    #[test]
    fn queries_keep_their_other_parameters() {
        assert_eq!(with_page_state("/orders?q=a%20b&edit=x", "edit", "y"), "/orders?q=a+b&edit=y");
        assert_eq!(with_page_state("/orders?cancel=x&q=a", "edit", "y"), "/orders?q=a&edit=y");
        assert_eq!(without_page_state("/orders?edit=x"), "/orders");
        assert_eq!(without_page_state("/orders?q=a&cancel=x"), "/orders?q=a");
    }
}
