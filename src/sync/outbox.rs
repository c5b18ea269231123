//! What the engine must never lose, as data: the queue of unconfirmed ops and the rows' notes
//! (a rolled-back change kept for Retry), with the server records they were made on. The
//! caller persists an [`Outbox`] (serde) after every change and restores it on the next page
//! load, or hands it to another tab when this one is gone; each op keeps its id, so the
//! server applies it at most once however often it is resent.
//!
//! Ops another tab holds (and sends) are shown here too ([`Engine::show_elsewhere`]): they
//! render as pending, and an op of ours on the same record waits until every older one held
//! elsewhere is answered, so the records' changes reach the server in the order people made
//! them, each from one tab only.

use serde::{Deserialize, Serialize};

use super::engine::{Engine, Entry, Marks, Op, OpId, RolledBack};
use super::record::{Effect, Mutation, Record};

/// The engine's unconfirmed work, to persist and restore.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Outbox<R: Record, M: Mutation<R>> {
    pub(super) queue: Vec<Entry<R, M>>,
    pub(super) marks: Vec<(R::Key, Marks<R, M>)>,
    /// The server records of the rows above (so a restored row renders before any list is
    /// loaded), and of rows whose ops were answered since the last save (so other tabs take
    /// the outcome with the op's removal, not a moment later with the push).
    pub(super) records: Vec<R>,
}

impl<R: Record, M: Mutation<R>> Default for Outbox<R, M> {
    fn default() -> Self {
        Outbox { queue: Vec::new(), marks: Vec::new(), records: Vec::new() }
    }
}

impl<R: Record, M: Mutation<R>> Outbox<R, M> {
    /// The queued ops, oldest first.
    pub fn ops(&self) -> impl Iterator<Item = &Op<R::Key, M>> {
        self.queue.iter().map(|e| &e.op)
    }

    /// Nothing queued and no notes: nothing to keep.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty() && self.marks.is_empty()
    }

    /// Nothing queued, no notes and no records to pass on: nothing to store.
    pub fn carries_nothing(&self) -> bool {
        self.is_empty() && self.records.is_empty()
    }

    /// The keys of records this outbox has work or notes on.
    pub fn keys(&self) -> impl Iterator<Item = R::Key> + '_ {
        self.queue.iter().map(|e| e.op.target).chain(self.marks.iter().map(|(k, _)| *k))
    }
}

/// Ops held by another tab, shown but never sent from here.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Elsewhere<R: Record, M: Mutation<R>> {
    pub owner: String,
    pub ops: Vec<Op<R::Key, M>>,
}

impl<R: Record, M: Mutation<R>> Engine<R, M> {
    /// Everything unconfirmed, with the records it was made on and those of `answered` (keys
    /// whose ops were answered since the last save).
    pub fn outbox(&self, answered: impl IntoIterator<Item = R::Key>) -> Outbox<R, M> {
        let queue = self.queue.clone();
        let marks: Vec<(R::Key, Marks<R, M>)> = self.marks.iter().map(|(k, m)| (*k, m.clone())).collect();
        let mut keys: Vec<R::Key> = queue.iter().map(|e| e.op.target).chain(marks.iter().map(|(k, _)| *k)).collect();
        keys.extend(answered);
        keys.sort();
        keys.dedup();
        let records = keys.iter().filter_map(|k| self.rows.get(k).cloned()).collect();
        Outbox { queue, marks, records }
    }

    /// Takes a persisted outbox (this page's previous life, or a tab that is gone): records by
    /// the version rule, ops we don't hold yet (by id) into the queue, marked restored and
    /// resent with their keys when due, notes on rows that have none. Returns how many ops
    /// were taken.
    pub fn restore(&mut self, outbox: Outbox<R, M>) -> usize {
        for record in outbox.records {
            self.merge(record);
        }
        let mut taken = 0;
        for mut entry in outbox.queue {
            if self.knows_op(entry.op.id) {
                continue;
            }
            entry.in_flight_since = None;
            entry.restored = true;
            // Before the first of our own never-sent ops on the row that is newer: the row's
            // changes go out in the order they were made.
            let at = self
                .queue
                .iter()
                .position(|e| e.op.target == entry.op.target && !e.sent && e.op.id > entry.op.id)
                .unwrap_or(self.queue.len());
            self.queue.insert(at, entry);
            taken += 1;
        }
        for (key, marks) in outbox.marks {
            if !self.marks.contains_key(&key) {
                self.marks.insert(key, marks);
            }
        }
        self.elsewhere.retain(|e| !e.ops.iter().any(|op| self.queue.iter().any(|q| q.op.id == op.id)));
        taken
    }

    /// Shows what another tab (`owner`) holds: its records by the version rule, its ops as
    /// pending rows. Replaces what that tab showed before; an empty outbox clears it.
    pub fn show_elsewhere(&mut self, owner: &str, outbox: Outbox<R, M>) {
        for record in outbox.records {
            self.merge(record);
        }
        self.elsewhere.retain(|e| e.owner != owner);
        let ops: Vec<Op<R::Key, M>> = outbox.queue.into_iter().map(|e| e.op).filter(|op| !self.knows_op(op.id)).collect();
        if !ops.is_empty() {
            self.elsewhere.push(Elsewhere { owner: owner.to_string(), ops });
        }
    }

    /// Ops other tabs hold, oldest tab first.
    pub fn elsewhere_ops(&self) -> impl Iterator<Item = &Op<R::Key, M>> {
        self.elsewhere.iter().flat_map(|e| e.ops.iter())
    }

    /// Whether an op held elsewhere on `target` is older than `id`: ours waits for it.
    pub(super) fn waits_elsewhere(&self, target: R::Key, id: OpId) -> bool {
        self.elsewhere_ops().any(|op| op.target == target && op.id < id)
    }

    /// Whether another tab holds a pending create of `target`.
    pub(super) fn created_elsewhere(&self, target: R::Key) -> bool {
        self.elsewhere_ops().any(|op| op.target == target && matches!(op.kind.effect(), Effect::Create(_)))
    }

    /// The request for `op_id` never reached the server (no network): it is no longer in
    /// flight and is sent again when due, and it does not count as an attempt. Returns
    /// whether such an op was in flight.
    pub fn put_back(&mut self, op_id: OpId) -> bool {
        match self.queue.iter_mut().find(|e| e.op.id == op_id && e.in_flight()) {
            Some(entry) => {
                entry.in_flight_since = None;
                true
            }
            None => false,
        }
    }

    /// Takes the queued ops `which` selects out of the queue, each rolled back on its row
    /// with `why(op)` (e.g. restored ops too old to resend blindly): Retry resends one with
    /// its key, dismissing drops it. Returns how many were set aside.
    pub fn set_aside(&mut self, which: impl Fn(&Op<R::Key, M>) -> bool, why: impl Fn(&Op<R::Key, M>) -> M::Error) -> usize {
        let mut count = 0;
        while let Some(i) = self.queue.iter().position(|e| !e.in_flight() && which(&e.op)) {
            let mut entry = self.queue.remove(i);
            entry.not_before = None;
            entry.op.attempts = 0;
            let row = entry.op.target;
            let marks = self.marks.get_or_default(row);
            // A row has one rolled-back change; another one set aside joins it. Nothing is
            // dropped here, even an op a later one supersedes: the person decides.
            match marks.rolled_back.as_mut() {
                Some(rolled_back) => rolled_back.ops.push(entry),
                None => marks.rolled_back = Some(RolledBack { error: why(&entry.op), ops: vec![entry] }),
            }
            count += 1;
        }
        count
    }

    /// How many ops are waiting for the server, here and in other tabs.
    pub fn unconfirmed_count(&self) -> usize {
        self.queue.len() + self.elsewhere_ops().count()
    }
}
