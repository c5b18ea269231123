//! The orders list: a header row and one row per rendered order, filtered by the search text.

use leptos::prelude::*;

use crate::domain::OrderId;
use crate::ui::components::OrderRow;
use crate::ui::sync::OrderSync;

#[component]
pub fn OrderList(
    sync: OrderSync,
    /// The search text, read reactively.
    search: impl Fn() -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    // Without a search, the rows in list order: unchanged by edits, so a click re-renders
    // only its own row. With one, every row's text is read (and re-read on every change).
    let visible = Memo::new(move |_| {
        let q = search();
        let ids = sync.ids();
        if q.trim().is_empty() {
            ids
        } else {
            ids.into_iter().filter(|id| sync.row(*id).is_some_and(|r| r.order.matches(&q))).collect::<Vec<OrderId>>()
        }
    });
    let total = move || sync.row_count();
    let starred = move || sync.starred();
    let shown = move || visible.with(Vec::len);

    view! {
        <p class="list-summary" data-testid="list-summary">
            {move || {
                let q = search();
                if q.trim().is_empty() {
                    format!("{} orders · {} starred", total(), starred())
                } else {
                    format!("{} of {} orders match “{}”", shown(), total(), q.trim())
                }
            }}
        </p>
        <div class="order-table" role="table" aria-label="Orders">
            <div class="order-row order-head" role="row">
                <span role="columnheader" class="col-star"><span class="visually-hidden">"Starred"</span></span>
                <span role="columnheader" class="col-number">"Order"</span>
                <span role="columnheader" class="col-customer">"Customer · item"</span>
                <span role="columnheader" class="col-qty">"Qty"</span>
                <span role="columnheader" class="col-total">"Total"</span>
                <span role="columnheader" class="col-status">"Status"</span>
                <span role="columnheader" class="col-actions"><span class="visually-hidden">"Actions"</span></span>
            </div>
            <div role="rowgroup" data-testid="order-rows">
                <For each=move || visible.get() key=|id| *id let(id)>
                    {sync.row_untracked(id).map(|initial| view! { <OrderRow initial sync/> })}
                </For>
            </div>
        </div>
        <Show when=move || shown() == 0>
            <div class="empty-state" data-testid="empty-state">
                <p class="empty-title">{move || format!("No orders match “{}”.", search().trim())}</p>
                <p>"Try a customer name, an item, or an order number like ORD-1004."</p>
                <a class="button" href="/orders">"Clear the search"</a>
            </div>
        </Show>
    }
    .into_any()
}
