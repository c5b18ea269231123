//! Server functions: thin. Parse input into domain types, call the store (writes: through
//! the one write gate, `gate`), map the result. No SQL and no business rules here.
//! Depends on state, push, store and domain; never on `server` (which assembles this).

#[cfg(feature = "ssr")]
pub(crate) mod context;
#[cfg(feature = "ssr")]
mod errors;
#[cfg(feature = "ssr")]
pub mod gate;
mod faults;
mod jobs;
mod writes;

pub use faults::*;
pub use jobs::*;
pub use writes::*;

use leptos::prelude::*;

use crate::domain::Order;
use crate::error::AppError;

/// Every order, in list order.
#[server(endpoint = "orders/list", output = crate::wire::Wire)]
pub async fn list_orders() -> Result<Vec<Order>, AppError> {
    context::reply(async {
        let db = context::db()?;
        db.list_orders().await.map_err(|e| context::internal("listing orders", e))
    })
    .await
}

/// One order by its number (`ORD-1042`).
#[server(endpoint = "orders/get", output = crate::wire::Wire)]
pub async fn get_order(number: String) -> Result<Order, AppError> {
    context::reply(async {
        let number = crate::domain::OrderNumber::parse(&number)?;
        let db = context::db()?;
        db.order_by_number(number)
            .await
            .map_err(|e| context::internal("reading an order", e))?
            .ok_or_else(|| AppError::not_found(format!("There is no order {number}. Check the number, or find it in the orders list.")))
    })
    .await
}
