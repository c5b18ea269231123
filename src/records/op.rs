//! Order operations: one user intent on one order, as the sync engine queues, sends and folds
//! it ([`Mutation`]). Pure data and a pure `apply`: no IO, no clocks, no id generation.

use serde::{Deserialize, Serialize};

use crate::domain::{CustomerName, Field, ItemName, Note, Order, OrderId, Quantity, line_total};
use crate::sync::{Effect, Mutation, Place, Rebase};

use super::error::RowError;

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
    /// Set the quantity; the total is predicted with [`line_total`], the server's wins.
    SetQuantity(Quantity),
    /// Step the quantity by `by` (the − / + buttons): a relative intent, folded as a step on
    /// whatever quantity lies beneath it. `to` is the absolute value that goes on the wire:
    /// the engine re-makes it on the server's current record before the op is first sent (and
    /// after a conflict), so +1 stays +1; once sent it is frozen under its key.
    StepQuantity {
        /// The step, e.g. +1 or −1.
        by: i32,
        /// The quantity it sets.
        to: Quantity,
    },
    /// Place the row immediately before `before` in the list, or last when `None`. The server
    /// answers with the canonical list ([`crate::sync::Outcome::ConfirmedList`]).
    Move {
        /// The row to land in front of; `None` for the end of the list.
        before: Option<OrderId>,
    },
    /// Place the row immediately after `after` (move down: the row below may be the last one
    /// loaded, and what follows it is not known here). Answered like [`OpKind::Move`].
    MoveAfter {
        /// The row to land behind.
        after: OrderId,
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
            OpKind::SetQuantity(_) | OpKind::StepQuantity { .. } => OpField::Quantity,
            OpKind::Move { .. } | OpKind::MoveAfter { .. } => OpField::Position,
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
            OpKind::StepQuantity { by, .. } => {
                if let Some(quantity) = record.quantity.step(*by) {
                    record.quantity = quantity;
                    record.total = line_total(quantity, record.unit_price);
                }
            }
            OpKind::Create(predicted) => return predicted.clone(),
            OpKind::Move { .. } | OpKind::MoveAfter { .. } | OpKind::Delete | OpKind::UndoDelete => {}
        }
        record
    }

    /// Whether `a` and `b` agree on the field this operation sets (`None` for operations
    /// that set no field of the record).
    fn same_field(&self, a: &Order, b: &Order) -> Option<bool> {
        Some(match self {
            OpKind::SetStarred(_) => a.starred == b.starred,
            OpKind::Rename { .. } => a.customer == b.customer && a.item == b.item,
            OpKind::SetNote(_) => a.note == b.note,
            OpKind::SetQuantity(_) | OpKind::StepQuantity { .. } => a.quantity == b.quantity,
            OpKind::Move { .. } | OpKind::MoveAfter { .. } => a.position == b.position,
            OpKind::Create(_) | OpKind::Delete | OpKind::UndoDelete => return None,
        })
    }
}

impl Mutation<Order> for OpKind {
    type Field = OpField;
    type Error = RowError;

    fn field(&self) -> OpField {
        OpKind::field(self)
    }

    fn effect(&self) -> Effect<'_, Order> {
        match self {
            OpKind::Create(predicted) => Effect::Create(predicted),
            OpKind::Delete => Effect::Delete,
            OpKind::UndoDelete => Effect::Restore,
            OpKind::Move { before } => Effect::Move(before.map_or(Place::Last, Place::Before)),
            OpKind::MoveAfter { after } => Effect::Move(Place::After(*after)),
            OpKind::SetStarred(_)
            | OpKind::Rename { .. }
            | OpKind::SetNote(_)
            | OpKind::SetQuantity(_)
            | OpKind::StepQuantity { .. } => Effect::Edit,
        }
    }

    fn apply(&self, record: Order) -> Order {
        OpKind::apply(self, record)
    }

    /// The server holds what the person asked for on the field they changed (the total is
    /// the server's to compute, so a quantity is held whatever it was priced at). Never a step.
    fn is_held_by(&self, record: &Order) -> bool {
        // A step changes whatever it is applied to: no record already holds it.
        !matches!(self, OpKind::StepQuantity { .. }) && self.same_field(&self.apply(record.clone()), record).unwrap_or(false)
    }

    /// A step adds to what is beneath it, so it makes no earlier change moot.
    fn supersedes(&self, earlier: &Self) -> bool {
        !matches!(self, OpKind::StepQuantity { .. }) && self.field() == earlier.field()
    }

    /// Once sent, a step is the quantity it asks the server to set (the same request).
    fn as_sent(&self) -> Self {
        match self {
            OpKind::StepQuantity { to, .. } => OpKind::SetQuantity(*to),
            other => other.clone(),
        }
    }

    /// A step is re-made on the quantity as it now shows (+1 stays +1, if the result is a
    /// valid quantity). Any other edit is kept only if nobody else changed its field since
    /// it was made, so it overwrites nothing; deletes and restores do not depend on the
    /// record's values and are kept.
    fn rebase(&self, on: Rebase<'_, Order>) -> Option<Self> {
        match self {
            OpKind::StepQuantity { by, .. } => {
                let to = on.beneath.quantity.step(*by)?;
                Some(OpKind::StepQuantity { by: *by, to })
            }
            other => match other.same_field(on.was, on.now) {
                Some(false) => None,
                Some(true) | None => Some(other.clone()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Money;

    fn order() -> Order {
        Order { number: None, position: 0, ..crate::records::fixtures::draft(1, 1_000) }
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
    }
}
