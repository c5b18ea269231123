//! The one rule: `rendered = fold(authoritative, queue)`. Pure functions, recomputed on every
//! read; nothing here stores or patches a rendered row.

use super::engine::Op;
use super::record::{Effect, Mutation, Place, Record};

/// One row of the fold, before the engine adds its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct FoldedRow<R> {
    pub record: R,
    pub deleted: bool,
}

/// The keys of server records in canonical order: by position, ties broken by key so every
/// client agrees.
pub(super) fn canonical<'a, R: Record + 'a>(rows: impl Iterator<Item = &'a R>) -> Vec<R::Key> {
    let mut list: Vec<&R> = rows.collect();
    list.sort_by_key(|r| (r.position(), r.key()));
    list.into_iter().map(R::key).collect()
}

/// Applies `ops`, in queue order, on top of `list`.
///
/// - A create puts its predicted row on top; if the server already sent that record (a push
///   beat the answer), the server's record stands.
/// - An op for a row that is not in the list has nothing to show on and is skipped.
/// - A move takes the row out and puts it before or after its neighbour, or last; a missing neighbour
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
            (Effect::Move(place), Some(i)) => move_to(&mut list, i, place, |r| r.record.key()),
            (Effect::Edit, Some(i)) => list[i].record = op.kind.apply(list[i].record.clone()),
        }
    }
    list
}

/// The keys of [`apply_ops`]'s result, in its order, computed without cloning any record: the
/// list's order changes only with creates and moves.
pub(super) fn order<'a, R, M>(mut keys: Vec<R::Key>, ops: impl IntoIterator<Item = &'a Op<R::Key, M>>) -> Vec<R::Key>
where
    R: Record + 'a,
    M: Mutation<R> + 'a,
{
    for op in ops {
        let at = keys.iter().position(|k| *k == op.target);
        match (op.kind.effect(), at) {
            (Effect::Create(_), None) => keys.insert(0, op.target),
            (Effect::Move(place), Some(i)) => move_to(&mut keys, i, place, |k| *k),
            _ => {}
        }
    }
    keys
}

fn move_to<T, K: PartialEq>(list: &mut Vec<T>, i: usize, place: Place<K>, key: impl Fn(&T) -> K) {
    let (target, after) = match place {
        Place::Last => {
            let row = list.remove(i);
            list.push(row);
            return;
        }
        Place::Before(target) => (target, false),
        Place::After(target) => (target, true),
    };
    if target == key(&list[i]) {
        return;
    }
    if let Some(j) = list.iter().position(|r| key(r) == target) {
        let row = list.remove(i);
        let j = if j > i { j - 1 } else { j };
        list.insert(if after { j + 1 } else { j }, row);
    }
}
