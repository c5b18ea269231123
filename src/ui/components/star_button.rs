//! The star toggle: optimistic, silent rollback with inline retry (on the row's status line).

use leptos::prelude::*;

use crate::records::{OpField, OpKind, RowView};
use crate::ui::sync::OrderSync;

#[component]
pub fn StarButton(row: Memo<RowView>, sync: OrderSync) -> impl IntoView {
    let starred = move || row.with(|r| r.order.starred);
    let label = move || row.with(|r| format!("{} {}", if r.order.starred { "Unstar" } else { "Star" }, r.order.display_number()));
    let hedged = move || row.with(|r| r.pending.as_ref().is_some_and(|p| p.fields.contains(&OpField::Starred)));
    let toggle = move |_| {
        let (id, now) = row.with_untracked(|r| (r.order.id, r.order.starred));
        sync.act(id, OpKind::SetStarred(!now));
    };
    view! {
        <button
            type="button"
            class="icon-button star-button"
            class:star-on=starred
            class:hedged=hedged
            aria-pressed=move || starred().to_string()
            aria-label=label
            title=label
            data-testid="star"
            on:click=toggle
        >
            {move || if starred() { "★" } else { "☆" }}
        </button>
    }
    .into_any()
}
