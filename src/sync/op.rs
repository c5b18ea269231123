//! Operations: one user intent on one order, as it is queued, sent and folded into the view.
//! Pure data and a pure `apply`: no IO, no clocks, no id generation (ids come from the caller).

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

use crate::domain::{CustomerName, Field, ItemName, Note, Order, OrderId, Quantity, line_total};

/// The identity of one operation. It doubles as the idempotency key sent with the write, so it
/// must survive reloads and retries unchanged: the server applies each key at most once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OpId(Uuid);

impl OpId {
    /// Wraps an id the caller made (a UUIDv7 in the app); the engine never makes ids itself, so
    /// it stays deterministic and testable.
    pub const fn from_uuid(id: Uuid) -> Self {
        OpId(id)
    }

    /// The UUID to send as the idempotency key.
    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What the user asked for. One variant per server write (the server's write kinds: star,
/// rename, note, quantity, move, create, delete, undo delete), so each is exactly one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// Star (`true`) or unstar an order.
    SetStarred(bool),
    /// Set both names, as the server's rename write does. The UI fills the name it did not
    /// edit from the row as shown, so a later rename carries an earlier pending one with it;
    /// the version check keeps it from overwriting a rename made elsewhere.
    Rename {
        /// The customer name.
        customer: CustomerName,
        /// The item name.
        item: ItemName,
    },
    /// Replace the note.
    SetNote(Note),
    /// Change the quantity; the total is predicted with [`line_total`], the server's wins.
    SetQuantity(Quantity),
    /// Place the row immediately before `before` in the list, or last when `None`. The server
    /// answers with the canonical list ([`crate::sync::Outcome::ConfirmedList`]).
    Move {
        /// The row to land in front of; `None` for the end of the list.
        before: Option<OrderId>,
    },
    /// Create a draft: the predicted record, with the client's id and `number: None`. Its
    /// `version` and `position` are ignored: the server assigns both (new rows go on top).
    Create(Order),
    /// Delete a draft. The server holds the delete for an undo window ("Deleted · Undo").
    Delete,
    /// Cancel a held delete.
    UndoDelete,
}

/// The part of a row an operation touches: decides coalescing, which fields the UI hedges,
/// and what an error message names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpField {
    /// The star.
    Starred,
    /// The customer and item names (one rename write sets both).
    Name,
    /// The note.
    Note,
    /// The quantity (and with it the total).
    Quantity,
    /// The row's place in the list.
    Position,
    /// The whole record (create).
    Record,
    /// Whether the row is deleted (delete and undo).
    Existence,
}

impl OpField {
    /// The field as a person reads it, for messages ("the quantity").
    pub fn label(self) -> &'static str {
        match self {
            OpField::Starred => "star",
            OpField::Name => "name",
            OpField::Note => "note",
            OpField::Quantity => "quantity",
            OpField::Position => "position",
            OpField::Record => "new order",
            OpField::Existence => "deletion",
        }
    }

    /// The input field the UI shows errors at, where there is exactly one. A rename touches
    /// two; its validation errors name theirs ([`crate::sync::ErrorKind::Validation`]).
    pub fn domain_field(self) -> Option<Field> {
        match self {
            OpField::Note => Some(Field::Note),
            OpField::Quantity => Some(Field::Quantity),
            OpField::Position => Some(Field::Position),
            OpField::Starred | OpField::Name | OpField::Record | OpField::Existence => None,
        }
    }

    /// Whether a newer unsent intent on this field may replace an older one. Moves do not:
    /// "before X" means something different once other rows moved, so dropping an earlier move
    /// could change where rows end up. A create is one of a kind.
    pub fn coalesces(self) -> bool {
        !matches!(self, OpField::Position | OpField::Record)
    }
}

impl OpKind {
    /// The field this operation touches.
    pub fn field(&self) -> OpField {
        match self {
            OpKind::SetStarred(_) => OpField::Starred,
            OpKind::Rename { .. } => OpField::Name,
            OpKind::SetNote(_) => OpField::Note,
            OpKind::SetQuantity(_) => OpField::Quantity,
            OpKind::Move { .. } => OpField::Position,
            OpKind::Create(_) => OpField::Record,
            OpKind::Delete | OpKind::UndoDelete => OpField::Existence,
        }
    }

    /// The record as this operation predicts it. `Delete`, `UndoDelete` and `Move` leave the
    /// record as it is: they change whether and where the row shows, which the fold handles
    /// at list level. `Create` predicts its own record whatever it is given.
    pub fn apply(&self, mut record: Order) -> Order {
        match self {
            OpKind::SetStarred(starred) => record.starred = *starred,
            OpKind::Rename { customer, item } => {
                record.customer = customer.clone();
                record.item = item.clone();
            }
            OpKind::SetNote(note) => record.note = note.clone(),
            OpKind::SetQuantity(quantity) => {
                record.quantity = *quantity;
                // Only a guess: the server may price differently (a soft conflict), and wins.
                record.total = line_total(*quantity, record.unit_price);
            }
            OpKind::Create(predicted) => return predicted.clone(),
            OpKind::Move { .. } | OpKind::Delete | OpKind::UndoDelete => {}
        }
        record
    }

    /// `Delete` and `UndoDelete` undo each other (see `Engine::enqueue` for when they cancel).
    pub(super) fn cancels(&self, other: &OpKind) -> bool {
        matches!((self, other), (OpKind::Delete, OpKind::UndoDelete) | (OpKind::UndoDelete, OpKind::Delete))
    }
}

/// One queued operation, exactly as it goes on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Op {
    /// Also the idempotency key.
    pub id: OpId,
    /// The row it applies to (for a create, the new row's client-made id).
    pub order: OrderId,
    /// What to do.
    pub kind: OpKind,
    /// The version of the server record this intent was made against; the server answers a
    /// mismatch with a version conflict. `None` for a create (and for edits queued behind a
    /// create until it is confirmed). Stamped by the engine, not the caller.
    pub base_version: Option<i64>,
    /// Transient failures so far; bounded by [`crate::sync::MAX_ATTEMPTS`].
    pub attempts: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Money, OrderStatus};

    fn order() -> Order {
        Order {
            id: OrderId::from_uuid(Uuid::from_u128(1)),
            number: None,
            customer: CustomerName::parse("Ada").unwrap(),
            item: ItemName::parse("Widget").unwrap(),
            note: Note::parse("").unwrap(),
            quantity: Quantity::parse(1).unwrap(),
            unit_price: Money::from_cents(1_000),
            total: Money::from_cents(1_000),
            status: OrderStatus::Draft,
            starred: false,
            position: 0,
            version: 1,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn set_quantity_predicts_the_total_with_the_shared_pricing_rule() {
        let q = Quantity::parse(10).unwrap();
        let predicted = OpKind::SetQuantity(q).apply(order());
        assert_eq!(predicted.quantity, q);
        assert_eq!(predicted.total, line_total(q, Money::from_cents(1_000)));
        assert_eq!(predicted.total, Money::from_cents(9_000));
    }

    #[test]
    fn list_level_ops_leave_the_record_alone() {
        for kind in [OpKind::Delete, OpKind::UndoDelete, OpKind::Move { before: None }] {
            assert_eq!(kind.apply(order()), order());
        }
    }

    #[test]
    fn each_kind_names_the_field_it_touches() {
        assert_eq!(OpKind::SetStarred(true).field(), OpField::Starred);
        assert_eq!(OpKind::SetNote(Note::parse("x").unwrap()).field(), OpField::Note);
        assert_eq!(OpKind::Delete.field(), OpKind::UndoDelete.field());
        assert_eq!(OpField::Quantity.domain_field(), Some(Field::Quantity));
        assert!(!OpField::Position.coalesces());
        assert!(OpKind::Delete.cancels(&OpKind::UndoDelete));
        assert!(!OpKind::Delete.cancels(&OpKind::Delete));
    }
}
