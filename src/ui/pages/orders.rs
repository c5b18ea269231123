//! `/orders`: the list of orders, server-rendered, then hydrated.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::list_orders;
use crate::ui::components::{LoadError, OrderList, SearchBox};

#[component]
pub fn OrdersPage() -> impl IntoView {
    let orders = Resource::new(|| (), |_| list_orders());
    let query = use_query_map();
    let search = Signal::derive(move || query.read().get("q").unwrap_or_default());

    view! {
        <Title text="Orders"/>
        <section class="page orders-page">
            <header class="page-header">
                <div>
                    <h1>"Orders"</h1>
                    <p class="page-subtitle">"Drafts save as you edit. Placed orders are processed in the background."</p>
                </div>
                <SearchBox value=search/>
            </header>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading orders…"</p> }>
                {move || Suspend::new(async move {
                    match orders.await {
                        Ok(list) => view! { <OrderList orders=list search/> }.into_any(),
                        Err(error) => view! { <LoadError what="the orders" error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
