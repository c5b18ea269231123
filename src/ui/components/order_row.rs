//! One order in the list. Same layout in every state; only the status line changes.

use leptos::prelude::*;

use crate::domain::{format_timestamp, Order, BULK_DISCOUNT_FROM};
use crate::ui::components::StatusBadge;

#[component]
pub fn OrderRow(order: Order) -> impl IntoView {
    let number = order.display_number();
    let number_attr = number.clone();
    let discounted = order.quantity.get() >= BULK_DISCOUNT_FROM;
    let star_label = if order.starred { "Starred" } else { "Not starred" };
    view! {
        <div
            class="order-row state-idle"
            role="row"
            data-testid="order-row"
            data-order-id=order.id.to_string()
            data-order-number=number_attr
        >
            <span role="cell" class="col-star">
                <span class=if order.starred { "star star-on" } else { "star" } title=star_label aria-label=star_label data-testid="star">
                    {if order.starred { "★" } else { "☆" }}
                </span>
            </span>
            <span role="cell" class="col-number">
                <span class="order-number" data-testid="order-number">{number}</span>
                <span class="order-date">{format_timestamp(order.created_at)}</span>
            </span>
            <span role="cell" class="col-customer">
                <span class="customer" data-testid="customer">{order.customer.to_string()}</span>
                <span class="item" data-testid="item">{order.item.to_string()}</span>
            </span>
            <span role="cell" class="col-qty" data-testid="quantity">{order.quantity.get()}</span>
            <span role="cell" class="col-total">
                <span class="total" data-testid="total">{order.total.to_string()}</span>
                {discounted.then(|| view! { <span class="discount">"Bulk −10%"</span> })}
            </span>
            <span role="cell" class="col-status">
                <StatusBadge status=order.status/>
            </span>
        </div>
    }
}
