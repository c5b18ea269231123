//! Everything a person sees: pages (one per route) and the components they are made of.
//! Components read state; they do not decide how the server's answers are reconciled.

pub mod account;
pub mod app_failure;
pub mod codec;
pub mod components;
pub mod form;
pub mod hydration;
pub mod live;
pub mod place;
pub mod pages;
pub mod sync;

/// Whether the browser says it is online (`navigator.onLine`; without a window, yes).
#[cfg(feature = "hydrate")]
pub fn browser_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// What the server put in the page's head for the client: `<meta name="…" content="…">`.
#[cfg(feature = "hydrate")]
pub fn page_meta(name: &str) -> Option<String> {
    web_sys::window()?.document()?.query_selector(&format!("meta[name=\"{name}\"]")).ok()??.get_attribute("content")
}
