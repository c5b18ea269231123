//! Versioned writes to orders. Each runs in its own savepoint of a write batch on the writer
//! connection (`super::batch`, group commit): replay a stored answer, or find the order, let
//! the domain's rules decide (`crate::domain::rules`), apply the effect and store the answer.

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::AnyConnection;

use super::batch::{Finish, Write};
use super::idempotency::{self, Applied, Keep, Peek, WriteMeta, Whole};
use super::orders::{OrderRow, ORDER_COLUMNS};
use super::{db_err, Db, StoreError};
use crate::domain::rules::{self, RuleError, Stored, Undo};
use crate::sync::Place;
use crate::domain::{
    WorkspaceId,
    server_line_total, CustomerName, DeleteReceipt, ItemName, Money, Note, Order, OrderId, OrderStatus, Promotion, Quantity,
};

/// Space left between neighbouring positions, so a move usually touches one row only.
const POSITION_GAP: i64 = 1024;

/// The least space a move leaves between orders when it has to make room between two that sit
/// side by side ([`make_room`]).
const SPREAD: i64 = 16;

/// A new draft as the client proposes it; the server adds number, total, position, times.
#[derive(Clone, Debug, Serialize)]
pub struct NewDraft {
    pub id: OrderId,
    pub customer: CustomerName,
    pub item: ItemName,
    pub note: Note,
    pub quantity: Quantity,
    pub unit_price: Money,
}

pub(super) fn returning(sql: &str) -> String {
    format!("{sql} RETURNING {ORDER_COLUMNS}")
}

pub(super) fn to_order(row: OrderRow) -> Result<Order, StoreError> {
    Order::try_from(row).map_err(|e| StoreError::corrupt("order row", e.id, e.reason))
}

/// Runs a statement that yields one order row (`… RETURNING`, or a `SELECT` by id) and reads it.
pub(super) async fn one_order<'q>(
    conn: &mut AnyConnection,
    query: sqlx::query::QueryAs<'q, sqlx::Any, OrderRow, sqlx::any::AnyArguments<'q>>,
) -> Result<Order, StoreError> {
    to_order(query.fetch_one(&mut *conn).await.map_err(db_err)?)
}

/// The row with until when its delete can be undone, or `None`.
pub(super) async fn fetch(conn: &mut AnyConnection, id: OrderId) -> Result<Option<Stored>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct WithDelete {
        #[sqlx(flatten)]
        row: OrderRow,
        purge_after: Option<i64>,
    }
    let sql = format!("SELECT {ORDER_COLUMNS}, purge_after FROM orders WHERE id = $1");
    let found: Option<WithDelete> =
        sqlx::query_as(&sql).bind(id.to_string()).fetch_optional(&mut *conn).await.map_err(db_err)?;
    found.map(|w| Ok(Stored { order: to_order(w.row)?, undo_until: w.purge_after })).transpose()
}

/// The live order a write targets (missing and deleted orders are refused by the rules).
pub(super) async fn live(conn: &mut AnyConnection, id: OrderId) -> Result<Order, StoreError> {
    Ok(rules::live(fetch(conn, id).await?)?)
}

/// Keeps a move's answer as which orders it placed (the moved one, and any it spread out to
/// make room), not the records: a repeat answers with those orders as they are now (the client
/// keeps the newer version of each record, so this is never worse than the first answer).
/// Rows stored before moves answered with their changes alone name only the moved order.
struct Moved(OrderId);

#[derive(Serialize, serde::Deserialize)]
struct MovedKept {
    moved: OrderId,
    version: Option<i64>,
    #[serde(default)]
    shifted: Vec<OrderId>,
}

impl Keep<Vec<Order>> for Moved {
    fn store(&self, answer: &Vec<Order>) -> Result<String, serde_json::Error> {
        let version = answer.iter().find(|o| o.id == self.0).map(|o| o.version);
        let shifted = answer.iter().map(|o| o.id).filter(|id| *id != self.0).collect();
        serde_json::to_string(&MovedKept { moved: self.0, version, shifted })
    }

    async fn replay(&self, conn: &mut AnyConnection, meta: &WriteMeta, stored: String) -> Result<Vec<Order>, StoreError> {
        let kept: MovedKept = serde_json::from_str(&stored).map_err(|e| StoreError::corrupt("answer", meta.key.to_string(), e))?;
        let mut orders = Vec::with_capacity(1 + kept.shifted.len());
        for id in std::iter::once(kept.moved).chain(kept.shifted) {
            if let Some(found) = fetch(conn, id).await?.filter(|f| f.undo_until.is_none()) {
                orders.push(found.order);
            }
        }
        Ok(orders)
    }
}

/// A place in the list order: (position, number).
type Slot = (i64, i64);

/// The live orders on either side of `place`, leaving `id` (the order being moved) out. Each is
/// one step along the list's index, whatever the list's length.
async fn neighbours(conn: &mut AnyConnection, workspace: WorkspaceId, id: OrderId, place: Place<OrderId>) -> Result<(Option<Slot>, Option<Slot>), StoreError> {
    const BEFORE: &str = "SELECT position, number FROM orders WHERE workspace_id = $1 AND purge_after IS NULL AND id != $2 AND (position, number) < ($3, $4) \
                          ORDER BY position DESC, number DESC LIMIT 1";
    const AFTER: &str = "SELECT position, number FROM orders WHERE workspace_id = $1 AND purge_after IS NULL AND id != $2 AND (position, number) > ($3, $4) \
                         ORDER BY position, number LIMIT 1";
    let me = id.to_string();
    let slot_of = async |conn: &mut AnyConnection, other: OrderId| -> Result<Slot, StoreError> {
        let theirs: Option<WorkspaceId> = sqlx::query_scalar("SELECT workspace_id FROM orders WHERE id = $1")
            .bind(other.to_string())
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?;
        // An order of another workspace is, to this one, an order that isn't there.
        if other == id || theirs != Some(workspace) {
            return Err(RuleError::NeighbourMissing.into());
        }
        let order = rules::live(fetch(conn, other).await?).map_err(|_| RuleError::NeighbourMissing)?;
        Ok((order.position, order.number.map_or(0, |n| i64::from(n.get()))))
    };
    let step = async |conn: &mut AnyConnection, sql: &str, from: Slot| -> Result<Option<Slot>, StoreError> {
        sqlx::query_as(sql).bind(workspace).bind(&me).bind(from.0).bind(from.1).fetch_optional(&mut *conn).await.map_err(db_err)
    };
    Ok(match place {
        Place::Before(next) => {
            let next = slot_of(conn, next).await?;
            (step(conn, BEFORE, next).await?, Some(next))
        }
        Place::After(prev) => {
            let prev = slot_of(conn, prev).await?;
            (Some(prev), step(conn, AFTER, prev).await?)
        }
        Place::Last => (step(conn, BEFORE, (i64::MAX, i64::MAX)).await?, None),
    })
}

/// Makes room just after position `after`, where the next live order sits right behind it:
/// takes the fewest orders from there on that, with the moved order, fit between `after` and
/// the order behind them at least [`SPREAD`] apart, and spreads them evenly over that span.
/// Only that dense stretch moves (one order or a few), never the whole list, and a stretch
/// spread out once takes many more moves before it needs it again. Returns the moved order's
/// new position and the orders it moved, each with a new version so every client takes their
/// new place.
async fn make_room(conn: &mut AnyConnection, workspace: WorkspaceId, id: OrderId, after: i64, now: i64) -> Result<(i64, Vec<OrderId>), StoreError> {
    let mut stretch: Vec<String> = Vec::new();
    let mut from = (after, i64::MAX);
    // The span ends at the first order past the stretch, or is open at the end of the list.
    let end = loop {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT id, position, number FROM orders WHERE workspace_id = $1 AND purge_after IS NULL AND id != $2 \
             AND (position, number) > ($3, $4) ORDER BY position, number LIMIT 64",
        )
        .bind(workspace)
        .bind(id.to_string())
        .bind(from.0)
        .bind(from.1)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        let full = rows.len() == 64;
        let mut found = None;
        for (other, position, number) in rows {
            // The moved order and the stretch so far fit before this one.
            let needed = (stretch.len() as i64 + 2).saturating_mul(SPREAD);
            if position.saturating_sub(after) >= needed {
                found = Some(position);
                break;
            }
            stretch.push(other);
            from = (position, number);
        }
        if found.is_some() || !full {
            break found;
        }
    };
    let step = match end {
        Some(end) => (end - after) / (stretch.len() as i64 + 2),
        None => POSITION_GAP,
    };
    let mut moved = Vec::with_capacity(stretch.len());
    for (i, other) in stretch.iter().enumerate() {
        sqlx::query("UPDATE orders SET position = $1, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(after + step * (i as i64 + 2))
            .bind(now)
            .bind(other)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        moved.push(OrderId::parse(other).map_err(|e| StoreError::corrupt("order id", other.clone(), e))?);
    }
    Ok((after + step, moved))
}

impl Db {
    /// Runs `effect` once per idempotency key, in one transaction with storing its answer: a
    /// repeat gets the stored answer as [`Applied::Replayed`] and runs nothing. An error rolls
    /// everything back and stores nothing, so the same key may be sent again.
    pub(super) async fn idempotent<T, F>(&self, meta: &WriteMeta, effect: F) -> Result<Applied<T>, StoreError>
    where
        T: Serialize + DeserializeOwned + Send + 'static,
        F: AsyncFnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
    {
        self.idempotent_kept(meta, Whole, effect).await
    }

    /// [`Db::idempotent`], keeping under the key what `keep` makes of the answer.
    ///
    /// In the batch a fresh key is not looked up again: storing the answer under it is the
    /// write's last statement, and the key's uniqueness catches a request answered meanwhile
    /// (rolling the effect back).
    async fn idempotent_kept<T, K, F>(&self, meta: &WriteMeta, keep: K, effect: F) -> Result<Applied<T>, StoreError>
    where
        T: Send + 'static,
        K: Keep<T> + Send + 'static,
        F: AsyncFnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
    {
        let expired = match self.peek(meta, &keep, async |_| Ok(())).await? {
            Peeked::Replayed(answer) => return Ok(Applied::Replayed(answer)),
            Peeked::Expired => true,
            Peeked::Free(()) => false,
        };
        self.in_batch(meta, keep, expired, async move |w: &mut Write<'_>, meta: &WriteMeta, keep: &K| {
            let answer = effect(w.conn()).await?;
            let body = keep.store(&answer).map_err(|e| StoreError::corrupt("answer", meta.key.to_string(), e))?;
            match idempotency::record(w, meta, body).await? {
                Finish::Kept => Ok(Applied::Fresh(answer)),
                Finish::Duplicate => taken_meanwhile(w, meta, keep).await,
                Finish::Skipped => Err(StoreError::corrupt("idempotency key", meta.key.to_string(), "its answer was not stored")),
            }
        })
        .await
    }

    /// Runs `write` in a batch, for a first request: a key the reader found expired is
    /// forgotten first (or, answered meanwhile, its stored answer is the write's).
    ///
    /// A write refused by a rule looks the key up again first: another instance sharing the
    /// database may have answered a request with it between the reader's look-up and this
    /// batch (one instance's requests never race, `crate::state::InFlight`), and the refusal
    /// then comes from that request's own effect ("this id exists", "version moved"). Its answer
    /// is this one's, as for any repeat.
    async fn in_batch<T, K, W>(&self, meta: &WriteMeta, keep: K, expired: bool, write: W) -> Result<Applied<T>, StoreError>
    where
        T: Send + 'static,
        K: Keep<T> + Send + 'static,
        W: AsyncFnOnce(&mut Write<'_>, &WriteMeta, &K) -> Result<Applied<T>, StoreError> + Send + 'static,
    {
        let meta = meta.clone();
        self.batch
            .run(async move |w: &mut Write<'_>| {
                if expired && let Some(answer) = forget_expired(w, &meta, &keep).await? {
                    return Ok(Applied::Replayed(answer));
                }
                match write(w, &meta, &keep).await {
                    Err(refused @ StoreError::Rule(_)) => {
                        w.undo().await?;
                        match idempotency::stored(w.conn(), &meta).await? {
                            Some(stored) => Ok(Applied::Replayed(keep.replay(w.conn(), &meta, stored).await?)),
                            None => Err(refused),
                        }
                    }
                    done => done,
                }
            })
            .await
    }

    /// A versioned change to one live order, decided by the domain: `change` gets the order as
    /// stored and gives it back as the change leaves it (its next version), or the refusal.
    ///
    /// Most such writes cost one statement in the batch: the order is read on a reader first
    /// (beside the key's lookup), the change is decided on that, and the batch writes the new
    /// order and stores the answer only if the row is still at the version read. If it moved
    /// meanwhile (another write to it in the same batch), or the reader's copy was refused, the
    /// write reads the order again in the batch and decides on the current row.
    async fn change_live(
        &self,
        meta: &WriteMeta,
        id: OrderId,
        change: impl Fn(&Order) -> Result<Order, StoreError> + Send + 'static,
    ) -> Result<Applied<Order>, StoreError> {
        let (expired, planned) = match self.peek(meta, &Whole, async |conn| Ok(live(conn, id).await.ok())).await? {
            Peeked::Replayed(answer) => return Ok(Applied::Replayed(answer)),
            Peeked::Expired => (true, None),
            // A refusal is decided again in the batch, on the current row.
            Peeked::Free(seen) => (false, seen.and_then(|seen| change(&seen).ok().map(|next| (seen.version, next)))),
        };
        self.in_batch(meta, Whole, expired, async move |w: &mut Write<'_>, meta: &WriteMeta, keep: &Whole| {
            if let Some((seen, next)) = planned {
                match put_order(w, seen, &next, meta).await? {
                    Finish::Kept => return Ok(Applied::Fresh(next)),
                    Finish::Duplicate => return taken_meanwhile(w, meta, keep).await,
                    // Changed since the reader saw it: decided again below.
                    Finish::Skipped => {}
                }
            }
            let current = live(w.conn(), id).await?;
            let next = change(&current)?;
            match put_order(w, current.version, &next, meta).await? {
                Finish::Kept => Ok(Applied::Fresh(next)),
                Finish::Duplicate => taken_meanwhile(w, meta, keep).await,
                Finish::Skipped => Err(StoreError::corrupt("order", id.to_string(), "changed inside its own write")),
            }
        })
        .await
    }

    /// Looks the key up on a reader (a repeat is answered here, without entering a batch), then,
    /// for a first request, runs `then` on the same reader.
    async fn peek<T, K: Keep<T>, R>(&self, meta: &WriteMeta, keep: &K, then: impl AsyncFnOnce(&mut AnyConnection) -> Result<R, StoreError>) -> Result<Peeked<T, R>, StoreError> {
        let mut conn = self.reader().acquire().await.map_err(db_err)?;
        Ok(match idempotency::peek(&mut conn, meta).await? {
            Peek::Live(stored) => Peeked::Replayed(keep.replay(&mut conn, meta, stored).await?),
            Peek::Expired => Peeked::Expired,
            Peek::Free => Peeked::Free(then(&mut conn).await?),
        })
    }

    pub async fn set_starred(&self, meta: &WriteMeta, id: OrderId, version: i64, starred: bool) -> Result<Applied<Order>, StoreError> {
        let now = meta.now;
        self.change_live(meta, id, move |o| {
            o.check_version(version)?;
            Ok(Order { starred, ..o.next_version(now) })
        })
        .await
    }

    pub async fn rename(&self, meta: &WriteMeta, id: OrderId, version: i64, customer: CustomerName, item: ItemName) -> Result<Applied<Order>, StoreError> {
        let now = meta.now;
        self.change_live(meta, id, move |o| {
            o.check_editable(version)?;
            Ok(Order { customer: customer.clone(), item: item.clone(), ..o.next_version(now) })
        })
        .await
    }

    pub async fn set_note(&self, meta: &WriteMeta, id: OrderId, version: i64, note: Note) -> Result<Applied<Order>, StoreError> {
        let now = meta.now;
        self.change_live(meta, id, move |o| {
            o.check_editable(version)?;
            Ok(Order { note: note.clone(), ..o.next_version(now) })
        })
        .await
    }

    /// Sets a draft's quantity; the total is the server's price ([`server_line_total`]).
    pub async fn set_quantity(
        &self,
        meta: &WriteMeta,
        id: OrderId,
        version: i64,
        quantity: Quantity,
        promotion: Promotion,
    ) -> Result<Applied<Order>, StoreError> {
        let now = meta.now;
        self.change_live(meta, id, move |o| {
            o.check_editable(version)?;
            Ok(Order { quantity, total: server_line_total(quantity, o.unit_price, &promotion), ..o.next_version(now) })
        })
        .await
    }

    /// Moves the order to `place`; answers with every order whose place changed, the moved one
    /// first. It costs a few steps along the list's index, whatever the list's length: the new
    /// position is halfway between the neighbours, and only when they sit side by side does a
    /// short stretch behind them move up ([`make_room`]). Only which orders moved is kept under
    /// the key ([`Moved`]).
    pub async fn move_order(&self, meta: &WriteMeta, id: OrderId, version: i64, place: Place<OrderId>) -> Result<Applied<Vec<Order>>, StoreError> {
        let (now, workspace) = (meta.now, meta.workspace);
        self.idempotent_kept(meta, Moved(id), async move |conn: &mut AnyConnection| {
            let me = live(conn, id).await?;
            me.check_version(version)?;
            let no_room = || StoreError::corrupt("order positions", id.to_string(), "positions are out of range");
            let mut shifted = Vec::new();
            let position = match neighbours(conn, workspace, id, place).await? {
                (None, None) => me.position,
                (Some((prev, _)), None) => prev.checked_add(POSITION_GAP).ok_or_else(no_room)?,
                (None, Some((next, _))) => next.checked_sub(POSITION_GAP).ok_or_else(no_room)?,
                (Some((prev, _)), Some((next, _))) if next - prev >= 2 => prev + (next - prev) / 2,
                (Some((prev, _)), Some(_)) => {
                    let (position, moved) = make_room(conn, workspace, id, prev, now).await?;
                    shifted = moved;
                    position
                }
            };
            let sql = returning("UPDATE orders SET position = $1, version = version + 1, updated_at = $2 WHERE id = $3");
            let moved = one_order(conn, sqlx::query_as(&sql).bind(position).bind(now).bind(id.to_string())).await?;
            let mut answer = vec![moved];
            for other in shifted {
                answer.push(live(conn, other).await?);
            }
            Ok(answer)
        })
        .await
    }

    /// Creates a draft at the top of the list with the client's id, priced by the server. The
    /// insert is tried first: an id already taken is found by its uniqueness (and the rules then
    /// say how), so a new draft costs two statements in the batch.
    pub async fn create_draft(&self, meta: &WriteMeta, draft: NewDraft, promotion: Promotion) -> Result<Applied<Order>, StoreError> {
        let (now, workspace) = (meta.now, meta.workspace);
        self.idempotent(meta, async move |conn: &mut AnyConnection| {
            let total = server_line_total(draft.quantity, draft.unit_price, &promotion);
            // The next number is read under the write lock (`super::dialect`): no other write
            // takes it meanwhile, on any instance.
            let sql = returning(
                "INSERT INTO orders (id, workspace_id, number, customer, item, note, quantity, unit_price_cents, total_cents, \
                 status, starred, position, version, created_at, updated_at) \
                 VALUES ($1, $2, (SELECT COALESCE(MAX(number), 1000) + 1 FROM orders), $3, $4, $5, $6, $7, $8, 'draft', 0, \
                 (SELECT COALESCE(MIN(position), $9) - $9 FROM orders WHERE workspace_id = $2), 1, $10, $10) \
                 ON CONFLICT (id) DO NOTHING",
            );
            let query = sqlx::query_as(&sql)
                .bind(draft.id.to_string())
                .bind(workspace)
                .bind(draft.customer.as_str())
                .bind(draft.item.as_str())
                .bind(draft.note.as_str())
                .bind(i64::from(draft.quantity.get()))
                .bind(draft.unit_price.cents())
                .bind(total.cents())
                .bind(POSITION_GAP)
                .bind(now);
            if let Some(row) = query.fetch_optional(&mut *conn).await.map_err(db_err)? {
                return to_order(row);
            }
            // The id is taken: the rules say how.
            let theirs: Option<WorkspaceId> = sqlx::query_scalar("SELECT workspace_id FROM orders WHERE id = $1")
                .bind(draft.id.to_string())
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_err)?;
            if theirs.is_some_and(|w| w != workspace) {
                return Err(RuleError::IdTaken.into());
            }
            rules::check_new_id(fetch(conn, draft.id).await?)?;
            Err(StoreError::corrupt("order", draft.id.to_string(), "its id is taken, yet no order has it"))
        })
        .await
    }

    /// Holds the delete of a draft for `window_ms`; until then [`Db::undo_delete`] restores it.
    pub async fn delete_draft(&self, meta: &WriteMeta, id: OrderId, version: i64, window_ms: i64) -> Result<Applied<DeleteReceipt>, StoreError> {
        let now = meta.now;
        self.idempotent(meta, async move |conn: &mut AnyConnection| {
            live(conn, id).await?.check_editable(version)?;
            let undo_until = rules::undo_until(now, window_ms);
            let sql = returning(
                "UPDATE orders SET deleted_at = $1, purge_after = $2, version = version + 1, updated_at = $3 WHERE id = $4",
            );
            let query = sqlx::query_as(&sql)
                .bind(now)
                .bind(undo_until)
                .bind(now)
                .bind(id.to_string());
            Ok(DeleteReceipt { order: one_order(conn, query).await?, undo_until })
        })
        .await
    }

    /// Brings back a deleted draft while its undo window is open.
    pub async fn undo_delete(&self, meta: &WriteMeta, id: OrderId) -> Result<Applied<Order>, StoreError> {
        let now = meta.now;
        self.idempotent(meta, async move |conn: &mut AnyConnection| {
            match rules::undo_delete(fetch(conn, id).await?, now)? {
                Undo::AlreadyLive(order) => Ok(order),
                Undo::Final(refusal) => Err(refusal.into()),
                Undo::Restore => {
                    let sql = returning(
                        "UPDATE orders SET deleted_at = NULL, purge_after = NULL, version = version + 1, updated_at = $1 WHERE id = $2",
                    );
                    let query = sqlx::query_as(&sql)
                        .bind(now)
                        .bind(id.to_string());
                    one_order(conn, query).await
                }
            }
        })
        .await
    }

    /// Cancels a placed order. Irreversible; only placed orders can be cancelled.
    pub async fn cancel_placed(&self, meta: &WriteMeta, id: OrderId, version: i64) -> Result<Applied<Order>, StoreError> {
        let now = meta.now;
        self.change_live(meta, id, move |o| {
            o.check_cancellable(version)?;
            Ok(Order { status: OrderStatus::Cancelled, ..o.next_version(now) })
        })
        .await
    }

    /// A change made "elsewhere" (another tab or user): bumps the version only. Used by the
    /// conflict fault control to produce a real version conflict.
    pub async fn touch_elsewhere(&self, id: OrderId, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE orders SET version = version + 1, updated_at = $1 WHERE id = $2 AND purge_after IS NULL")
            .bind(now)
            .bind(id.to_string())
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        Ok(())
    }
}

/// What a reader found for a write before its batch ([`Db::peek`]).
enum Peeked<T, R> {
    /// A repeat: the stored answer.
    Replayed(T),
    /// The key's answer expired but is still stored: the batch forgets it first.
    Expired,
    /// A first request, and what the reader read for it.
    Free(R),
}

/// In the batch, for a key the reader found expired: forgets it, or (answered meanwhile) gives
/// the stored answer.
async fn forget_expired<T, K: Keep<T>>(w: &mut Write<'_>, meta: &WriteMeta, keep: &K) -> Result<Option<T>, StoreError> {
    match idempotency::stored(w.conn(), meta).await? {
        Some(stored) => Ok(Some(keep.replay(w.conn(), meta, stored).await?)),
        None => Ok(None),
    }
}

/// The key turned out taken when the answer was stored (the write was rolled back): another
/// request with it got in first, so its answer is replayed.
async fn taken_meanwhile<T, K: Keep<T>>(w: &mut Write<'_>, meta: &WriteMeta, keep: &K) -> Result<Applied<T>, StoreError> {
    match idempotency::stored(w.conn(), meta).await? {
        Some(stored) => Ok(Applied::Replayed(keep.replay(w.conn(), meta, stored).await?)),
        None => Err(StoreError::Busy(sqlx::Error::Protocol(format!("idempotency key {} changed hands during the write", meta.key)))),
    }
}

/// Writes `next` over the order if it is still at version `seen`, and stores it as the answer
/// under the key, in one round trip ([`Finish::Skipped`]: the order moved on; nothing changed).
async fn put_order(w: &mut Write<'_>, seen: i64, next: &Order, meta: &WriteMeta) -> Result<Finish, StoreError> {
    let body = serde_json::to_string(next).map_err(|e| StoreError::corrupt("answer", meta.key.to_string(), e))?;
    let o = next.clone();
    idempotency::record_after(
        w,
        "UPDATE orders SET customer = $1, item = $2, note = $3, quantity = $4, unit_price_cents = $5, total_cents = $6, \
         status = $7, starred = $8, position = $9, version = $10, updated_at = $11 WHERE id = $12 AND version = $13",
        move |q| {
            q.bind(o.customer.as_str().to_string())
                .bind(o.item.as_str().to_string())
                .bind(o.note.as_str().to_string())
                .bind(i64::from(o.quantity.get()))
                .bind(o.unit_price.cents())
                .bind(o.total.cents())
                .bind(o.status.as_str())
                .bind(i64::from(o.starred))
                .bind(o.position)
                .bind(o.version)
                .bind(o.updated_at)
                .bind(o.id.to_string())
                .bind(seen)
        },
        meta,
        body,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::WriteKind;

    fn meta(kind: WriteKind, now: i64) -> WriteMeta {
        WriteMeta { user: "u".into(), workspace: 1, key: uuid::Uuid::now_v7(), kind, payload_hash: "h".into(), now, ttl_ms: 60_000 }
    }

    #[tokio::test]
    async fn an_order_written_over_a_stale_read_is_left_alone_and_no_answer_is_stored() {
        let (_dir, db) = Db::scratch().await;
        let draft = NewDraft {
            id: OrderId::new(),
            customer: CustomerName::parse("Ada").unwrap(),
            item: ItemName::parse("Lamp").unwrap(),
            note: Note::parse("").unwrap(),
            quantity: Quantity::parse(1).unwrap(),
            unit_price: Money::from_cents(100),
        };
        let no_promotion = Promotion { percent: 0, from_quantity: 1 };
        let read = db.create_draft(&meta(WriteKind::Create, 1), draft, no_promotion).await.unwrap().into_inner();
        // Another write moves the order on after it was read.
        let current = db.set_starred(&meta(WriteKind::Star, 2), read.id, read.version, true).await.unwrap().into_inner();
        let late = meta(WriteKind::Note, 3);
        let planned = Order { note: Note::parse("from the stale read").unwrap(), ..read.next_version(3) };
        let (seen, stale) = (read.version, late.clone());
        let finished = db.batch.run(async move |w: &mut Write<'_>| put_order(w, seen, &planned, &stale).await).await.unwrap();
        assert_eq!(finished, Finish::Skipped);
        let mut conn = db.reader().acquire().await.unwrap();
        assert_eq!(live(&mut conn, read.id).await.unwrap(), current, "the order is as the other write left it");
        assert!(matches!(idempotency::peek(&mut conn, &late).await.unwrap(), Peek::Free), "no answer stored for the skipped write");
    }
}
