//! Why the server refused an order operation, in the categories the UI treats differently.
//! Data only: the transport maps answers onto these, the copy turns them into sentences.

use serde::{Deserialize, Serialize};

use crate::domain::Field;
use crate::sync::SyncError;

/// Why a write was refused, in the categories the UI treats differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ErrorKind {
    /// Bad input; the UI shows the message at this field and restores the input.
    Validation {
        /// The input field at fault.
        field: Field,
    },
    /// The order is gone (deleted, or its undo window has passed).
    NotFound,
    /// The user may not make this change.
    Forbidden,
    /// The server failed while handling the write.
    Server,
    /// The request never got a definite answer, even after the bounded retries.
    Transport,
    /// The request can't succeed as it is, however often it is sent: its key was used for
    /// another change, or the server could not read it (e.g. the page is older than the
    /// server). Reloading and making the change again is the way out.
    Unsendable,
    /// Restored after a reload or from a closed tab, but older than the server's idempotency
    /// window: resending it with its key could apply it a second time, so it is not sent
    /// unless the person says so (Retry), or is dropped (Discard).
    NotSent,
}

impl ErrorKind {
    /// Whether resending the same op (same idempotency key, same payload) can succeed. A
    /// rejected payload stays rejected, so only failures of the server or the network are
    /// worth a Retry button. This relies on the server not storing 5xx results under the key.
    pub fn is_retryable(self) -> bool {
        matches!(self, ErrorKind::Server | ErrorKind::Transport | ErrorKind::NotSent)
    }
}

/// A failed write of one row: its kind and the server's message (which, by the write path
/// contract, says what failed and what to do next). For [`ErrorKind::Transport`] the message
/// is the technical reason and is not shown; see [`super::failure_message`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct RowError {
    /// What kind of failure, which decides Retry and where the message shows.
    pub kind: ErrorKind,
    /// The server's person-facing message (or, for transport, the technical reason).
    pub message: String,
}

impl RowError {
    /// Any kind with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }

    /// A validation error at `field`.
    pub fn validation(field: Field, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Validation { field }, message)
    }

    /// The network gave up; `reason` is for logs.
    pub fn transport(reason: impl Into<String>) -> Self {
        Self::new(ErrorKind::Transport, reason)
    }

    /// Whether the row offers Retry for this error.
    pub fn is_retryable(&self) -> bool {
        self.kind.is_retryable()
    }
}

impl SyncError for RowError {
    fn is_retryable(&self) -> bool {
        RowError::is_retryable(self)
    }

    fn unreachable(reason: String) -> Self {
        RowError::transport(reason)
    }
}
