//! "Place order again" after a failed job: pessimistic. Disabled while the request runs; on
//! acceptance it moves to the new job's accepted screen; on refusal it says why, in place.

use leptos::prelude::*;

use crate::domain::{Order, WriteKind};
use crate::records::form::FormResult;
use crate::ui::form::{forget_form_notice, form_notice, hidden, WriteForm};
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
    // A post of this form made without the app's script, refused: the page came back with why.
    let shown = order();
    let refused = StoredValue::new(
        form_notice()
            .filter(|n| n.kind == WriteKind::Place && n.order == Some(shown.id) && matches!(n.result, FormResult::Refused(_)))
            .map(|n| n.message(Some(&shown))),
    );
    on_cleanup(forget_form_notice);
    // The last refusal, until the next attempt is under way.
    let error = move || match place.value().get() {
        _ if pending.get() => None,
        Some(result) => result.err().map(|e| format!("Couldn't place the order again. {e}")),
        None => refused.get_value(),
    };
    let place_again = move |()| {
        if preview || pending.get_untracked() {
            return;
        }
        let o = order();
        place.dispatch((o.id, o.version));
    };
    // Without the app's script, the form posts and the server answers with the accepted screen.
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
