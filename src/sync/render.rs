//! How the engine renders: `view()` folds server records and the queue on every read and adds
//! each row's state. Read-only: nothing here changes the engine or caches a rendered row.

use super::engine::Engine;
use super::fold::{self, FoldedRow};
use super::record::{Mutation, Record, SyncError};
use super::view::{PendingWork, RowState, RowView};

impl<R: Record, M: Mutation<R>> Engine<R, M> {
    /// The rows to render, in order: rolled-back creates first (newest first) so their Retry
    /// has a place, then `fold(authoritative, queue)`: server records by position with
    /// pending creates on top and pending moves applied. Each row as [`Engine::row`] folds it,
    /// in [`Engine::order`]'s order: one rule for the whole list and for one row.
    pub fn view(&self) -> Vec<RowView<R, M>> {
        self.order().into_iter().filter_map(|key| self.row(key)).collect()
    }

    /// One row of [`Engine::view`], computed from that row's record and ops alone: what the
    /// UI recomputes after a change to one row, so a click costs the same with 25 rows or 500.
    pub fn row(&self, key: R::Key) -> Option<RowView<R, M>> {
        let server: Vec<FoldedRow<R>> =
            self.rows.get(&key).map(|r| FoldedRow { record: r.clone(), deleted: self.delete_held(key) }).into_iter().collect();
        let ops = self.elsewhere_ops().chain(self.queue.iter().map(|e| &e.op)).filter(|op| op.target == key);
        let row = fold::apply_ops(server, ops).into_iter().next().or_else(|| {
            // A rolled-back create shows from its own ops.
            let rolled_back = self.marks.get(&key)?.rolled_back.as_ref().filter(|rb| rb.is_create())?;
            fold::apply_ops(Vec::new(), rolled_back.ops.iter().map(|e| &e.op)).into_iter().next()
        })?;
        Some(self.decorate(row))
    }

    /// The keys of [`Engine::view`], in its order, without building any row.
    pub fn order(&self) -> Vec<R::Key> {
        let folded = fold::order::<R, M>(
            fold::canonical(self.rows.iter()),
            self.elsewhere_ops().chain(self.queue.iter().map(|e| &e.op)),
        );
        let ghosts: Vec<R::Key> = self
            .marks
            .iter()
            .rev()
            .filter(|(key, m)| m.rolled_back.as_ref().is_some_and(|rb| rb.is_create()) && !folded.contains(key))
            .map(|(key, _)| *key)
            .collect();
        ghosts.into_iter().chain(folded).collect()
    }

    fn decorate(&self, row: FoldedRow<R>) -> RowView<R, M> {
        let key = row.record.key();
        let pending = self.pending_work(key);
        let marks = self.marks.get(&key);
        let rolled_back = marks.and_then(|m| m.rolled_back.as_ref());
        let lost = marks.map(|m| m.lost.clone()).unwrap_or_default();
        let state = if row.deleted {
            let hold = self.current_hold(key);
            RowState::Deleted { held: hold.is_some(), undo_until: hold.and_then(|h| h.undo_until) }
        } else if let Some(rb) = rolled_back {
            RowState::RolledBack { error: rb.error.clone(), retryable: rb.error.is_retryable() }
        } else if !lost.is_empty() {
            RowState::UpdatedElsewhere
        } else if pending.is_some() {
            RowState::Pending
        } else {
            RowState::Idle
        };
        let rolled_back = rolled_back.map(|rb| (rb.ops[0].op.kind.clone(), rb.error.clone()));
        RowView { record: row.record, state, pending, rolled_back, lost }
    }

    fn pending_work(&self, key: R::Key) -> Option<PendingWork<M::Field>> {
        let theirs: Vec<M::Field> = self.elsewhere_ops().filter(|op| op.target == key).map(|op| op.kind.field()).collect();
        let mut mine = self.queue.iter().filter(|e| e.op.target == key).peekable();
        if theirs.is_empty() && mine.peek().is_none() {
            return None;
        }
        let head = mine.peek().copied();
        let mut fields: Vec<M::Field> = Vec::new();
        let mut restored = false;
        for field in theirs.into_iter().chain(mine.map(|e| {
            restored |= e.restored;
            e.op.kind.field()
        })) {
            if !fields.contains(&field) {
                fields.push(field);
            }
        }
        Some(PendingWork {
            fields,
            in_flight: head.is_some_and(|h| h.in_flight()),
            sent_at: head.and_then(|h| h.in_flight_since),
            attempts: head.map_or(0, |h| h.op.attempts),
            retry_at: head.and_then(|h| h.not_before),
            restored,
            elsewhere: head.is_none(),
        })
    }
}
