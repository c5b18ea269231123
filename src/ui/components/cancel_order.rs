//! "Cancel order" on a placed order: pessimistic. A confirmation dialog; the button is
//! disabled while the request runs; the row changes only when the server confirms.

use leptos::html::Button;
use leptos::prelude::*;

use crate::api::cancel_order;
use crate::records::RowView;
use crate::ui::form::{hidden, PageStateForm, WriteForm};
use crate::ui::sync::{browser_action, with_write_deadline, OrderSync};

/// Without JavaScript the dialog is a page state: "Cancel" asks for the page with `?cancel=<id>`,
/// which renders the dialog open; "Cancel order" posts the cancel; "Keep order" goes back.
#[component]
pub fn CancelOrder(row: Memo<RowView>, sync: OrderSync) -> impl IntoView {
    let (id, version) = row.with_untracked(|r| (r.order.id.to_string(), r.order.version.to_string()));
    let asked = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("cancel") == Some(id.clone()));
    let shown = StoredValue::new((id.clone(), version));
    let open = RwSignal::new(asked);
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    // One key per confirmation, so a double click or a retry of the same intent is one effect.
    let key = StoredValue::new(uuid::Uuid::now_v7());
    let confirm_button = NodeRef::<Button>::new();
    let cancel = browser_action(move |_: &()| {
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
    let show = Callback::new(move |()| {
        key.set_value(uuid::Uuid::now_v7());
        error.set(None);
        open.set(true);
        request_animation_frame(move || {
            if let Some(b) = confirm_button.get_untracked() {
                let _ = b.focus();
            }
        });
    });
    let close = move || {
        if !pending.get_untracked() {
            open.set(false);
        }
    };
    view! {
        <PageStateForm state=("cancel", id.clone()) on_submit=show>
            <button type="submit" class="button button-small" data-testid="cancel-order">"Cancel"</button>
        </PageStateForm>
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
                        <PageStateForm on_submit=Callback::new(move |()| close())>
                            <button type="submit" class="button" disabled=move || pending.get()>"Keep order"</button>
                        </PageStateForm>
                        <WriteForm action="cancel" on_submit=Callback::new(move |()| { cancel.dispatch(()); })>
                            {hidden("id", shown.get_value().0)}
                            {hidden("version", shown.get_value().1)}
                            <button
                                type="submit"
                                node_ref=confirm_button
                                class="button button-danger"
                                disabled=move || pending.get()
                                data-testid="confirm-cancel"
                            >
                                {move || if pending.get() { "Cancelling…" } else { "Cancel order" }}
                            </button>
                        </WriteForm>
                    </div>
                </div>
            </div>
        </Show>
    }
    .into_any()
}
