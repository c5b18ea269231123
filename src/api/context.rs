//! What server functions need from the server: the shared state, and turning errors into
//! HTTP answers (status code set, detail logged, safe message sent).

use leptos::prelude::*;

use crate::error::AppError;
use crate::server::AppState;
use crate::store::Db;

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
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(axum::http::StatusCode::from_u16(e.status()).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR));
        }
    }
    result
}
