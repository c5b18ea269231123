//! Inline edit of a draft's customer, item and note. Checks input before queuing it; a
//! mistake is shown at the field and the field keeps the last good value on Cancel.

use leptos::html::Input;
use leptos::prelude::*;

use crate::domain::{CustomerName, Field, ItemName, Note, ValidationError};
use crate::records::{OpKind, RowView};
use crate::ui::form::{form_key, hidden, WriteForm};
use crate::ui::sync::OrderSync;

/// What the editor opens with instead of the row's values: what the person typed in a form
/// the server refused (without JavaScript), and why.
#[derive(Clone, Default, PartialEq)]
pub struct Typed {
    pub customer: Option<String>,
    pub item: Option<String>,
    pub note: Option<String>,
    pub error: Option<ValidationError>,
    /// The error is announced by the row's status line (a refusal the app sent), so the field
    /// shows it without announcing it again.
    pub from_server: bool,
}

#[component]
pub fn NameEditor(row: Memo<RowView>, sync: OrderSync, on_close: Callback<()>, #[prop(optional)] typed: Typed) -> impl IntoView {
    let (customer0, item0, note0, id, version) = row.with_untracked(|r| {
        (r.order.customer.to_string(), r.order.item.to_string(), r.order.note.to_string(), r.order.id, r.order.version)
    });
    let customer = RwSignal::new(typed.customer.unwrap_or_else(|| customer0.clone()));
    let item = RwSignal::new(typed.item.unwrap_or_else(|| item0.clone()));
    let note = RwSignal::new(typed.note.unwrap_or_else(|| note0.clone()));
    let opened_on = (!sync.is_display_only()).then(|| typed.error.as_ref().map_or(Field::Customer, |e| e.field));
    let error: RwSignal<Option<ValidationError>> = RwSignal::new(typed.error);
    // The editor's own check is announced at the field; a refusal the server sent, by the row.
    let alert = RwSignal::new(!typed.from_server);
    let shown = (customer0.clone(), item0.clone(), note0.clone());
    let field_error = move |f: Field| error.with(|e| e.as_ref().filter(|e| e.field == f).map(|e| e.message.clone()));

    // Customer, item, note: focus goes to the field with the error, or the first one.
    let inputs = [NodeRef::<Input>::new(), NodeRef::<Input>::new(), NodeRef::<Input>::new()];
    let focus_field = move |field: Field| {
        if let Some(input) = inputs[field_index(field)].get_untracked() {
            let _ = input.focus();
        }
    };
    Effect::new(move |_| opened_on.map(focus_field));

    let save = Callback::new(move |()| {
        let parsed = CustomerName::parse(&customer.get_untracked())
            .and_then(|c| ItemName::parse(&item.get_untracked()).map(|i| (c, i)))
            .and_then(|(c, i)| Note::parse(&note.get_untracked()).map(|n| (c, i, n)));
        match parsed {
            Err(e) => {
                focus_field(e.field);
                alert.set(true);
                error.set(Some(e));
            }
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
    let input = move |label: &'static str, name: &'static str, testid: &'static str, value: RwSignal<String>, field: Field| {
        let error_id = format!("{testid}-error-{id}");
        let described = error_id.clone();
        view! {
            <label class="field">
                <span class="field-label">{label}</span>
                <input
                    type="text"
                    node_ref=inputs[field_index(field)]
                    name=name
                    aria-describedby=move || field_error(field).is_some().then(|| described.clone())
                    value=value.get_untracked()
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                    on:keydown=on_key
                    aria-invalid=move || field_error(field).is_some().to_string()
                    data-testid=testid
                />
                {move || field_error(field).map(|m| {
                    view! { <span class="field-error" id=error_id.clone() role=move || alert.get().then_some("alert")>{m}</span> }
                })}
            </label>
        }
    };
    // Without the app's script the form posts to `edit_draft`, which saves what differs from
    // what the page showed (`was_*`), each part under its own key.
    view! {
        <WriteForm action="edit" class="name-editor" testid="name-editor" on_submit=save>
            {hidden("note_key", form_key())}
            {hidden("id", id.to_string())}
            {hidden("version", version.to_string())}
            {hidden("was_customer", shown.0)}
            {hidden("was_item", shown.1)}
            {hidden("was_note", shown.2)}
            {input("Customer", "customer", "edit-customer", customer, Field::Customer)}
            {input("Item", "item", "edit-item", item, Field::Item)}
            {input("Note", "note", "edit-note", note, Field::Note)}
            <div class="editor-actions">
                <button type="submit" class="button button-primary button-small" data-testid="edit-save">"Save"</button>
                // Without the app's script, Cancel posts the form with `cancel`: nothing is saved.
                <button
                    type="submit"
                    name="cancel"
                    value="1"
                    class="button button-small"
                    on:click=move |ev| {
                        ev.prevent_default();
                        on_close.run(());
                    }
                    data-testid="edit-cancel"
                >
                    "Cancel"
                </button>
            </div>
        </WriteForm>
    }
    .into_any()
}

/// Where a field's input sits in the editor (customer, item, note).
fn field_index(field: Field) -> usize {
    match field {
        Field::Item => 1,
        Field::Note => 2,
        _ => 0,
    }
}
