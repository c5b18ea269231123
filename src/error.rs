//! The one application error, shared by server and client. The server sends only the safe
//! message; internal detail is logged where it happens and never leaves the server.

use serde::{Deserialize, Serialize};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};

use crate::domain::{Field, Order, ValidationError};

/// Every way a request can fail, as the client needs to tell them apart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    /// Bad input: which field, what failed, what to do next. Nothing changed.
    #[error("{message}")]
    Validation { field: Field, message: String },
    /// Someone else changed the order first; `current` is what the server holds now.
    #[error("{message}")]
    Conflict { message: String, current: Box<Order> },
    #[error("{message}")]
    NotFound { message: String },
    #[error("{message}")]
    Forbidden { message: String },
    /// The idempotency key was already used for a different request.
    #[error("{message}")]
    KeyReused { message: String },
    /// The first request with this key is still running: safe to retry with the same key.
    #[error("{message}")]
    InProgress { message: String },
    /// A temporary failure on the server's side: safe to retry with the same key.
    #[error("{message}")]
    Transient { message: String },
    /// The request itself was malformed (missing or undecodable arguments).
    #[error("{message}")]
    BadRequest { message: String },
    /// A failure on the server we can't explain to the user beyond "try again later".
    #[error("{message}")]
    Internal { message: String },
    /// Client side only: the request never got an answer.
    #[error("{message}")]
    Network { message: String },
}

impl AppError {
    /// The HTTP status the server answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation { .. } | AppError::KeyReused { .. } => 422,
            AppError::Conflict { .. } | AppError::InProgress { .. } => 409,
            AppError::NotFound { .. } => 404,
            AppError::Forbidden { .. } => 403,
            AppError::Transient { .. } => 503,
            AppError::BadRequest { .. } => 400,
            AppError::Internal { .. } | AppError::Network { .. } => 500,
        }
    }

    /// Whether sending the same request again (same idempotency key) may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, AppError::InProgress { .. } | AppError::Transient { .. } | AppError::Network { .. })
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        AppError::NotFound { message: message.into() }
    }

    /// The safe message for an unexpected server failure. Log the detail before calling this.
    pub fn internal() -> Self {
        AppError::Internal {
            message: "The server couldn't finish this request. Try again in a minute; if it keeps failing, contact support.".into(),
        }
    }
}

impl From<ValidationError> for AppError {
    fn from(e: ValidationError) -> Self {
        AppError::Validation { field: e.field, message: e.message }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => AppError::Network {
                message: "Couldn't reach the server. Check your connection and retry.".into(),
            },
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => AppError::BadRequest {
                message: format!("The request was malformed ({detail}). Reload the page and try again."),
            },
            ServerFnErrorErr::Deserialization(_) => AppError::BadRequest {
                message: "The answer couldn't be read. Reload the page to get the latest version of the app.".into(),
            },
            _ => AppError::internal(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_error_keeps_field_and_message_and_is_422() {
        let e: AppError = ValidationError::new(Field::Quantity, "too many").into();
        assert_eq!(e.status(), 422);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["kind"], "validation");
        assert_eq!(json["field"], "quantity");
        assert_eq!(json["message"], "too many");
    }

    #[test]
    fn transport_errors_become_retryable_network_errors() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::Request("reset".into()));
        assert!(e.is_retryable());
        assert!(!e.to_string().contains("reset"), "no transport detail in the user's message");
    }

    #[test]
    fn internal_errors_say_what_to_do_next() {
        let msg = AppError::internal().to_string();
        assert!(msg.contains("Try again"));
        assert!(!msg.to_lowercase().contains("something went wrong"));
    }
}
