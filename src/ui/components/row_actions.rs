//! Move up / down and delete, at the end of a row. Disabled while the row is still being
//! created (its place and version are not the server's yet).

use leptos::prelude::*;

use crate::records::{OpField, OpKind, RowState, RowView};
use crate::domain::OrderStatus;
use crate::ui::components::{CancelOrder, PlaceOrderButton};
use crate::ui::form::{hidden, WriteForm};
use crate::ui::sync::OrderSync;

#[component]
pub fn RowActions(row: Memo<RowView>, sync: OrderSync, place_error: RwSignal<Option<String>>) -> impl IntoView {
    let id = row.with_untracked(|r| r.order.id);
    // Reactive on the list's order only, which edits don't change.
    let place = Memo::new(move |_| sync.place(id));
    let index = move || place.get().0;
    let count = move || place.get().1;
    let settled = move || {
        row.with(|r| {
            r.order.number.is_some()
                && !matches!(r.state, RowState::Deleted { .. })
                && !r.pending.as_ref().is_some_and(|p| p.fields.contains(&OpField::Record))
        })
    };
    // Up: just before the row above. Down: just behind the row below (what follows that one
    // may not be loaded yet).
    let move_by = move |up: bool| {
        let (above, below) = sync.neighbours_untracked(id);
        let kind = if up { above.map(|b| OpKind::Move { before: Some(b) }) } else { below.map(|after| OpKind::MoveAfter { after }) };
        if let Some(kind) = kind {
            sync.act(id, kind);
        }
    };
    // Without the app's script, each form posts the change as the page showed the list.
    let (above, below) = sync.neighbours_untracked(id);
    let shown = StoredValue::new((id.to_string(), row.with_untracked(|r| r.order.version.to_string())));
    let fields = move || {
        let (id, version) = shown.get_value();
        view! {
            {hidden("id", id)}
            {hidden("version", version)}
        }
    };
    let deletable = move || row.with(|r| r.order.status.is_editable()) && settled();
    let number = move || row.with(|r| r.order.display_number());
    view! {
        <span class="row-actions">
            <Show when=move || row.with(|r| matches!(r.order.status, OrderStatus::Draft | OrderStatus::Failed))>
                <PlaceOrderButton row sync error=place_error/>
            </Show>
            <WriteForm action="move" on_submit=Callback::new(move |()| move_by(true))>
                {fields()}
                {hidden("before", above.map(|b| b.to_string()).unwrap_or_default())}
                <button
                    type="submit"
                    class="icon-button"
                    aria-label=move || format!("Move {} up", number())
                    title="Move up"
                    data-testid="move-up"
                    disabled=move || !settled() || index() == Some(0)
                >
                    "↑"
                </button>
            </WriteForm>
            <WriteForm action="move" on_submit=Callback::new(move |()| move_by(false))>
                {fields()}
                {hidden("after", below.map(|a| a.to_string()).unwrap_or_default())}
                <button
                    type="submit"
                    class="icon-button"
                    aria-label=move || format!("Move {} down", number())
                    title="Move down"
                    data-testid="move-down"
                    disabled=move || !settled() || index().is_none_or(|i| i + 1 >= count())
                >
                    "↓"
                </button>
            </WriteForm>
            <Show when=move || row.with(|r| r.order.status.is_editable())>
                <WriteForm action="delete" on_submit=Callback::new(move |()| sync.act(id, OpKind::Delete))>
                    {fields()}
                    <button
                        type="submit"
                        class="icon-button danger"
                        aria-label=move || format!("Delete {}", number())
                        title="Delete draft"
                        data-testid="delete"
                        disabled=move || !deletable()
                    >
                        "✕"
                    </button>
                </WriteForm>
            </Show>
            <Show when=move || row.with(|r| r.order.status == OrderStatus::Placed)>
                <CancelOrder row sync/>
            </Show>
        </span>
    }
    .into_any()
}
