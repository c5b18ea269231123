//! Server answers to one operation, as the transport layer hands them to the engine, and the
//! typed row errors they carry. Data only: no IO, no decisions (the engine decides).

use serde::{Deserialize, Serialize};

use crate::domain::{Field, Order, Timestamp};

/// The answer to one sent operation. The transport maps HTTP statuses onto these; the engine
/// tells them apart as PRODUCT.md requires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Success with the server's full record. It may differ from the prediction (a soft
    /// conflict: server-computed totals, number, timestamps); the server's values win.
    Confirmed(Order),
    /// Success of a reorder: the canonical list, each record with its version.
    ConfirmedList(Vec<Order>),
    /// Success of a delete: the server holds it, and it can be undone until `undo_until` (the
    /// server's delete receipt). A delete answered with plain `Confirmed` is held too, with
    /// no known deadline.
    DeleteHeld {
        /// The record as the server holds it.
        order: Order,
        /// When the undo window closes and the server drops the order.
        undo_until: Timestamp,
    },
    /// Hard rejection (validation, not found, forbidden, server error): this op is rolled
    /// back, later ops on the row stay.
    Rejected(RowError),
    /// 409: someone changed the row first. Carries the server's current record.
    VersionConflict(Order),
    /// Transport failure, timeout, or "the same key is still running": nothing is known, so the
    /// op is resent later with the same idempotency key. The text is for logs, not for people.
    Transient(String),
}

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
}

impl ErrorKind {
    /// Whether resending the same op (same idempotency key, same payload) can succeed. A
    /// rejected payload stays rejected, so only failures of the server or the network are
    /// worth a Retry button. This relies on the server not storing 5xx results under the key.
    pub fn is_retryable(self) -> bool {
        matches!(self, ErrorKind::Server | ErrorKind::Transport)
    }
}

/// A failed write of one row: its kind and the server's message (which, by the write path
/// contract, says what failed and what to do next). For [`ErrorKind::Transport`] the message
/// is the technical reason and is not shown; see [`crate::sync::failure_message`].
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
