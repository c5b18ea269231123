//! The star toggle: optimistic, silent rollback with inline retry (on the row's status line).

use leptos::prelude::*;

use crate::records::{OpField, OpKind, RowView};
use crate::ui::form::{hidden, WriteForm};
use crate::ui::sync::OrderSync;

#[component]
pub fn StarButton(row: Memo<RowView>, sync: OrderSync) -> impl IntoView {
    let starred = move || row.with(|r| r.order.starred);
    let label = move || row.with(|r| format!("{} {}", if r.order.starred { "Unstar" } else { "Star" }, r.order.display_number()));
    let hedged = move || row.with(|r| r.pending.as_ref().is_some_and(|p| p.fields.contains(&OpField::Starred)));
    let toggle = Callback::new(move |()| {
        let (id, now) = row.with_untracked(|r| (r.order.id, r.order.starred));
        sync.act(id, OpKind::SetStarred(!now));
    });
    let (id, version, next) = row.with_untracked(|r| (r.order.id.to_string(), r.order.version.to_string(), (!r.order.starred).to_string()));
    view! {
        <WriteForm action="star" on_submit=toggle>
        {hidden("id", id)}
        {hidden("version", version)}
        {hidden("starred", next)}
        <button
            type="submit"
            class="icon-button star-button"
            class:star-on=starred
            class:hedged=hedged
            aria-pressed=move || starred().to_string()
            aria-label=label
            title=label
            data-testid="star"
        >
            {move || if starred() { "★" } else { "☆" }}
        </button>
        </WriteForm>
    }
    .into_any()
}
