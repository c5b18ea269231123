//! Order Desk: one crate, built as the server (`ssr`) and as the WASM client (`hydrate`).
//! Arrows point one way: ui → records → sync, records → domain; api → state, push, store →
//! domain; jobs → push, store → domain; edge (HTTP checks, no app knowledge) ← server
//! (assembly) → everything.

// Leptos views are deeply nested types; components are type-erased with `into_any()`, and
// this leaves headroom for the rest.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod domain;
pub mod error;
pub mod faults;
pub mod records;
pub mod sync;
pub mod ui;
pub mod wire;

#[cfg(feature = "ssr")]
pub mod accounts;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod edge;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod push;
#[cfg(feature = "ssr")]
pub mod retention;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;

/// The WASM entry point: hydrate the server-rendered page, then mark it hydrated so tests
/// and people know clicks now work. A lazy route's page (the head says so) is hydrated
/// asynchronously, so its code arrives first; the list, synchronously, which is faster. If the
/// app ever stops (a panic), the page says so, with Reload.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use ui::hydration::Drawn;
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        ui::app_failure::show(&info.to_string());
    }));
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(body) = document.body() else { return };
    // The marker goes up once every part has hydrated (the list hydrates when its data has
    // resolved), after what waited for that has started.
    let done = move |body: web_sys::HtmlElement| {
        ui::hydration::after_hydration(move || {
            let _ = body.set_attribute("data-hydrated", "true");
        });
        ui::hydration::hydrated();
    };
    if Drawn::LazyPage.is_said() {
        wasm_bindgen_futures::spawn_local(async move {
            leptos::mount::hydrate_from_async(body.clone(), app::App).await.forget();
            done(body);
        });
    } else {
        leptos::mount::hydrate_from(body.clone(), app::App).forget();
        done(body);
    }
}
