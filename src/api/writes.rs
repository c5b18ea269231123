//! Write server functions. Each takes an idempotency key and (for existing orders) the
//! version the client saw, parses its input into domain types and makes one call to the write
//! gate (`super::gate::write`) with its effect and what to announce.
//! Arguments are flat so they post as plain forms, with or without JavaScript.

// The macro's client and server halves both take the form's fields as arguments.
#![allow(clippy::too_many_arguments, reason = "server functions take their form's fields, flat so a plain form posts them")]

use leptos::prelude::*;

use crate::domain::{DeleteReceipt, Order};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::context,
    super::gate::{self, announce, Scope},
    crate::domain::{CustomerName, Field, ItemName, Money, Note, OrderId, Quantity, ValidationError, WriteKind},
    crate::sync::Place,
};

/// Star or unstar an order (any status).
#[server(endpoint = "orders/star", output = crate::wire::Wire)]
pub async fn set_starred(key: String, id: String, version: i64, starred: bool) -> Result<Order, AppError> {
    context::reply(async {
        let id = OrderId::parse(&id)?;
        gate::write(WriteKind::Star, &key, Scope::Order(id), &(id, version, starred), announce::order, move |w| async move {
            w.db.set_starred(&w.meta, id, version, starred).await
        })
        .await
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
        let payload = (id, version, customer.clone(), item.clone());
        gate::write(WriteKind::Rename, &key, Scope::Order(id), &payload, announce::order, move |w| async move {
            w.db.rename(&w.meta, id, version, customer, item).await
        })
        .await
    })
    .await
}

/// Save a draft's customer, item and note at once: the editor's own form, posted without
/// JavaScript (with it, the sync engine sends a rename and a note change instead). Each part is
/// written only when it differs from what the page showed (`was_*`): the names under `key`,
/// then the note under `note_key`, so a second submit of the same form replays both answers.
/// `None` when nothing differed, or the person pressed Cancel (`cancel`).
#[server(endpoint = "orders/edit", output = crate::wire::Wire)]
pub async fn edit_draft(
    key: String,
    note_key: String,
    id: String,
    version: i64,
    customer: String,
    item: String,
    note: String,
    was_customer: String,
    was_item: String,
    was_note: String,
    cancel: Option<String>,
) -> Result<Option<Order>, AppError> {
    context::reply(async {
        // The editor's Cancel: nothing to save.
        if cancel.is_some() {
            return Ok(None);
        }
        // Every field is checked before anything is written.
        let names_changed = CustomerName::parse(&customer)?.as_str() != was_customer || ItemName::parse(&item)?.as_str() != was_item;
        let note_changed = Note::parse(&note)?.as_str() != was_note;
        let mut saved = None;
        if names_changed {
            saved = Some(rename(key, id.clone(), version, customer, item).await?);
        }
        if note_changed {
            let version = saved.as_ref().map_or(version, |o: &Order| o.version);
            saved = Some(set_note(note_key, id, version, note).await?);
        }
        Ok(saved)
    })
    .await
}

/// Replace a draft's note.
#[server(endpoint = "orders/note", output = crate::wire::Wire)]
pub async fn set_note(key: String, id: String, version: i64, note: String) -> Result<Order, AppError> {
    context::reply(async {
        let id = OrderId::parse(&id)?;
        let note = Note::parse(&note)?;
        gate::write(WriteKind::Note, &key, Scope::Order(id), &(id, version, note.clone()), announce::order, move |w| async move {
            w.db.set_note(&w.meta, id, version, note).await
        })
        .await
    })
    .await
}

/// Set a draft's quantity; the server computes the total (bulk discount and any server-side
/// promotion included, so it may differ from the client's prediction).
#[server(endpoint = "orders/quantity", output = crate::wire::Wire)]
pub async fn set_quantity(key: String, id: String, version: i64, quantity: i64) -> Result<Order, AppError> {
    context::reply(async {
        let id = OrderId::parse(&id)?;
        let quantity = Quantity::parse(quantity)?;
        gate::write(WriteKind::Quantity, &key, Scope::Order(id), &(id, version, quantity), announce::order, move |w| async move {
            w.db.set_quantity(&w.meta, id, version, quantity, w.settings.pricing.promotion()).await
        })
        .await
    })
    .await
}

/// Move an order just before `before`, just after `after` (one of them at most), or to the end
/// of the list; answers with every order whose place changed, the moved one first (the
/// canonical order is their positions).
#[server(endpoint = "orders/move", output = crate::wire::Wire)]
pub async fn move_order(key: String, id: String, version: i64, before: Option<String>, after: Option<String>) -> Result<Vec<Order>, AppError> {
    context::reply(async {
        let id = OrderId::parse(&id)?;
        let neighbour = |s: Option<String>| s.filter(|b| !b.is_empty()).map(|b| OrderId::parse(&b)).transpose();
        let (before, after) = (neighbour(before)?, neighbour(after)?);
        let place = match (before, after) {
            (Some(_), Some(_)) => {
                return Err(ValidationError::new(Field::Position, "Move an order before one order or after one, not both.").into());
            }
            (Some(b), None) => Place::Before(b),
            (None, Some(a)) => Place::After(a),
            (None, None) => Place::Last,
        };
        // A move before an order (or last) is stored under the payload it always had, so a key
        // sent before moves could go after an order still replays.
        let payload = match after {
            None => serde_json::json!((id, version, before)),
            Some(a) => serde_json::json!((id, version, "after", a)),
        };
        gate::write(WriteKind::Move, &key, Scope::Order(id), &payload, announce::orders, move |w| async move {
            w.db.move_order(&w.meta, id, version, place).await
        })
        .await
    })
    .await
}

/// Create a draft with the client's id in `workspace` (the person's current one without it);
/// the server assigns number, total and times.
#[server(endpoint = "orders/create", output = crate::wire::Wire)]
pub async fn create_order(
    key: String,
    id: String,
    customer: String,
    item: String,
    quantity: i64,
    unit_price_cents: i64,
    note: String,
    workspace: Option<i64>,
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
        gate::write(WriteKind::Create, &key, Scope::Workspace(workspace), &draft.clone(), announce::order, move |w| async move {
            w.db.create_draft(&w.meta, draft, w.settings.pricing.promotion()).await
        })
        .await
    })
    .await
}

/// Delete a draft, held for the undo window (`writes.undo_window_secs`).
#[server(endpoint = "orders/delete", output = crate::wire::Wire)]
pub async fn delete_order(key: String, id: String, version: i64) -> Result<DeleteReceipt, AppError> {
    context::reply(async {
        let id = OrderId::parse(&id)?;
        gate::write(WriteKind::Delete, &key, Scope::Order(id), &(id, version), announce::removed, move |w| async move {
            let window_ms = (w.settings.writes.undo_window_secs as i64).saturating_mul(1000);
            w.db.delete_draft(&w.meta, id, version, window_ms).await
        })
        .await
    })
    .await
}

/// Undo a delete while its window is open.
#[server(endpoint = "orders/undo_delete", output = crate::wire::Wire)]
pub async fn undo_delete(key: String, id: String) -> Result<Order, AppError> {
    context::reply(async {
        let id = OrderId::parse(&id)?;
        gate::write(WriteKind::UndoDelete, &key, Scope::Order(id), &id, announce::order, move |w| async move {
            w.db.undo_delete(&w.meta, id).await
        })
        .await
    })
    .await
}

/// Cancel a placed order. Pessimistic: the client waits for this answer before changing the row.
#[server(endpoint = "orders/cancel", output = crate::wire::Wire)]
pub async fn cancel_order(key: String, id: String, version: i64) -> Result<Order, AppError> {
    context::reply(async {
        let id = OrderId::parse(&id)?;
        gate::write(WriteKind::Cancel, &key, Scope::Order(id), &(id, version), announce::order, move |w| async move {
            w.db.cancel_placed(&w.meta, id, version).await
        })
        .await
    })
    .await
}
