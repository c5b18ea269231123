//! Placing an order from the client: irreversible and slow, so never optimistic. One request
//! per intent (a resend after a lost answer reuses its key, so it can't place twice); on
//! acceptance the job joins the live feed and the person moves to its accepted screen.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use uuid::Uuid;

use crate::api::place_order;
use crate::domain::{OrderId, PlaceReceipt};
use crate::error::AppError;
use crate::ui::live::use_live_feed;
use crate::ui::sync::{browser_action, with_write_deadline};

/// What [`use_place_order`] returns: `dispatch((order id, version))`; `pending()` while the
/// request runs; `value()` holds the last answer (`Err` says why it wasn't accepted).
pub type UsePlaceOrderReturn = Action<(OrderId, i64), Result<(), AppError>>;

/// Submits "place this order". `on_accepted` sees the receipt first (e.g. to take the order's
/// new record) before the move to the accepted screen.
pub fn use_place_order(on_accepted: impl Fn(&PlaceReceipt) + Copy + 'static) -> UsePlaceOrderReturn {
    let feed = use_live_feed();
    let navigate = use_navigate();
    let key = StoredValue::new(Uuid::now_v7());
    browser_action(move |&(id, version): &(OrderId, i64)| {
        let request_key = key.get_value().to_string();
        let navigate = navigate.clone();
        async move {
            match with_write_deadline(place_order(request_key, id.to_string(), version)).await {
                Ok(receipt) => {
                    key.set_value(Uuid::now_v7());
                    on_accepted(&receipt);
                    let href = format!("{}/accepted", receipt.job.href());
                    feed.seed_jobs([receipt.job]);
                    navigate(&href, Default::default());
                    Ok(())
                }
                Err(e) => {
                    // Retryable answers keep the key, so trying again can't place it twice.
                    if !matches!(e, AppError::Transient { .. } | AppError::InProgress { .. } | AppError::Network { .. }) {
                        key.set_value(Uuid::now_v7());
                    }
                    Err(e)
                }
            }
        }
    })
}
