//! What the UI renders for each row: the folded record and the row's state. Plain data built by
//! the engine; no reconciliation logic, no copy and no markup live here.

use serde::{Deserialize, Serialize};

use super::Millis;
use super::record::{Mutation, Record};

/// One row as the UI shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct RowView<R: Record, M: Mutation<R>> {
    /// The record to show: the server's last confirmed record with the row's pending ops
    /// applied. Its place in the list is its index in [`crate::sync::Engine::view`]; while a
    /// move is pending, its own position field is still the server's value.
    pub record: R,
    /// The headline state.
    pub state: RowState<M::Error>,
    /// Unconfirmed work on the row, whatever the headline (a rolled-back row can still carry a
    /// later edit in flight): which fields to hedge, whether a request is out.
    pub pending: Option<PendingWork<M::Field>>,
    /// The change that was rolled back and why, for the row's copy. Present whatever the
    /// headline (a failed restore leaves the row deleted).
    pub rolled_back: Option<(M, M::Error)>,
    /// The person's changes that lost to changes made elsewhere and that the server does not
    /// hold, oldest first. Present whatever the headline.
    pub lost: Vec<M>,
}

/// The states of an optimistic row, one per row. When several apply, the headline is the
/// first of: `Deleted`, `RolledBack`, `UpdatedElsewhere`, `Pending`, `Idle`. "Confirmed" is
/// `Idle` after `Pending`: the hedge drops and the server's record shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum RowState<E> {
    /// Nothing pending, nothing to report.
    Idle,
    /// Unconfirmed changes show hedged; details in [`RowView::pending`].
    Pending,
    /// A change was undone on the row. `retryable` offers Retry.
    RolledBack {
        /// Why.
        error: E,
        /// Whether to offer Retry ([`crate::sync::Engine::retry`]).
        retryable: bool,
    },
    /// Some of the user's changes lost to someone else's ([`RowView::lost`]); the row shows
    /// the server's record.
    UpdatedElsewhere,
    /// Deleted, undoably: the row stays in place with Undo until the server drops it.
    Deleted {
        /// The server holds the delete; `false` while it is still being sent.
        held: bool,
        /// When Undo stops being possible, if the server said.
        undo_until: Option<Millis>,
    },
}

/// The row's unconfirmed operations, summarised for rendering.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingWork<F> {
    /// Fields with unconfirmed changes, each once, oldest first: the ones to hedge.
    pub fields: Vec<F>,
    /// A request for this row is out now ("sending" glyph).
    pub in_flight: bool,
    /// When the request that is out now was sent, so the UI can say a slow one is slow.
    pub sent_at: Option<Millis>,
    /// The oldest op has failed transiently this many times and is waiting to be resent.
    pub attempts: u32,
    /// When the waiting op may be resent, if it is waiting for backoff.
    pub retry_at: Option<Millis>,
    /// Some of it was restored from a persisted outbox (an earlier page load, a closed tab)
    /// and is not confirmed yet.
    pub restored: bool,
    /// All of it is held, and sent, by another tab.
    pub elsewhere: bool,
}
