//! The engine with a record type that is not an order: a shared counter board, where a
//! counter's value is stepped (relative) or set (absolute) and its label renamed. Proves the
//! engine's rules hold for any [`Record`] and [`Mutation`], and that conflicts never let a
//! change computed from a stale record overwrite one made elsewhere.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Counter {
    id: u8,
    label: String,
    value: i64,
    rank: i64,
    version: i64,
}

impl Versioned for Counter {
    type Key = u8;
    fn key(&self) -> u8 {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

impl Record for Counter {
    fn position(&self) -> i64 {
        self.rank
    }
    fn only_moved(&self, newer: &Counter) -> bool {
        Counter { rank: self.rank, version: self.version, ..newer.clone() } == *self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Part {
    Label,
    Value,
    Place,
    Existence,
    Whole,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Edit {
    Label(String),
    Set(i64),
    Step { by: i64, to: i64 },
    MoveBefore(Option<u8>),
    Add(Counter),
    Remove,
    Restore,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Refusal {
    Invalid,
    Down,
}

impl SyncError for Refusal {
    fn is_retryable(&self) -> bool {
        *self == Refusal::Down
    }
    fn unreachable(_: String) -> Self {
        Refusal::Down
    }
}

impl Mutation<Counter> for Edit {
    type Field = Part;
    type Error = Refusal;

    fn field(&self) -> Part {
        match self {
            Edit::Label(_) => Part::Label,
            Edit::Set(_) | Edit::Step { .. } => Part::Value,
            Edit::MoveBefore(_) => Part::Place,
            Edit::Add(_) => Part::Whole,
            Edit::Remove | Edit::Restore => Part::Existence,
        }
    }

    fn effect(&self) -> Effect<'_, Counter> {
        match self {
            Edit::Add(c) => Effect::Create(c),
            Edit::Remove => Effect::Delete,
            Edit::Restore => Effect::Restore,
            Edit::MoveBefore(before) => Effect::Move(before.map_or(Place::Last, Place::Before)),
            _ => Effect::Edit,
        }
    }

    fn apply(&self, mut c: Counter) -> Counter {
        match self {
            Edit::Label(l) => c.label = l.clone(),
            Edit::Set(v) => c.value = *v,
            Edit::Step { by, .. } => c.value += by,
            _ => {}
        }
        c
    }

    fn as_sent(&self) -> Self {
        match self {
            Edit::Step { to, .. } => Edit::Set(*to),
            other => other.clone(),
        }
    }

    fn rebase(&self, on: Rebase<'_, Counter>) -> Option<Self> {
        match self {
            Edit::Step { by, .. } => Some(Edit::Step { by: *by, to: on.beneath.value + by }),
            Edit::Set(_) if on.was.value != on.now.value => None,
            Edit::Label(_) if on.was.label != on.now.label => None,
            other => Some(other.clone()),
        }
    }
}

type Board = Engine<Counter, Edit>;

fn counter(id: u8, value: i64) -> Counter {
    Counter { id, label: format!("c{id}"), value, rank: i64::from(id), version: 1 }
}

fn key(n: u128) -> OpId {
    OpId::from_uuid(Uuid::from_u128(n))
}

fn board(counters: &[Counter]) -> Board {
    let mut b = Board::new();
    b.replace_authoritative(counters.to_vec());
    b
}

fn shown(b: &Board, id: u8) -> RowView<Counter, Edit> {
    b.row(id).expect("shown")
}

#[test]
fn edits_show_at_once_and_the_server_record_wins_on_confirmation() {
    let mut b = board(&[counter(1, 5)]);
    b.enqueue(key(1), 1, Edit::Set(7)).unwrap();
    assert_eq!((shown(&b, 1).record.value, shown(&b, 1).state), (7, RowState::Pending));
    let op = b.next_to_send(0).remove(0);
    assert_eq!((op.id, op.target, op.base_version), (key(1), 1, Some(1)));
    // The server also normalised the label: its record stands.
    let server = Counter { value: 7, label: "C1".into(), version: 2, ..counter(1, 7) };
    assert!(b.apply_outcome(op.id, Outcome::Confirmed(server.clone()), 1));
    assert_eq!((shown(&b, 1).record, shown(&b, 1).state), (server, RowState::Idle));
}

#[test]
fn an_older_record_never_overwrites_a_newer_one() {
    let mut b = board(&[Counter { version: 3, ..counter(1, 5) }]);
    assert!(!b.upsert_authoritative(Counter { version: 2, ..counter(1, 99) }));
    assert!(!b.upsert_authoritative(Counter { version: 3, ..counter(1, 99) }));
    assert_eq!(shown(&b, 1).record.value, 5);
    b.replace_authoritative(vec![Counter { version: 1, ..counter(1, 0) }]);
    assert_eq!(shown(&b, 1).record.value, 5, "an old snapshot does not roll the row back");
    assert!(b.upsert_authoritative(Counter { version: 4, ..counter(1, 6) }));
    assert_eq!(shown(&b, 1).record.value, 6);
}

#[test]
fn a_refusal_rolls_back_that_edit_only_and_retry_resends_the_same_key() {
    let mut b = board(&[counter(1, 5)]);
    b.enqueue(key(1), 1, Edit::Set(7)).unwrap();
    let first = b.next_to_send(0).remove(0);
    b.enqueue(key(2), 1, Edit::Label("tea".into())).unwrap();
    b.apply_outcome(first.id, Outcome::Rejected(Refusal::Down), 1);
    let row = shown(&b, 1);
    assert_eq!((row.record.value, row.record.label.as_str()), (5, "tea"));
    assert_eq!(row.state, RowState::RolledBack { error: Refusal::Down, retryable: true });
    assert_eq!(row.rolled_back, Some((Edit::Set(7), Refusal::Down)));
    b.retry(1).unwrap();
    assert!(b.pending_ops().any(|op| op.id == first.id && op.kind == Edit::Set(7)));

    let mut b = board(&[counter(1, 5)]);
    b.enqueue(key(3), 1, Edit::Set(-1)).unwrap();
    let op = b.next_to_send(0).remove(0);
    b.apply_outcome(op.id, Outcome::Rejected(Refusal::Invalid), 1);
    assert_eq!(b.retry(1), Err(RetryError::NotRetryable(1)));
}

#[test]
fn transient_failures_back_off_then_roll_back_after_the_bound() {
    let mut b = board(&[counter(1, 5)]);
    b.enqueue(key(1), 1, Edit::Set(7)).unwrap();
    let mut now = 0;
    for attempt in 1..MAX_ATTEMPTS {
        let op = b.next_to_send(now).remove(0);
        b.apply_outcome(op.id, Outcome::Transient("no answer".into()), now);
        assert_eq!(shown(&b, 1).state, RowState::Pending, "still pending after {attempt} failures");
        assert!(b.next_to_send(now).is_empty(), "waits for its backoff");
        now = b.next_send_at().unwrap();
    }
    let op = b.next_to_send(now).remove(0);
    assert_eq!(op.id, key(1), "every resend carries the same key");
    b.apply_outcome(op.id, Outcome::Transient("no answer".into()), now);
    assert_eq!(shown(&b, 1).state, RowState::RolledBack { error: Refusal::Down, retryable: true });
}

#[test]
fn one_request_per_row_and_unsent_edits_on_a_field_coalesce() {
    let mut b = board(&[counter(1, 5), counter(2, 0)]);
    b.enqueue(key(1), 1, Edit::Set(6)).unwrap();
    b.enqueue(key(2), 2, Edit::Set(1)).unwrap();
    assert_eq!(b.next_to_send(0).len(), 2, "different rows go together");
    b.enqueue(key(3), 1, Edit::Set(7)).unwrap();
    b.enqueue(key(4), 1, Edit::Set(8)).unwrap();
    assert!(b.next_to_send(0).is_empty(), "row 1 waits for its answer");
    let queued: Vec<OpId> = b.pending_ops().map(|op| op.id).collect();
    assert_eq!(queued, vec![key(1), key(2), key(4)], "the unsent 7 gave way to 8");
    assert_eq!(shown(&b, 1).record.value, 8);
}

#[test]
fn pending_sent_time_is_reported_so_a_slow_request_can_be_told() {
    let mut b = board(&[counter(1, 5)]);
    b.enqueue(key(1), 1, Edit::Set(6)).unwrap();
    assert_eq!(shown(&b, 1).pending.unwrap().sent_at, None);
    b.next_to_send(1_000);
    let pending = shown(&b, 1).pending.unwrap();
    assert_eq!((pending.in_flight, pending.sent_at), (true, Some(1_000)));
}

#[test]
fn a_conflict_rebases_relative_steps_and_drops_absolute_edits_on_a_field_changed_elsewhere() {
    // Tab A sees 40 and presses + twice; tab B has already set 39.
    let mut b = board(&[counter(1, 40)]);
    b.enqueue(key(1), 1, Edit::Step { by: 1, to: 41 }).unwrap();
    let first = b.next_to_send(0).remove(0);
    b.enqueue(key(2), 1, Edit::Step { by: 1, to: 42 }).unwrap();
    b.enqueue(key(3), 1, Edit::Label("keep".into())).unwrap();
    let elsewhere = Counter { value: 39, version: 2, ..counter(1, 39) };
    b.apply_outcome(first.id, Outcome::VersionConflict(elsewhere), 1);

    let row = shown(&b, 1);
    assert_eq!(row.record.value, 40, "the second +1 is re-made on 39");
    assert_eq!(row.record.label, "keep", "nobody else changed the label: kept");
    assert_eq!(row.lost, vec![Edit::Set(41)], "the first step, as it was sent");
    assert_eq!(row.state, RowState::UpdatedElsewhere);
    let next = b.next_to_send(2).remove(0);
    assert_eq!((next.kind, next.base_version), (Edit::Set(40), Some(2)), "re-made on 39, sent as the value it sets");

    // An absolute value computed from the stale 40 is dropped, and the note names it too.
    let mut b = board(&[counter(1, 40)]);
    b.enqueue(key(1), 1, Edit::Set(45)).unwrap();
    let first = b.next_to_send(0).remove(0);
    b.enqueue(key(2), 1, Edit::Set(50)).unwrap();
    b.apply_outcome(first.id, Outcome::VersionConflict(Counter { value: 39, version: 2, ..counter(1, 39) }), 1);
    assert!(b.is_settled(), "nothing computed from 40 is sent over 39");
    assert_eq!(shown(&b, 1).record.value, 39);
    assert_eq!(shown(&b, 1).lost, vec![Edit::Set(45), Edit::Set(50)]);
}

#[test]
fn a_conflict_judges_queued_edits_against_the_record_they_were_made_on_even_after_a_push() {
    let mut b = board(&[counter(1, 40)]);
    b.enqueue(key(1), 1, Edit::Set(45)).unwrap();
    let first = b.next_to_send(0).remove(0);
    b.enqueue(key(2), 1, Edit::Set(50)).unwrap();
    // The change made elsewhere arrives by push before the conflict answer.
    let elsewhere = Counter { value: 39, version: 2, ..counter(1, 39) };
    b.upsert_authoritative(elsewhere.clone());
    b.apply_outcome(first.id, Outcome::VersionConflict(elsewhere), 1);
    assert!(b.is_settled(), "the queued 50 was computed from 40, not 39");
    assert_eq!(shown(&b, 1).lost.len(), 2);
}

#[test]
fn losing_a_change_the_server_already_holds_is_not_reported() {
    let mut b = board(&[counter(1, 40)]);
    b.enqueue(key(1), 1, Edit::Set(39)).unwrap();
    let op = b.next_to_send(0).remove(0);
    b.apply_outcome(op.id, Outcome::VersionConflict(Counter { value: 39, version: 2, ..counter(1, 39) }), 1);
    let row = shown(&b, 1);
    assert_eq!((row.state, row.lost.len(), row.record.value), (RowState::Idle, 0, 39));
}

#[test]
fn a_new_intent_on_the_field_clears_its_lost_change_note() {
    let mut b = board(&[counter(1, 40)]);
    b.enqueue(key(1), 1, Edit::Set(45)).unwrap();
    let op = b.next_to_send(0).remove(0);
    b.apply_outcome(op.id, Outcome::VersionConflict(Counter { value: 39, version: 2, ..counter(1, 39) }), 1);
    assert_eq!(shown(&b, 1).lost.len(), 1);
    b.enqueue(key(2), 1, Edit::Set(46)).unwrap();
    assert_eq!((shown(&b, 1).lost.len(), shown(&b, 1).state), (0, RowState::Pending));
}

#[test]
fn creates_go_on_top_moves_go_alone_and_removals_show_until_the_server_drops_them() {
    let mut b = board(&[counter(1, 0), counter(2, 0), counter(3, 0)]);
    let added = Counter { rank: 99, ..counter(9, 0) };
    b.enqueue(key(1), 9, Edit::Add(added.clone())).unwrap();
    b.enqueue(key(2), 3, Edit::MoveBefore(Some(1))).unwrap();
    b.enqueue(key(3), 2, Edit::Remove).unwrap();
    let order: Vec<u8> = b.view().iter().map(|r| r.record.id).collect();
    assert_eq!(order, vec![9, 3, 1, 2]);
    assert_eq!(shown(&b, 2).state, RowState::Deleted { held: false, undo_until: None });
    let sent: Vec<OpId> = b.next_to_send(0).iter().map(|op| op.id).collect();
    assert_eq!(sent, vec![key(1)], "the move waits for every earlier op; nothing after it goes");
    b.apply_outcome(key(1), Outcome::Confirmed(Counter { rank: -1, version: 1, ..added }), 1);
    assert_eq!(b.next_to_send(1).iter().map(|op| op.id).collect::<Vec<_>>(), vec![key(2)]);
    let canonical = vec![
        Counter { rank: 0, version: 2, ..counter(3, 0) },
        Counter { rank: 1, ..counter(1, 0) },
        Counter { rank: 2, ..counter(2, 0) },
    ];
    b.apply_outcome(key(2), Outcome::ConfirmedList(canonical), 2);
    b.next_to_send(2);
    b.apply_outcome(key(3), Outcome::DeleteHeld { record: Counter { version: 2, rank: 2, ..counter(2, 0) }, undo_until: 10_000 }, 3);
    assert_eq!(shown(&b, 2).state, RowState::Deleted { held: true, undo_until: Some(10_000) });
    b.remove_authoritative(2);
    assert_eq!(b.view().iter().map(|r| r.record.id).collect::<Vec<_>>(), vec![9, 3, 1]);
}

#[test]
fn a_held_delete_undone_elsewhere_shows_the_row_again_and_a_late_hold_does_not_hide_it() {
    let mut b = board(&[counter(1, 0)]);
    b.enqueue(key(1), 1, Edit::Remove).unwrap();
    b.next_to_send(0);
    b.apply_outcome(key(1), Outcome::DeleteHeld { record: Counter { version: 2, ..counter(1, 0) }, undo_until: 10_000 }, 1);
    assert_eq!(shown(&b, 1).state, RowState::Deleted { held: true, undo_until: Some(10_000) });
    // Another tab undoes it: the record comes back pushed, unchanged but for its version.
    b.upsert_authoritative(Counter { version: 3, ..counter(1, 0) });
    assert_eq!(shown(&b, 1).state, RowState::Idle, "the hold was about version 2");
    assert!(!b.is_busy(1));
    // The hold at version 2, told again late (a slow push, a replayed answer), changes nothing.
    b.set_delete_hold(1, true, Some(10_000), 2);
    assert_eq!(shown(&b, 1).state, RowState::Idle);
    // Deleted again, at version 4: held once more.
    b.set_delete_hold(1, true, Some(20_000), 4);
    assert_eq!(shown(&b, 1).state, RowState::Deleted { held: true, undo_until: Some(20_000) });
}

#[test]
fn the_engine_round_trips_through_serde_with_its_queue() {
    let mut b = board(&[counter(1, 40)]);
    b.enqueue(key(1), 1, Edit::Step { by: 1, to: 41 }).unwrap();
    b.next_to_send(0);
    let restored: Board = serde_json::from_str(&serde_json::to_string(&b).unwrap()).unwrap();
    assert_eq!(restored.view()[0].record, b.view()[0].record);
    assert_eq!(restored.pending_ops().collect::<Vec<_>>(), b.pending_ops().collect::<Vec<_>>());
    assert_eq!(restored.in_flight_ops().count(), 0, "after a restore nothing is in flight: everything is resent");
}

// ----- The outbox: reloads, closed tabs, other tabs, no network -------------------------------

/// The outbox as stored: through JSON, as the browser keeps it.
fn stored(b: &Board) -> Outbox<Counter, Edit> {
    serde_json::from_str(&serde_json::to_string(&b.outbox([])).unwrap()).unwrap()
}

#[test]
fn a_restored_outbox_renders_the_same_rows_and_resends_with_the_same_keys() {
    let mut b = board(&[counter(1, 5), counter(2, 0)]);
    b.enqueue(key(1), 1, Edit::Step { by: 1, to: 6 }).unwrap();
    let sent = b.next_to_send(0);
    b.enqueue(key(2), 1, Edit::Step { by: 1, to: 7 }).unwrap();
    b.enqueue(key(3), 2, Edit::Label("tea".into())).unwrap();
    b.enqueue(key(4), 3, Edit::Add(counter(3, 1))).unwrap();

    // A new page load: it knows nothing until it restores what the last one stored.
    let mut after = Board::new();
    assert_eq!(after.restore(stored(&b)), 4);
    let rows = |b: &Board| b.view().into_iter().map(|r| (r.record, r.state)).collect::<Vec<_>>();
    assert_eq!(rows(&after), rows(&b), "restore(persist(queue)) renders the same rows");
    assert!(after.view().iter().all(|r| r.pending.as_ref().is_some_and(|p| p.restored && !p.in_flight)));
    // The op that was out is sent again, as it was sent (same key, same payload, same base).
    let resent = after.next_to_send(1);
    assert!(resent.contains(&sent[0]), "{resent:?} resends {:?}", sent[0]);
    // Adopting the same outbox twice takes each op once.
    assert_eq!(after.restore(stored(&b)), 0);
    assert_eq!(after.pending_ops().count(), 4);
}

#[test]
fn a_confirmed_restored_op_is_no_longer_restored_and_notes_survive_a_reload() {
    let mut b = board(&[counter(1, 5)]);
    b.enqueue(key(1), 1, Edit::Set(-1)).unwrap();
    let op = b.next_to_send(0).remove(0);
    b.apply_outcome(op.id, Outcome::Rejected(Refusal::Down), 1);
    let mut after = board(&[counter(1, 5)]);
    after.restore(stored(&b));
    assert_eq!(shown(&after, 1).state, RowState::RolledBack { error: Refusal::Down, retryable: true }, "Retry survives the reload");
    after.retry(1).unwrap();
    let op = after.next_to_send(2).remove(0);
    assert_eq!(op.id, key(1));
    after.apply_outcome(op.id, Outcome::Confirmed(Counter { version: 2, ..counter(1, -1) }), 3);
    assert_eq!(shown(&after, 1).state, RowState::Idle);
    assert!(after.outbox([]).is_empty());
}

#[test]
fn ops_held_by_another_tab_show_pending_here_and_go_first_on_their_row() {
    let mut theirs = board(&[counter(1, 5), counter(2, 0)]);
    theirs.enqueue(key(1), 1, Edit::Step { by: 1, to: 6 }).unwrap();
    let mut ours = board(&[counter(1, 5), counter(2, 0)]);
    ours.show_elsewhere("tab A", stored(&theirs));
    let row = shown(&ours, 1);
    assert_eq!((row.record.value, row.state.clone()), (6, RowState::Pending));
    assert!(row.pending.as_ref().is_some_and(|p| p.elsewhere), "shown as held elsewhere");

    // Our own step on the same row waits for theirs; our edit on another row goes at once.
    ours.enqueue(key(2), 1, Edit::Step { by: 1, to: 7 }).unwrap();
    ours.enqueue(key(3), 2, Edit::Set(9)).unwrap();
    assert_eq!(shown(&ours, 1).record.value, 7, "both steps show");
    let out: Vec<OpId> = ours.next_to_send(0).into_iter().map(|op| op.id).collect();
    assert_eq!(out, vec![key(3)], "never theirs, and not ours behind theirs");

    // Their step lands: their outbox is saved without it and with the confirmed record.
    let op = theirs.next_to_send(0).remove(0);
    theirs.apply_outcome(op.id, Outcome::Confirmed(Counter { version: 2, ..counter(1, 6) }), 1);
    ours.show_elsewhere("tab A", serde_json::from_str(&serde_json::to_string(&theirs.outbox([1])).unwrap()).unwrap());
    assert_eq!(ours.authoritative(1).map(|c| c.version), Some(2), "the confirmed record came with the removal");
    let next = ours.next_to_send(2).remove(0);
    assert_eq!((next.id, next.kind.clone(), next.base_version), (key(2), Edit::Set(7), Some(2)), "re-made on their result: +1 stays +1");
    assert_eq!(ours.unconfirmed_count(), 2);
}

#[test]
fn a_tab_that_is_gone_is_adopted_once_and_its_ops_leave_the_elsewhere_list() {
    let mut gone = board(&[counter(1, 5)]);
    gone.enqueue(key(1), 1, Edit::Set(8)).unwrap();
    let _ = gone.next_to_send(0);
    let mut ours = board(&[counter(1, 5)]);
    ours.enqueue(key(5), 1, Edit::Label("later".into())).unwrap();
    ours.show_elsewhere("tab A", stored(&gone));
    assert_eq!(ours.restore(stored(&gone)), 1);
    assert!(ours.elsewhere_ops().next().is_none());
    // The older op goes first on the row, although ours was queued before the adoption.
    assert_eq!(ours.pending_ops().map(|op| op.id).collect::<Vec<_>>(), vec![key(1), key(5)]);
    assert_eq!(ours.next_to_send(1).iter().map(|op| op.id).collect::<Vec<_>>(), vec![key(1)]);
}

#[test]
fn a_request_that_never_left_is_no_attempt() {
    let mut b = board(&[counter(1, 5)]);
    b.enqueue(key(1), 1, Edit::Set(7)).unwrap();
    for _ in 0..(MAX_ATTEMPTS * 3) {
        let op = b.next_to_send(0).remove(0);
        assert!(b.put_back(op.id));
        assert!(!b.put_back(op.id), "only an op in flight is put back");
    }
    let row = shown(&b, 1);
    assert_eq!((row.state, row.pending.map(|p| (p.attempts, p.in_flight))), (RowState::Pending, Some((0, false))));
}

#[test]
fn ops_set_aside_wait_for_the_person_retry_sends_them_with_their_keys_discard_drops_them() {
    let mut b = board(&[counter(1, 5), counter(2, 0)]);
    b.enqueue(key(1), 1, Edit::Step { by: 1, to: 6 }).unwrap();
    b.enqueue(key(2), 1, Edit::Label("old".into())).unwrap();
    b.enqueue(key(3), 2, Edit::Set(3)).unwrap();
    assert_eq!(b.set_aside(|op| op.target == 1, |_| Refusal::Down), 2);
    let row = shown(&b, 1);
    assert_eq!((row.record.value, row.state), (5, RowState::RolledBack { error: Refusal::Down, retryable: true }));
    assert_eq!(b.next_to_send(0).iter().map(|op| op.id).collect::<Vec<_>>(), vec![key(3)], "nothing set aside is sent");
    b.retry(1).unwrap();
    assert_eq!(b.pending_ops().filter(|op| op.target == 1).map(|op| op.id).collect::<Vec<_>>(), vec![key(1), key(2)]);

    let mut b = board(&[counter(1, 5)]);
    b.enqueue(key(1), 1, Edit::Set(6)).unwrap();
    b.set_aside(|_| true, |_| Refusal::Down);
    b.dismiss(1);
    assert!(b.outbox([]).is_empty(), "discarded: nothing is kept");
    assert_eq!(shown(&b, 1).state, RowState::Idle);
}

#[test]
fn a_key_the_server_is_still_working_on_is_asked_again_without_counting_down() {
    let mut b = board(&[counter(1, 5)]);
    b.enqueue(key(1), 1, Edit::Set(7)).unwrap();
    let mut now = 0;
    for _ in 0..(MAX_ATTEMPTS * 3) {
        let op = b.next_to_send(now).remove(0);
        assert_eq!(op.id, key(1), "the same key every time");
        assert!(b.apply_outcome(op.id, Outcome::Busy("in progress".into()), now));
        assert!(b.next_to_send(now).is_empty(), "not asked again at once");
        now += BASE_DELAY_MS as i64;
    }
    let row = shown(&b, 1);
    assert_eq!((row.state, row.pending.map(|p| p.attempts)), (RowState::Pending, Some(0)));
}
