//! What server functions need from the server: the shared state, and errors turned into
//! HTTP answers. Writes go through the gate (`super::gate`).

use leptos::prelude::*;

use crate::error::AppError;
use crate::state::AppState;
use crate::store::Db;

/// There is no sign-in yet: every request acts as this one user. Keys are stored per user
/// so adding accounts later does not change the contract.
pub const LOCAL_USER: &str = "local";

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
