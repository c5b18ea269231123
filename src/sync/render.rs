//! How the engine renders: `view()` folds server rows and the queue on every read and adds
//! each row's state. Read-only: nothing here changes the engine or caches a rendered row.

use crate::domain::OrderId;

use super::copy::{failure_message, updated_elsewhere_message};
use super::engine::Engine;
use super::fold::{self, FoldedRow};
use super::view::{PendingWork, RowState, RowView};

impl Engine {
    /// The rows to render, in order: rolled-back creates first (newest first) so their Retry
    /// has a place, then `fold(authoritative, queue)`: server rows by position with pending
    /// creates on top and pending moves applied.
    pub fn view(&self) -> Vec<RowView> {
        let folded = fold::fold(&self.rows, self.queue.iter().map(|e| &e.op));
        let ghosts = self
            .marks
            .iter()
            .rev()
            .filter_map(|(id, m)| m.rolled_back.as_ref().filter(|rb| rb.is_create()).map(|rb| (id, rb)))
            .filter(|(id, _)| !folded.iter().any(|r| r.order.id == **id))
            .flat_map(|(_, rb)| fold::apply_ops(Vec::new(), rb.ops.iter().map(|e| &e.op)))
            .collect::<Vec<_>>();
        ghosts.into_iter().chain(folded).map(|row| self.decorate(row)).collect()
    }

    /// One row of [`Engine::view`].
    pub fn row(&self, id: OrderId) -> Option<RowView> {
        self.view().into_iter().find(|r| r.order.id == id)
    }

    fn decorate(&self, row: FoldedRow) -> RowView {
        let id = row.order.id;
        let pending = self.pending_work(id);
        let marks = self.marks.get(&id);
        let rolled_back = marks.and_then(|m| m.rolled_back.as_ref());
        let elsewhere = marks.and_then(|m| m.updated_elsewhere);
        let state = if row.deleted {
            let server = self.rows.get(&id).filter(|r| r.delete_held);
            RowState::Deleted { held: server.is_some(), undo_until: server.and_then(|r| r.undo_until) }
        } else if let Some(rb) = rolled_back {
            RowState::RolledBack { error: rb.error.clone(), retryable: rb.error.is_retryable() }
        } else if elsewhere.is_some() {
            RowState::UpdatedElsewhere
        } else if pending.is_some() {
            RowState::Pending
        } else {
            RowState::Idle
        };
        let message = rolled_back
            .map(|rb| failure_message(&rb.ops[0].op.kind, &row.order, &rb.error))
            .or_else(|| elsewhere.map(|field| updated_elsewhere_message(field, &row.order)));
        RowView { order: row.order, state, pending, message }
    }

    fn pending_work(&self, id: OrderId) -> Option<PendingWork> {
        let mut mine = self.queue.iter().filter(|e| e.op.order == id);
        let head = mine.next()?;
        let mut fields = vec![head.op.kind.field()];
        for entry in mine {
            let field = entry.op.kind.field();
            if !fields.contains(&field) {
                fields.push(field);
            }
        }
        Some(PendingWork { fields, in_flight: head.in_flight, attempts: head.op.attempts, retry_at: head.not_before })
    }
}
