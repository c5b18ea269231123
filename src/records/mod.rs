//! The app's records as the sync engine sees them: orders (with their operations, copy and
//! row classes) and jobs (versioned, for the live feed). Pure Rust over `crate::domain` and
//! `crate::sync`: no Leptos, no IO. Everything order-specific about optimistic rows lives
//! here, so `crate::sync` stays generic.

mod copy;
mod error;
pub mod form;
mod op;
mod outcome;
pub mod saved;
mod view;

#[cfg(test)]
mod engine_tests;
#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod proptests;

pub use copy::{cancel_failure_message, failure_message, lost_changes_message};
pub use error::{ErrorKind, RowError};
pub use op::{OpField, OpKind};
pub use outcome::{outcome_of_error, SIGNED_OUT};
pub use view::RowView;

use crate::domain::{Job, JobId, Order, OrderId};
use crate::sync::{Record, Versioned};

/// The order list's sync engine.
pub type Engine = crate::sync::Engine<Order, OpKind>;
/// One queued order operation, as it goes on the wire.
pub type Op = crate::sync::Op<OrderId, OpKind>;
/// The server's answer to one order operation.
pub type Outcome = crate::sync::Outcome<Order, RowError>;
/// An order row's headline state.
pub type RowState = crate::sync::RowState<RowError>;
/// The order list's unconfirmed work, to persist and restore.
pub type Outbox = crate::sync::Outbox<Order, OpKind>;
/// An order row's unconfirmed work.
pub type PendingWork = crate::sync::PendingWork<OpField>;

impl Versioned for Order {
    type Key = OrderId;

    fn key(&self) -> OrderId {
        self.id
    }

    fn version(&self) -> i64 {
        self.version
    }
}

impl Record for Order {
    fn position(&self) -> i64 {
        self.position
    }

    /// Only the place in the list changed (with the version and time that record it).
    fn only_moved(&self, newer: &Order) -> bool {
        let aligned = Order { position: self.position, version: self.version, updated_at: self.updated_at, ..newer.clone() };
        aligned == *self
    }
}

impl Versioned for Job {
    type Key = JobId;

    fn key(&self) -> JobId {
        self.id
    }

    fn version(&self) -> i64 {
        self.version
    }
}
