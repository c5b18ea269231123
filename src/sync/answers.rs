//! How the engine takes the server's answers: confirmations, rejections, version conflicts
//! and transient failures, each changing only server rows, the queue and row notes. No IO,
//! no clock (the caller passes `now`), no rendered state.

use super::backoff::{MAX_ATTEMPTS, retry_delay_ms};
use super::engine::{Engine, Entry, RolledBack};
use super::fold;
use super::op::{OpId, OpKind};
use super::outcome::{Outcome, RowError};
use crate::domain::Timestamp;

impl Engine {
    /// Applies the server's answer to op `op_id`; `now` dates the backoff of a transient
    /// failure. Returns whether the answer matched a sent, unanswered op.
    ///
    /// An answer for an op we no longer have (a duplicate, a late answer after a rollback) or
    /// never sent changes no queue entry or note; its records are still merged into rows we
    /// hold by the version rule, which cannot regress them. A transient answer counts only
    /// while the op is in flight.
    pub fn apply_outcome(&mut self, op_id: OpId, outcome: Outcome, now: Timestamp) -> bool {
        let Some(i) = self.queue.iter().position(|e| e.op.id == op_id && e.sent) else {
            self.absorb_unmatched(outcome);
            return false;
        };
        match outcome {
            Outcome::Transient(reason) => {
                let entry = &mut self.queue[i];
                if !entry.in_flight {
                    return false;
                }
                entry.in_flight = false;
                entry.op.attempts += 1;
                if entry.op.attempts >= MAX_ATTEMPTS {
                    let entry = self.queue.remove(i);
                    self.roll_back(entry, RowError::transport(reason));
                } else {
                    let delay = i64::try_from(retry_delay_ms(entry.op.attempts)).unwrap_or(i64::MAX);
                    entry.not_before = Some(now.saturating_add(delay));
                }
            }
            Outcome::Confirmed(order) => {
                let entry = self.queue.remove(i);
                let (row, version) = (entry.op.order, order.version);
                self.merge(order);
                match entry.op.kind {
                    OpKind::Delete => self.set_delete_hold(row, true, None, version),
                    OpKind::UndoDelete => self.set_delete_hold(row, false, None, version),
                    _ => {}
                }
                self.rebase(row, version);
            }
            Outcome::DeleteHeld { order, undo_until } => {
                let entry = self.queue.remove(i);
                let (row, version) = (entry.op.order, order.version);
                self.merge(order);
                self.set_delete_hold(row, true, Some(undo_until), version);
                self.rebase(row, version);
            }
            Outcome::ConfirmedList(list) => {
                let entry = self.queue.remove(i);
                for order in list {
                    // Other rows our move renumbered are rebased by `merge` (position only).
                    let (id, version) = (order.id, order.version);
                    self.merge(order);
                    if id == entry.op.order {
                        self.rebase(id, version);
                    }
                }
            }
            Outcome::Rejected(error) => {
                let entry = self.queue.remove(i);
                self.roll_back(entry, error);
            }
            Outcome::VersionConflict(current) => {
                let entry = self.queue.remove(i);
                let row = entry.op.order;
                self.merge(current);
                // Rebase, not drop: the person can still see their later edits on the row, so
                // they are sent against the server's current version, after this note.
                if let Some(version) = self.rows.get(&row).map(|r| r.record.version) {
                    self.rebase(row, version);
                }
                self.marks.get_or_default(row).updated_elsewhere = Some(entry.op.kind.field());
            }
        }
        true
    }

    fn absorb_unmatched(&mut self, outcome: Outcome) {
        let records = match outcome {
            Outcome::Confirmed(order) | Outcome::VersionConflict(order) | Outcome::DeleteHeld { order, .. } => {
                vec![order]
            }
            Outcome::ConfirmedList(list) => list,
            Outcome::Rejected(_) | Outcome::Transient(_) => Vec::new(),
        };
        for order in records {
            // Only rows we hold: a late answer must not resurrect a row removed since.
            if self.rows.contains_key(&order.id) {
                self.merge(order);
            }
        }
    }

    /// Drops a failed op from the queue and notes it on its row with a retry handle. Later
    /// ops on the row stay applied. If a later queued op on the row touches the same field,
    /// the failure is moot (the person's latest intent is still pending) and no note is made.
    fn roll_back(&mut self, mut entry: Entry, error: RowError) {
        let row = entry.op.order;
        entry.in_flight = false;
        entry.not_before = None;
        entry.op.attempts = 0;
        let mut ops = vec![entry];
        if ops[0].is_create() {
            let (dependents, rest): (Vec<Entry>, Vec<Entry>) =
                std::mem::take(&mut self.queue).into_iter().partition(|e| e.op.order == row);
            self.queue = rest;
            ops.extend(dependents);
            // The person deleted the new row before its create failed: nothing left to keep.
            if fold::apply_ops(Vec::new(), ops.iter().map(|e| &e.op)).first().is_some_and(|r| r.deleted) {
                return;
            }
        } else {
            let field = ops[0].op.kind.field();
            let superseded = self.queue.iter().any(|e| e.op.order == row && e.op.kind.field() == field);
            let shown = self.rows.contains_key(&row) || self.has_pending_create(row);
            if superseded || !shown {
                return;
            }
        }
        self.marks.get_or_default(row).rolled_back = Some(RolledBack { error, ops });
    }
}
