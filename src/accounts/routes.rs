//! The account forms (server only): sign up, sign in, sign out, choose a workspace, share it
//! and change roles. Each is a plain HTML form post to `/api/accounts/…`, so it works with or
//! without JavaScript, and answers with a redirect (to where the person goes next, or back to
//! the form with an error code the page turns into copy). A caller that asks for JSON
//! (`Accept: application/json`) gets the typed answer and status instead.
//!
//! Permission changes are pessimistic: each is decided here, then the page is loaded again.

use axum::extract::connect_info::ConnectInfo;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use serde::Deserialize;
use std::net::SocketAddr;
use tower_sessions::Session;

use super::{password, USER, WORKSPACE};
use crate::domain::{form_refusal, Email, Password, Person, Role, WorkspaceId};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::MemberError;

/// Failed sign-ins an account or a client gets before each attempt must wait.
const FREE_FAILURES: u32 = 5;
/// The longest such wait.
const MAX_WAIT_MS: i64 = 15 * 60 * 1000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/accounts/sign-up", post(sign_up))
        .route("/api/accounts/sign-in", post(sign_in))
        .route("/api/accounts/sign-out", post(sign_out))
        .route("/api/accounts/workspace", post(choose_workspace))
        .route("/api/accounts/members", post(add_member))
        .route("/api/accounts/role", post(set_role))
}

/// How a form's answer is given: a redirect for a browser's form, the typed answer for JSON.
struct Reply {
    json: bool,
}

impl Reply {
    fn of(headers: &HeaderMap) -> Reply {
        let json = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"));
        Reply { json }
    }

    /// Success: go to `to` (JSON: `{"ok": true, "to": …}`).
    fn done(&self, to: &str) -> Response {
        if self.json {
            return Json(serde_json::json!({ "ok": true, "to": to })).into_response();
        }
        Redirect::to(to).into_response()
    }

    /// Failure: back to `form` with `?error=code` (and `extra` query pairs); JSON: the error.
    fn failed(&self, error: AppError, form: &str, code: &str, extra: &[(&str, &str)]) -> Response {
        if self.json {
            return error.into_response_with_status();
        }
        let mut pairs = vec![("error", code)];
        pairs.extend_from_slice(extra);
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        let sep = if form.contains('?') { '&' } else { '?' };
        Redirect::to(&format!("{form}{sep}{query}")).into_response()
    }
}

/// A form that didn't decode: 400, nothing changed.
fn malformed(reply: &Reply, form: &str, rejection: FormRejection) -> Response {
    tracing::info!(error = %rejection, "refused a malformed account form");
    let error = AppError::BadRequest { message: "The form was malformed. Reload the page and try again.".into() };
    reply.failed(error, form, "malformed", &[])
}

/// Where to go after signing in: a path of this site only (never `//host` or a full URL).
fn safe_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.starts_with("/api/") && n.len() <= 2_000 => n.to_string(),
        _ => "/orders".to_string(),
    }
}

#[derive(Deserialize)]
struct Credentials {
    email: String,
    password: String,
    next: Option<String>,
}

/// Starts a session for `user`: a new session id (one planted before sign-in is worth nothing
/// after it), then who they are.
async fn start_session(session: &Session, user: i64) -> Result<(), AppError> {
    let failed = |e: tower_sessions::session::Error| crate::api::context::internal("starting a session", e);
    session.cycle_id().await.map_err(failed)?;
    session.insert(USER, user).await.map_err(failed)?;
    session.remove::<i64>(WORKSPACE).await.map_err(failed)?;
    Ok(())
}

async fn sign_up(State(state): State<AppState>, session: Session, headers: HeaderMap, form: Result<Form<Credentials>, FormRejection>) -> Response {
    let reply = Reply::of(&headers);
    const FORM: &str = "/sign-up";
    let Form(form) = match form {
        Ok(f) => f,
        Err(r) => return malformed(&reply, FORM, r),
    };
    let email = match Email::parse(&form.email) {
        Ok(e) => e,
        Err(e) => return reply.failed(e.into(), FORM, "email", &[("email", form.email.trim())]),
    };
    let pw = match Password::parse_new(&form.password) {
        Ok(p) => p,
        Err(e) => return reply.failed(e.into(), FORM, "password", &[("email", email.as_str())]),
    };
    let hash = match password::hash(pw).await {
        Ok(h) => h,
        Err(e) => return crate::api::context::internal("hashing a password", e).into_response_with_status(),
    };
    let user = match state.db.create_account(&email, &hash, state.clock.now_ms()).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            let error = AppError::Validation {
                field: crate::domain::Field::Email,
                message: form_refusal("taken", None),
            };
            return reply.failed(error, FORM, "taken", &[("email", email.as_str())]);
        }
        Err(e) => return AppError::from(e).into_response_with_status(),
    };
    tracing::info!(user, "an account was made");
    if let Err(e) = start_session(&session, user).await {
        return e.into_response_with_status();
    }
    reply.done(&safe_next(form.next.as_deref()))
}

async fn sign_in(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    form: Result<Form<Credentials>, FormRejection>,
) -> Response {
    let reply = Reply::of(&headers);
    let Form(form) = match form {
        Ok(f) => f,
        Err(r) => return malformed(&reply, "/sign-in", r),
    };
    let next = safe_next(form.next.as_deref());
    let back = super::sign_in_url(&next);
    let wrong = |reply: &Reply, email: &str| {
        let error = AppError::Unauthorized { message: form_refusal("credentials", None) };
        reply.failed(error, &back, "credentials", &[("email", email)])
    };
    let (email, pw) = match (Email::parse(&form.email), Password::parse_given(&form.password)) {
        (Ok(e), Ok(p)) => (e, p),
        _ => return wrong(&reply, form.email.trim()),
    };
    let subjects = [format!("email:{email}"), format!("client:{}", client.ip())];
    let now = state.clock.now_ms();
    match state.db.sign_in_wait(&subjects, now, FREE_FAILURES, MAX_WAIT_MS).await {
        Ok(0) => {}
        Ok(wait) => {
            let seconds = (wait + 999) / 1000;
            let error = AppError::TooMany { message: form_refusal("throttled", Some(seconds)) };
            return reply.failed(error, &back, "throttled", &[("email", email.as_str()), ("wait", &seconds.to_string())]);
        }
        Err(e) => return AppError::from(e).into_response_with_status(),
    }
    let stored = match state.db.credentials(&email).await {
        Ok(found) => found,
        Err(e) => return AppError::from(e).into_response_with_status(),
    };
    let user = stored.as_ref().map(|(id, _)| *id);
    if !password::verify(pw, stored.map(|(_, hash)| hash)).await {
        tracing::info!(client = %client.ip(), "a sign-in failed");
        if let Err(e) = state.db.record_sign_in_failure(&subjects, now, MAX_WAIT_MS).await {
            return AppError::from(e).into_response_with_status();
        }
        return wrong(&reply, email.as_str());
    }
    let Some(user) = user else { return wrong(&reply, email.as_str()) };
    if let Err(e) = state.db.clear_sign_in_failures(&subjects[0]).await {
        return AppError::from(e).into_response_with_status();
    }
    if let Err(e) = start_session(&session, user).await {
        return e.into_response_with_status();
    }
    reply.done(&next)
}

/// Ends the session on the server (its id is worth nothing after) and clears the cookie.
async fn sign_out(session: Session, headers: HeaderMap) -> Response {
    let reply = Reply::of(&headers);
    if let Err(e) = session.flush().await {
        return crate::api::context::internal("ending a session", e).into_response_with_status();
    }
    reply.done("/sign-in?signed_out=1")
}

#[derive(Deserialize)]
struct Choose {
    workspace: WorkspaceId,
}

/// The workspace this person's pages show from now on (their open pages keep theirs).
async fn choose_workspace(session: Session, person: Option<Extension<Person>>, headers: HeaderMap, form: Result<Form<Choose>, FormRejection>) -> Response {
    let reply = Reply::of(&headers);
    let Some(Extension(person)) = person else { return AppError::unauthorized().into_response_with_status() };
    let Form(form) = match form {
        Ok(f) => f,
        Err(r) => return malformed(&reply, "/orders", r),
    };
    if person.membership(form.workspace).is_none() {
        return reply.failed(no_workspace(), "/orders", "workspace", &[]);
    }
    if let Err(e) = session.insert(WORKSPACE, form.workspace).await {
        return crate::api::context::internal("choosing a workspace", e).into_response_with_status();
    }
    reply.done("/orders")
}

fn no_workspace() -> AppError {
    AppError::not_found("There is no such workspace, or you are not a member of it.")
}

/// The owner check every member change makes: the person must own `workspace` (a non-member
/// is told nothing exists).
fn must_own(person: &Person, workspace: WorkspaceId) -> Result<(), AppError> {
    match person.membership(workspace) {
        None => Err(no_workspace()),
        Some(m) if !m.role.can_manage() => Err(AppError::Forbidden { message: form_refusal("forbidden", None) }),
        Some(_) => Ok(()),
    }
}

fn member_error(e: MemberError) -> (AppError, &'static str) {
    let invalid = |field, code: &'static str| (AppError::Validation { field, message: form_refusal(code, None) }, code);
    match e {
        MemberError::NoAccount => invalid(crate::domain::Field::Email, "no_account"),
        MemberError::AlreadyMember => invalid(crate::domain::Field::Email, "already_member"),
        MemberError::NotMember => (AppError::not_found(form_refusal("not_member", None)), "not_member"),
        MemberError::LastOwner => invalid(crate::domain::Field::Role, "last_owner"),
        MemberError::Store(e) => (AppError::from(e), "server"),
    }
}

/// The page an owner's forms come back to.
const MEMBERS: &str = "/members";

/// A form about one workspace's members.
trait MembersForm {
    fn workspace(&self) -> WorkspaceId;
}

/// The start every owner's form shares: someone is signed in, the form decodes, and they own
/// its workspace. Otherwise, the answer to give.
fn owner_form<T: MembersForm>(person: Option<Extension<Person>>, reply: &Reply, form: Result<Form<T>, FormRejection>) -> Result<T, Box<Response>> {
    let Some(Extension(person)) = person else { return Err(Box::new(AppError::unauthorized().into_response_with_status())) };
    let Form(form) = form.map_err(|r| Box::new(malformed(reply, MEMBERS, r)))?;
    must_own(&person, form.workspace()).map_err(|e| Box::new(reply.failed(e, MEMBERS, "forbidden", &[])))?;
    Ok(form)
}

#[derive(Deserialize)]
struct Share {
    workspace: WorkspaceId,
    email: String,
    role: String,
}

impl MembersForm for Share {
    fn workspace(&self) -> WorkspaceId {
        self.workspace
    }
}

/// Shares the workspace with an existing account.
async fn add_member(State(state): State<AppState>, person: Option<Extension<Person>>, headers: HeaderMap, form: Result<Form<Share>, FormRejection>) -> Response {
    const FORM: &str = MEMBERS;
    let reply = Reply::of(&headers);
    let form = match owner_form(person, &reply, form) {
        Ok(f) => f,
        Err(answer) => return *answer,
    };
    let (email, role) = match (Email::parse(&form.email), Role::parse(&form.role)) {
        (Ok(e), Ok(r)) => (e, r),
        (Err(e), _) => return reply.failed(e.into(), FORM, "email", &[("email", form.email.trim())]),
        (_, Err(e)) => return reply.failed(e.into(), FORM, "role", &[]),
    };
    match state.db.add_member(form.workspace, &email, role, state.clock.now_ms()).await {
        Ok(user) => {
            tracing::info!(workspace = form.workspace, user, role = role.as_str(), "a workspace was shared");
            reply.done("/members?done=added")
        }
        Err(e) => {
            let (error, code) = member_error(e);
            reply.failed(error, FORM, code, &[("email", email.as_str())])
        }
    }
}

#[derive(Deserialize)]
struct ChangeRole {
    workspace: WorkspaceId,
    user: i64,
    /// A role, or `remove`.
    role: String,
}

impl MembersForm for ChangeRole {
    fn workspace(&self) -> WorkspaceId {
        self.workspace
    }
}

/// Changes a member's role or removes them; their open pages hear of it at once.
async fn set_role(State(state): State<AppState>, person: Option<Extension<Person>>, headers: HeaderMap, form: Result<Form<ChangeRole>, FormRejection>) -> Response {
    const FORM: &str = MEMBERS;
    let reply = Reply::of(&headers);
    let form = match owner_form(person, &reply, form) {
        Ok(f) => f,
        Err(answer) => return *answer,
    };
    let role = match form.role.trim() {
        "remove" => None,
        other => match Role::parse(other) {
            Ok(r) => Some(r),
            Err(e) => return reply.failed(e.into(), FORM, "role", &[]),
        },
    };
    match state.db.set_member_role(form.workspace, form.user, role).await {
        Ok(()) => {
            tracing::info!(workspace = form.workspace, user = form.user, role = role.map_or("removed", Role::as_str), "a member's access changed");
            state.events.access(form.workspace, form.user, role);
            reply.done(if role.is_some() { "/members?done=changed" } else { "/members?done=removed" })
        }
        Err(e) => {
            let (error, code) = member_error(e);
            reply.failed(error, FORM, code, &[])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_sign_in_a_person_stays_on_this_site() {
        assert_eq!(safe_next(Some("/jobs/1?x=2")), "/jobs/1?x=2");
        for hostile in ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", "/api/accounts/sign-out", ""] {
            assert_eq!(safe_next(Some(hostile)), "/orders", "{hostile}");
        }
        assert_eq!(safe_next(None), "/orders");
    }
}
