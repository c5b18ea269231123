//! The order's status as a labelled badge (text, not colour alone, carries the meaning).

use leptos::prelude::*;

use crate::domain::OrderStatus;

#[component]
pub fn StatusBadge(status: OrderStatus) -> impl IntoView {
    view! {
        <span class=format!("badge badge-{}", status.as_str()) data-testid="status-badge">
            <span class="badge-dot" aria-hidden="true"></span>
            {status.label()}
        </span>
    }
}
