//! The orders list: a header row and one row per order, filtered by the search text.

use leptos::prelude::*;

use crate::domain::Order;
use crate::ui::components::OrderRow;

/// Whether `order` matches the search text (case-insensitive, on number, customer, item).
fn matches(order: &Order, needle: &str) -> bool {
    let needle = needle.trim().to_lowercase();
    needle.is_empty()
        || order.display_number().to_lowercase().contains(&needle)
        || order.customer.as_str().to_lowercase().contains(&needle)
        || order.item.as_str().to_lowercase().contains(&needle)
}

#[component]
pub fn OrderList(orders: Vec<Order>, search: Signal<String>) -> impl IntoView {
    let total = orders.len();
    let starred = orders.iter().filter(|o| o.starred).count();
    let orders = StoredValue::new(orders);
    let visible = move || orders.with_value(|all| all.iter().filter(|o| matches(o, &search.read())).cloned().collect::<Vec<_>>());
    let shown = move || visible().len();

    view! {
        <p class="list-summary" data-testid="list-summary" aria-live="polite">
            {move || {
                if search.read().trim().is_empty() {
                    format!("{total} orders · {starred} starred")
                } else {
                    format!("{} of {total} orders match “{}”", shown(), search.read().trim())
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
            </div>
            <div role="rowgroup" data-testid="order-rows">
                <For each=visible key=|o| (o.id, o.version) let(order)>
                    <OrderRow order/>
                </For>
            </div>
        </div>
        <Show when=move || shown() == 0>
            <div class="empty-state" data-testid="empty-state">
                <p class="empty-title">{move || format!("No orders match “{}”.", search.read().trim())}</p>
                <p>"Try a customer name, an item, or an order number like ORD-1004."</p>
                <a class="button" href="/orders">"Clear the search"</a>
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::matches;
    use crate::domain::*;

    fn order() -> Order {
        Order {
            id: OrderId::new(),
            number: Some(OrderNumber::new(1042)),
            customer: CustomerName::parse("Harbor Street Café").unwrap(),
            item: ItemName::parse("Espresso beans").unwrap(),
            note: Note::parse("").unwrap(),
            quantity: Quantity::parse(2).unwrap(),
            unit_price: Money::from_cents(100),
            total: Money::from_cents(200),
            status: OrderStatus::Draft,
            starred: false,
            position: 1,
            version: 1,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn search_matches_number_customer_and_item_case_insensitively() {
        let o = order();
        assert!(matches(&o, ""));
        assert!(matches(&o, "ord-1042"));
        assert!(matches(&o, "harbor"));
        assert!(matches(&o, "ESPRESSO"));
        assert!(!matches(&o, "tea"));
    }
}
