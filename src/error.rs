//! The one application error, shared by server and client. The server sends only the safe
//! message; internal detail is logged where it happens and never leaves the server.

use serde::{Deserialize, Serialize};
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};

use crate::domain::{Field, Order, ValidationError};

/// Every way a request can fail, as the client needs to tell them apart.
///
/// On the wire: `{"kind": "...", "message": "...", "field"?: ..., "current"?: {...}}`. It goes
/// through the flat [`WireError`] because serde's internally tagged enums cost the WASM client
/// tens of kilobytes of buffering code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(into = "WireError", from = "WireError")]
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
    /// Nobody is signed in (or the session ended): sign in, then send the same request again.
    #[error("{message}")]
    Unauthorized { message: String },
    /// Too many failed attempts: wait, then try again.
    #[error("{message}")]
    TooMany { message: String },
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

/// What a kind of error is called on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum WireKind {
    Validation,
    Conflict,
    NotFound,
    Forbidden,
    Unauthorized,
    TooMany,
    KeyReused,
    InProgress,
    Transient,
    BadRequest,
    Internal,
    Network,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct WireError {
    kind: WireKind,
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    current: Option<Box<Order>>,
}

impl From<AppError> for WireError {
    fn from(e: AppError) -> Self {
        let (kind, message, field, current) = match e {
            AppError::Validation { field, message } => (WireKind::Validation, message, Some(field), None),
            AppError::Conflict { message, current } => (WireKind::Conflict, message, None, Some(current)),
            AppError::NotFound { message } => (WireKind::NotFound, message, None, None),
            AppError::Forbidden { message } => (WireKind::Forbidden, message, None, None),
            AppError::Unauthorized { message } => (WireKind::Unauthorized, message, None, None),
            AppError::TooMany { message } => (WireKind::TooMany, message, None, None),
            AppError::KeyReused { message } => (WireKind::KeyReused, message, None, None),
            AppError::InProgress { message } => (WireKind::InProgress, message, None, None),
            AppError::Transient { message } => (WireKind::Transient, message, None, None),
            AppError::BadRequest { message } => (WireKind::BadRequest, message, None, None),
            AppError::Internal { message } => (WireKind::Internal, message, None, None),
            AppError::Network { message } => (WireKind::Network, message, None, None),
        };
        WireError { kind, message, field, current }
    }
}

impl From<WireError> for AppError {
    fn from(w: WireError) -> Self {
        let message = w.message;
        match (w.kind, w.field, w.current) {
            (WireKind::Validation, Some(field), _) => AppError::Validation { field, message },
            (WireKind::Conflict, _, Some(current)) => AppError::Conflict { message, current },
            (WireKind::NotFound, ..) => AppError::NotFound { message },
            (WireKind::Forbidden, ..) => AppError::Forbidden { message },
            (WireKind::Unauthorized, ..) => AppError::Unauthorized { message },
            (WireKind::TooMany, ..) => AppError::TooMany { message },
            (WireKind::KeyReused, ..) => AppError::KeyReused { message },
            (WireKind::InProgress, ..) => AppError::InProgress { message },
            (WireKind::Transient, ..) => AppError::Transient { message },
            (WireKind::BadRequest, ..) => AppError::BadRequest { message },
            (WireKind::Network, ..) => AppError::Network { message },
            // A validation error without its field or a conflict without its record cannot be
            // acted on as such; show it as the server's failure rather than guess.
            (WireKind::Internal | WireKind::Validation | WireKind::Conflict, ..) => AppError::Internal { message },
        }
    }
}

impl AppError {
    /// The HTTP status the server answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation { .. } | AppError::KeyReused { .. } => 422,
            AppError::Conflict { .. } | AppError::InProgress { .. } => 409,
            AppError::NotFound { .. } => 404,
            AppError::Forbidden { .. } => 403,
            AppError::Unauthorized { .. } => 401,
            AppError::TooMany { .. } => 429,
            AppError::Transient { .. } => 503,
            AppError::BadRequest { .. } => 400,
            AppError::Internal { .. } | AppError::Network { .. } => 500,
        }
    }

    /// Whether sending the same request again (same idempotency key) may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, AppError::InProgress { .. } | AppError::Transient { .. } | AppError::Network { .. })
    }

    /// The answer to a request from nobody signed in.
    pub fn unauthorized() -> Self {
        AppError::Unauthorized { message: "You're signed out. Sign in to continue; nothing was changed.".into() }
    }

    /// The answer to a write a viewer may not make.
    pub fn read_only() -> Self {
        AppError::Forbidden { message: "You can view this order but no longer change it.".into() }
    }

    /// The HTTP answer for this error outside a server function: its status and the typed error.
    #[cfg(feature = "ssr")]
    pub fn into_response_with_status(self) -> axum::response::Response {
        use axum::response::IntoResponse;
        let status = axum::http::StatusCode::from_u16(self.status()).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(self)).into_response()
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

/// The most characters of a parser's error detail a "malformed request" message quotes.
const MALFORMED_DETAIL_CHARS: usize = 120;

impl FromServerFnError for AppError {
    // Read on the client with the crate's small JSON reader, like every other answer.
    type Encoder = crate::wire::WireJson;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            ServerFnErrorErr::Request(_) => AppError::Network {
                message: "Couldn't reach the server. Check your connection and retry.".into(),
            },
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => AppError::BadRequest {
                // The parser's detail may quote the input: bounded, like every echo of input.
                message: format!(
                    "The request was malformed ({}). Reload the page and try again.",
                    crate::domain::excerpt_chars(&detail, MALFORMED_DETAIL_CHARS)
                ),
            },
            ServerFnErrorErr::Deserialization(detail) => unreadable_body(&detail, !cfg!(feature = "ssr")),
            _ => AppError::internal(),
        };
        // On the server this is the answer to a request whose arguments couldn't be read: its
        // status must say so (400), not the 500 the server function layer would send.
        #[cfg(feature = "ssr")]
        crate::api::context::answer_with_status(&error);
        error
    }

    /// An error answer (4xx, 5xx) that isn't our JSON came from something between us and the
    /// server (a proxy's 502), or from a server cut off mid-answer: nothing is known to have
    /// happened, so the request is sent again with the same key.
    fn de(data: leptos::server_fn::Bytes) -> Self {
        crate::wire::from_slice(&data).unwrap_or_else(|_| AppError::Transient {
            message: "The server's answer couldn't be read. Trying again…".into(),
        })
    }
}

/// A body that couldn't be read or decoded: on the client, the server's answer; on the server,
/// the request. Read but not the JSON expected: the page is older than the server (reload to
/// get the app that speaks its language); a request's is malformed (400). Not even read (the
/// connection dropped mid-answer): on the client nothing is known of the outcome, so it is a
/// network failure, resent with the same key; on the server the request is refused (400).
fn unreadable_body(detail: &str, on_client: bool) -> AppError {
    if on_client && detail != crate::wire::BadJson.to_string() {
        return AppError::Network { message: "The connection dropped before the server answered. Check your connection and retry.".into() };
    }
    AppError::BadRequest { message: "The answer couldn't be read. Reload the page to get the latest version of the app.".into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_request_quotes_a_bounded_detail() {
        let detail = format!("invalid value: string \"{}\"", "a".repeat(100_000));
        let AppError::BadRequest { message } = AppError::from_server_fn_error(ServerFnErrorErr::Args(detail)) else {
            panic!("a bad request");
        };
        assert!(message.chars().count() < 200, "{message}");
        assert!(message.starts_with("The request was malformed (invalid value") && message.ends_with("Reload the page and try again."), "{message}");
    }

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
    fn every_kind_round_trips_through_the_wire_shape() {
        let order: Order = serde_json::from_value(serde_json::json!({
            "id": "019ab0c4-5a2e-7cc1-8b0e-0a1b2c3d4e5f", "number": 1042, "customer": "Ada", "item": "Tea",
            "note": "", "quantity": 2, "unit_price": 150, "total": 300, "status": "draft", "starred": false,
            "position": 1, "version": 3, "created_at": 0, "updated_at": 0
        }))
        .unwrap();
        let all = [
            AppError::Validation { field: Field::Note, message: "m".into() },
            AppError::Conflict { message: "m".into(), current: Box::new(order) },
            AppError::not_found("m"),
            AppError::Forbidden { message: "m".into() },
            AppError::unauthorized(),
            AppError::TooMany { message: "m".into() },
            AppError::KeyReused { message: "m".into() },
            AppError::InProgress { message: "m".into() },
            AppError::Transient { message: "m".into() },
            AppError::BadRequest { message: "m".into() },
            AppError::internal(),
            AppError::Network { message: "m".into() },
        ];
        for e in all {
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), e, "{json}");
        }
        let conflict_json = serde_json::to_value(AppError::not_found("gone")).unwrap();
        assert_eq!(conflict_json, serde_json::json!({"kind": "not_found", "message": "gone"}));
    }

    #[test]
    fn transport_errors_become_retryable_network_errors() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::Request("reset".into()));
        assert!(e.is_retryable());
        assert!(!e.to_string().contains("reset"), "no transport detail in the user's message");
    }

    #[test]
    fn an_answer_cut_off_is_resent_and_an_answer_of_another_format_is_not() {
        let cut_off = unreadable_body("TypeError: network error", true);
        assert!(cut_off.is_retryable(), "{cut_off:?}");
        let other_format = unreadable_body(&crate::wire::BadJson.to_string(), true);
        assert!(matches!(other_format, AppError::BadRequest { .. }), "{other_format:?}");
        // A request body the server couldn't read is refused, whatever the reason.
        assert_eq!(unreadable_body("length limit exceeded", false).status(), 400);
    }

    #[test]
    fn an_error_answer_that_is_not_ours_is_resent() {
        let proxy = AppError::de("<html>502 Bad Gateway</html>".into());
        assert!(matches!(proxy, AppError::Transient { .. }), "{proxy:?}");
        let ours = AppError::de(serde_json::to_vec(&AppError::not_found("gone")).unwrap().into());
        assert_eq!(ours, AppError::not_found("gone"));
    }

    #[test]
    fn internal_errors_say_what_to_do_next() {
        let msg = AppError::internal().to_string();
        assert!(msg.contains("Try again"));
        assert!(!msg.to_lowercase().contains("something went wrong"));
    }
}
