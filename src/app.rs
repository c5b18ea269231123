//! The HTML shell and the routes. Pages live in `ui::pages`.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode, StaticSegment};

use crate::ui::components::{AppHeader, NotificationCenter, SyncBanner};
use crate::ui::live::provide_live_feed;
use crate::ui::sync::provide_order_sync;
use crate::ui::pages::{lazy, NotFound, OrdersPage};

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    use_page_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HashedStylesheet id="leptos" options=options.clone()/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <meta name="write-deadline-ms" content=write_deadline_ms().to_string()/>
                <meta name="idempotency-window-ms" content=idempotency_window_ms().to_string()/>
                {crate::ui::account::person_json().map(|json| view! { <meta name="person" content=json/> })}
                {crate::ui::account::demo_mode().then(|| view! { <meta name="demo" content="1"/> })}
                {crate::ui::components::fault_controls_on().then(|| view! { <meta name="fault-controls" content="1"/> })}
                {crate::ui::form::notice_json().map(|json| view! { <meta name="form-notice" content=json/> })}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Puts the edge's nonce for this page (`crate::edge::headers::PageNonce`) where Leptos'
/// scripts take theirs from; the edge sends the page's Content-Security-Policy with it.
#[cfg(feature = "ssr")]
fn use_page_nonce() {
    let nonce = use_context::<axum::http::request::Parts>().and_then(|p| p.extensions.get::<crate::edge::headers::PageNonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
}

/// How long the client waits for a write's answer before resending it with the same key: the
/// server's `writes.request_deadline_ms`, put in the page for the client to read.
fn write_deadline_ms() -> i64 {
    #[cfg(feature = "ssr")]
    if let Some(state) = use_context::<crate::state::AppState>() {
        return state.settings.writes.request_deadline_ms as i64;
    }
    crate::ui::sync::DEFAULT_WRITE_DEADLINE_MS
}

/// How long the server keeps idempotency keys: the client doesn't resend blindly after it.
fn idempotency_window_ms() -> i64 {
    #[cfg(feature = "ssr")]
    if let Some(state) = use_context::<crate::state::AppState>() {
        return state.settings.writes.idempotency_ttl_hours.saturating_mul(3_600_000) as i64;
    }
    crate::ui::sync::DEFAULT_IDEMPOTENCY_WINDOW_MS
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    crate::ui::account::provide_account();
    crate::ui::form::provide_form_notice();
    // App-wide, so no page owns pending work: navigation never drops a queued change.
    let feed = provide_live_feed();
    let sync = provide_order_sync(feed);
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Order Desk".to_string() } else { format!("{page} · Order Desk") }/>
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <AppHeader/>
            <SyncBanner sync/>
            <main id="main" class="main">
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=|| view! { <Redirect path="/orders"/> }/>
                    <Route path=StaticSegment("orders") view=OrdersPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("states") view={Lazy::<lazy::States>::new()}/>
                    <Route path=StaticSegment("sign-in") view={Lazy::<lazy::SignIn>::new()}/>
                    <Route path=StaticSegment("sign-up") view={Lazy::<lazy::SignUp>::new()}/>
                    <Route path=StaticSegment("members") view={Lazy::<lazy::Members>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/jobs/:id/accepted") view={Lazy::<lazy::Accepted>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/jobs/:id") view={Lazy::<lazy::JobStatus>::new()} ssr=SsrMode::Async/>
                </Routes>
            </main>
            <NotificationCenter/>
        </Router>
    }
}
