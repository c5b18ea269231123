//! Versioned writes to orders. Each runs in its own savepoint of a write batch on the writer
//! connection (`super::batch`, group commit): replay a stored answer, or find the order, let
//! the domain's rules decide (`crate::domain::rules`), apply the effect and store the answer.

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::SqliteConnection;

use super::idempotency::{self, Applied, Keep, WriteMeta, Whole};
use super::orders::{OrderRow, ORDER_COLUMNS};
use super::{db_err, Db, StoreError};
use crate::domain::rules::{self, RuleError, Stored, Undo};
use crate::domain::{
    server_line_total, CustomerName, DeleteReceipt, ItemName, Money, Note, Order, OrderId, Promotion, Quantity,
};

/// Space left between neighbouring positions, so a move usually touches one row only.
const POSITION_GAP: i64 = 1024;

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
    conn: &mut SqliteConnection,
    query: sqlx::query::QueryAs<'q, sqlx::Sqlite, OrderRow, sqlx::sqlite::SqliteArguments<'q>>,
) -> Result<Order, StoreError> {
    to_order(query.fetch_one(&mut *conn).await.map_err(db_err)?)
}

/// The row with until when its delete can be undone, or `None`.
pub(super) async fn fetch(conn: &mut SqliteConnection, id: OrderId) -> Result<Option<Stored>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct WithDelete {
        #[sqlx(flatten)]
        row: OrderRow,
        purge_after: Option<i64>,
    }
    let sql = format!("SELECT {ORDER_COLUMNS}, purge_after FROM orders WHERE id = ?");
    let found: Option<WithDelete> =
        sqlx::query_as(&sql).bind(id.to_string()).fetch_optional(&mut *conn).await.map_err(db_err)?;
    found.map(|w| Ok(Stored { order: to_order(w.row)?, undo_until: w.purge_after })).transpose()
}

/// The live order a write targets (missing and deleted orders are refused by the rules).
pub(super) async fn live(conn: &mut SqliteConnection, id: OrderId) -> Result<Order, StoreError> {
    Ok(rules::live(fetch(conn, id).await?)?)
}

/// Keeps a move's answer as which order moved, to which version, not the list it answered
/// with: a list grows with every order and would be stored again for every move. A repeat
/// answers with the canonical list as it is now (the client keeps the newer version of each
/// record, so this is never worse than the first answer). Rows stored before this held the
/// whole list; they replay the same way.
struct Moved(OrderId);

impl Keep<Vec<Order>> for Moved {
    fn store(&self, answer: &Vec<Order>) -> Result<String, serde_json::Error> {
        let version = answer.iter().find(|o| o.id == self.0).map(|o| o.version);
        serde_json::to_string(&serde_json::json!({ "moved": self.0, "version": version }))
    }

    async fn replay(&self, conn: &mut SqliteConnection, _: &WriteMeta, _: String) -> Result<Vec<Order>, StoreError> {
        list_on(conn).await
    }
}

/// Every live order, in list order, on the given connection.
async fn list_on(conn: &mut SqliteConnection) -> Result<Vec<Order>, StoreError> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE purge_after IS NULL ORDER BY position, number");
    let rows: Vec<OrderRow> = sqlx::query_as(&sql).fetch_all(&mut *conn).await.map_err(db_err)?;
    rows.into_iter().map(to_order).collect()
}

impl Db {
    /// Runs `effect` once per idempotency key, in one transaction with storing its answer: a
    /// repeat gets the stored answer as [`Applied::Replayed`] and runs nothing. An error rolls
    /// everything back and stores nothing, so the same key may be sent again.
    pub(super) async fn idempotent<T, F>(&self, meta: &WriteMeta, effect: F) -> Result<Applied<T>, StoreError>
    where
        T: Serialize + DeserializeOwned,
        F: AsyncFnOnce(&mut SqliteConnection) -> Result<T, StoreError>,
    {
        self.idempotent_kept(meta, Whole, effect).await
    }

    /// [`Db::idempotent`], keeping under the key what `keep` makes of the answer.
    async fn idempotent_kept<T, K, F>(&self, meta: &WriteMeta, keep: K, effect: F) -> Result<Applied<T>, StoreError>
    where
        K: Keep<T>,
        F: AsyncFnOnce(&mut SqliteConnection) -> Result<T, StoreError>,
    {
        // A repeat is answered from a reader, without entering a write batch.
        {
            let mut conn = self.reader().acquire().await.map_err(db_err)?;
            if let Some(stored) = idempotency::peek(&mut conn, meta).await? {
                return Ok(Applied::Replayed(keep.replay(&mut conn, meta, stored).await?));
            }
        }
        self.batch
            .run(async |conn: &mut SqliteConnection| {
                // Checked again in the batch: a first request may have committed meanwhile.
                if let Some(stored) = idempotency::stored(conn, meta).await? {
                    return Ok(Applied::Replayed(keep.replay(conn, meta, stored).await?));
                }
                let answer = effect(conn).await?;
                let body = keep.store(&answer).map_err(|e| StoreError::corrupt("answer", meta.key.to_string(), e))?;
                idempotency::record(conn, meta, body).await?;
                Ok(Applied::Fresh(answer))
            })
            .await
    }

    pub async fn set_starred(&self, meta: &WriteMeta, id: OrderId, version: i64, starred: bool) -> Result<Applied<Order>, StoreError> {
        let now = meta.now;
        self.idempotent(meta, async |conn: &mut SqliteConnection| {
            live(conn, id).await?.check_version(version)?;
            let sql = returning("UPDATE orders SET starred = ?, version = version + 1, updated_at = ? WHERE id = ?");
            let query = sqlx::query_as(&sql)
                .bind(starred)
                .bind(now)
                .bind(id.to_string());
            one_order(conn, query).await
        })
        .await
    }

    pub async fn rename(&self, meta: &WriteMeta, id: OrderId, version: i64, customer: CustomerName, item: ItemName) -> Result<Applied<Order>, StoreError> {
        let now = meta.now;
        self.idempotent(meta, async |conn: &mut SqliteConnection| {
            live(conn, id).await?.check_editable(version)?;
            let sql = returning(
                "UPDATE orders SET customer = ?, item = ?, version = version + 1, updated_at = ? WHERE id = ?",
            );
            let query = sqlx::query_as(&sql)
                .bind(customer.as_str())
                .bind(item.as_str())
                .bind(now)
                .bind(id.to_string());
            one_order(conn, query).await
        })
        .await
    }

    pub async fn set_note(&self, meta: &WriteMeta, id: OrderId, version: i64, note: Note) -> Result<Applied<Order>, StoreError> {
        let now = meta.now;
        self.idempotent(meta, async |conn: &mut SqliteConnection| {
            live(conn, id).await?.check_editable(version)?;
            let sql = returning("UPDATE orders SET note = ?, version = version + 1, updated_at = ? WHERE id = ?");
            let query = sqlx::query_as(&sql)
                .bind(note.as_str())
                .bind(now)
                .bind(id.to_string());
            one_order(conn, query).await
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
        self.idempotent(meta, async |conn: &mut SqliteConnection| {
            let current = live(conn, id).await?;
            current.check_editable(version)?;
            let total = server_line_total(quantity, current.unit_price, &promotion);
            let sql = returning(
                "UPDATE orders SET quantity = ?, total_cents = ?, version = version + 1, updated_at = ? WHERE id = ?",
            );
            let query = sqlx::query_as(&sql)
                .bind(i64::from(quantity.get()))
                .bind(total.cents())
                .bind(now)
                .bind(id.to_string());
            one_order(conn, query).await
        })
        .await
    }

    /// Moves the order just before `before` (to the end when `None`); answers with the
    /// canonical list. Only which order moved is kept under the key ([`Moved`]).
    pub async fn move_order(&self, meta: &WriteMeta, id: OrderId, version: i64, before: Option<OrderId>) -> Result<Applied<Vec<Order>>, StoreError> {
        let now = meta.now;
        self.idempotent_kept(meta, Moved(id), async |conn: &mut SqliteConnection| {
            live(conn, id).await?.check_version(version)?;
            let mut position = target_position(conn, id, before).await?;
            if position.is_none() {
                renumber(conn, now).await?;
                position = target_position(conn, id, before).await?;
            }
            let position = position.ok_or_else(|| StoreError::corrupt("order positions", id.to_string(), "no room even after renumbering"))?;
            sqlx::query("UPDATE orders SET position = ?, version = version + 1, updated_at = ? WHERE id = ?")
                .bind(position)
                .bind(now)
                .bind(id.to_string())
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
            list_on(conn).await
        })
        .await
    }

    /// Creates a draft at the top of the list with the client's id, priced by the server.
    pub async fn create_draft(&self, meta: &WriteMeta, draft: NewDraft, promotion: Promotion) -> Result<Applied<Order>, StoreError> {
        let now = meta.now;
        self.idempotent(meta, async |conn: &mut SqliteConnection| {
            rules::check_new_id(fetch(conn, draft.id).await?)?;
            let total = server_line_total(draft.quantity, draft.unit_price, &promotion);
            let sql = returning(
                "INSERT INTO orders (id, number, customer, item, note, quantity, unit_price_cents, total_cents, status, \
                 starred, position, version, created_at, updated_at) \
                 VALUES (?, (SELECT COALESCE(MAX(number), 1000) + 1 FROM orders), ?, ?, ?, ?, ?, ?, 'draft', 0, \
                 (SELECT COALESCE(MIN(position), ?) - ? FROM orders), 1, ?, ?)",
            );
            let query = sqlx::query_as(&sql)
                .bind(draft.id.to_string())
                .bind(draft.customer.as_str())
                .bind(draft.item.as_str())
                .bind(draft.note.as_str())
                .bind(i64::from(draft.quantity.get()))
                .bind(draft.unit_price.cents())
                .bind(total.cents())
                .bind(POSITION_GAP)
                .bind(POSITION_GAP)
                .bind(now)
                .bind(now);
            one_order(conn, query).await
        })
        .await
    }

    /// Holds the delete of a draft for `window_ms`; until then [`Db::undo_delete`] restores it.
    pub async fn delete_draft(&self, meta: &WriteMeta, id: OrderId, version: i64, window_ms: i64) -> Result<Applied<DeleteReceipt>, StoreError> {
        let now = meta.now;
        self.idempotent(meta, async |conn: &mut SqliteConnection| {
            live(conn, id).await?.check_editable(version)?;
            let undo_until = rules::undo_until(now, window_ms);
            let sql = returning(
                "UPDATE orders SET deleted_at = ?, purge_after = ?, version = version + 1, updated_at = ? WHERE id = ?",
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
        self.idempotent(meta, async |conn: &mut SqliteConnection| {
            match rules::undo_delete(fetch(conn, id).await?, now)? {
                Undo::AlreadyLive(order) => Ok(order),
                Undo::Final(refusal) => Err(refusal.into()),
                Undo::Restore => {
                    let sql = returning(
                        "UPDATE orders SET deleted_at = NULL, purge_after = NULL, version = version + 1, updated_at = ? WHERE id = ?",
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
        self.idempotent(meta, async |conn: &mut SqliteConnection| {
            live(conn, id).await?.check_cancellable(version)?;
            let sql = returning(
                "UPDATE orders SET status = 'cancelled', version = version + 1, updated_at = ? WHERE id = ?",
            );
            let query = sqlx::query_as(&sql)
                .bind(now)
                .bind(id.to_string());
            one_order(conn, query).await
        })
        .await
    }

    /// A change made "elsewhere" (another tab or user): bumps the version only. Used by the
    /// conflict fault control to produce a real version conflict.
    pub async fn touch_elsewhere(&self, id: OrderId, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE orders SET version = version + 1, updated_at = ? WHERE id = ? AND purge_after IS NULL")
            .bind(now)
            .bind(id.to_string())
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        Ok(())
    }
}

/// The position that puts `id` just before `before` (or last), or `None` if there is no
/// room between the neighbours and the list must be renumbered first.
async fn target_position(conn: &mut SqliteConnection, id: OrderId, before: Option<OrderId>) -> Result<Option<i64>, StoreError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT id, position FROM orders WHERE purge_after IS NULL ORDER BY position, number")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?;
    let me = id.to_string();
    let others: Vec<(String, i64)> = rows.into_iter().filter(|(rid, _)| *rid != me).collect();
    let Some(before) = before else {
        return Ok(Some(others.last().map_or(0, |(_, p)| p + POSITION_GAP)));
    };
    let target = before.to_string();
    let idx = others.iter().position(|(rid, _)| *rid == target).ok_or(RuleError::NeighbourMissing)?;
    let next = others[idx].1;
    let prev = if idx == 0 { next - 2 * POSITION_GAP } else { others[idx - 1].1 };
    Ok((next - prev >= 2).then(|| prev + (next - prev) / 2))
}

/// Spreads positions out again, keeping the order. Every row whose position changes gets a
/// new version, so clients holding the old record take the new one.
async fn renumber(conn: &mut SqliteConnection, now: i64) -> Result<(), StoreError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT id, position FROM orders WHERE purge_after IS NULL ORDER BY position, number")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?;
    for (i, (id, old)) in rows.iter().enumerate() {
        let position = (i as i64 + 1) * POSITION_GAP;
        if position == *old {
            continue;
        }
        sqlx::query("UPDATE orders SET position = ?, version = version + 1, updated_at = ? WHERE id = ?")
            .bind(position)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}
