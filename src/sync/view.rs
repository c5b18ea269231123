//! What the UI renders for each row: the folded record and the row's state. Plain data built by
//! the engine; no reconciliation logic lives here.

use serde::{Deserialize, Serialize};

use crate::domain::{Order, Timestamp};

use super::op::OpField;
use super::outcome::RowError;

/// One row as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowView {
    /// The record to show: the server's last confirmed record with the row's pending ops
    /// applied. Its place in the list is its index in [`crate::sync::Engine::view`]; while a
    /// move is pending, `order.position` is still the server's value.
    pub order: Order,
    /// The headline state: drives the row's CSS class and its main affordance.
    pub state: RowState,
    /// Unconfirmed work on the row, whatever the headline (a rolled-back row can still carry a
    /// later edit in flight): which fields to hedge, whether a request is out.
    pub pending: Option<PendingWork>,
    /// The status line, if the row has one: why a change was rolled back, or that the row was
    /// updated elsewhere. Present even when the headline is `Deleted`.
    pub message: Option<String>,
}

/// The states of an optimistic row (PRODUCT.md), one per row. When several apply, the
/// headline is the first of: `Deleted`, `RolledBack`, `UpdatedElsewhere`, `Pending`, `Idle`.
/// "Confirmed" is `Idle` after `Pending`: the hedge drops and the server's record shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum RowState {
    /// Nothing pending, nothing to report.
    Idle,
    /// Unconfirmed changes show hedged; details in [`RowView::pending`].
    Pending,
    /// A change was undone on the row; `message` says which and why. `retryable` shows Retry.
    RolledBack {
        /// Why; the person-facing text is in [`RowView::message`].
        error: RowError,
        /// Whether to offer Retry ([`crate::sync::Engine::retry`]).
        retryable: bool,
    },
    /// The user's change lost to someone else's; the row shows the server's record.
    UpdatedElsewhere,
    /// "Deleted · Undo": the row stays in place with Undo until the server drops it.
    Deleted {
        /// The server holds the delete; `false` while it is still being sent.
        held: bool,
        /// When Undo stops being possible, if the server said.
        undo_until: Option<Timestamp>,
    },
}

impl RowState {
    /// The CSS class for the state (STYLE.md: classes named after the states).
    pub fn class(&self) -> &'static str {
        match self {
            RowState::Idle => "idle",
            RowState::Pending => "pending",
            RowState::RolledBack { .. } => "rolled-back",
            RowState::UpdatedElsewhere => "updated-elsewhere",
            RowState::Deleted { .. } => "deleted",
        }
    }
}

/// The row's unconfirmed operations, summarised for rendering.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingWork {
    /// Fields with unconfirmed changes, each once, oldest first: the ones to hedge.
    pub fields: Vec<OpField>,
    /// A request for this row is out now ("sending" glyph).
    pub in_flight: bool,
    /// The oldest op has failed transiently this many times and is waiting to be resent.
    pub attempts: u32,
    /// When the waiting op may be resent, if it is waiting for backoff.
    pub retry_at: Option<Timestamp>,
}
