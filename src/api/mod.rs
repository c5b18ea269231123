//! Server functions: thin. Parse input into domain types, call the store (writes: through
//! the one write gate, `gate`), map the result. No SQL and no business rules here.
//! Depends on state, push, store and domain; never on `server` (which assembles this).

#[cfg(feature = "ssr")]
pub(crate) mod context;
#[cfg(feature = "ssr")]
mod errors;
#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
pub mod gate;
mod accounts;
mod faults;
mod jobs;
mod writes;

pub use accounts::*;
pub use faults::*;
pub use jobs::*;
pub use writes::*;

use leptos::prelude::*;

use crate::domain::{Order, OrderPage};
use crate::error::AppError;

/// A page of `workspace`'s list (the person's current workspace without it; `list.page_size`
/// orders) after `after` (a [`crate::domain::ListKey`] as a link carries it; from the top
/// without it), of the orders matching `q` (all without it), with how many match in all and
/// where the next page starts.
#[server(endpoint = "orders/page", output = crate::wire::Wire)]
pub async fn list_page(after: Option<String>, q: Option<String>, workspace: Option<i64>) -> Result<OrderPage, AppError> {
    context::reply(async {
        let after = after.filter(|a| !a.is_empty()).map(|a| crate::domain::ListKey::parse(&a)).transpose()?;
        let q = q.unwrap_or_default();
        if q.chars().count() > crate::domain::SEARCH_MAX_CHARS {
            return Err(AppError::Validation {
                field: crate::domain::Field::Search,
                message: format!("A search can be at most {} characters. Shorten it and search again.", crate::domain::SEARCH_MAX_CHARS),
            });
        }
        let (workspace, _) = context::role_in(&context::person()?, workspace)?;
        let state = context::state()?;
        state.db.list_page(workspace, after, state.settings.list.page_size, &q).await.map_err(|e| context::internal("reading a page of orders", e))
    })
    .await
}

/// One order by its number (`ORD-1042`), in any workspace the person belongs to.
#[server(endpoint = "orders/get", output = crate::wire::Wire)]
pub async fn get_order(number: String) -> Result<Order, AppError> {
    context::reply(async {
        let number = crate::domain::OrderNumber::parse(&number)?;
        let person = context::person()?;
        let db = context::db()?;
        let missing = || AppError::not_found(format!("There is no order {number}. Check the number, or find it in the orders list."));
        let order = db.order_by_number(number).await.map_err(|e| context::internal("reading an order", e))?.ok_or_else(missing)?;
        // Someone else's order is, to this person, no order at all.
        context::role_for_order(&db, &person, order.id).await.map_err(|_| missing())?;
        Ok(order)
    })
    .await
}
