//! The client-side sync engine, generic over the records it keeps: the last state the server
//! confirmed, the queue of the user's unconfirmed operations, and the rows the UI renders,
//! always `fold(authoritative, queue)`. Pure Rust: no app types, no UI framework, no IO, no
//! clocks, no randomness (the caller passes times and ids in), no copy and no markup, so every
//! rule here is unit- and property-tested once for every record type.
//!
//! The rules, in one place:
//! - **Rendering** is recomputed from server records plus the queue on every read; nothing
//!   patches a rendered row. Records sort by [`Record::position`] (then key); pending creates
//!   go on top; pending moves are applied in order.
//! - **Versions** ([`versioned`]): a record replaces the one we hold only if its version is
//!   strictly newer, so a late answer or push never regresses a row. The same
//!   [`Collection`] keeps any other versioned feed (the app's job feed uses it).
//! - **Sending**: per row, one op in flight, oldest first; a move goes alone (it renumbers
//!   every row). Each op carries its id as idempotency key and the version it was made on.
//! - **Coalescing**: a new intent replaces a never-sent op on the same row and field.
//! - **Answers**: confirmed → server record wins (soft conflicts included); rejected → that op
//!   rolls back with Retry if [`SyncError::is_retryable`], later ops stay; version conflict →
//!   server record, the op is noted as lost, and later ops computed from the stale record are
//!   re-made on the current one ([`Mutation::rebase`]) or dropped and noted; transient →
//!   resent with the same key after backoff, rolled back with Retry after [`MAX_ATTEMPTS`].
//!
//! # Plugging in a record type
//!
//! Implement [`Versioned`] and [`Record`] for the record, [`Mutation`] for the user's
//! intents on it and [`SyncError`] for the server's refusals; then drive an [`Engine`]:
//!
//! ```
//! use orderdesk::sync::{Engine, Mutation, OpId, Outcome, Record, RowState, SyncError, Versioned};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
//! struct Task { id: u32, title: String, done: bool, rank: i64, version: i64 }
//!
//! impl Versioned for Task {
//!     type Key = u32;
//!     fn key(&self) -> u32 { self.id }
//!     fn version(&self) -> i64 { self.version }
//! }
//! impl Record for Task {
//!     fn position(&self) -> i64 { self.rank }
//! }
//!
//! #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
//! enum TaskEdit { Done(bool) }
//!
//! #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
//! struct Refused(String);
//! impl SyncError for Refused {
//!     fn is_retryable(&self) -> bool { false }
//!     fn unreachable(reason: String) -> Self { Refused(reason) }
//! }
//!
//! impl Mutation<Task> for TaskEdit {
//!     type Field = ();
//!     type Error = Refused;
//!     fn field(&self) {}
//!     fn apply(&self, mut task: Task) -> Task {
//!         let TaskEdit::Done(done) = self;
//!         task.done = *done;
//!         task
//!     }
//! }
//!
//! let mut engine: Engine<Task, TaskEdit> = Engine::new();
//! engine.replace_authoritative(vec![Task { id: 1, title: "Tea".into(), done: false, rank: 0, version: 1 }]);
//! engine.enqueue(OpId::from_uuid(uuid::Uuid::from_u128(1)), 1, TaskEdit::Done(true)).unwrap();
//! assert!(engine.view()[0].record.done);            // shown at once
//! let op = engine.next_to_send(0).remove(0);         // send it with op.id as the key
//! let confirmed = Task { id: 1, title: "Tea".into(), done: true, rank: 0, version: 2 };
//! engine.apply_outcome(op.id, Outcome::Confirmed(confirmed), 10);
//! assert_eq!(engine.view()[0].state, RowState::Idle);
//! ```

mod answers;
mod backoff;
mod engine;
mod fold;
mod outbox;
mod outcome;
mod record;
mod render;
mod vec_map;
pub mod versioned;
mod view;

#[cfg(test)]
mod tests;

/// Milliseconds since the Unix epoch, as the caller's clock gives them.
pub type Millis = i64;

pub use backoff::{BASE_DELAY_MS, MAX_ATTEMPTS, MAX_DELAY_MS, retry_delay_ms};
pub use engine::{Engine, EnqueueError, Op, OpId, RetryError};
pub use outbox::Outbox;
pub use outcome::Outcome;
pub use record::{Effect, Mutation, Place, Rebase, Record, SyncError};
pub use versioned::{Collection, Merged, Versioned, is_current, is_newer};
pub use vec_map::VecMap;
pub use view::{PendingWork, RowState, RowView};
