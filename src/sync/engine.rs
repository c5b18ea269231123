//! The engine's state (server-confirmed records, the queue of unconfirmed mutations, per-row
//! notes) and the rules for user actions, server pushes and sending. Answers are taken in
//! `answers.rs`, views built in `render.rs`. It never stores a rendered row and does no IO:
//! the caller sends, times and persists (the engine is serde), passing `now` and ids in.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

use super::Millis;
use super::record::{Effect, Mutation, Rebase, Record};
use super::outbox::Elsewhere;
use super::vec_map::VecMap;
use super::versioned::{Collection, is_current, is_newer};

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

/// One queued operation, exactly as it goes on the wire: mutation `kind` on record `target`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Op<K, M> {
    /// Also the idempotency key.
    pub id: OpId,
    /// The record it applies to (for a create, the new record's client-made key).
    pub target: K,
    /// What to do.
    pub kind: M,
    /// The version of the server record this intent was made against; the server answers a
    /// mismatch with a version conflict. `None` for a create (and for edits queued behind a
    /// create until it is confirmed). Stamped by the engine, not the caller.
    pub base_version: Option<i64>,
    /// Transient failures so far; bounded by [`crate::sync::MAX_ATTEMPTS`].
    pub attempts: u32,
}

/// A queued op with the engine's bookkeeping about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub(super) struct Entry<R: Record, M: Mutation<R>> {
    pub op: Op<R::Key, M>,
    /// The server record `op.base_version` names, as the op was computed on it: after a
    /// version conflict it tells what changed elsewhere since ([`super::record::Rebase`]).
    #[serde(default = "none")]
    pub base: Option<R>,
    /// When the request that is out now was handed to the transport; `None` when nothing is
    /// out. Not persisted: after a reload no answer to an earlier request can arrive, so a
    /// restored engine resends everything (with the same keys).
    #[serde(skip)]
    pub in_flight_since: Option<Millis>,
    /// Handed to the transport at least once. From then on the server may have applied it, so
    /// its payload is frozen under its key: never replaced by coalescing, never rebased (the
    /// server rejects a known key with a different payload).
    pub sent: bool,
    /// Backoff after a transient failure: not resent before this time.
    pub not_before: Option<Millis>,
    /// Taken from a persisted outbox (an earlier page load, a tab that is gone) and not
    /// confirmed since: the row says so until it is.
    #[serde(skip)]
    pub restored: bool,
}

impl<R: Record, M: Mutation<R>> Entry<R, M> {
    fn new(op: Op<R::Key, M>, base: Option<R>) -> Self {
        Entry { op, base, in_flight_since: None, sent: false, not_before: None, restored: false }
    }

    pub(super) fn in_flight(&self) -> bool {
        self.in_flight_since.is_some()
    }

    pub(super) fn is_create(&self) -> bool {
        matches!(self.op.kind.effect(), Effect::Create(_))
    }

    pub(super) fn is_move(&self) -> bool {
        matches!(self.op.kind.effect(), Effect::Move(_))
    }
}

/// A rolled-back change, kept aside so Retry can resend it exactly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub(super) struct RolledBack<R: Record, M: Mutation<R>> {
    pub error: M::Error,
    /// The failed op first. For a failed create, then the ops queued behind it on the new
    /// record: they were made on a record that does not exist, so they wait with their create.
    pub ops: Vec<Entry<R, M>>,
}

impl<R: Record, M: Mutation<R>> RolledBack<R, M> {
    /// A rolled-back create: its row exists only here, so the view shows it from these ops.
    pub(super) fn is_create(&self) -> bool {
        self.ops.first().is_some_and(Entry::is_create)
    }
}

/// Notes on a row that outlive the op that caused them, until retried, dismissed or
/// superseded by a new intent on the same field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub(super) struct Marks<R: Record, M: Mutation<R>> {
    pub rolled_back: Option<RolledBack<R, M>>,
    /// The user's changes that lost to a change made elsewhere, oldest first, each only if the
    /// server does not already hold what it asked for.
    pub lost: Vec<M>,
}

impl<R: Record, M: Mutation<R>> Default for Marks<R, M> {
    fn default() -> Self {
        Marks { rolled_back: None, lost: Vec::new() }
    }
}

impl<R: Record, M: Mutation<R>> Marks<R, M> {
    fn is_empty(&self) -> bool {
        self.rolled_back.is_none() && self.lost.is_empty()
    }
}

/// What the server holds about a record's pending removal (its undo window), learnt from
/// answers and pushes; the record type itself need not carry it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Hold {
    /// The server holds a delete of this record (its undo window is running).
    pub held: bool,
    /// The record version at which `held` was learnt, so an older fact never overrides a newer one.
    pub version: i64,
    /// When the undo window closes, if the server said.
    pub undo_until: Option<Millis>,
}

/// The client's sync state for one list of records. See the module docs for the rules.
///
/// Typical loop: [`Engine::enqueue`] on a user action; [`Engine::next_to_send`] and send what
/// it returns; [`Engine::apply_outcome`] with each answer; render [`Engine::view`] after
/// every change; persist it with serde so pending ops survive a reload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Engine<R: Record, M: Mutation<R>> {
    /// The last record the server confirmed, per key.
    pub(super) rows: Collection<R>,
    /// Held deletes the server told us about.
    pub(super) holds: VecMap<R::Key, Hold>,
    /// Unconfirmed ops in the order the user made them.
    pub(super) queue: Vec<Entry<R, M>>,
    pub(super) marks: VecMap<R::Key, Marks<R, M>>,
    /// Ops other tabs hold: shown, never sent from here ([`Engine::show_elsewhere`]).
    #[serde(skip)]
    pub(super) elsewhere: Vec<Elsewhere<R, M>>,
}

impl<R: Record, M: Mutation<R>> Default for Engine<R, M> {
    fn default() -> Self {
        Engine { rows: Collection::new(), holds: VecMap::default(), queue: Vec::new(), marks: VecMap::default(), elsewhere: Vec::new() }
    }
}

/// Why a user action could not be queued. Each is a bug or a stale UI, not a user error: the
/// UI offers actions only on rows it shows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EnqueueError<K: fmt::Debug> {
    /// No server record and no pending create for this key (or only a rolled-back create).
    #[error("record {0:?} is not in the list")]
    Unknown(K),
    /// A create for a key that already has a row (or a rolled-back create).
    #[error("record {0:?} already exists")]
    AlreadyExists(K),
    /// A create whose predicted record has another key than the op.
    #[error("the create for {target:?} carries a record keyed {record:?}")]
    CreateKeyMismatch {
        /// The op's target.
        target: K,
        /// The predicted record's key.
        record: K,
    },
    /// The op id is already queued or kept for Retry: ids are idempotency keys, one per intent.
    #[error("operation {0} is already queued")]
    DuplicateOpId(OpId),
}

/// Why [`Engine::retry`] did nothing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RetryError<K: fmt::Debug> {
    /// The row has no rolled-back change.
    #[error("{0:?} has no rolled-back change to retry")]
    NothingToRetry(K),
    /// The change was refused for what it is: the same key and payload would be refused again.
    #[error("the change to {0:?} was refused as it is; change it instead of retrying")]
    NotRetryable(K),
}

impl<R: Record, M: Mutation<R>> Engine<R, M> {
    /// An empty engine; fill it with [`Engine::replace_authoritative`].
    pub fn new() -> Self {
        Self::default()
    }

    // ----- Server truth -------------------------------------------------------------------

    /// Takes a full snapshot (first load, resync after reconnect): records absent from it are
    /// gone; present ones are merged by version, so a snapshot older than an answer we
    /// already have never rolls a record back. Pending ops stay queued; the server judges them.
    pub fn replace_authoritative(&mut self, records: Vec<R>) {
        // A linear scan, not a HashSet: lists are short, and the WASM client carries no
        // hash table code of its own for it.
        let gone: Vec<R::Key> =
            self.rows.keys().filter(|k| !records.iter().any(|r| r.key() == **k)).copied().collect();
        for key in gone {
            self.remove_authoritative(key);
        }
        for record in records {
            self.merge(record);
        }
    }

    /// Takes the server's records for one stretch of a longer list (a page of it): records held
    /// here that lie in that stretch (`covers`) but are not among `records` are gone from it
    /// (deleted, or moved elsewhere in the list), unless work is pending on them
    /// ([`Engine::is_busy`]): the server judges that work first. Records outside the stretch
    /// are left as they are.
    pub fn replace_where(&mut self, records: Vec<R>, covers: impl Fn(&R) -> bool) {
        let gone: Vec<R::Key> = self
            .rows
            .iter()
            .filter(|held| covers(held) && !self.is_busy(held.key()) && !records.iter().any(|r| r.key() == held.key()))
            .map(R::key)
            .collect();
        for key in gone {
            self.remove_authoritative(key);
        }
        for record in records {
            self.merge(record);
        }
    }

    /// Forgets the server records `keep` refuses (they left the part of the list being shown),
    /// except those with work pending or notes on them, which stay until those are done.
    pub fn retain_where(&mut self, keep: impl Fn(&R) -> bool) {
        let gone: Vec<R::Key> = self.rows.iter().filter(|held| !keep(held) && !self.is_busy(held.key())).map(R::key).collect();
        for key in gone {
            self.remove_authoritative(key);
        }
    }

    /// Whether the row has anything the person is waiting on or should see: ops queued here or
    /// in another tab, a note (a rolled-back or lost change), or a delete the server holds.
    pub fn is_busy(&self, key: R::Key) -> bool {
        self.queue.iter().any(|e| e.op.target == key)
            || self.elsewhere_ops().any(|op| op.target == key)
            || self.marks.get(&key).is_some_and(|m| !m.is_empty())
            || self.delete_held(key)
    }

    /// Takes one pushed record if it is newer than ours (or new to us). Returns whether it was
    /// taken. An older record never overwrites a newer one.
    pub fn upsert_authoritative(&mut self, record: R) -> bool {
        self.merge(record)
    }

    /// The server says the record is gone for good (e.g. its delete's undo window passed).
    pub fn remove_authoritative(&mut self, key: R::Key) {
        self.rows.remove(&key);
        self.holds.remove(&key);
        // Notes about a row that no longer shows have nowhere to show; a rolled-back create
        // keeps its mark, since that is where its row lives.
        if self.marks.get(&key).is_some_and(|m| !m.rolled_back.as_ref().is_some_and(RolledBack::is_create)) {
            self.marks.remove(&key);
        }
    }

    /// The server holds (`held`, undoable until `undo_until` if known) or released a delete of
    /// the record, as of record `version`; an older fact never overrides a newer one. For the
    /// push channel: records need not carry such a field, so without this the engine only
    /// learns holds from its own confirmed deletes and undos.
    pub fn set_delete_hold(&mut self, key: R::Key, held: bool, undo_until: Option<Millis>, version: i64) {
        if !self.rows.contains(&key) {
            return;
        }
        let known = self.holds.get(&key).copied();
        if known.is_some_and(|h| !is_current(version, h.version)) {
            return;
        }
        // A hold confirmed without a deadline keeps the one we already know.
        let kept = known.filter(|h| h.held).and_then(|h| h.undo_until);
        let undo_until = if held { undo_until.or(kept) } else { None };
        self.holds.insert(key, Hold { held, version, undo_until });
    }

    /// The last record the server confirmed for `key`, without pending ops.
    pub fn authoritative(&self, key: R::Key) -> Option<&R> {
        self.rows.get(&key)
    }

    /// Every record the server confirmed, in key order, without pending ops.
    pub fn records(&self) -> impl Iterator<Item = &R> {
        self.rows.iter()
    }

    /// Whether the server holds a delete of `key` (its undo window is running).
    pub fn delete_held(&self, key: R::Key) -> bool {
        self.current_hold(key).is_some()
    }

    /// The server's hold of a delete of `key`, if it is about the record we hold. A held record
    /// changes only when its delete is undone (the server refuses every edit of it), so a hold
    /// learnt at a version older than our record is over: the record was restored since (a
    /// hold answered or pushed late, after a reload showed the restored record, must not hide
    /// a live row).
    pub(super) fn current_hold(&self, key: R::Key) -> Option<&Hold> {
        let record = self.rows.get(&key)?;
        self.holds.get(&key).filter(|h| h.held && is_current(h.version, record.version()))
    }

    /// Keys of rows with notes (a rolled-back change, lost changes), in key order.
    pub fn noted(&self) -> impl Iterator<Item = R::Key> + '_ {
        self.marks.keys().copied()
    }

    /// The rolled-back change on `key`, kept for Retry: the failed op first (for a failed
    /// create, then the ops that wait with it).
    pub fn rolled_back_ops(&self, key: R::Key) -> Option<impl Iterator<Item = &Op<R::Key, M>>> {
        self.marks.get(&key).and_then(|m| m.rolled_back.as_ref()).map(|rb| rb.ops.iter().map(|e| &e.op))
    }

    /// The changes on `key` that lost to changes made elsewhere, oldest first.
    pub fn lost(&self, key: R::Key) -> &[M] {
        self.marks.get(&key).map_or(&[], |m| m.lost.as_slice())
    }

    /// The version rule ([`Collection::merge`]). If the newer record differs from ours only in
    /// its place in the list (a reorder, ours or anyone's), edits queued on the record were
    /// made on the same content, so they are rebased onto it rather than left to fail with a
    /// version conflict.
    pub(super) fn merge(&mut self, record: R) -> bool {
        let key = record.key();
        let moved_only = self.rows.get(&key).is_some_and(|held| held.only_moved(&record));
        match self.rows.merge(record) {
            super::versioned::Merged::Replaced(old) => {
                if moved_only {
                    self.rebase_from(key, old.version());
                }
                true
            }
            super::versioned::Merged::Added => true,
            super::versioned::Merged::Kept => false,
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
    /// restore is replaced only if nothing was queued on the row after it (edits made while
    /// the row was restored must stay after the restore); an unsent delete followed by a
    /// restore (or the reverse) cancel out when together they change nothing. Ops that were
    /// sent once, moves and creates are never replaced.
    ///
    /// A new intent on a field also clears that field's rolled-back or lost-change note: the
    /// person has moved on, and Retry must not later resend the older value.
    pub fn enqueue(&mut self, id: OpId, target: R::Key, kind: M) -> Result<(), EnqueueError<R::Key>> {
        if self.knows_op(id) {
            return Err(EnqueueError::DuplicateOpId(id));
        }
        let exists = self.rows.contains(&target) || self.has_pending_create(target) || self.created_elsewhere(target);
        match kind.effect() {
            Effect::Create(record) if record.key() != target => {
                return Err(EnqueueError::CreateKeyMismatch { target, record: record.key() });
            }
            Effect::Create(_) if exists || self.marks.contains_key(&target) => {
                return Err(EnqueueError::AlreadyExists(target));
            }
            Effect::Create(_) => {}
            _ if !exists => return Err(EnqueueError::Unknown(target)),
            _ => {}
        }
        let field = kind.field();
        self.supersede_marks(target, field);
        let existence = matches!(kind.effect(), Effect::Delete | Effect::Restore);
        let coalesces = existence || matches!(kind.effect(), Effect::Edit);
        let op = Op { id, target, kind, base_version: self.rows.get(&target).map(R::version), attempts: 0 };
        if coalesces
            && let Some(i) =
                self.queue.iter().position(|e| e.op.target == target && !e.sent && op.kind.supersedes(&e.op.kind))
            && (!existence || !self.queue[i + 1..].iter().any(|e| e.op.target == target))
        {
            let cancelled = cancels(&self.queue[i].op.kind, &op.kind)
                && self.is_deleted_without(target, i) == matches!(op.kind.effect(), Effect::Delete);
            self.queue.remove(i);
            if cancelled {
                // The new op restores what the row was before the unsent one: send neither.
                return Ok(());
            }
        }
        let base = self.rows.get(&target).cloned();
        self.queue.push(Entry::new(op, base));
        Ok(())
    }

    /// Resends a rolled-back change exactly as it was first sent (same id = same idempotency
    /// key, same payload and base version, since the server rejects a known key with a
    /// different payload), with a fresh attempt budget, and clears the row's notes. A failed
    /// create comes back with the edits made on it. If the row moved on meanwhile, the server
    /// answers with a version conflict, handled as usual.
    pub fn retry(&mut self, target: R::Key) -> Result<(), RetryError<R::Key>> {
        let marks = self.marks.get(&target).ok_or(RetryError::NothingToRetry(target))?;
        let rolled_back = marks.rolled_back.as_ref().ok_or(RetryError::NothingToRetry(target))?;
        if !super::record::SyncError::is_retryable(&rolled_back.error) {
            return Err(RetryError::NotRetryable(target));
        }
        if let Some(marks) = self.marks.remove(&target)
            && let Some(rolled_back) = marks.rolled_back
        {
            self.queue.extend(rolled_back.ops);
        }
        Ok(())
    }

    /// Clears the row's notes (rolled back, lost changes). A rolled-back create is discarded
    /// with it: its row disappears.
    pub fn dismiss(&mut self, target: R::Key) {
        self.marks.remove(&target);
    }

    pub(super) fn knows_op(&self, id: OpId) -> bool {
        self.queue.iter().any(|e| e.op.id == id)
            || self.marks.values().filter_map(|m| m.rolled_back.as_ref()).any(|rb| rb.ops.iter().any(|e| e.op.id == id))
    }

    /// Whether the row would show deleted with every queued op except the one at `skip`.
    fn is_deleted_without(&self, target: R::Key, skip: usize) -> bool {
        let held = self.delete_held(target);
        self.queue.iter().enumerate().filter(|(i, e)| *i != skip && e.op.target == target).fold(
            held,
            |deleted, (_, e)| match e.op.kind.effect() {
                Effect::Delete => true,
                Effect::Restore => false,
                _ => deleted,
            },
        )
    }

    pub(super) fn has_pending_create(&self, target: R::Key) -> bool {
        self.queue.iter().any(|e| e.op.target == target && e.is_create())
    }

    fn supersede_marks(&mut self, target: R::Key, field: M::Field) {
        if let Some(marks) = self.marks.get_mut(&target) {
            if marks.rolled_back.as_ref().is_some_and(|rb| rb.ops[0].op.kind.field() == field) {
                marks.rolled_back = None;
            }
            marks.lost.retain(|m| m.field() != field);
            if marks.is_empty() {
                self.marks.remove(&target);
            }
        }
    }

    // ----- Sending ------------------------------------------------------------------------

    /// The ops to send now, marked in flight since `now`. Per row, only the oldest op goes,
    /// and only when the row has nothing in flight: later edits wait behind it, so each is
    /// sent against the version its predecessor produced. A move reorders every row, so it
    /// goes alone: only when every earlier op is answered, and nothing queued after it goes
    /// until it is. Ops waiting for backoff go once `now` reaches their time.
    pub fn next_to_send(&mut self, now: Millis) -> Vec<Op<R::Key, M>> {
        let waiting: Vec<R::Key> = self.queue.iter().filter(|e| !e.sent).map(|e| e.op.target).collect();
        for target in waiting {
            self.remake(target);
        }
        let mut out = Vec::new();
        for i in self.next_in_line() {
            let entry = &mut self.queue[i];
            if entry.not_before.is_none_or(|t| t <= now) {
                if !entry.sent {
                    entry.op.kind = entry.op.kind.as_sent();
                }
                entry.in_flight_since = Some(now);
                entry.sent = true;
                entry.not_before = None;
                out.push(entry.op.clone());
            }
        }
        out
    }

    /// When the earliest op waiting for backoff may be sent; `None` if none waits. Call
    /// [`Engine::next_to_send`] after every change and again at this time.
    pub fn next_send_at(&self) -> Option<Millis> {
        self.next_in_line().into_iter().filter_map(|i| self.queue[i].not_before).min()
    }

    /// Forget that anything is in flight (the connection dropped, the page reloaded): every
    /// unanswered op is sent again, with its key, when due. Late answers are still accepted.
    pub fn requeue_in_flight(&mut self) {
        for entry in &mut self.queue {
            entry.in_flight_since = None;
        }
    }

    /// Indices of ops next in line and not in flight (backoff not considered).
    fn next_in_line(&self) -> Vec<usize> {
        let mut rows_seen: Vec<R::Key> = Vec::new();
        let mut out = Vec::new();
        for (i, entry) in self.queue.iter().enumerate() {
            if entry.is_move() {
                if i == 0 && !entry.in_flight() {
                    out.push(i);
                }
                break;
            }
            let first_for_row = !rows_seen.contains(&entry.op.target);
            if first_for_row {
                rows_seen.push(entry.op.target);
            }
            // An older op on the row held by another tab goes first (from that tab).
            if first_for_row && !entry.in_flight() && !self.waits_elsewhere(entry.op.target, entry.op.id) {
                out.push(i);
            }
        }
        out
    }

    /// All queued ops, oldest first (for persistence checks, debugging, "all saved").
    pub fn pending_ops(&self) -> impl Iterator<Item = &Op<R::Key, M>> {
        self.queue.iter().map(|e| &e.op)
    }

    /// Queued ops with a request out now, oldest first.
    pub fn in_flight_ops(&self) -> impl Iterator<Item = &Op<R::Key, M>> {
        self.queue.iter().filter(|e| e.in_flight()).map(|e| &e.op)
    }

    /// Nothing is waiting for the server.
    pub fn is_settled(&self) -> bool {
        self.queue.is_empty()
    }

    /// Re-makes the never-sent ops on `target` on the record the server holds now, in queue
    /// order, each on the record as the ops before it leave it ([`Mutation::rebase`]): a
    /// relative change is computed again (+1 stays +1 whatever happened beneath it), an edit
    /// whose field nobody else changed moves onto the current version, and an edit that was
    /// computed from a record changed elsewhere is dropped, so it never overwrites that
    /// change, and noted as lost. Rows with a request out wait for its answer (which may
    /// change the record again); rows with no server record yet (a pending create) wait too.
    pub(super) fn remake(&mut self, target: R::Key) {
        let Some(now) = self.rows.get(&target).cloned() else { return };
        if self.queue.iter().find(|e| e.op.target == target).is_none_or(|e| e.sent) {
            return;
        }
        let mut beneath = now.clone();
        let mut lost = Vec::new();
        let mut i = 0;
        while i < self.queue.len() {
            let entry = &mut self.queue[i];
            // Ops sent once are frozen under their keys (a Retry): the server judges them.
            if entry.op.target != target || entry.sent {
                i += 1;
                continue;
            }
            let was = entry.base.clone().unwrap_or_else(|| now.clone());
            match entry.op.kind.rebase(Rebase { was: &was, now: &now, beneath: &beneath }) {
                Some(kind) => {
                    entry.op.kind = kind;
                    entry.op.base_version = Some(now.version());
                    entry.base = Some(now.clone());
                    if matches!(entry.op.kind.effect(), Effect::Edit) {
                        beneath = entry.op.kind.apply(beneath);
                    }
                    i += 1;
                }
                None => lost.push(self.queue.remove(i).op.kind),
            }
        }
        lost.retain(|m| !m.is_held_by(&now));
        if !lost.is_empty() {
            self.marks.get_or_default(target).lost.extend(lost);
        }
    }

    /// Never-sent ops on `target` now build on the record we hold (if it is newer than their
    /// base): it carries our own confirmed change they were computed on.
    pub(super) fn rebase(&mut self, target: R::Key) {
        let Some(record) = self.rows.get(&target) else { return };
        for entry in self.queue.iter_mut().filter(|e| e.op.target == target && !e.sent) {
            if entry.op.base_version.is_none_or(|b| is_newer(record.version(), b)) {
                entry.op.base_version = Some(record.version());
                entry.base = Some(record.clone());
            }
        }
    }

    /// Never-sent ops on `target` made against exactly version `from` now build on the record
    /// we hold, which differs from it only in its place in the list.
    pub(super) fn rebase_from(&mut self, target: R::Key, from: i64) {
        let Some(record) = self.rows.get(&target) else { return };
        for entry in self.queue.iter_mut().filter(|e| e.op.target == target && !e.sent && e.op.base_version == Some(from)) {
            entry.op.base_version = Some(record.version());
            entry.base = Some(record.clone());
        }
    }
}

fn none<T>() -> Option<T> {
    None
}

/// A delete and a restore undo each other (see [`Engine::enqueue`] for when they cancel).
fn cancels<R: Record, M: Mutation<R>>(a: &M, b: &M) -> bool {
    matches!((a.effect(), b.effect()), (Effect::Delete, Effect::Restore) | (Effect::Restore, Effect::Delete))
}
