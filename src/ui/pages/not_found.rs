//! The page for addresses that lead nowhere (served with HTTP 404).

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <NotFoundContent/>
    }
    .into_any()
}

/// What the not-found page says (the state gallery shows it too).
#[component]
pub fn NotFoundContent() -> impl IntoView {
    view! {
        <section class="page not-found" data-testid="not-found">
            <p class="eyebrow">"404"</p>
            <h1>"This page doesn't exist"</h1>
            <p class="lede">"The address may be mistyped, or the page was moved. Your orders are safe."</p>
            <a class="button button-primary" href="/orders">"Go to orders"</a>
        </section>
    }
}
