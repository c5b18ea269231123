//! The one rule: `rendered = fold(authoritative, queue)`. Pure functions, recomputed on every
//! read; nothing here stores or patches a rendered row.

use super::engine::Op;
use super::record::{Effect, Mutation, Record};

/// One row of the fold, before the engine adds its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct FoldedRow<R> {
    pub record: R,
    pub deleted: bool,
}

/// Server records in canonical order: by position, ties broken by key so every client agrees.
pub(super) fn canonical<'a, R: Record + 'a>(rows: impl Iterator<Item = (&'a R, bool)>) -> Vec<FoldedRow<R>> {
    let mut list: Vec<FoldedRow<R>> = rows.map(|(r, deleted)| FoldedRow { record: r.clone(), deleted }).collect();
    list.sort_by_key(|r| (r.record.position(), r.record.key()));
    list
}

/// Applies `ops`, in queue order, on top of `list`.
///
/// - A create puts its predicted row on top; if the server already sent that record (a push
///   beat the answer), the server's record stands.
/// - An op for a row that is not in the list has nothing to show on and is skipped.
/// - A move takes the row out and puts it before its target, or last; a missing target
///   leaves it where it is (the server will reject that move).
pub(super) fn apply_ops<'a, R, M>(mut list: Vec<FoldedRow<R>>, ops: impl IntoIterator<Item = &'a Op<R::Key, M>>) -> Vec<FoldedRow<R>>
where
    R: Record + 'a,
    M: Mutation<R> + 'a,
{
    for op in ops {
        let at = list.iter().position(|r| r.record.key() == op.target);
        match (op.kind.effect(), at) {
            (Effect::Create(predicted), None) => list.insert(0, FoldedRow { record: predicted.clone(), deleted: false }),
            (_, None) | (Effect::Create(_), Some(_)) => {}
            (Effect::Delete, Some(i)) => list[i].deleted = true,
            (Effect::Restore, Some(i)) => list[i].deleted = false,
            (Effect::Move { before }, Some(i)) => move_before(&mut list, i, before),
            (Effect::Edit, Some(i)) => list[i].record = op.kind.apply(list[i].record.clone()),
        }
    }
    list
}

fn move_before<R: Record>(list: &mut Vec<FoldedRow<R>>, i: usize, before: Option<R::Key>) {
    match before {
        None => {
            let row = list.remove(i);
            list.push(row);
        }
        Some(target) if target == list[i].record.key() => {}
        Some(target) => {
            if let Some(j) = list.iter().position(|r| r.record.key() == target) {
                let row = list.remove(i);
                list.insert(if j > i { j - 1 } else { j }, row);
            }
        }
    }
}
