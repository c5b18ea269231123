//! Server answers to one mutation, as the transport hands them to the engine. Data only: no
//! IO, no decisions (the engine decides).

use serde::{Deserialize, Serialize};

use super::Millis;

/// The answer to one sent mutation of records `R`, refused with errors `E`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome<R, E> {
    /// Success with the server's full record. It may differ from the prediction (a soft
    /// conflict: values only the server computes); the server's values win.
    Confirmed(R),
    /// Success of a move: the canonical list, each record with its version.
    ConfirmedList(Vec<R>),
    /// Success of a delete: the server holds it, and it can be undone until `undo_until`. A
    /// delete answered with plain `Confirmed` is held too, with no known deadline.
    DeleteHeld {
        /// The record as the server holds it.
        record: R,
        /// When the undo window closes and the server drops the record.
        undo_until: Millis,
    },
    /// Hard rejection: this mutation is rolled back, later ones on the record stay.
    Rejected(E),
    /// Someone changed the record first. Carries the server's current record.
    VersionConflict(R),
    /// Nothing is known to have happened (transport failure, no answer before the deadline):
    /// resent later with the same key, at most [`crate::sync::MAX_ATTEMPTS`] times. For logs only.
    Transient(String),
    /// The server is still working on this key (an earlier send of it, e.g. from before a
    /// reload): asked again after [`crate::sync::BASE_DELAY_MS`], and not counted as an attempt,
    /// since nothing failed; the server's own deadline bounds how long it can last.
    Busy(String),
}
