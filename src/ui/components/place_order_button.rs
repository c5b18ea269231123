//! "Place order" on a draft (and "Place again" on a failed order): irreversible and slow, so
//! it is not optimistic. The server accepts the work at once; the person lands on the accepted
//! screen while the job runs. A failure to even submit shows on the row's status line.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use uuid::Uuid;

use crate::api::place_order;
use crate::domain::OrderStatus;
use crate::error::AppError;
use crate::sync::RowView;
use crate::ui::live::use_live_feed;
use crate::ui::sync::OrderSync;

#[component]
pub fn PlaceOrderButton(row: Memo<RowView>, sync: OrderSync, error: RwSignal<Option<String>>) -> impl IntoView {
    let feed = use_live_feed();
    let navigate = use_navigate();
    // One key per intent: a resend after a lost answer is the same request, never a second order.
    let key = StoredValue::new(Uuid::now_v7());
    let place = Action::new_local(move |_: &()| {
        let (id, version, number) = row.with_untracked(|r| (r.order.id, r.order.version, r.order.display_number()));
        let request_key = key.get_value().to_string();
        let navigate = navigate.clone();
        async move {
            error.set(None);
            match place_order(request_key, id.to_string(), version).await {
                Ok(receipt) => {
                    key.set_value(Uuid::now_v7());
                    sync.confirm_record(receipt.order);
                    let href = format!("{}/accepted", receipt.job.href());
                    feed.seed_jobs([receipt.job]);
                    navigate(&href, Default::default());
                }
                Err(e) => {
                    // Retryable answers keep the key, so trying again can't place it twice.
                    if !matches!(e, AppError::Transient { .. } | AppError::InProgress { .. } | AppError::Network { .. }) {
                        key.set_value(Uuid::now_v7());
                    }
                    error.set(Some(format!("Couldn't place {number}. {e}")));
                }
            }
        }
    });
    let pending = place.pending();
    // Only a settled row: unsaved edits must reach the server before the order is placed.
    let ready = move || row.with(|r| r.order.number.is_some() && r.pending.is_none() && matches!(r.state, crate::sync::RowState::Idle));
    let again = move || row.with(|r| r.order.status == OrderStatus::Failed);
    let number = move || row.with(|r| r.order.display_number());
    view! {
        <button
            type="button"
            class="button button-small button-primary place-button"
            data-testid="place-order"
            aria-label=move || format!("{} {}", if again() { "Place again" } else { "Place" }, number())
            title=move || if ready() { "Place this order: payment, stock and fulfilment run in the background" } else { "Wait until your changes are saved" }
            disabled=move || pending.get() || !ready()
            on:click=move |_| { place.dispatch(()); }
        >
            {move || match (pending.get(), again()) {
                (true, _) => "Placing…",
                (false, true) => "Place again",
                (false, false) => "Place order",
            }}
        </button>
    }
    .into_any()
}
