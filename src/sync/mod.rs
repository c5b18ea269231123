//! The client-side sync engine: the last state the server confirmed, the queue of the user's
//! unconfirmed operations, and the rows the UI renders, always `fold(authoritative, queue)`.
//! Pure Rust over `crate::domain`: no Leptos, no IO, no clocks, no randomness (the caller
//! passes times and ids in), so every rule here is unit- and property-tested.
//!
//! The rules, in one place:
//! - **Rendering** is recomputed from server rows plus the queue on every read; nothing
//!   patches a rendered row. Server rows sort by position (then id); pending creates go on
//!   top; pending moves are applied in order.
//! - **Versions**: a record replaces the one we hold only if its version is strictly newer,
//!   so a late answer or push never regresses a row.
//! - **Sending**: per row, one op in flight, oldest first; a move goes alone (it renumbers
//!   every row). Each op carries its id as idempotency key and the version it was made on.
//! - **Coalescing**: a new intent replaces a never-sent op on the same row and field.
//! - **Answers**: confirmed → server record wins (soft conflicts included); rejected → that op
//!   rolls back with a note and Retry, later ops stay; version conflict → server record,
//!   "updated elsewhere", later ops rebased on it; transient → resent with the same key after
//!   backoff, rolled back with Retry after [`MAX_ATTEMPTS`].

mod answers;
mod backoff;
mod copy;
mod engine;
mod fold;
mod op;
mod outcome;
mod render;
mod vec_map;
mod view;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use backoff::{BASE_DELAY_MS, MAX_ATTEMPTS, MAX_DELAY_MS, retry_delay_ms};
pub use copy::{failure_message, updated_elsewhere_message};
pub use engine::{Engine, EnqueueError, RetryError};
pub use op::{Op, OpField, OpId, OpKind};
pub use outcome::{ErrorKind, Outcome, RowError};
pub use view::{PendingWork, RowState, RowView};
