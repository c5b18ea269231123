//! "Cancel order" on a placed order: pessimistic. A confirmation dialog; the button is
//! disabled while the request runs; the row changes only when the server confirms.

use leptos::html::Button;
use leptos::prelude::*;

use crate::api::cancel_order;
use crate::records::RowView;
use crate::ui::sync::{with_write_deadline, OrderSync};

#[component]
pub fn CancelOrder(row: Memo<RowView>, sync: OrderSync) -> impl IntoView {
    let open = RwSignal::new(false);
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    // One key per confirmation, so a double click or a retry of the same intent is one effect.
    let key = StoredValue::new(uuid::Uuid::now_v7());
    let confirm_button = NodeRef::<Button>::new();
    let cancel = Action::new_local(move |_: &()| {
        let (id, version) = row.with_untracked(|r| (r.order.id, r.order.version));
        let key = key.get_value().to_string();
        async move {
            match with_write_deadline(cancel_order(key, id.to_string(), version)).await {
                Ok(order) => {
                    sync.confirm_record(order);
                    open.set(false);
                }
                Err(e) => error.set(Some(format!("Couldn't cancel the order. {e}"))),
            }
        }
    });
    let pending = cancel.pending();
    let number = move || row.with(|r| r.order.display_number());
    let show = move |_| {
        key.set_value(uuid::Uuid::now_v7());
        error.set(None);
        open.set(true);
        request_animation_frame(move || {
            if let Some(b) = confirm_button.get_untracked() {
                let _ = b.focus();
            }
        });
    };
    let close = move || {
        if !pending.get_untracked() {
            open.set(false);
        }
    };
    view! {
        <button type="button" class="button button-small" data-testid="cancel-order" on:click=show>"Cancel"</button>
        <Show when=move || open.get()>
            <div class="dialog-backdrop" on:click=move |_| close()>
                <div
                    class="dialog"
                    role="alertdialog"
                    aria-modal="true"
                    aria-labelledby="cancel-title"
                    data-testid="cancel-dialog"
                    on:click=|ev| ev.stop_propagation()
                    on:keydown=move |ev| if ev.key() == "Escape" { close() }
                >
                    <h2 id="cancel-title">{move || format!("Cancel {}?", number())}</h2>
                    <p>"The order stops and the customer is told. This can't be undone."</p>
                    {move || error.get().map(|m| view! { <p class="dialog-error" role="alert" data-testid="cancel-error">{m}</p> })}
                    <div class="dialog-actions">
                        <button type="button" class="button" disabled=move || pending.get() on:click=move |_| close()>"Keep order"</button>
                        <button
                            type="button"
                            node_ref=confirm_button
                            class="button button-danger"
                            disabled=move || pending.get()
                            data-testid="confirm-cancel"
                            on:click=move |_| { cancel.dispatch(()); }
                        >
                            {move || if pending.get() { "Cancelling…" } else { "Cancel order" }}
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
    .into_any()
}
