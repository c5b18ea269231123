//! Write server functions. Each takes an idempotency key and (for existing orders) the
//! version the client saw, parses its input into domain types and calls the store.
//! Arguments are flat so they post as plain forms, with or without JavaScript.

use leptos::prelude::*;

use crate::domain::{DeleteReceipt, Order};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::context::{self, begin_write},
    crate::domain::{CustomerName, ItemName, Money, Note, OrderId, Quantity, WriteKind},
};

/// Star or unstar an order (any status).
#[server(endpoint = "orders/star", output = crate::wire::Wire)]
pub async fn set_starred(key: String, id: String, version: i64, starred: bool) -> Result<Order, AppError> {
    context::reply(async {
        let id = OrderId::parse(&id)?;
        let w = begin_write(WriteKind::Star, &key, Some(id), &(id, version, starred)).await?;
        w.db.set_starred(&w.meta, id, version, starred).await.inspect(|o| w.events.order(o))
    })
    .await
}

/// Rename a draft's customer and item.
#[server(endpoint = "orders/rename", output = crate::wire::Wire)]
pub async fn rename(key: String, id: String, version: i64, customer: String, item: String) -> Result<Order, AppError> {
    context::reply(async {
        let id = OrderId::parse(&id)?;
        let customer = CustomerName::parse(&customer)?;
        let item = ItemName::parse(&item)?;
        let w = begin_write(WriteKind::Rename, &key, Some(id), &(id, version, &customer, &item)).await?;
        w.db.rename(&w.meta, id, version, customer, item).await.inspect(|o| w.events.order(o))
    })
    .await
}

/// Replace a draft's note.
#[server(endpoint = "orders/note", output = crate::wire::Wire)]
pub async fn set_note(key: String, id: String, version: i64, note: String) -> Result<Order, AppError> {
    context::reply(async {
        let id = OrderId::parse(&id)?;
        let note = Note::parse(&note)?;
        let w = begin_write(WriteKind::Note, &key, Some(id), &(id, version, &note)).await?;
        w.db.set_note(&w.meta, id, version, note).await.inspect(|o| w.events.order(o))
    })
    .await
}

/// Set a draft's quantity; the server computes the total (bulk discount included).
#[server(endpoint = "orders/quantity", output = crate::wire::Wire)]
pub async fn set_quantity(key: String, id: String, version: i64, quantity: i64) -> Result<Order, AppError> {
    context::reply(async {
        let id = OrderId::parse(&id)?;
        let quantity = Quantity::parse(quantity)?;
        let w = begin_write(WriteKind::Quantity, &key, Some(id), &(id, version, quantity)).await?;
        w.db.set_quantity(&w.meta, id, version, quantity).await.inspect(|o| w.events.order(o))
    })
    .await
}

/// Move an order just before another (to the end without `before`); answers with the
/// canonical list.
#[server(endpoint = "orders/move", output = crate::wire::Wire)]
pub async fn move_order(key: String, id: String, version: i64, before: Option<String>) -> Result<Vec<Order>, AppError> {
    context::reply(async {
        let id = OrderId::parse(&id)?;
        let before = before.filter(|b| !b.is_empty()).map(|b| OrderId::parse(&b)).transpose()?;
        let w = begin_write(WriteKind::Move, &key, Some(id), &(id, version, before)).await?;
        w.db.move_order(&w.meta, id, version, before).await.inspect(|list| w.events.orders(list))
    })
    .await
}

/// Create a draft with the client's id; the server assigns number, total and times.
#[server(endpoint = "orders/create", output = crate::wire::Wire)]
pub async fn create_order(
    key: String,
    id: String,
    customer: String,
    item: String,
    quantity: i64,
    unit_price_cents: i64,
    note: String,
) -> Result<Order, AppError> {
    context::reply(async {
        let draft = crate::store::NewDraft {
            id: OrderId::parse(&id)?,
            customer: CustomerName::parse(&customer)?,
            item: ItemName::parse(&item)?,
            note: Note::parse(&note)?,
            quantity: Quantity::parse(quantity)?,
            unit_price: Money::parse_cents(unit_price_cents)?,
        };
        let w = begin_write(WriteKind::Create, &key, None, &draft).await?;
        w.db.create_draft(&w.meta, draft).await.inspect(|o| w.events.order(o))
    })
    .await
}

/// Delete a draft, held for the undo window (`writes.undo_window_secs`).
#[server(endpoint = "orders/delete", output = crate::wire::Wire)]
pub async fn delete_order(key: String, id: String, version: i64) -> Result<DeleteReceipt, AppError> {
    context::reply(async {
        let id = OrderId::parse(&id)?;
        let w = begin_write(WriteKind::Delete, &key, Some(id), &(id, version)).await?;
        let window_ms = (w.settings.writes.undo_window_secs as i64).saturating_mul(1000);
        w.db.delete_draft(&w.meta, id, version, window_ms).await.inspect(|r| w.events.order_removed(r.order.id))
    })
    .await
}

/// Undo a delete while its window is open.
#[server(endpoint = "orders/undo_delete", output = crate::wire::Wire)]
pub async fn undo_delete(key: String, id: String) -> Result<Order, AppError> {
    context::reply(async {
        let id = OrderId::parse(&id)?;
        let w = begin_write(WriteKind::UndoDelete, &key, Some(id), &id).await?;
        w.db.undo_delete(&w.meta, id).await.inspect(|o| w.events.order(o))
    })
    .await
}

/// Cancel a placed order. Pessimistic: the client waits for this answer before changing the row.
#[server(endpoint = "orders/cancel", output = crate::wire::Wire)]
pub async fn cancel_order(key: String, id: String, version: i64) -> Result<Order, AppError> {
    context::reply(async {
        let id = OrderId::parse(&id)?;
        let w = begin_write(WriteKind::Cancel, &key, Some(id), &(id, version)).await?;
        w.db.cancel_placed(&w.meta, id, version).await.inspect(|o| w.events.order(o))
    })
    .await
}
