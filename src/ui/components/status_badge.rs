//! The order's status as a labelled badge (text, not colour alone, carries the meaning).

use leptos::prelude::*;

use crate::domain::OrderStatus;

#[component]
pub fn StatusBadge(
    /// The status to show, read reactively (a plain closure: no `Signal<OrderStatus>` code in the WASM).
    status: impl Fn() -> OrderStatus + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <span class=move || format!("badge badge-{}", status().as_str()) data-testid="status-badge">
            <span class="badge-dot" aria-hidden="true"></span>
            {move || status().label()}
        </span>
    }
    .into_any()
}
