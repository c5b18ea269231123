//! Inline edit of a draft's customer, item and note. Checks input before queuing it; a
//! mistake is shown at the field and the field keeps the last good value on Cancel.

use leptos::prelude::*;

use crate::domain::{CustomerName, ItemName, Note, ValidationError};
use crate::records::{OpKind, RowView};
use crate::ui::sync::OrderSync;

#[component]
pub fn NameEditor(row: Memo<RowView>, sync: OrderSync, on_close: Callback<()>) -> impl IntoView {
    let (customer0, item0, note0, id) =
        row.with_untracked(|r| (r.order.customer.to_string(), r.order.item.to_string(), r.order.note.to_string(), r.order.id));
    let customer = RwSignal::new(customer0.clone());
    let item = RwSignal::new(item0.clone());
    let note = RwSignal::new(note0.clone());
    let error: RwSignal<Option<ValidationError>> = RwSignal::new(None);
    let field_error = move |f: crate::domain::Field| error.with(|e| e.as_ref().filter(|e| e.field == f).map(|e| e.message.clone()));

    let save = Callback::new(move |()| {
        let parsed = CustomerName::parse(&customer.get_untracked())
            .and_then(|c| ItemName::parse(&item.get_untracked()).map(|i| (c, i)))
            .and_then(|(c, i)| Note::parse(&note.get_untracked()).map(|n| (c, i, n)));
        match parsed {
            Err(e) => error.set(Some(e)),
            Ok((c, i, n)) => {
                if c.as_str() != customer0 || i.as_str() != item0 {
                    sync.act(id, OpKind::Rename { customer: c, item: i });
                }
                if n.as_str() != note0 {
                    sync.act(id, OpKind::SetNote(n));
                }
                on_close.run(());
            }
        }
    });
    let on_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" => on_close.run(()),
        "Enter" if !ev.shift_key() => {
            ev.prevent_default();
            save.run(());
        }
        _ => {}
    };
    let input = move |label: &'static str, testid: &'static str, value: RwSignal<String>, field: crate::domain::Field| {
        view! {
            <label class="field">
                <span class="field-label">{label}</span>
                <input
                    type="text"
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                    on:keydown=on_key
                    aria-invalid=move || field_error(field).is_some().to_string()
                    data-testid=testid
                />
                {move || field_error(field).map(|m| view! { <span class="field-error" role="alert">{m}</span> })}
            </label>
        }
    };
    view! {
        <form class="name-editor" on:submit=move |ev| { ev.prevent_default(); save.run(()); } data-testid="name-editor">
            {input("Customer", "edit-customer", customer, crate::domain::Field::Customer)}
            {input("Item", "edit-item", item, crate::domain::Field::Item)}
            {input("Note", "edit-note", note, crate::domain::Field::Note)}
            <div class="editor-actions">
                <button type="submit" class="button button-primary button-small" data-testid="edit-save">"Save"</button>
                <button type="button" class="button button-small" on:click=move |_| on_close.run(()) data-testid="edit-cancel">"Cancel"</button>
            </div>
        </form>
    }
    .into_any()
}
