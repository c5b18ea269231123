//! Move up / down and delete, at the end of a row. Disabled while the row is still being
//! created (its place and version are not the server's yet).

use leptos::prelude::*;

use crate::records::{OpField, OpKind, RowState, RowView};
use crate::domain::OrderStatus;
use crate::ui::components::{CancelOrder, PlaceOrderButton};
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
    let move_by = move |up: bool| {
        let ids = sync.order_ids();
        let Some(i) = ids.iter().position(|x| *x == id) else { return };
        // Up: just before the row above. Down: just behind the row below (what follows that
        // one may not be loaded yet).
        let kind = if up {
            i.checked_sub(1).map(|j| OpKind::Move { before: Some(ids[j]) })
        } else {
            ids.get(i + 1).map(|after| OpKind::MoveAfter { after: *after })
        };
        if let Some(kind) = kind {
            sync.act(id, kind);
        }
    };
    let deletable = move || row.with(|r| r.order.status.is_editable()) && settled();
    let number = move || row.with(|r| r.order.display_number());
    view! {
        <span class="row-actions">
            <Show when=move || row.with(|r| matches!(r.order.status, OrderStatus::Draft | OrderStatus::Failed))>
                <PlaceOrderButton row sync error=place_error/>
            </Show>
            <button
                type="button"
                class="icon-button"
                aria-label=move || format!("Move {} up", number())
                title="Move up"
                data-testid="move-up"
                disabled=move || !settled() || index() == Some(0)
                on:click=move |_| move_by(true)
            >
                "↑"
            </button>
            <button
                type="button"
                class="icon-button"
                aria-label=move || format!("Move {} down", number())
                title="Move down"
                data-testid="move-down"
                disabled=move || !settled() || index().is_none_or(|i| i + 1 >= count())
                on:click=move |_| move_by(false)
            >
                "↓"
            </button>
            <Show when=move || row.with(|r| r.order.status.is_editable())>
                <button
                    type="button"
                    class="icon-button danger"
                    aria-label=move || format!("Delete {}", number())
                    title="Delete draft"
                    data-testid="delete"
                    disabled=move || !deletable()
                    on:click=move |_| sync.act(id, OpKind::Delete)
                >
                    "✕"
                </button>
            </Show>
            <Show when=move || row.with(|r| r.order.status == OrderStatus::Placed)>
                <CancelOrder row sync/>
            </Show>
        </span>
    }
    .into_any()
}
