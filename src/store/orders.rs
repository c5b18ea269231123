//! Reading orders. Row types here mirror the table; wire types live in `crate::domain`.

use sqlx::FromRow;
use uuid::Uuid;

use super::Db;
use crate::domain::{WorkspaceId, CustomerName, ItemName, ListKey, Money, Note, Order, OrderId, OrderNumber, OrderPage, OrderStatus, Quantity};

/// The column list every order query selects, in `OrderRow`'s order.
pub(crate) const ORDER_COLUMNS: &str = "id, number, customer, item, note, quantity, unit_price_cents, \
     total_cents, status, starred, position, version, created_at, updated_at";

/// One row of `orders`, as stored.
#[derive(Debug, Clone, FromRow)]
pub struct OrderRow {
    pub id: String,
    pub number: i64,
    pub customer: String,
    pub item: String,
    pub note: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub total_cents: i64,
    pub status: String,
    /// 0 or 1 (an integer on both databases).
    pub starred: i64,
    pub position: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A stored row that does not satisfy the domain's rules: data corruption, never user input.
#[derive(Debug, thiserror::Error)]
#[error("order row {id} is corrupt: {reason}")]
pub struct CorruptRow {
    pub id: String,
    pub reason: String,
}

impl TryFrom<OrderRow> for Order {
    type Error = CorruptRow;

    fn try_from(r: OrderRow) -> Result<Self, Self::Error> {
        let bad = |reason: String| CorruptRow { id: r.id.clone(), reason };
        Ok(Order {
            id: OrderId::from_uuid(Uuid::parse_str(&r.id).map_err(|e| bad(e.to_string()))?),
            number: Some(OrderNumber::new(u32::try_from(r.number).map_err(|e| bad(e.to_string()))?)),
            customer: CustomerName::parse(&r.customer).map_err(|e| bad(e.message))?,
            item: ItemName::parse(&r.item).map_err(|e| bad(e.message))?,
            note: Note::parse(&r.note).map_err(|e| bad(e.message))?,
            quantity: Quantity::parse(r.quantity).map_err(|e| bad(e.message))?,
            unit_price: Money::from_cents(r.unit_price_cents),
            total: Money::from_cents(r.total_cents),
            status: OrderStatus::parse(&r.status).ok_or_else(|| bad(format!("unknown status {:?}", r.status)))?,
            starred: r.starred != 0,
            position: r.position,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// A page from up to `limit + 1` orders read after its key: the extra one only says there is
/// a next page.
fn page_of(mut orders: Vec<Order>, limit: usize, total: u64) -> OrderPage {
    let more = orders.len() > limit;
    orders.truncate(limit);
    let next = if more { orders.last().and_then(ListKey::of) } else { None };
    OrderPage { orders, total, next }
}

/// Errors reading orders: the database failed, or a row is corrupt.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Corrupt(#[from] CorruptRow),
}

impl Db {
    /// Every order of `workspace`, in list order.
    pub async fn list_orders(&self, workspace: WorkspaceId) -> Result<Vec<Order>, ReadError> {
        let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE workspace_id = $1 AND purge_after IS NULL ORDER BY position, number");
        let rows: Vec<OrderRow> = sqlx::query_as(&sql).bind(workspace).fetch_all(self.reader()).await?;
        rows.into_iter().map(|r| Order::try_from(r).map_err(ReadError::from)).collect()
    }

    /// A page of `workspace`'s list: at most `limit` live orders after `after` (from the top without it)
    /// that match `search` ([`Order::matches`]; empty: every order), in list order, with how
    /// many live orders match in all. Read by the list's own index from the key, so it costs the
    /// same anywhere in the list. A search of three characters or more is looked up in the
    /// search index (`orders_search`, trigrams); a shorter one, which trigrams can't index, is
    /// a scan inside the database (or, with letters beyond ASCII, whose case SQLite does not
    /// fold, a read of every order, on either engine).
    pub async fn list_page(&self, workspace: WorkspaceId, after: Option<ListKey>, limit: u32, search: &str) -> Result<OrderPage, ReadError> {
        let limit = limit.max(1) as usize;
        let needle = search.trim();
        let short = needle.chars().count() < 3;
        if !needle.is_empty() && short && !needle.is_ascii() {
            // SQLite folds ASCII case only: a short search with other letters is matched here.
            let found: Vec<Order> = self.list_orders(workspace).await?.into_iter().filter(|o| o.matches(needle)).collect();
            let total = found.len() as u64;
            let rest: Vec<Order> = found.into_iter().filter(|o| after.is_none_or(|a| ListKey::of(o).is_some_and(|k| k > a))).take(limit + 1).collect();
            return Ok(page_of(rest, limit, total));
        }
        // Every live order, those the index finds (the phrase is the search as typed), or for
        // one or two characters, which trigrams can't index, those that hold them (a scan
        // inside the database, which stops at the page's end; only the count reads every row).
        let dialect = self.dialect();
        let (filter, phrase) = if needle.is_empty() {
            ("workspace_id = $1 AND purge_after IS NULL".to_owned(), None)
        } else {
            let indexed = !short;
            (format!("workspace_id = $1 AND purge_after IS NULL AND {}", dialect.search_filter(2, indexed)), Some(dialect.search_phrase(needle, indexed)))
        };
        let (position, number) = after.map_or((i64::MIN, i64::MIN), |k| (k.position, i64::from(k.number.get())));
        // One read transaction: the page and the count are of the same moment.
        let mut conn = match dialect.begin_snapshot() {
            Some(begin) => self.reader().begin_with(begin).await?,
            None => self.reader().begin().await?,
        };
        let next = if phrase.is_some() { 3 } else { 2 };
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE {filter} AND (position, number) > (${next}, ${}) ORDER BY position, number LIMIT ${}",
            next + 1,
            next + 2
        );
        let mut query = sqlx::query_as(&sql).bind(workspace);
        if let Some(phrase) = &phrase {
            query = query.bind(phrase.clone());
        }
        let rows: Vec<OrderRow> = query.bind(position).bind(number).bind(limit as i64 + 1).fetch_all(&mut *conn).await?;
        let total: i64 = match phrase {
            Some(phrase) => sqlx::query_scalar(&format!("SELECT COUNT(*) FROM orders WHERE {filter}")).bind(workspace).bind(phrase).fetch_one(&mut *conn).await?,
            // The workspace's rows less those waiting out a delete: counted from indexes.
            None => {
                sqlx::query_scalar(
                    "SELECT (SELECT COUNT(*) FROM orders WHERE workspace_id = $1) \
                     - (SELECT COUNT(*) FROM orders WHERE purge_after IS NOT NULL AND workspace_id = $1)",
                )
                .bind(workspace)
                .fetch_one(&mut *conn)
                .await?
            }
        };
        conn.commit().await?;
        let orders = rows.into_iter().map(|r| Order::try_from(r).map_err(ReadError::from)).collect::<Result<Vec<_>, _>>()?;
        Ok(page_of(orders, limit, total.max(0) as u64))
    }

    /// One order by its human number.
    pub async fn order_by_number(&self, number: OrderNumber) -> Result<Option<Order>, ReadError> {
        let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE number = $1 AND purge_after IS NULL");
        let row: Option<OrderRow> = sqlx::query_as(&sql).bind(i64::from(number.get())).fetch_optional(self.reader()).await?;
        Ok(row.map(Order::try_from).transpose()?)
    }
}
