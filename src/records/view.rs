//! An order row as the UI renders it: the engine's row with its status line in words and its
//! state's CSS class. Built from the engine's view; no reconciliation here.

use serde::{Deserialize, Serialize};

use crate::domain::{Order, OrderId};

use super::copy::{failure_message, is_quiet_failure, lost_changes_message};
use super::{Engine, OpKind, PendingWork, RowState};

/// One order row as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowView {
    /// The record to show: the server's record with the row's pending operations applied.
    /// While a move is pending, `order.position` is still the server's value; the row's place
    /// is its index in the list.
    pub order: Order,
    /// The headline state: drives the row's CSS class and its main affordance.
    pub state: RowState,
    /// Unconfirmed work on the row, whatever the headline.
    pub pending: Option<PendingWork>,
    /// The status line, if the row has one: why a change was rolled back, or which changes
    /// lost to changes made elsewhere. Present even when the headline is `Deleted`.
    pub message: Option<String>,
    /// The change that was rolled back, while the row says so (a refused rename reopens the
    /// editor with what was sent).
    #[serde(default)]
    pub refused: Option<OpKind>,
}

impl From<crate::sync::RowView<Order, OpKind>> for RowView {
    fn from(v: crate::sync::RowView<Order, OpKind>) -> Self {
        let failure = v.rolled_back.as_ref().map(|(kind, error)| failure_message(kind, &v.record, error));
        let message = failure.or_else(|| lost_changes_message(&v.lost, &v.record));
        RowView { order: v.record, state: v.state, pending: v.pending, message, refused: v.rolled_back.map(|(kind, _)| kind) }
    }
}

impl RowView {
    /// The row's rollback is told quietly (a cosmetic change Retry can mend).
    pub fn is_quiet(&self) -> bool {
        match (&self.state, &self.refused) {
            (RowState::RolledBack { error, .. }, Some(kind)) => is_quiet_failure(kind, error),
            _ => false,
        }
    }
}

impl Engine {
    /// The order rows to render, in list order (see [`crate::sync::Engine::view`]).
    pub fn order_view(&self) -> Vec<RowView> {
        self.view().into_iter().map(RowView::from).collect()
    }

    /// One row of [`Engine::order_view`].
    pub fn order_row(&self, id: OrderId) -> Option<RowView> {
        self.row(id).map(RowView::from)
    }
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
