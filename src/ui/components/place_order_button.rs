//! "Place order" on a draft (and "Place again" on a failed order): irreversible and slow, so
//! it is not optimistic. The server accepts the work at once; the person lands on the accepted
//! screen while the job runs. A failure to even submit shows on the row's status line.

use leptos::prelude::*;

use crate::domain::OrderStatus;
use crate::records::RowView;
use crate::ui::form::{hidden, WriteForm};
use crate::ui::place::use_place_order;
use crate::ui::sync::OrderSync;

#[component]
pub fn PlaceOrderButton(row: Memo<RowView>, sync: OrderSync, error: RwSignal<Option<String>>) -> impl IntoView {
    // The row takes the order's new record (placing) from the answer itself.
    let place = use_place_order(move |receipt| sync.confirm_record(receipt.order.clone()));
    Effect::new(move || {
        if let Some(Err(e)) = place.value().get() {
            error.set(Some(format!("Couldn't place {}. {e}", row.with_untracked(|r| r.order.display_number()))));
        }
    });
    let pending = place.pending();
    // Only a settled row: unsaved edits must reach the server before the order is placed.
    let ready = move || row.with(|r| r.order.number.is_some() && r.pending.is_none() && matches!(r.state, crate::records::RowState::Idle));
    let again = move || row.with(|r| r.order.status == OrderStatus::Failed);
    let number = move || row.with(|r| r.order.display_number());
    let submit = Callback::new(move |()| {
        error.set(None);
        place.dispatch(row.with_untracked(|r| (r.order.id, r.order.version)));
    });
    let (id, version) = row.with_untracked(|r| (r.order.id.to_string(), r.order.version.to_string()));
    view! {
        <WriteForm action="place" on_submit=submit>
        {hidden("id", id)}
        {hidden("version", version)}
        <button
            type="submit"
            class="button button-small button-primary place-button"
            data-testid="place-order"
            aria-label=move || format!("{} {}", if again() { "Place again" } else { "Place" }, number())
            title=move || if ready() { "Place this order: payment, stock and fulfilment run in the background" } else { "Wait until your changes are saved" }
            disabled=move || pending.get() || !ready()
        >
            {move || match (pending.get(), again()) {
                (true, _) => "Placing…",
                (false, true) => "Place again",
                (false, false) => "Place order",
            }}
        </button>
        </WriteForm>
    }
    .into_any()
}
