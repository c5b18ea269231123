//! The bar at the top of every page: product name, main navigation, and how live updates
//! are coming in.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::ui::components::ConnectionStatus;

#[component]
pub fn AppHeader() -> impl IntoView {
    view! {
        <header class="app-header">
            <a class="brand" href="/orders" aria-label="Order Desk, home">
                <span class="brand-mark" aria-hidden="true">"OD"</span>
                <span class="brand-name">"Order Desk"</span>
            </a>
            <nav class="app-nav" aria-label="Main">
                <A href="/orders">"Orders"</A>
                <A href="/states">"State gallery"</A>
            </nav>
            <ConnectionStatus/>
        </header>
    }
    .into_any()
}
