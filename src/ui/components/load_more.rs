//! "Load more" under the list: a real link to the next page (`?after=`), so it works without
//! JavaScript; with it, the next page is added in place, and read by itself when the end of the
//! list comes near the screen.

use leptos::prelude::*;

use crate::ui::components::orders_href;
use crate::ui::sync::OrderSync;

/// How far below the screen the end of the list starts the next page's read, in CSS pixels.
#[cfg(feature = "hydrate")]
const READ_AHEAD_PX: u32 = 800;

#[component]
pub fn LoadMore(sync: OrderSync) -> impl IntoView {
    let window = Memo::new(move |_| sync.window());
    let next = move || window.with(|w| w.end.map(|end| orders_href(&w.search, Some(end))));
    let first_page = move || window.with(|w| w.start.is_some().then(|| orders_href(&w.search, None)));
    let link = NodeRef::<leptos::html::A>::new();
    #[cfg(feature = "hydrate")]
    read_when_near(link, window, sync);
    view! {
        <nav class="list-more" aria-label="More orders">
            <Show when=move || next().is_some()>
                <a
                    class="button"
                    href=move || next().unwrap_or_default()
                    node_ref=link
                    data-testid="load-more"
                    aria-busy=move || sync.fetching().to_string()
                    on:click=move |ev| {
                        ev.prevent_default();
                        sync.load_more();
                    }
                >
                    {move || if sync.fetching() { "Loading more orders…" } else { "Load more" }}
                </a>
            </Show>
            {move || {
                sync.more_error().map(|error| {
                    view! {
                        <p class="list-more-error" role="alert" data-testid="load-more-error">
                            {format!("Couldn't load more orders: {error} Try again.")}
                        </p>
                    }
                })
            }}
            <Show when=move || first_page().is_some()>
                <a href=move || first_page().unwrap_or_default() data-testid="first-page">"Back to the first page"</a>
            </Show>
        </nav>
    }
    .into_any()
}

/// Watches the "Load more" link: when it comes within [`READ_AHEAD_PX`] of the screen, the
/// next page is read. Watched anew for every new window end, so a page that still leaves the
/// link in view reads the one after it too.
#[cfg(feature = "hydrate")]
fn read_when_near(link: NodeRef<leptos::html::A>, window: Memo<crate::domain::ListWindow>, sync: OrderSync) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

    let watching = StoredValue::new_local(None::<(IntersectionObserver, Closure<dyn FnMut(js_sys::Array)>)>);
    let stop = move || {
        if let Some((observer, _)) = watching.try_update_value(Option::take).flatten() {
            observer.disconnect();
        }
    };
    Effect::new(move |_| {
        let _end = window.with(|w| w.end);
        stop();
        let Some(element) = link.get() else { return };
        let on_change = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let near = entries.iter().filter_map(|e| e.dyn_into::<IntersectionObserverEntry>().ok()).any(|e| e.is_intersecting());
            if near {
                sync.load_more();
            }
        });
        let options = IntersectionObserverInit::new();
        options.set_root_margin(&format!("0px 0px {READ_AHEAD_PX}px 0px"));
        if let Ok(observer) = IntersectionObserver::new_with_options(on_change.as_ref().unchecked_ref(), &options) {
            observer.observe(&element);
            watching.set_value(Some((observer, on_change)));
        }
    });
    on_cleanup(stop);
}
