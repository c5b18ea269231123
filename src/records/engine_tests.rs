//! Unit tests of the engine's rules, one behaviour each, named for what they prove.
//! Fixed ids and times only: every run is the same run.

use uuid::Uuid;

use super::*;
use crate::sync::{EnqueueError, MAX_ATTEMPTS, OpId, RetryError, retry_delay_ms};
use crate::domain::{
    CustomerName, Field, ItemName, Money, Note, Order, OrderId, OrderNumber, Quantity,
};

fn oid(n: u128) -> OrderId {
    OrderId::from_uuid(Uuid::from_u128(n))
}

fn key(n: u128) -> OpId {
    OpId::from_uuid(Uuid::from_u128(0xABCD_0000 + n))
}

fn qty(n: i64) -> Quantity {
    Quantity::parse(n).unwrap()
}

fn note(s: &str) -> Note {
    Note::parse(s).unwrap()
}

/// Order `n`: ORD-{1000+n}, one widget at $12.50, at position `n`, version 1.
fn order(n: u128) -> Order {
    Order { customer: CustomerName::parse("Ada Lovelace").unwrap(), ..super::fixtures::draft(n, 1_250) }
}

/// `o` as the server would answer after applying `f`: one version newer.
fn bumped(o: &Order, f: impl FnOnce(&mut Order)) -> Order {
    let mut next = o.clone();
    f(&mut next);
    next.version += 1;
    next.updated_at += 1;
    next
}

fn engine(rows: &[u128]) -> Engine {
    let mut e = Engine::new();
    e.replace_authoritative(rows.iter().map(|n| order(*n)).collect());
    e
}

/// Sends at `now` and expects exactly one op.
fn send_one(e: &mut Engine, now: i64) -> Op {
    let mut sent = e.next_to_send(now);
    assert_eq!(sent.len(), 1, "expected one op to send, got {sent:?}");
    sent.remove(0)
}

fn view_of(e: &Engine, n: u128) -> RowView {
    e.order_row(oid(n)).expect("row is shown")
}

#[test]
fn hard_rejection_reverts_to_pre_action_state() {
    let mut e = engine(&[1]);
    let before = view_of(&e, 1);
    e.enqueue(key(1), oid(1), OpKind::SetQuantity(qty(5))).unwrap();
    assert_eq!(view_of(&e, 1).order.quantity, qty(5));
    let a = send_one(&mut e, 0);

    let error = RowError::validation(Field::Quantity, "The quantity can be at most 4 for this item. Lower it.");
    assert!(e.apply_outcome(a.id, Outcome::Rejected(error.clone()), 10));

    let after = view_of(&e, 1);
    assert_eq!(after.order, before.order);
    assert_eq!(after.state, RowState::RolledBack { error, retryable: false });
    assert_eq!(after.pending, None);
    assert_eq!(
        after.message.as_deref(),
        Some("Couldn't save the quantity for ORD-1001. The quantity can be at most 4 for this item. Lower it.")
    );
}

#[test]
fn hard_rejection_rolls_back_only_that_change_and_keeps_later_ones() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::SetQuantity(qty(5))).unwrap();
    let a = send_one(&mut e, 0);
    e.enqueue(key(2), oid(1), OpKind::SetNote(note("rush"))).unwrap();

    e.apply_outcome(a.id, Outcome::Rejected(RowError::new(ErrorKind::Forbidden, "")), 10);

    let row = view_of(&e, 1);
    assert_eq!(row.order.quantity, qty(1));
    assert_eq!(row.order.note, note("rush"));
    assert!(matches!(row.state, RowState::RolledBack { retryable: false, .. }));
    assert_eq!(row.pending.unwrap().fields, vec![OpField::Note]);
}

#[test]
fn soft_conflict_shows_servers_value() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::SetQuantity(qty(10))).unwrap();
    let predicted = view_of(&e, 1).order.total;
    assert_eq!(predicted, Money::from_cents(11_250));
    let a = send_one(&mut e, 0);

    // The server priced it differently (a new rule); its answer is the truth.
    let server = bumped(&order(1), |o| {
        o.quantity = qty(10);
        o.total = Money::from_cents(11_000);
    });
    e.apply_outcome(a.id, Outcome::Confirmed(server.clone()), 10);

    let row = view_of(&e, 1);
    assert_eq!(row.order, server);
    assert_eq!(row.order.total, Money::from_cents(11_000));
    assert_eq!(row.state, RowState::Idle);
    assert_eq!(row.message, None);
}

#[test]
fn timing_drift_shows_reconciled_a_with_b_on_top() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::SetQuantity(qty(12))).unwrap();
    let a = send_one(&mut e, 0);
    e.enqueue(key(2), oid(1), OpKind::SetNote(note("rush"))).unwrap();
    assert!(e.next_to_send(1).is_empty(), "B waits behind A");

    let server_a = bumped(&order(1), |o| {
        o.quantity = qty(12);
        o.total = Money::from_cents(13_000); // differs from the prediction
    });
    e.apply_outcome(a.id, Outcome::Confirmed(server_a.clone()), 10);

    let row = view_of(&e, 1);
    assert_eq!(row.order.quantity, qty(12));
    assert_eq!(row.order.total, Money::from_cents(13_000), "A's server value");
    assert_eq!(row.order.note, note("rush"), "B's prediction on top");
    assert_eq!(row.order.version, 2);
    assert_eq!(row.state, RowState::Pending);
    assert_eq!(row.pending.as_ref().unwrap().fields, vec![OpField::Note]);

    let b = send_one(&mut e, 11);
    assert_eq!(b.id, key(2));
    assert_eq!(b.base_version, Some(2), "B is sent against the version A produced");
}

#[test]
fn stale_rollback_loses_nothing_of_b() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::SetQuantity(qty(5))).unwrap();
    let a = send_one(&mut e, 0);
    // A is in flight, so B does not replace it: it queues behind.
    e.enqueue(key(2), oid(1), OpKind::SetQuantity(qty(7))).unwrap();
    assert_eq!(e.pending_ops().count(), 2);

    e.apply_outcome(a.id, Outcome::Rejected(RowError::new(ErrorKind::Server, "")), 10);

    let row = view_of(&e, 1);
    assert_eq!(row.order.quantity, qty(7), "B still shows");
    assert_eq!(row.state, RowState::Pending, "A's failure is moot: the latest intent is still pending");
    assert_eq!(row.message, None);
    let b = send_one(&mut e, 11);
    assert_eq!((b.id, b.base_version), (key(2), Some(1)));
}

#[test]
fn version_conflict_takes_server_record_and_marks_updated_elsewhere() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::SetStarred(true)).unwrap();
    let a = send_one(&mut e, 0);
    e.enqueue(key(2), oid(1), OpKind::SetNote(note("rush"))).unwrap();

    // Someone else renamed the customer twice meanwhile.
    let current = bumped(&bumped(&order(1), |o| o.customer = CustomerName::parse("Grace Hopper").unwrap()), |_| {});
    e.apply_outcome(a.id, Outcome::VersionConflict(current.clone()), 10);

    let row = view_of(&e, 1);
    assert_eq!(row.order.customer.as_str(), "Grace Hopper");
    assert!(!row.order.starred, "the conflicting change is dropped");
    assert_eq!(row.order.note, note("rush"), "later edits stay");
    assert_eq!(row.state, RowState::UpdatedElsewhere);
    let message = row.message.unwrap();
    assert!(message.starts_with("ORD-1001 was changed elsewhere, so your star wasn't saved."), "{message}");
    assert_eq!(e.authoritative(oid(1)), Some(&current));

    let b = send_one(&mut e, 11);
    assert_eq!(b.base_version, Some(3), "B is rebased on the server's current version");
}

#[test]
fn duplicate_answer_is_ignored() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::SetStarred(true)).unwrap();
    let a = send_one(&mut e, 0);
    let server = bumped(&order(1), |o| o.starred = true);
    assert!(e.apply_outcome(a.id, Outcome::Confirmed(server.clone()), 10));
    let settled = e.clone();

    assert!(!e.apply_outcome(a.id, Outcome::Confirmed(server), 11));
    assert!(!e.apply_outcome(a.id, Outcome::Rejected(RowError::new(ErrorKind::Server, "")), 12));
    assert!(!e.apply_outcome(a.id, Outcome::Transient("reset".into()), 13));
    assert!(!e.apply_outcome(key(99), Outcome::Confirmed(order(1)), 14), "unknown op, older record");
    assert_eq!(e, settled);
    assert_eq!(view_of(&e, 1).state, RowState::Idle);
}

#[test]
fn late_answer_does_not_resurrect_a_removed_row() {
    let mut e = engine(&[1, 2]);
    e.enqueue(key(1), oid(1), OpKind::Delete).unwrap();
    let delete = send_one(&mut e, 0);
    let held = bumped(&order(1), |_| {});
    e.apply_outcome(delete.id, Outcome::Confirmed(held.clone()), 1);
    e.remove_authoritative(oid(1)); // the undo window passed

    assert!(!e.apply_outcome(delete.id, Outcome::Confirmed(bumped(&held, |_| {})), 2));
    assert!(!e.apply_outcome(key(9), Outcome::ConfirmedList(vec![bumped(&held, |_| {})]), 3));
    assert_eq!(e.order_view().iter().map(|r| r.order.id).collect::<Vec<_>>(), vec![oid(2)]);
}

#[test]
fn a_record_with_the_version_we_hold_changes_nothing() {
    let mut e = engine(&[1]);
    let same_version = {
        let mut o = order(1);
        o.note = note("by contract this cannot differ");
        o
    };
    assert!(!e.upsert_authoritative(same_version));
    assert_eq!(e.authoritative(oid(1)), Some(&order(1)));
}

#[test]
fn answers_for_ops_never_sent_are_ignored() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::SetStarred(true)).unwrap();
    let before = e.clone();
    assert!(!e.apply_outcome(key(1), Outcome::Rejected(RowError::new(ErrorKind::Server, "")), 0));
    assert_eq!(e, before);
}

#[test]
fn out_of_order_answers_never_regress_version() {
    let mut e = engine(&[1, 2]);
    e.enqueue(key(1), oid(1), OpKind::SetStarred(true)).unwrap();
    let a = send_one(&mut e, 0);

    // A push of a later change overtakes the answer to A.
    let v2 = bumped(&order(1), |o| o.starred = true);
    let v3 = bumped(&v2, |o| o.note = note("from another tab"));
    assert!(e.upsert_authoritative(v3.clone()));
    e.apply_outcome(a.id, Outcome::Confirmed(v2.clone()), 10);
    assert_eq!(e.authoritative(oid(1)), Some(&v3));
    assert!(e.is_settled());

    // Nor do older pushes, snapshots or reorder lists.
    assert!(!e.upsert_authoritative(v2.clone()));
    e.replace_authoritative(vec![order(1), order(2)]);
    assert_eq!(view_of(&e, 1).order, v3);
    e.enqueue(key(2), oid(2), OpKind::Move { before: Some(oid(1)) }).unwrap();
    let m = send_one(&mut e, 20);
    let list = vec![bumped(&order(2), |o| o.position = 0), v2];
    e.apply_outcome(m.id, Outcome::ConfirmedList(list), 30);
    assert_eq!(e.authoritative(oid(1)), Some(&v3));
    assert_eq!(e.order_view().iter().map(|r| r.order.id).collect::<Vec<_>>(), vec![oid(2), oid(1)]);
}

#[test]
fn coalescing_sends_only_latest_intent() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::SetQuantity(qty(3))).unwrap();
    e.enqueue(key(2), oid(1), OpKind::SetNote(note("rush"))).unwrap();
    e.enqueue(key(3), oid(1), OpKind::SetQuantity(qty(4))).unwrap();
    e.enqueue(key(4), oid(1), OpKind::SetQuantity(qty(5))).unwrap();
    assert_eq!(e.pending_ops().map(|op| op.id).collect::<Vec<_>>(), vec![key(2), key(4)], "replaced, in action order");

    let sent = send_one(&mut e, 0);
    assert_eq!(sent.id, key(2));
    e.apply_outcome(sent.id, Outcome::Confirmed(bumped(&order(1), |o| o.note = note("rush"))), 1);
    let sent = send_one(&mut e, 2);
    assert_eq!((sent.id, &sent.kind, sent.base_version), (key(4), &OpKind::SetQuantity(qty(5)), Some(2)));

    // A sent op may already have taken effect, so a new intent queues behind it.
    e.enqueue(key(5), oid(1), OpKind::SetQuantity(qty(6))).unwrap();
    assert_eq!(e.pending_ops().count(), 2);
    assert_eq!(view_of(&e, 1).order.quantity, qty(6));
}

#[test]
fn rename_sets_both_names_and_its_error_names_the_field() {
    let rename = |customer: &str, item: &str| OpKind::Rename {
        customer: CustomerName::parse(customer).unwrap(),
        item: ItemName::parse(item).unwrap(),
    };
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), rename("Grace Hopper", "Widget")).unwrap();
    e.enqueue(key(2), oid(1), rename("Grace Hopper", "Gadget")).unwrap();
    let row = view_of(&e, 1);
    assert_eq!((row.order.customer.as_str(), row.order.item.as_str()), ("Grace Hopper", "Gadget"));
    assert_eq!(row.pending.unwrap().fields, vec![OpField::Name]);

    let op = send_one(&mut e, 0);
    assert_eq!(op.id, key(2), "one rename write carries both names");
    let error = RowError::validation(Field::Item, "That item is discontinued. Pick another item.");
    e.apply_outcome(op.id, Outcome::Rejected(error), 1);
    let row = view_of(&e, 1);
    assert_eq!(row.order, order(1));
    assert!(
        matches!(row.state, RowState::RolledBack { ref error, .. } if error.kind == ErrorKind::Validation { field: Field::Item })
    );
    assert_eq!(row.message.as_deref(), Some("Couldn't rename ORD-1001. That item is discontinued. Pick another item."));
}

#[test]
fn unsent_delete_and_undo_cancel_out() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::Delete).unwrap();
    e.enqueue(key(2), oid(1), OpKind::UndoDelete).unwrap();
    assert!(e.is_settled());
    assert!(e.next_to_send(0).is_empty());
    assert_eq!(view_of(&e, 1).state, RowState::Idle);
}

#[test]
fn one_request_in_flight_per_row() {
    let mut e = engine(&[1, 2]);
    e.enqueue(key(1), oid(1), OpKind::SetQuantity(qty(2))).unwrap();
    e.enqueue(key(2), oid(1), OpKind::SetNote(note("rush"))).unwrap();
    e.enqueue(key(3), oid(2), OpKind::SetStarred(true)).unwrap();

    let first: Vec<OpId> = e.next_to_send(0).into_iter().map(|op| op.id).collect();
    assert_eq!(first, vec![key(1), key(3)]);
    assert!(e.next_to_send(1).is_empty());
    assert!(view_of(&e, 1).pending.unwrap().in_flight);

    e.apply_outcome(key(1), Outcome::Confirmed(bumped(&order(1), |o| o.quantity = qty(2))), 2);
    assert_eq!(send_one(&mut e, 3).id, key(2));
}

#[test]
fn move_is_sent_alone() {
    let mut e = engine(&[1, 2, 3]);
    e.enqueue(key(1), oid(1), OpKind::SetStarred(true)).unwrap();
    e.enqueue(key(2), oid(3), OpKind::Move { before: Some(oid(1)) }).unwrap();
    e.enqueue(key(3), oid(2), OpKind::SetStarred(true)).unwrap();
    assert_eq!(e.order_view().iter().map(|r| r.order.id).collect::<Vec<_>>(), vec![oid(3), oid(1), oid(2)]);

    assert_eq!(send_one(&mut e, 0).id, key(1), "the move waits for earlier ops; later ops wait for it");
    e.apply_outcome(key(1), Outcome::Confirmed(bumped(&order(1), |o| o.starred = true)), 1);
    assert_eq!(send_one(&mut e, 2).id, key(2));
    assert!(e.next_to_send(3).is_empty());

    // The server renumbers; row 2's queued star follows its own reorder to the new version.
    let starred1 = bumped(&order(1), |o| o.starred = true);
    let list = vec![
        bumped(&order(3), |o| o.position = 0),
        bumped(&starred1, |o| o.position = 1),
        bumped(&order(2), |o| o.position = 2),
    ];
    e.apply_outcome(key(2), Outcome::ConfirmedList(list), 4);
    assert_eq!(e.order_view().iter().map(|r| r.order.id).collect::<Vec<_>>(), vec![oid(3), oid(1), oid(2)]);
    let star2 = send_one(&mut e, 5);
    assert_eq!((star2.id, star2.base_version), (key(3), Some(2)));
}

#[test]
fn a_change_made_elsewhere_keeps_queued_edits_on_other_fields_and_drops_those_on_its_field() {
    let mut e = engine(&[1, 2]);
    e.enqueue(key(1), oid(1), OpKind::Move { before: None }).unwrap();
    send_one(&mut e, 0);
    e.enqueue(key(2), oid(2), OpKind::SetStarred(true)).unwrap();
    e.enqueue(key(3), oid(2), OpKind::SetNote(note("mine"))).unwrap();
    // Row 2 comes back with a new position *and* someone else's note: not only our doing.
    let list = vec![
        bumped(&order(2), |o| {
            o.position = 0;
            o.note = note("changed elsewhere");
        }),
        bumped(&order(1), |o| o.position = 1),
    ];
    e.apply_outcome(key(1), Outcome::ConfirmedList(list), 1);
    let star = send_one(&mut e, 2);
    assert_eq!((star.id, star.base_version), (key(2), Some(2)), "nobody else starred it: sent on the new version");
    assert!(e.pending_ops().all(|op| op.id != key(3)), "the note was computed over one changed elsewhere: dropped");
    let row = view_of(&e, 2);
    assert_eq!(row.order.note, note("changed elsewhere"));
    assert!(row.message.unwrap().starts_with("ORD-1002 was changed elsewhere, so your change to the note wasn't saved."));
}

#[test]
fn transient_failure_retries_with_same_key_then_rolls_back_after_bound() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::SetQuantity(qty(5))).unwrap();
    let mut now = 0;
    for attempt in 1..MAX_ATTEMPTS {
        let op = send_one(&mut e, now);
        assert_eq!((op.id, op.base_version), (key(1), Some(1)), "same key and payload every time");
        e.apply_outcome(op.id, Outcome::Transient("timeout".into()), now);

        let due = now + i64::try_from(retry_delay_ms(attempt)).unwrap();
        let row = view_of(&e, 1);
        assert_eq!(row.order.quantity, qty(5), "stays pending while retrying");
        assert_eq!(row.state, RowState::Pending);
        let pending = row.pending.unwrap();
        assert_eq!((pending.attempts, pending.retry_at, pending.in_flight), (attempt, Some(due), false));
        assert_eq!(e.next_send_at(), Some(due));
        assert!(e.next_to_send(due - 1).is_empty(), "backoff holds it");
        now = due;
    }
    assert_eq!((retry_delay_ms(1), retry_delay_ms(2), retry_delay_ms(3)), (1_000, 2_000, 4_000));

    let last = send_one(&mut e, now);
    e.apply_outcome(last.id, Outcome::Transient("timeout".into()), now);
    let row = view_of(&e, 1);
    assert_eq!(row.order.quantity, qty(1), "rolled back after the bound");
    assert!(
        matches!(row.state, RowState::RolledBack { retryable: true, ref error } if error.kind == ErrorKind::Transport)
    );
    assert_eq!(
        row.message.as_deref(),
        Some("Couldn't save the quantity for ORD-1001. Check your connection and retry.")
    );
    assert!(e.is_settled());
}

#[test]
fn transient_answer_for_an_op_not_in_flight_is_ignored() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::SetStarred(true)).unwrap();
    send_one(&mut e, 0);
    e.requeue_in_flight();
    let before = e.clone();
    assert!(!e.apply_outcome(key(1), Outcome::Transient("late".into()), 5));
    assert_eq!(e, before);
    // A late definitive answer still counts: the server did process that key.
    assert!(e.apply_outcome(key(1), Outcome::Confirmed(bumped(&order(1), |o| o.starred = true)), 6));
    assert!(e.is_settled());
}

#[test]
fn retry_resends_original_idempotency_key() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::SetQuantity(qty(5))).unwrap();
    let original = send_one(&mut e, 0);
    e.apply_outcome(original.id, Outcome::Rejected(RowError::new(ErrorKind::Server, "")), 1);
    assert_eq!(view_of(&e, 1).order.quantity, qty(1));

    e.retry(oid(1)).unwrap();
    let row = view_of(&e, 1);
    assert_eq!((row.order.quantity, row.state, row.message), (qty(5), RowState::Pending, None));
    let resent = send_one(&mut e, 2);
    assert_eq!(resent, original, "same id, kind, base version and attempt count");
    assert_eq!(e.retry(oid(1)), Err(RetryError::NothingToRetry(oid(1))));
}

#[test]
fn retried_op_keeps_its_payload_even_when_the_row_moves_on() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::SetQuantity(qty(5))).unwrap();
    let mut now = 0;
    let original = e.pending_ops().next().unwrap().clone();
    for _ in 0..MAX_ATTEMPTS {
        let op = send_one(&mut e, now);
        e.apply_outcome(op.id, Outcome::Transient("timeout".into()), now);
        now += 60_000;
    }
    assert!(matches!(view_of(&e, 1).state, RowState::RolledBack { .. }));
    e.enqueue(key(2), oid(1), OpKind::SetNote(note("rush"))).unwrap();
    e.retry(oid(1)).unwrap();

    let b = send_one(&mut e, now);
    assert_eq!(b.id, key(2));
    e.apply_outcome(b.id, Outcome::Confirmed(bumped(&order(1), |o| o.note = note("rush"))), now);
    // The server may already hold key 1 with base version 1; a different payload under the
    // same key would be refused, so the retried op is not rebased.
    assert_eq!(send_one(&mut e, now), original);
}

#[test]
fn rejected_input_is_not_retried_as_is() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::SetNote(note("x"))).unwrap();
    send_one(&mut e, 0);
    e.apply_outcome(key(1), Outcome::Rejected(RowError::validation(Field::Note, "")), 1);
    assert_eq!(e.retry(oid(1)), Err(RetryError::NotRetryable(oid(1))));

    // Fixing the field is a new intent, and it clears the note about the old one.
    e.enqueue(key(2), oid(1), OpKind::SetNote(note("y"))).unwrap();
    let row = view_of(&e, 1);
    assert_eq!((row.state, row.message), (RowState::Pending, None));
}

#[test]
fn create_keeps_client_id_and_takes_server_number() {
    let mut e = engine(&[1]);
    let id = oid(50);
    let mut predicted = order(50);
    predicted.number = None;
    e.enqueue(key(1), id, OpKind::Create(predicted.clone())).unwrap();
    e.enqueue(key(2), id, OpKind::SetNote(note("gift wrap"))).unwrap();

    let rows = e.order_view();
    assert_eq!(rows[0].order.id, id, "pending creates show on top");
    assert_eq!(rows[0].order.number, None);
    assert_eq!(rows[0].pending.as_ref().unwrap().fields, vec![OpField::Record, OpField::Note]);

    let create = send_one(&mut e, 0);
    assert_eq!(create.base_version, None);
    let mut server = predicted.clone();
    server.number = Some(OrderNumber::new(1042));
    server.position = 0;
    server.version = 1;
    server.created_at = 77;
    e.apply_outcome(create.id, Outcome::Confirmed(server.clone()), 1);

    let row = view_of(&e, 50);
    assert_eq!(row.order.id, id, "the row keeps its key");
    assert_eq!(row.order.number, Some(OrderNumber::new(1042)));
    assert_eq!(row.order.created_at, 77);
    assert_eq!(row.order.note, note("gift wrap"));
    let edit = send_one(&mut e, 2);
    assert_eq!(edit.base_version, Some(1), "the edit waited for the create and builds on it");
}

#[test]
fn failed_create_keeps_its_row_with_retry() {
    let mut e = engine(&[1]);
    let mut predicted = order(50);
    predicted.number = None;
    e.enqueue(key(1), oid(50), OpKind::Create(predicted)).unwrap();
    e.enqueue(key(2), oid(50), OpKind::SetNote(note("gift wrap"))).unwrap();
    let create = send_one(&mut e, 0);
    e.apply_outcome(create.id, Outcome::Rejected(RowError::new(ErrorKind::Server, "")), 1);

    let rows = e.order_view();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].order.id, &rows[0].order.note), (oid(50), &note("gift wrap")));
    assert!(matches!(rows[0].state, RowState::RolledBack { retryable: true, .. }));
    assert!(rows[0].message.as_ref().unwrap().starts_with("Couldn't create the order for Ada Lovelace."));
    assert_eq!(e.enqueue(key(3), oid(50), OpKind::SetStarred(true)), Err(EnqueueError::Unknown(oid(50))));

    e.retry(oid(50)).unwrap();
    assert_eq!(e.pending_ops().map(|op| op.id).collect::<Vec<_>>(), vec![key(1), key(2)]);
    assert_eq!(send_one(&mut e, 2).id, key(1));

    let mut other = engine(&[1]);
    let mut p = order(60);
    p.number = None;
    other.enqueue(key(1), oid(60), OpKind::Create(p)).unwrap();
    send_one(&mut other, 0);
    other.apply_outcome(key(1), Outcome::Rejected(RowError::new(ErrorKind::Forbidden, "")), 1);
    other.dismiss(oid(60));
    assert_eq!(other.view().len(), 1, "dismissing a failed create discards its row");
}

#[test]
fn delete_and_undo() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::Delete).unwrap();
    assert_eq!(view_of(&e, 1).state, RowState::Deleted { held: false, undo_until: None });
    let delete = send_one(&mut e, 0);
    let v2 = bumped(&order(1), |_| {});
    e.apply_outcome(delete.id, Outcome::DeleteHeld { record: v2.clone(), undo_until: 10_000 }, 1);
    let row = view_of(&e, 1);
    assert_eq!((row.state, row.pending), (RowState::Deleted { held: true, undo_until: Some(10_000) }, None));

    e.enqueue(key(2), oid(1), OpKind::UndoDelete).unwrap();
    let row = view_of(&e, 1);
    assert_eq!(row.state, RowState::Pending);
    assert_eq!(row.pending.unwrap().fields, vec![OpField::Existence]);
    let undo = send_one(&mut e, 2);
    assert_eq!(undo.base_version, Some(2));
    e.apply_outcome(undo.id, Outcome::Confirmed(bumped(&v2, |_| {})), 3);
    assert_eq!(view_of(&e, 1).state, RowState::Idle);

    // Undo pressed while the delete is still on its way: it waits, then builds on the receipt.
    e.enqueue(key(3), oid(1), OpKind::Delete).unwrap();
    let delete = send_one(&mut e, 4);
    e.enqueue(key(4), oid(1), OpKind::UndoDelete).unwrap();
    assert_eq!(view_of(&e, 1).state, RowState::Pending);
    // The receipt also carries a server-side change (re-priced): still our own answer.
    let v4 = bumped(&bumped(&v2, |_| {}), |o| o.total = Money::from_cents(1_200));
    e.apply_outcome(delete.id, Outcome::DeleteHeld { record: v4, undo_until: 20_000 }, 5);
    assert_eq!(send_one(&mut e, 6).base_version, Some(4));
    e.apply_outcome(key(4), Outcome::Confirmed(bumped(&bumped(&bumped(&v2, |_| {}), |_| {}), |_| {})), 7);
    assert_eq!(view_of(&e, 1).state, RowState::Idle);

    // Deleted again in another tab, then the undo window passes: the push channel says so.
    e.set_delete_hold(oid(1), true, Some(30_000), 6);
    assert_eq!(view_of(&e, 1).state, RowState::Deleted { held: true, undo_until: Some(30_000) });
    e.set_delete_hold(oid(1), false, None, 5);
    assert!(matches!(view_of(&e, 1).state, RowState::Deleted { held: true, .. }), "an older hold fact is ignored");
    e.remove_authoritative(oid(1));
    assert!(e.order_view().is_empty());
}

#[test]
fn a_bare_delete_answer_keeps_the_deadline_a_push_brought() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::Delete).unwrap();
    let delete = send_one(&mut e, 0);
    let v2 = bumped(&order(1), |_| {});
    // The push channel beats the answer, which carries no deadline.
    e.upsert_authoritative(v2.clone());
    e.set_delete_hold(oid(1), true, Some(10_000), 2);
    e.apply_outcome(delete.id, Outcome::Confirmed(v2), 1);
    assert_eq!(view_of(&e, 1).state, RowState::Deleted { held: true, undo_until: Some(10_000) });
}

#[test]
fn failed_undo_keeps_the_row_deleted_and_says_so() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::Delete).unwrap();
    send_one(&mut e, 0);
    e.apply_outcome(key(1), Outcome::Confirmed(bumped(&order(1), |_| {})), 1);
    e.enqueue(key(2), oid(1), OpKind::UndoDelete).unwrap();
    send_one(&mut e, 2);
    e.apply_outcome(key(2), Outcome::Rejected(RowError::new(ErrorKind::NotFound, "")), 3);
    let row = view_of(&e, 1);
    assert_eq!(row.state, RowState::Deleted { held: true, undo_until: None });
    assert!(row.message.unwrap().starts_with("Couldn't restore ORD-1001. This order no longer exists."));
}

#[test]
fn enqueue_refuses_actions_on_rows_it_does_not_show() {
    let mut e = engine(&[1]);
    assert_eq!(e.enqueue(key(1), oid(9), OpKind::Delete), Err(EnqueueError::Unknown(oid(9))));
    assert_eq!(e.enqueue(key(1), oid(1), OpKind::Create(order(1))), Err(EnqueueError::AlreadyExists(oid(1))));
    assert!(matches!(e.enqueue(key(1), oid(2), OpKind::Create(order(3))), Err(EnqueueError::CreateKeyMismatch { .. })));
    e.enqueue(key(1), oid(1), OpKind::Delete).unwrap();
    assert_eq!(e.enqueue(key(1), oid(1), OpKind::SetStarred(true)), Err(EnqueueError::DuplicateOpId(key(1))));
}

#[test]
fn engine_round_trips_through_serde() {
    let mut e = engine(&[1, 2, 3]);
    e.enqueue(key(1), oid(1), OpKind::SetQuantity(qty(5))).unwrap();
    e.enqueue(key(2), oid(2), OpKind::SetNote(note("rush"))).unwrap();
    e.enqueue(key(3), oid(3), OpKind::Delete).unwrap();
    let sent = e.next_to_send(0);
    assert_eq!(sent.len(), 3);
    e.apply_outcome(key(2), Outcome::Rejected(RowError::new(ErrorKind::Server, "Try again.")), 1);
    e.apply_outcome(key(3), Outcome::Confirmed(bumped(&order(3), |_| {})), 1);
    e.enqueue(key(4), oid(2), OpKind::SetStarred(true)).unwrap();

    let json = serde_json::to_string(&e).unwrap();
    let restored: Engine = serde_json::from_str(&json).unwrap();

    // In-flight is deliberately not persisted: after a reload every unanswered op is resent.
    let mut expected = e.clone();
    expected.requeue_in_flight();
    assert_eq!(restored, expected);
    assert_eq!(
        restored.order_view().iter().map(|r| &r.order).collect::<Vec<_>>(),
        e.order_view().iter().map(|r| &r.order).collect::<Vec<_>>()
    );
    assert_eq!(restored.row(oid(3)).unwrap().state, RowState::Deleted { held: true, undo_until: None });

    let mut restored = restored;
    let resent: Vec<Op> = restored.next_to_send(2);
    assert_eq!(resent.iter().map(|op| op.id).collect::<Vec<_>>(), vec![key(1), key(4)]);
    assert_eq!(resent[0], sent[0], "same key and payload after the reload");
    restored.retry(oid(2)).unwrap();
}

// ----- Conflicts never let a stale computation overwrite a change made elsewhere ------------

/// Two tabs on one row: B lowered 40 → 39 (confirmed); A, which saw 40, pressed + twice.
/// A's first + meets the conflict; its second is re-made on 39 (+1 stays +1), never sent as
/// the stale 42; the note names the lost change, and the row ends on what the server holds.
#[test]
fn two_tabs_a_stale_step_is_re_made_on_the_current_quantity_and_the_note_tells_the_truth() {
    let start = bumped(&order(1), |o| o.quantity = qty(40));
    let mut e = Engine::new();
    e.replace_authoritative(vec![start.clone()]);
    e.enqueue(key(1), oid(1), OpKind::StepQuantity { by: 1, to: qty(41) }).unwrap();
    let first = send_one(&mut e, 0);
    e.enqueue(key(2), oid(1), OpKind::StepQuantity { by: 1, to: qty(42) }).unwrap();

    let b_set_39 = bumped(&start, |o| o.quantity = qty(39));
    e.apply_outcome(first.id, Outcome::VersionConflict(b_set_39.clone()), 1);
    let row = view_of(&e, 1);
    assert_eq!(row.order.quantity, qty(40), "39 + the second step");
    assert_eq!(row.state, RowState::UpdatedElsewhere);
    assert!(
        row.message.as_deref().unwrap().starts_with("ORD-1001 was changed elsewhere, so your change to the quantity wasn't saved."),
        "{:?}",
        row.message
    );
    let second = send_one(&mut e, 2);
    assert_eq!(second.kind, OpKind::SetQuantity(qty(40)), "the step re-made on 39, sent as the value it sets");
    assert_eq!(second.base_version, Some(b_set_39.version), "sent on B's version, not over it");

    let server = bumped(&b_set_39, |o| o.quantity = qty(40));
    e.apply_outcome(second.id, Outcome::Confirmed(server.clone()), 3);
    assert_eq!(view_of(&e, 1).order, server);
    assert!(e.is_settled());
}

#[test]
fn after_a_conflict_a_typed_value_computed_from_the_stale_record_is_dropped_and_named() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::SetQuantity(qty(5))).unwrap();
    let first = send_one(&mut e, 0);
    e.enqueue(key(2), oid(1), OpKind::SetQuantity(qty(6))).unwrap();
    e.enqueue(key(3), oid(1), OpKind::SetNote(note("rush"))).unwrap();
    let elsewhere = bumped(&order(1), |o| o.quantity = qty(3));
    e.apply_outcome(first.id, Outcome::VersionConflict(elsewhere), 1);

    let ops: Vec<OpKind> = e.pending_ops().map(|op| op.kind.clone()).collect();
    assert_eq!(ops, vec![OpKind::SetNote(note("rush"))], "the note was not changed elsewhere: kept");
    let row = view_of(&e, 1);
    assert_eq!(row.order.quantity, qty(3));
    assert!(
        row.message.as_deref().unwrap().starts_with("ORD-1001 was changed elsewhere, so your 2 changes to the quantity weren't saved."),
        "{:?}",
        row.message
    );
}

#[test]
fn a_conflict_where_the_server_already_holds_the_value_says_nothing_was_lost() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::SetQuantity(qty(5))).unwrap();
    let first = send_one(&mut e, 0);
    // Someone else set 5 too, and the server priced it its own way.
    let elsewhere = bumped(&order(1), |o| {
        o.quantity = qty(5);
        o.total = Money::from_cents(1);
    });
    e.apply_outcome(first.id, Outcome::VersionConflict(elsewhere.clone()), 1);
    let row = view_of(&e, 1);
    assert_eq!((row.order, row.state, row.message), (elsewhere, RowState::Idle, None));
}

/// The same two tabs, but B's change reaches A by push between A's two presses: A's rows show
/// steps on B's 39, and the second step is still sent as 39 + 1, not as a value computed from
/// the first (lost) step.
#[test]
fn two_tabs_a_push_between_the_presses_still_sends_only_the_surviving_step() {
    let start = bumped(&order(1), |o| o.quantity = qty(40));
    let mut e = Engine::new();
    e.replace_authoritative(vec![start.clone()]);
    e.enqueue(key(1), oid(1), OpKind::StepQuantity { by: 1, to: qty(41) }).unwrap();
    let first = send_one(&mut e, 0);
    let b_set_39 = bumped(&start, |o| o.quantity = qty(39));
    e.upsert_authoritative(b_set_39.clone());
    assert_eq!(view_of(&e, 1).order.quantity, qty(41), "a sent step shows the value its request sets");
    e.enqueue(key(2), oid(1), OpKind::StepQuantity { by: 1, to: qty(42) }).unwrap();
    e.apply_outcome(first.id, Outcome::VersionConflict(b_set_39.clone()), 1);
    let second = send_one(&mut e, 2);
    assert_eq!((second.kind, second.base_version), (OpKind::SetQuantity(qty(40)), Some(b_set_39.version)));
    assert_eq!(view_of(&e, 1).state, RowState::UpdatedElsewhere);
}

/// A push of the step's own effect can beat its answer: the row must not show the step twice.
#[test]
fn a_step_whose_effect_arrives_by_push_before_its_answer_is_not_counted_twice() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::StepQuantity { by: 1, to: qty(2) }).unwrap();
    let first = send_one(&mut e, 0);
    e.enqueue(key(2), oid(1), OpKind::StepQuantity { by: 1, to: qty(3) }).unwrap();
    let pushed = bumped(&order(1), |o| o.quantity = qty(2));
    e.upsert_authoritative(pushed.clone());
    assert_eq!(view_of(&e, 1).order.quantity, qty(3));
    e.apply_outcome(first.id, Outcome::Confirmed(pushed), 1);
    assert_eq!(view_of(&e, 1).order.quantity, qty(3));
    assert_eq!(send_one(&mut e, 2).kind, OpKind::SetQuantity(qty(3)));
}

/// A step adds to what is beneath it: when an earlier step is refused, the later one lands on
/// the server's value and the refusal is still told (it is not made moot by the later step).
#[test]
fn a_refused_step_is_told_and_the_step_behind_it_lands_on_the_server_value() {
    let mut e = engine(&[1]);
    e.enqueue(key(1), oid(1), OpKind::StepQuantity { by: 1, to: qty(2) }).unwrap();
    let first = send_one(&mut e, 0);
    e.enqueue(key(2), oid(1), OpKind::StepQuantity { by: 1, to: qty(3) }).unwrap();
    let refusal = RowError::validation(Field::Quantity, "Not now.");
    e.apply_outcome(first.id, Outcome::Rejected(refusal.clone()), 1);
    let row = view_of(&e, 1);
    assert_eq!((row.order.quantity, row.state), (qty(2), RowState::RolledBack { error: refusal, retryable: false }));
    assert_eq!(send_one(&mut e, 2).kind, OpKind::SetQuantity(qty(2)));
    // Two unsent steps are two intents: neither replaces the other.
    let mut e = engine(&[1]);
    e.enqueue(key(3), oid(1), OpKind::StepQuantity { by: 1, to: qty(2) }).unwrap();
    e.enqueue(key(4), oid(1), OpKind::StepQuantity { by: 1, to: qty(3) }).unwrap();
    assert_eq!(e.pending_ops().count(), 2);
    assert_eq!(view_of(&e, 1).order.quantity, qty(3));
}

/// A queued step that can't be re-made (it would leave the valid range) is lost and named.
#[test]
fn a_step_that_cannot_be_re_made_after_a_conflict_is_named_as_lost() {
    let start = bumped(&order(1), |o| o.quantity = qty(4));
    let mut e = Engine::new();
    e.replace_authoritative(vec![start.clone()]);
    e.enqueue(key(1), oid(1), OpKind::StepQuantity { by: -1, to: qty(3) }).unwrap();
    let first = send_one(&mut e, 0);
    e.enqueue(key(2), oid(1), OpKind::StepQuantity { by: -1, to: qty(2) }).unwrap();
    e.apply_outcome(first.id, Outcome::VersionConflict(bumped(&start, |o| o.quantity = qty(1))), 1);
    assert!(e.is_settled());
    let message = view_of(&e, 1).message.unwrap();
    assert!(message.contains("your 2 changes to the quantity weren't saved"), "{message}");
}

#[test]
fn a_page_replaces_only_its_own_stretch_and_rows_with_work_pending_stay() {
    use crate::domain::{ListKey, ListWindow};
    // Orders 1..=6 at positions 1..=6; a page read from after 2 up to 4 holds 3 only: 4 went
    // (deleted, or moved out), but it has a queued star, so it stays; 1, 5 and 6 lie outside
    // the stretch and are not judged by it.
    let mut e = engine(&[1, 2, 3, 4, 5, 6]);
    e.enqueue(key(1), oid(4), OpKind::SetStarred(true)).unwrap();
    let at = |n: u128| ListKey::of(&order(n));
    e.replace_where(vec![bumped(&order(3), |o| o.starred = true)], |o| ListWindow::between(o, at(2), at(4)));
    let shown: Vec<OrderId> = e.order();
    assert_eq!(shown, vec![oid(1), oid(2), oid(3), oid(4), oid(5), oid(6)]);
    assert!(view_of(&e, 3).order.starred, "the page's newer record was taken");

    // The window shrinks to orders up to 2: 3 goes, 4 stays while its star is pending.
    let window = ListWindow { start: None, end: at(2), search: String::new() };
    e.retain_where(|o| window.contains(o));
    assert_eq!(e.order(), vec![oid(1), oid(2), oid(4)]);
    // Once confirmed, nothing keeps it.
    let op = send_one(&mut e, 1);
    e.apply_outcome(op.id, Outcome::Confirmed(bumped(&order(4), |o| o.starred = true)), 2);
    e.retain_where(|o| window.contains(o));
    assert_eq!(e.order(), vec![oid(1), oid(2)]);
}
