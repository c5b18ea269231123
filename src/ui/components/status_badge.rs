//! The order's status as a labelled badge (text, not colour alone, carries the meaning).

use leptos::prelude::*;

use crate::domain::OrderStatus;

#[component]
pub fn StatusBadge(#[prop(into)] status: Signal<OrderStatus>) -> impl IntoView {
    view! {
        <span class=move || format!("badge badge-{}", status.get().as_str()) data-testid="status-badge">
            <span class="badge-dot" aria-hidden="true"></span>
            {move || status.get().label()}
        </span>
    }
    .into_any()
}
