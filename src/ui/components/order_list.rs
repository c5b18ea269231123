//! The orders list: a header row and one row per rendered order of the loaded window, filtered
//! by the search text, then "Load more" while the list goes on.

use leptos::prelude::*;

use crate::domain::OrderId;
use crate::ui::components::{LoadMore, OrderRow};
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
    let shown = move || visible.with(Vec::len);
    let account = crate::ui::account::use_account();

    view! {
        <p class="list-summary" data-testid="list-summary">
            {move || summary(shown(), sync.total(), sync.window().is_complete(), sync.starred(), search().trim())}
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
        <LoadMore sync/>
        // Only once the server has answered this very search: the loaded rows alone can't say.
        <Show when=move || shown() == 0 && !search().trim().is_empty() && !sync.fetching() && sync.window().search == search()>
            <NoMatch search/>
        </Show>
        // A workspace with no orders at all (a new account's, or one whose orders were all
        // deleted), once the server said so.
        <Show when=move || shown() == 0 && search().trim().is_empty() && sync.total() == 0 && !sync.fetching() && !account.revoked()>
            <EmptyList/>
        </Show>
    }
    .into_any()
}

/// A search that matches no order: what was searched, what to try, a way back.
#[component]
pub fn NoMatch(search: impl Fn() -> String + Send + Sync + 'static) -> impl IntoView {
    view! {
        <div class="empty-state" data-testid="empty-state">
            <p class="empty-title">{move || format!("No orders match “{}”.", search().trim())}</p>
            <p>"Try a customer name, an item, or an order number like ORD-1004."</p>
            <a class="button" href="/orders">"Clear the search"</a>
        </div>
    }
}

/// A workspace without orders, told as its role can act on it.
#[component]
pub fn EmptyList() -> impl IntoView {
    let account = crate::ui::account::use_account();
    view! {
        <div class="empty-state" data-testid="empty-list">
            <p class="empty-title">"No orders yet."</p>
            <p>{move || if account.can_edit() { "Create the first one with New order: it saves as you type." } else { "Orders appear here as the workspace's editors make them." }}</p>
        </div>
    }
}

/// The line above the list: how many orders show of how many there are.
fn summary(shown: usize, total: u64, complete: bool, starred: usize, search: &str) -> String {
    let total_text = thousands(total);
    let orders = if total == 1 { "order" } else { "orders" };
    match (search.is_empty(), complete) {
        (true, true) => format!("{total_text} {orders} · {starred} starred"),
        (true, false) => format!("Showing {} of {total_text} {orders}", thousands(shown as u64)),
        (false, true) => format!("{total_text} {orders} {} “{search}”", if total == 1 { "matches" } else { "match" }),
        (false, false) => format!("Showing {} of {total_text} {orders} that match “{search}”", thousands(shown as u64)),
    }
}

/// `35512` as "35,512".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_says_how_many_show_of_how_many_there_are() {
        assert_eq!(summary(25, 25, true, 5, ""), "25 orders · 5 starred");
        assert_eq!(summary(50, 35_512, false, 3, ""), "Showing 50 of 35,512 orders");
        assert_eq!(summary(2, 2, true, 0, "espresso"), "2 orders match “espresso”");
        assert_eq!(summary(1, 1, true, 0, "ORD-1004"), "1 order matches “ORD-1004”");
        assert_eq!(summary(50, 1_000_000, false, 0, "lamp"), "Showing 50 of 1,000,000 orders that match “lamp”");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
    }
}
