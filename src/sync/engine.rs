//! The engine's state (server-confirmed rows, the queue of unconfirmed ops, per-row notes) and
//! the rules for user actions, server pushes and sending. Answers are taken in `answers.rs`,
//! views built in `render.rs`. It never stores a rendered row and does no IO: the caller
//! sends, times and persists (the engine is serde), passing `now` and ids in.

use serde::{Deserialize, Serialize};

use crate::domain::{Order, OrderId, Timestamp};

use super::fold::ServerRow;
use super::op::{Op, OpField, OpId, OpKind};
use super::outcome::RowError;
use super::vec_map::VecMap;

/// A queued op with the engine's bookkeeping about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Entry {
    pub op: Op,
    /// A request is out and unanswered. Not persisted: after a reload no answer to an earlier
    /// request can arrive, so a restored engine resends everything (with the same keys).
    #[serde(skip)]
    pub in_flight: bool,
    /// Handed to the transport at least once. From then on the server may have applied it, so
    /// its payload is frozen under its key: never replaced by coalescing, never rebased (the
    /// server rejects a known key with a different payload).
    pub sent: bool,
    /// Backoff after a transient failure: not resent before this time.
    pub not_before: Option<Timestamp>,
}

impl Entry {
    fn new(op: Op) -> Self {
        Entry { op, in_flight: false, sent: false, not_before: None }
    }

    pub(super) fn is_create(&self) -> bool {
        matches!(self.op.kind, OpKind::Create(_))
    }
}

/// A rolled-back change, kept aside so Retry can resend it exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct RolledBack {
    pub error: RowError,
    /// The failed op first. For a failed create, then the ops queued behind it on the new
    /// row: they were made on a row that does not exist, so they wait with their create.
    pub ops: Vec<Entry>,
}

impl RolledBack {
    /// A rolled-back create: its row exists only here, so the view shows it from these ops.
    pub(super) fn is_create(&self) -> bool {
        self.ops.first().is_some_and(Entry::is_create)
    }
}

/// Notes on a row that outlive the op that caused them, until retried, dismissed or
/// superseded by a new intent on the same field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Marks {
    pub rolled_back: Option<RolledBack>,
    /// The field of the user's change that lost to a version conflict.
    pub updated_elsewhere: Option<OpField>,
}

impl Marks {
    fn is_empty(&self) -> bool {
        self.rolled_back.is_none() && self.updated_elsewhere.is_none()
    }
}

/// The client's sync state for the order list. See the module docs for the rules.
///
/// Typical loop: [`Engine::enqueue`] on a user action; [`Engine::next_to_send`] and send what
/// it returns; [`Engine::apply_outcome`] with each answer; render [`Engine::view`] after
/// every change; persist it with serde so pending ops survive a reload.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Engine {
    /// The last record the server confirmed, per row.
    pub(super) rows: VecMap<OrderId, ServerRow>,
    /// Unconfirmed ops in the order the user made them.
    pub(super) queue: Vec<Entry>,
    pub(super) marks: VecMap<OrderId, Marks>,
}

/// Why a user action could not be queued. Each is a bug or a stale UI, not a user error: the
/// UI offers actions only on rows it shows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EnqueueError {
    /// No server row and no pending create for this id (or only a rolled-back create).
    #[error("order {0} is not in the list; reload the list and try again")]
    UnknownOrder(OrderId),
    /// A create for an id that already has a row (or a rolled-back create).
    #[error("order {0} already exists; reload the list and try again")]
    AlreadyExists(OrderId),
    /// A create whose predicted record has another id than the op.
    #[error("the create for order {order} carries a record with id {record}")]
    CreateIdMismatch {
        /// The op's row.
        order: OrderId,
        /// The predicted record's id.
        record: OrderId,
    },
    /// The op id is already queued or kept for Retry: ids are idempotency keys, one per intent.
    #[error("operation {0} is already queued")]
    DuplicateOpId(OpId),
}

/// Why [`Engine::retry`] did nothing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RetryError {
    /// The row has no rolled-back change.
    #[error("order {0} has no rolled-back change to retry")]
    NothingToRetry(OrderId),
    /// The change was refused for what it is (validation, not found, forbidden): the same
    /// key and payload would be refused again.
    #[error("the change to order {0} was refused as it is; change it instead of retrying")]
    NotRetryable(OrderId),
}

/// Whether `after` is `before` with only its place in the list changed: a reorder (ours or
/// anyone's), which no edit of a field conflicts with.
fn only_position_changed(before: &Order, after: &Order) -> bool {
    let aligned =
        Order { position: before.position, version: before.version, updated_at: before.updated_at, ..after.clone() };
    aligned == *before
}

impl Engine {
    /// An empty engine; fill it with [`Engine::replace_authoritative`].
    pub fn new() -> Self {
        Self::default()
    }

    // ----- Server truth -------------------------------------------------------------------

    /// Takes a full snapshot (first load, resync after reconnect): rows absent from it are
    /// gone; present rows are merged by version, so a snapshot older than an answer we
    /// already have never rolls a row back. Pending ops stay queued; the server judges them.
    pub fn replace_authoritative(&mut self, orders: Vec<Order>) {
        // A linear scan, not a HashSet: lists are short, and the WASM client carries no
        // hash table code of its own for it.
        let gone: Vec<OrderId> = self.rows.keys().filter(|id| !orders.iter().any(|o| o.id == **id)).copied().collect();
        for id in gone {
            self.remove_authoritative(id);
        }
        for order in orders {
            self.merge(order);
        }
    }

    /// Takes one pushed record if it is newer than ours (or new to us). Returns whether it was
    /// taken. An older record never overwrites a newer one.
    pub fn upsert_authoritative(&mut self, order: Order) -> bool {
        self.merge(order)
    }

    /// The server says the row is gone for good (e.g. its delete's undo window passed).
    pub fn remove_authoritative(&mut self, id: OrderId) {
        self.rows.remove(&id);
        // Notes about a row that no longer shows have nowhere to show; a rolled-back create
        // keeps its mark, since that is where its row lives.
        if self.marks.get(&id).is_some_and(|m| !m.rolled_back.as_ref().is_some_and(RolledBack::is_create)) {
            self.marks.remove(&id);
        }
    }

    /// The server holds (`held`, undoable until `undo_until` if known) or released a delete of
    /// the row, as of record `version`; an older fact never overrides a newer one. For the
    /// push channel: [`Order`] carries no such field, so without this the engine only learns
    /// holds from its own confirmed deletes and undos.
    pub fn set_delete_hold(&mut self, id: OrderId, held: bool, undo_until: Option<Timestamp>, version: i64) {
        if let Some(row) = self.rows.get_mut(&id)
            && version >= row.hold_version
        {
            // A hold confirmed without a deadline keeps the one we already know.
            row.undo_until = if held { undo_until.or(row.undo_until.filter(|_| row.delete_held)) } else { None };
            row.delete_held = held;
            row.hold_version = version;
        }
    }

    /// The last record the server confirmed for `id`, without pending ops.
    pub fn authoritative(&self, id: OrderId) -> Option<&Order> {
        self.rows.get(&id).map(|r| &r.record)
    }

    /// The version rule: a record replaces ours only if its version is strictly newer (equal
    /// versions are the same record by contract).
    ///
    /// If the newer record differs from ours only in its place in the list (a reorder, ours or
    /// anyone's), edits queued on the row were made on the same content, so they are rebased
    /// onto it rather than left to fail with a version conflict.
    pub(super) fn merge(&mut self, order: Order) -> bool {
        match self.rows.get_mut(&order.id) {
            Some(row) if row.record.version >= order.version => false,
            Some(row) => {
                let (id, from, to) = (order.id, row.record.version, order.version);
                let reordered = only_position_changed(&row.record, &order);
                row.record = order;
                if reordered {
                    self.rebase_from(id, from, to);
                }
                true
            }
            None => {
                let row = ServerRow { record: order, delete_held: false, hold_version: i64::MIN, undo_until: None };
                self.rows.insert(row.record.id, row);
                true
            }
        }
    }

    // ----- User actions -------------------------------------------------------------------

    /// Queues a user action; the view shows it at once. `id` is a fresh UUIDv7 from the
    /// caller and becomes the idempotency key. The engine stamps `base_version` with the
    /// version of the server record the user is looking at.
    ///
    /// Coalescing: if the row already has an op on the same field that was never sent, it is
    /// dropped (it was never sent, so no key is lost) and the new op, with its own id, joins
    /// the end of the queue: the latest intent wins, and the queue stays in the order the
    /// person acted (a note edited before a delete is not sent after it). An unsent delete or
    /// undo is replaced only if nothing was queued on the row after it (edits made while the
    /// row was restored must stay after the restore); an unsent delete followed by an undo (or
    /// the reverse) cancel out when together they change nothing. Ops that were sent once,
    /// moves and creates are never replaced.
    ///
    /// A new intent on a field also clears that field's rolled-back or updated-elsewhere note:
    /// the person has moved on, and Retry must not later resend the older value.
    pub fn enqueue(&mut self, id: OpId, order: OrderId, kind: OpKind) -> Result<(), EnqueueError> {
        if self.knows_op(id) {
            return Err(EnqueueError::DuplicateOpId(id));
        }
        let exists = self.rows.contains_key(&order) || self.has_pending_create(order);
        match &kind {
            OpKind::Create(record) if record.id != order => {
                return Err(EnqueueError::CreateIdMismatch { order, record: record.id });
            }
            OpKind::Create(_) if exists || self.marks.contains_key(&order) => {
                return Err(EnqueueError::AlreadyExists(order));
            }
            OpKind::Create(_) => {}
            _ if !exists => return Err(EnqueueError::UnknownOrder(order)),
            _ => {}
        }
        let field = kind.field();
        self.supersede_marks(order, field);
        let op = Op { id, order, kind, base_version: self.rows.get(&order).map(|r| r.record.version), attempts: 0 };
        if field.coalesces()
            && let Some(i) =
                self.queue.iter().position(|e| e.op.order == order && !e.sent && e.op.kind.field() == field)
            && (field != OpField::Existence || !self.queue[i + 1..].iter().any(|e| e.op.order == order))
        {
            let cancelled = self.queue[i].op.kind.cancels(&op.kind)
                && self.is_deleted_without(order, i) == (op.kind == OpKind::Delete);
            self.queue.remove(i);
            if cancelled {
                // The new op restores what the row was before the unsent one: send neither.
                return Ok(());
            }
        }
        self.queue.push(Entry::new(op));
        Ok(())
    }

    /// Resends a rolled-back change exactly as it was first sent (same id = same idempotency
    /// key, same payload and base version, since the server rejects a known key with a
    /// different payload), with a fresh attempt budget, and clears the row's notes. A failed
    /// create comes back with the edits made on it. If the row moved on meanwhile, the server
    /// answers with a version conflict, handled as usual.
    pub fn retry(&mut self, order: OrderId) -> Result<(), RetryError> {
        let marks = self.marks.get(&order).ok_or(RetryError::NothingToRetry(order))?;
        let rolled_back = marks.rolled_back.as_ref().ok_or(RetryError::NothingToRetry(order))?;
        if !rolled_back.error.is_retryable() {
            return Err(RetryError::NotRetryable(order));
        }
        if let Some(marks) = self.marks.remove(&order)
            && let Some(rolled_back) = marks.rolled_back
        {
            self.queue.extend(rolled_back.ops);
        }
        Ok(())
    }

    /// Clears the row's notes (rolled back, updated elsewhere). A rolled-back create is
    /// discarded with it: its row disappears.
    pub fn dismiss(&mut self, order: OrderId) {
        self.marks.remove(&order);
    }

    fn knows_op(&self, id: OpId) -> bool {
        self.queue.iter().any(|e| e.op.id == id)
            || self.marks.values().filter_map(|m| m.rolled_back.as_ref()).any(|rb| rb.ops.iter().any(|e| e.op.id == id))
    }

    /// Whether the row would show deleted with every queued op except the one at `skip`.
    fn is_deleted_without(&self, order: OrderId, skip: usize) -> bool {
        let held = self.rows.get(&order).is_some_and(|r| r.delete_held);
        self.queue.iter().enumerate().filter(|(i, e)| *i != skip && e.op.order == order).fold(
            held,
            |deleted, (_, e)| match e.op.kind {
                OpKind::Delete => true,
                OpKind::UndoDelete => false,
                _ => deleted,
            },
        )
    }

    pub(super) fn has_pending_create(&self, order: OrderId) -> bool {
        self.queue.iter().any(|e| e.op.order == order && e.is_create())
    }

    fn supersede_marks(&mut self, order: OrderId, field: OpField) {
        if let Some(marks) = self.marks.get_mut(&order) {
            if marks.rolled_back.as_ref().is_some_and(|rb| rb.ops[0].op.kind.field() == field) {
                marks.rolled_back = None;
            }
            if marks.updated_elsewhere == Some(field) {
                marks.updated_elsewhere = None;
            }
            if marks.is_empty() {
                self.marks.remove(&order);
            }
        }
    }

    // ----- Sending ------------------------------------------------------------------------

    /// The ops to send now, marked in flight. Per row, only the oldest op goes, and only when
    /// the row has nothing in flight: later edits wait behind it, so each is sent against the
    /// version its predecessor produced. A move reorders every row, so it goes alone: only
    /// when every earlier op is answered, and nothing queued after it goes until it is.
    /// Ops waiting for backoff go once `now` reaches their time.
    pub fn next_to_send(&mut self, now: Timestamp) -> Vec<Op> {
        let mut out = Vec::new();
        for i in self.next_in_line() {
            let entry = &mut self.queue[i];
            if entry.not_before.is_none_or(|t| t <= now) {
                entry.in_flight = true;
                entry.sent = true;
                entry.not_before = None;
                out.push(entry.op.clone());
            }
        }
        out
    }

    /// When the earliest op waiting for backoff may be sent; `None` if none waits. Call
    /// [`Engine::next_to_send`] after every change and again at this time.
    pub fn next_send_at(&self) -> Option<Timestamp> {
        self.next_in_line().into_iter().filter_map(|i| self.queue[i].not_before).min()
    }

    /// Forget that anything is in flight (the connection dropped, the page reloaded): every
    /// unanswered op is sent again, with its key, when due. Late answers are still accepted.
    pub fn requeue_in_flight(&mut self) {
        for entry in &mut self.queue {
            entry.in_flight = false;
        }
    }

    /// Indices of ops next in line and not in flight (backoff not considered).
    fn next_in_line(&self) -> Vec<usize> {
        let mut rows_seen: Vec<OrderId> = Vec::new();
        let mut out = Vec::new();
        for (i, entry) in self.queue.iter().enumerate() {
            if matches!(entry.op.kind, OpKind::Move { .. }) {
                if i == 0 && !entry.in_flight {
                    out.push(i);
                }
                break;
            }
            let first_for_row = !rows_seen.contains(&entry.op.order);
            if first_for_row {
                rows_seen.push(entry.op.order);
            }
            if first_for_row && !entry.in_flight {
                out.push(i);
            }
        }
        out
    }

    /// All queued ops, oldest first (for persistence checks, debugging, "all saved").
    pub fn pending_ops(&self) -> impl Iterator<Item = &Op> {
        self.queue.iter().map(|e| &e.op)
    }

    /// Nothing is waiting for the server.
    pub fn is_settled(&self) -> bool {
        self.queue.is_empty()
    }

    /// Never-sent ops on `row` now build on `version` (if that is newer than their base).
    pub(super) fn rebase(&mut self, row: OrderId, version: i64) {
        for entry in self.queue.iter_mut().filter(|e| e.op.order == row && !e.sent) {
            entry.op.base_version = entry.op.base_version.max(Some(version));
        }
    }

    /// Never-sent ops on `row` made against exactly `from` now build on `to`.
    pub(super) fn rebase_from(&mut self, row: OrderId, from: i64, to: i64) {
        for entry in self.queue.iter_mut().filter(|e| e.op.order == row && !e.sent && e.op.base_version == Some(from)) {
            entry.op.base_version = Some(to);
        }
    }
}
