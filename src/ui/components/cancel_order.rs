//! "Cancel order" on a placed order: pessimistic. A confirmation dialog; the button is
//! disabled while the request runs; the row changes only when the server confirms.

use leptos::html::Button;
use leptos::prelude::*;

use crate::api::cancel_order;
use crate::records::{cancel_failure_message, ErrorKind, RowError, RowView};
use crate::ui::components::focus_row;
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
    let keep_button = NodeRef::<Button>::new();
    let opener = NodeRef::<Button>::new();
    // Focus goes back to what opened the dialog, or to the row when the order no longer offers
    // Cancel (it was cancelled).
    let order_id = row.with_untracked(|r| r.order.id);
    let return_focus = move || {
        request_animation_frame(move || match opener.try_get_untracked().flatten().filter(|b| b.is_connected()) {
            Some(b) => {
                let _ = b.focus();
            }
            None => focus_row(order_id),
        });
    };
    let cancel = browser_action(move |_: &()| {
        let (id, version) = row.with_untracked(|r| (r.order.id, r.order.version));
        let key = key.get_value().to_string();
        async move {
            match with_write_deadline(cancel_order(key, id.to_string(), version)).await {
                Ok(order) => {
                    // Closed before the row changes: a cancelled order's row has no Cancel, so
                    // this component (and its signals) goes with the change.
                    open.set(false);
                    return_focus();
                    sync.confirm_record(order);
                }
                Err(e) => {
                    let number = row.with_untracked(|r| r.order.display_number());
                    error.set(Some(cancel_failure_message(&number, &RowError::new(ErrorKind::Server, e.to_string()))));
                }
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
            return_focus();
        }
    };
    view! {
        <PageStateForm state=("cancel", id.clone()) on_submit=show>
            <button type="submit" node_ref=opener class="button button-small" data-testid="cancel-order">"Cancel"</button>
        </PageStateForm>
        <Show when=move || open.get()>
            <div class="dialog-backdrop" on:click=move |_| close()>
                <CancelDialog
                    number=Signal::derive(number)
                    shown=shown.get_value()
                    pending=pending.into()
                    error=error.into()
                    on_keep=Callback::new(move |()| close())
                    on_confirm=Callback::new(move |()| { cancel.dispatch(()); })
                    keep_button
                    confirm_button
                />
            </div>
        </Show>
    }
    .into_any()
}

/// The confirmation itself: what cancelling does, Keep order and Cancel order (a form each, so
/// it works without JavaScript), and why the server refused, if it did. Escape keeps the order;
/// Tab stays inside (from the last button to the first, and back with Shift). The state
/// gallery shows it in each state.
#[component]
pub fn CancelDialog(
    number: Signal<String>,
    /// The order's id and the version the page showed: the cancel form's hidden fields.
    shown: (String, String),
    pending: Signal<bool>,
    error: Signal<Option<String>>,
    on_keep: Callback<()>,
    on_confirm: Callback<()>,
    #[prop(optional)] keep_button: NodeRef<Button>,
    #[prop(optional)] confirm_button: NodeRef<Button>,
) -> impl IntoView {
    let on_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" => on_keep.run(()),
        "Tab" => {
            let (Some(keep), Some(confirm)) = (keep_button.get_untracked(), confirm_button.get_untracked()) else { return };
            let active = document().active_element();
            let on = |b: &leptos::web_sys::HtmlButtonElement| active.as_ref().is_some_and(|a| a.is_same_node(Some(b)));
            let to = if ev.shift_key() { on(&keep).then_some(confirm) } else { on(&confirm).then_some(keep) };
            if let Some(to) = to {
                ev.prevent_default();
                let _ = to.focus();
            }
        }
        _ => {}
    };
    view! {
        <div
            class="dialog"
            role="alertdialog"
            aria-modal="true"
            aria-label=move || format!("Cancel {}?", number.get())
            data-testid="cancel-dialog"
            on:click=|ev| ev.stop_propagation()
            on:keydown=on_key
        >
            <h2>{move || format!("Cancel {}?", number.get())}</h2>
            <p>"The order stops and the customer is told. This can't be undone."</p>
            {move || error.get().map(|m| view! { <p class="dialog-error" role="alert" data-testid="cancel-error">{m}</p> })}
            <div class="dialog-actions">
                <PageStateForm on_submit=on_keep>
                    <button type="submit" node_ref=keep_button class="button" disabled=move || pending.get()>"Keep order"</button>
                </PageStateForm>
                <WriteForm action="cancel" on_submit=on_confirm>
                    {hidden("id", shown.0)}
                    {hidden("version", shown.1)}
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
    }
}
