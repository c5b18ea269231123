//! The one rule: `rendered = fold(authoritative, queue)`. Pure functions, recomputed on every
//! read; nothing here stores or patches a rendered row.

use serde::{Deserialize, Serialize};

use crate::domain::{Order, OrderId, Timestamp};

use super::op::{Op, OpKind};
use super::vec_map::VecMap;

/// What the server last confirmed for one row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct ServerRow {
    pub record: Order,
    /// The server holds a delete of this row (its undo window is running). `Order` has no
    /// field for this, so the engine learns it from its own confirmed deletes and undos and
    /// from [`crate::sync::Engine::set_delete_hold`].
    pub delete_held: bool,
    /// The record version at which `delete_held` was last learnt, so an older hold answer
    /// never overrides a newer one.
    pub hold_version: i64,
    /// When the held delete's undo window closes, if the server said.
    #[serde(default)]
    pub undo_until: Option<Timestamp>,
}

/// One row of the fold, before the engine adds its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct FoldedRow {
    pub order: Order,
    pub deleted: bool,
}

/// Server rows in canonical order: by position, ties broken by id so every client agrees.
pub(super) fn canonical(rows: &VecMap<OrderId, ServerRow>) -> Vec<FoldedRow> {
    let mut list: Vec<FoldedRow> =
        rows.values().map(|r| FoldedRow { order: r.record.clone(), deleted: r.delete_held }).collect();
    list.sort_by_key(|r| (r.order.position, r.order.id));
    list
}

/// Applies `ops`, in queue order, on top of `list`.
///
/// - A create puts its predicted row on top (the server puts new rows first, too); if the
///   server already sent that row (a push beat the answer), the server's record stands.
/// - An op for a row that is not in the list has nothing to show on and is skipped.
/// - A move takes the row out and puts it before its target, or last; a missing target
///   leaves it where it is (the server will reject that move).
pub(super) fn apply_ops<'a>(mut list: Vec<FoldedRow>, ops: impl IntoIterator<Item = &'a Op>) -> Vec<FoldedRow> {
    for op in ops {
        let at = list.iter().position(|r| r.order.id == op.order);
        match (&op.kind, at) {
            (OpKind::Create(predicted), None) => list.insert(0, FoldedRow { order: predicted.clone(), deleted: false }),
            (_, None) | (OpKind::Create(_), Some(_)) => {}
            (OpKind::Delete, Some(i)) => list[i].deleted = true,
            (OpKind::UndoDelete, Some(i)) => list[i].deleted = false,
            (OpKind::Move { before }, Some(i)) => move_before(&mut list, i, *before),
            (kind, Some(i)) => list[i].order = kind.apply(list[i].order.clone()),
        }
    }
    list
}

fn move_before(list: &mut Vec<FoldedRow>, i: usize, before: Option<OrderId>) {
    match before {
        None => {
            let row = list.remove(i);
            list.push(row);
        }
        Some(target) if target == list[i].order.id => {}
        Some(target) => {
            if let Some(j) = list.iter().position(|r| r.order.id == target) {
                let row = list.remove(i);
                list.insert(if j > i { j - 1 } else { j }, row);
            }
        }
    }
}

/// `fold(authoritative, queue)`.
pub(super) fn fold<'a>(rows: &VecMap<OrderId, ServerRow>, ops: impl IntoIterator<Item = &'a Op>) -> Vec<FoldedRow> {
    apply_ops(canonical(rows), ops)
}
