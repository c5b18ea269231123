//! What server functions need from the server: the shared state, and errors turned into
//! HTTP answers. Writes go through the gate (`super::gate`).

use leptos::prelude::*;

use crate::domain::{OrderId, Person, Role, RuleError, WorkspaceId};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::Db;

/// The signed-in person making this request (`crate::accounts::resolve` put them there), or
/// "unauthorized".
pub fn person() -> Result<Person, AppError> {
    use_context::<axum::http::request::Parts>().and_then(|p| p.extensions.get::<Person>().cloned()).ok_or_else(AppError::unauthorized)
}

/// The person's role in `workspace` (`None`: their current one). Someone who isn't a member is
/// told the workspace doesn't exist.
pub fn role_in(person: &Person, workspace: Option<WorkspaceId>) -> Result<(WorkspaceId, Role), AppError> {
    let workspace = workspace.or(person.current);
    workspace
        .and_then(|w| person.membership(w))
        .map(|m| (m.workspace, m.role))
        .ok_or_else(|| AppError::not_found("There is no such workspace, or you are not a member of it."))
}

/// The workspace of order `id` and the person's role there. An order of a workspace they don't
/// belong to is, to them, exactly an order that doesn't exist: same answer, same message.
pub async fn role_for_order(db: &Db, person: &Person, id: OrderId) -> Result<(WorkspaceId, Role), AppError> {
    let workspace = db.workspace_of_order(id).await?;
    workspace.and_then(|w| person.membership(w)).map(|m| (m.workspace, m.role)).ok_or_else(|| RuleError::Missing.into())
}

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::internal()
    })
}

pub fn db() -> Result<Db, AppError> {
    Ok(state()?.db)
}

/// Logs an unexpected failure with its context and returns the safe error for the client.
pub fn internal(doing: &str, detail: impl std::fmt::Display) -> AppError {
    tracing::error!(%detail, "failed while {doing}");
    AppError::internal()
}

/// Runs a server function body and, on error, sets the HTTP status that matches the error.
pub async fn reply<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(e) = &result {
        answer_with_status(e);
    }
    result
}

/// Sets the HTTP status of the request being answered to the one `e` calls for. Also used
/// for errors raised before a server function body runs (its arguments could not be read),
/// which would otherwise answer 500 whatever the error says.
pub fn answer_with_status(e: &AppError) {
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::from_u16(e.status()).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR));
    }
}
