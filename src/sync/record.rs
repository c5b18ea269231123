//! How a record type and its mutations plug into the engine. The engine knows records only
//! through [`Record`] and user intents only through [`Mutation`]; everything it decides
//! (ordering, coalescing, rebasing, rolling back) is written against these traits.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

use super::versioned::Versioned;

/// A server record the engine keeps in a list: versioned, keyed, and placed by `position`
/// (ties broken by key, so every client lists records alike).
pub trait Record: Versioned + Clone + Debug + PartialEq + Serialize + DeserializeOwned {
    /// Where the record sits in the list: lower first.
    fn position(&self) -> i64;

    /// Whether `newer` is this record with only its place in the list changed (a reorder,
    /// ours or anyone's). Edits queued on the record were made on the same content, so the
    /// engine moves them onto `newer` instead of letting them meet a version conflict.
    /// Records that are never reordered keep the default.
    fn only_moved(&self, newer: &Self) -> bool {
        let _ = newer;
        false
    }
}

/// What a mutation does to the list, beyond editing its record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect<'a, R: Record> {
    /// Changes fields of an existing record ([`Mutation::apply`]).
    Edit,
    /// Adds this predicted record (its key is the mutation's target) on top of the list.
    Create(&'a R),
    /// Removes the record, undoably: it shows as deleted until the server drops it.
    Delete,
    /// Takes a [`Effect::Delete`] back.
    Restore,
    /// Moves the record to `Place`. Reorders records, so it is sent alone.
    Move(Place<R::Key>),
}

/// Where a moved record lands, named by its neighbour as the person saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place<K> {
    /// Just before this record.
    Before(K),
    /// Just after this record.
    After(K),
    /// At the end of the list.
    Last,
}

/// What a mutation's target looked like when it was computed, and what it looks like now.
/// Given to [`Mutation::rebase`] after a version conflict on its record.
#[derive(Clone, Copy, Debug)]
pub struct Rebase<'a, R> {
    /// The server record the mutation was made against (now stale).
    pub was: &'a R,
    /// The server's current record.
    pub now: &'a R,
    /// The current record with the mutations queued before this one applied: what this one
    /// would be applied to if it is kept.
    pub beneath: &'a R,
}

/// One user intent on one record: what it predicts, what it touches, and how it behaves when
/// the record changed elsewhere.
pub trait Mutation<R: Record>: Clone + Debug + PartialEq + Serialize + DeserializeOwned {
    /// The part of the record a mutation touches: decides coalescing and which fields the UI
    /// hedges while the mutation is pending.
    type Field: Copy + Eq + Debug + Serialize + DeserializeOwned;
    /// Why the server refused a mutation.
    type Error: SyncError;

    /// The part of the record this mutation touches.
    fn field(&self) -> Self::Field;

    /// What it does to the list. Default: an edit of its record's fields.
    fn effect(&self) -> Effect<'_, R> {
        Effect::Edit
    }

    /// The record as this mutation predicts it (only called for [`Effect::Edit`]). The
    /// server's answer replaces the prediction, so it may be a guess.
    fn apply(&self, record: R) -> R;

    /// Whether `record` already holds what this mutation asks for, so losing it to a change
    /// made elsewhere lost nothing. Default: applying it changes nothing.
    fn is_held_by(&self, record: &R) -> bool {
        self.apply(record.clone()) == *record
    }

    /// Whether this (later) intent makes `earlier` moot: an unsent `earlier` is replaced by it
    /// (coalescing), and a failed `earlier` needs no note while it is pending. Default: any
    /// intent on the same field does (the latest value wins). A relative change (a step)
    /// supersedes nothing: it adds to what is beneath it.
    fn supersedes(&self, earlier: &Self) -> bool {
        self.field() == earlier.field()
    }

    /// The mutation as its request states it, which the engine folds from the moment it is
    /// first sent (its payload is frozen under its key from then on). A relative change
    /// becomes the absolute value it asks the server to set, so a record that already carries
    /// it (a push of its own effect beat the answer) does not show it twice. Default: itself.
    fn as_sent(&self) -> Self {
        self.clone()
    }

    /// This mutation re-made on the record as it now is, after a version conflict showed
    /// that it was computed from a stale record: `Some` to send (a relative change stays
    /// relative, +1 stays +1; a field nobody else changed keeps its value), `None` to drop it
    /// with the conflict, because sending it would overwrite a change made elsewhere. The
    /// engine asks before every first send too, usually with `was == now`. Default: kept as it
    /// is while the record is unchanged since it was made, dropped once it changed elsewhere.
    fn rebase(&self, on: Rebase<'_, R>) -> Option<Self> {
        (on.was == on.now).then(|| self.clone())
    }
}

/// What the engine needs to know of a refusal.
pub trait SyncError: Clone + Debug + PartialEq + Serialize + DeserializeOwned {
    /// Whether resending the same mutation (same key, same payload) may succeed, so the row
    /// offers Retry.
    fn is_retryable(&self) -> bool;

    /// The error the engine records when the network never answered within the retry bound;
    /// `reason` is technical, for logs.
    fn unreachable(reason: String) -> Self;
}
