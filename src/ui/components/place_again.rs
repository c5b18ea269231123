//! "Place order again" after a failed job: pessimistic. Disabled while the request runs; on
//! acceptance it moves to the new job's accepted screen; on refusal it says why, in place.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::api::place_order;
use crate::domain::Order;

#[component]
pub fn PlaceAgain(
    /// The order as the server last confirmed it (its version goes with the request).
    order: impl Fn() -> Order + Copy + Send + Sync + 'static,
    /// Shown, but sends nothing (the state gallery).
    #[prop(optional)]
    preview: bool,
) -> impl IntoView {
    let pending = RwSignal::new(false);
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    let navigate = use_navigate();
    let place = move |_| {
        if preview || pending.get_untracked() {
            return;
        }
        let (id, version) = { let o = order(); (o.id, o.version) };
        // A new intent, so a new key; the button stays disabled until the answer, so one click
        // is one request.
        let key = uuid::Uuid::now_v7().to_string();
        pending.set(true);
        error.set(None);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match place_order(key, id.to_string(), version).await {
                Ok(receipt) => navigate(&format!("/jobs/{}/accepted", receipt.job.id), NavigateOptions::default()),
                Err(e) => {
                    let _ = error.try_set(Some(format!("Couldn't place the order again. {e}")));
                    let _ = pending.try_set(false);
                }
            }
        });
    };
    view! {
        <button
            type="button"
            class="button button-primary"
            data-testid="place-again"
            disabled=move || pending.get()
            aria-busy=move || pending.get().then_some("true")
            on:click=place
        >
            {move || if pending.get() { "Placing…" } else { "Place order again" }}
        </button>
        {move || error.get().map(|m| view! { <p class="place-again-error" role="alert" data-testid="place-again-error">{m}</p> })}
    }
    .into_any()
}
