//! How the engine takes the server's answers: confirmations, rejections, version conflicts
//! and transient failures, each changing only server records, the queue and row notes. No
//! IO, no clock (the caller passes `now`), no rendered state.

use super::Millis;
use super::backoff::{BASE_DELAY_MS, MAX_ATTEMPTS, retry_delay_ms};
use super::engine::{Engine, Entry, OpId, RolledBack};
use super::fold;
use super::outcome::Outcome;
use super::record::{Effect, Mutation, Record, SyncError};

impl<R: Record, M: Mutation<R>> Engine<R, M> {
    /// Applies the server's answer to op `op_id`; `now` dates the backoff of a transient
    /// failure. Returns whether the answer matched a sent, unanswered op.
    ///
    /// An answer for an op we no longer have (a duplicate, a late answer after a rollback) or
    /// never sent changes no queue entry or note; its records are still merged into rows we
    /// hold by the version rule, which cannot regress them. A transient answer counts only
    /// while the op is in flight.
    pub fn apply_outcome(&mut self, op_id: OpId, outcome: Outcome<R, M::Error>, now: Millis) -> bool {
        let Some(i) = self.queue.iter().position(|e| e.op.id == op_id && e.sent) else {
            self.absorb_unmatched(outcome);
            return false;
        };
        match outcome {
            Outcome::Busy(_) => {
                let entry = &mut self.queue[i];
                if !entry.in_flight() {
                    return false;
                }
                entry.in_flight_since = None;
                entry.not_before = Some(now.saturating_add(BASE_DELAY_MS as i64));
            }
            Outcome::Transient(reason) => {
                let entry = &mut self.queue[i];
                if !entry.in_flight() {
                    return false;
                }
                entry.in_flight_since = None;
                entry.op.attempts += 1;
                if entry.op.attempts >= MAX_ATTEMPTS {
                    let entry = self.queue.remove(i);
                    self.roll_back(entry, M::Error::unreachable(reason));
                } else {
                    let delay = i64::try_from(retry_delay_ms(entry.op.attempts)).unwrap_or(i64::MAX);
                    entry.not_before = Some(now.saturating_add(delay));
                }
            }
            Outcome::Confirmed(record) => {
                let entry = self.queue.remove(i);
                let (row, version) = (entry.op.target, record.version());
                self.merge(record);
                match entry.op.kind.effect() {
                    Effect::Delete => self.set_delete_hold(row, true, None, version),
                    Effect::Restore => self.set_delete_hold(row, false, None, version),
                    _ => {}
                }
                self.rebase(row);
            }
            Outcome::DeleteHeld { record, undo_until } => {
                let entry = self.queue.remove(i);
                let (row, version) = (entry.op.target, record.version());
                self.merge(record);
                self.set_delete_hold(row, true, Some(undo_until), version);
                self.rebase(row);
            }
            Outcome::ConfirmedList(list) => {
                let entry = self.queue.remove(i);
                for record in list {
                    // Other rows our move renumbered are rebased by `merge` (position only).
                    let key = record.key();
                    self.merge(record);
                    if key == entry.op.target {
                        self.rebase(key);
                    }
                }
            }
            Outcome::Rejected(error) => {
                let entry = self.queue.remove(i);
                self.roll_back(entry, error);
            }
            Outcome::VersionConflict(current) => {
                let entry = self.queue.remove(i);
                self.take_conflict(entry, current);
            }
        }
        true
    }

    /// Someone changed the row first: the op is dropped (and noted, unless the server already
    /// holds what it asked for) and the server's record taken. The ops queued behind it on the
    /// row are re-made on that record ([`Engine::remake`]).
    fn take_conflict(&mut self, entry: Entry<R, M>, current: R) {
        let row = entry.op.target;
        self.merge(current);
        let Some(now) = self.rows.get(&row) else { return };
        if !entry.op.kind.is_held_by(now) {
            self.marks.get_or_default(row).lost.push(entry.op.kind);
        }
        self.remake(row);
    }

    fn absorb_unmatched(&mut self, outcome: Outcome<R, M::Error>) {
        let records = match outcome {
            Outcome::Confirmed(record) | Outcome::VersionConflict(record) | Outcome::DeleteHeld { record, .. } => {
                vec![record]
            }
            Outcome::ConfirmedList(list) => list,
            Outcome::Rejected(_) | Outcome::Transient(_) | Outcome::Busy(_) => Vec::new(),
        };
        for record in records {
            // Only rows we hold: a late answer must not resurrect a row removed since.
            if self.rows.contains(&record.key()) {
                self.merge(record);
            }
        }
    }

    /// Drops a failed op from the queue and notes it on its row with a retry handle. Later
    /// ops on the row stay applied. If a later queued op on the row touches the same field,
    /// the failure is moot (the person's latest intent is still pending) and no note is made.
    fn roll_back(&mut self, mut entry: Entry<R, M>, error: M::Error) {
        let row = entry.op.target;
        entry.in_flight_since = None;
        entry.not_before = None;
        entry.op.attempts = 0;
        let mut ops = vec![entry];
        if ops[0].is_create() {
            let (dependents, rest): (Vec<_>, Vec<_>) =
                std::mem::take(&mut self.queue).into_iter().partition(|e| e.op.target == row);
            self.queue = rest;
            ops.extend(dependents);
            // The person deleted the new row before its create failed: nothing left to keep.
            if fold::apply_ops(Vec::new(), ops.iter().map(|e| &e.op)).first().is_some_and(|r| r.deleted) {
                return;
            }
        } else {
            let failed = &ops[0].op.kind;
            let superseded = self.queue.iter().any(|e| e.op.target == row && e.op.kind.supersedes(failed));
            let shown = self.rows.contains(&row) || self.has_pending_create(row);
            if superseded || !shown {
                return;
            }
        }
        self.marks.get_or_default(row).rolled_back = Some(RolledBack { error, ops });
    }
}
