//! "Place order again" after a failed job: pessimistic. Disabled while the request runs; on
//! acceptance it moves to the new job's accepted screen; on refusal it says why, in place.

use leptos::prelude::*;

use crate::domain::Order;
use crate::ui::form::{hidden, WriteForm};
use crate::ui::place::use_place_order;

#[component]
pub fn PlaceAgain(
    /// The order as the server last confirmed it (its version goes with the request).
    order: impl Fn() -> Order + Copy + Send + Sync + 'static,
    /// Shown, but sends nothing (the state gallery).
    #[prop(optional)]
    preview: bool,
) -> impl IntoView {
    let place = use_place_order(|_| {});
    let pending = place.pending();
    // The last refusal, until the next attempt is under way.
    let error = move || {
        (!pending.get()).then(|| place.value().get().and_then(Result::err)).flatten().map(|e| format!("Couldn't place the order again. {e}"))
    };
    let place_again = move |()| {
        if preview || pending.get_untracked() {
            return;
        }
        let o = order();
        place.dispatch((o.id, o.version));
    };
    // Without the app's script, the form posts and the server answers with the accepted screen.
    let shown = order();
    view! {
        <WriteForm action="place" on_submit=Callback::new(place_again)>
        {hidden("id", shown.id.to_string())}
        {hidden("version", shown.version.to_string())}
        <button
            type="submit"
            class="button button-primary"
            data-testid="place-again"
            disabled=move || pending.get()
            aria-busy=move || pending.get().then_some("true")
        >
            {move || if pending.get() { "Placing…" } else { "Place order again" }}
        </button>
        </WriteForm>
        {move || error().map(|m| view! { <p class="place-again-error" role="alert" data-testid="place-again-error">{m}</p> })}
    }
    .into_any()
}
