//! Who is making a request (server only): sessions, signing in and out, and the signed-in
//! [`Person`] every handler reads. Sessions are `tower-sessions`' (server-side, in the
//! database, an HttpOnly SameSite=Lax cookie); passwords are argon2id ([`password`]). It
//! decides who someone is, never what they may do with an order: that is the role's
//! (`crate::domain::Role`), checked by the api.
//!
//! For each request, [`resolve`] reads the session and puts the [`Person`] in the request's
//! extensions; a page that needs one and has none answers with a redirect to the sign-in page.

pub mod password;
mod routes;
pub mod sessions;

pub use routes::routes;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::cookie::time::Duration as CookieDuration;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

use crate::domain::{Email, Person, DEMO_ACCOUNTS};
use crate::store::Db;

/// The session cookie's name.
pub const COOKIE: &str = "orderdesk_session";
/// Session keys: the signed-in person's id, and the workspace their pages show.
const USER: &str = "user";
const WORKSPACE: &str = "workspace";

/// The demo workspace's name.
const DEMO_WORKSPACE: &str = "Harbor Street team";

/// The session layer: sessions in the `sessions` table (cached in memory), a cookie that is HttpOnly,
/// SameSite=Lax, Secure when the app is served over HTTPS, and lasts `hours` from sign-in.
pub fn session_layer(store: sessions::SharedSessions, secure: bool, hours: u32) -> SessionManagerLayer<sessions::SharedSessions> {
    SessionManagerLayer::new(store)
        .with_name(COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(CookieDuration::hours(i64::from(hours))))
}

/// Puts the signed-in [`Person`] (if any) in the request; sends a page that needs one, without
/// one, to the sign-in page (back here after).
pub async fn resolve(State(db): State<Db>, session: Session, mut req: Request, next: Next) -> Response {
    match person_of(&db, &session).await {
        Ok(Some(person)) => {
            req.extensions_mut().insert(person);
        }
        Ok(None) if needs_sign_in(&req) => {
            let here = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/orders");
            return Redirect::to(&sign_in_url(here)).into_response();
        }
        Ok(None) => {}
        Err(e) => {
            tracing::error!(error = %e, "can't read the session");
            return crate::error::AppError::internal().into_response_with_status();
        }
    }
    next.run(req).await
}

/// The person the session names, with the workspace they last chose.
async fn person_of(db: &Db, session: &Session) -> Result<Option<Person>, String> {
    let Some(user) = session.get::<i64>(USER).await.map_err(|e| e.to_string())? else { return Ok(None) };
    let preferred = session.get::<i64>(WORKSPACE).await.map_err(|e| e.to_string())?;
    let person = db.person(user, preferred).await.map_err(|e| e.to_string())?;
    if person.is_none() {
        // The account is gone: so is the session.
        session.flush().await.map_err(|e| e.to_string())?;
    }
    Ok(person)
}

/// Pages that show a workspace's data; every other path (the sign-in pages, the state gallery,
/// files, the API, which answers 401 itself) is served to anyone.
fn needs_sign_in(req: &Request) -> bool {
    let path = req.uri().path();
    matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD)
        && (path == "/" || ["/orders", "/jobs/", "/members"].iter().any(|p| path == p.trim_end_matches('/') || path.starts_with(p)))
}

/// The sign-in page, coming back to `next` after.
pub fn sign_in_url(next: &str) -> String {
    format!("/sign-in?{}", serde_urlencoded::to_string([("next", next)]).unwrap_or_default())
}

/// Makes the demo accounts ([`DEMO_ACCOUNTS`]), once, with the demo orders' workspace.
pub async fn seed_demo_accounts(db: &Db, now: i64) -> Result<bool, String> {
    // Hashing is slow on purpose: not on every start, only when there is nobody yet.
    if db.has_accounts().await.map_err(|e| e.to_string())? {
        return Ok(false);
    }
    let mut accounts = Vec::new();
    for (email, pw, role) in DEMO_ACCOUNTS {
        let email = Email::parse(email).map_err(|e| e.message)?;
        let hash = password::hash(crate::domain::Password::parse_new(pw).map_err(|e| e.message)?).await?;
        accounts.push((email, hash, role));
    }
    db.seed_demo_accounts(&accounts, DEMO_WORKSPACE, now).await.map_err(|e| e.to_string())
}
