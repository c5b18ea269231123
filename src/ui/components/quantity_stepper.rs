//! − quantity + on a draft. Optimistic; the server computes the total, so its answer can
//! differ from the prediction (a soft conflict the row simply takes).

use leptos::prelude::*;

use crate::records::{OpField, OpKind, RowView};
use crate::ui::form::{hidden, WriteForm};
use crate::ui::sync::OrderSync;

#[component]
pub fn QuantityStepper(
    row: Memo<RowView>,
    sync: OrderSync,
    /// Whether the row can be edited now (the buttons show only then).
    editable: impl Fn() -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let qty = move || row.with(|r| r.order.quantity);
    let hedged = move || row.with(|r| r.pending.as_ref().is_some_and(|p| p.fields.contains(&OpField::Quantity)));
    let next = move |q: crate::domain::Quantity, up: bool| if up { q.increment() } else { q.decrement() };
    let step = move |up: bool| {
        let (id, q) = row.with_untracked(|r| (r.order.id, r.order.quantity));
        if let Some(next) = next(q, up) {
            // A relative intent: after a conflict it is re-made on the current quantity.
            sync.act(id, OpKind::StepQuantity { by: if up { 1 } else { -1 }, to: next });
        }
    };
    let number = move || row.with(|r| r.order.display_number());
    // Without the app's script, each button posts the quantity it sets, as the page showed it.
    let (id, version, q) = row.with_untracked(|r| (r.order.id.to_string(), r.order.version.to_string(), r.order.quantity));
    let shown = StoredValue::new((id, version));
    let fields = move || {
        let (id, version) = shown.get_value();
        view! {
            {hidden("id", id)}
            {hidden("version", version)}
        }
    };
    let button = move |up: bool| {
        let (label, testid, text) = if up { ("Increase quantity", "qty-increase", "+") } else { ("Decrease quantity", "qty-decrease", "−") };
        view! {
            <Show when=editable>
                <WriteForm action="quantity" on_submit=Callback::new(move |()| step(up))>
                    {fields()}
                    {hidden("quantity", next(q, up).unwrap_or(q).get().to_string())}
                    <button
                        type="submit"
                        class="icon-button step"
                        aria-label=label
                        data-testid=testid
                        disabled=move || next(qty(), up).is_none()
                    >
                        {text}
                    </button>
                </WriteForm>
            </Show>
        }
    };
    view! {
        <span class="stepper" role="group" aria-label=move || format!("Quantity of {}", number())>
            {button(false)}
            <span class="qty-value" class:hedged=hedged data-testid="quantity">
                {move || qty().get()}
            </span>
            {button(true)}
        </span>
    }
    .into_any()
}
