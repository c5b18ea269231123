//! One order in the list, rendered from the sync engine's row. Same layout in every state;
//! pending fields are hedged, and the status line says what happened.

use leptos::prelude::*;

use crate::domain::{format_timestamp, Job, OrderId, OrderStatus, BULK_DISCOUNT_FROM};
use crate::records::{ErrorKind, OpField, OpKind, RowState, RowView};
use crate::ui::components::{JobLink, JobProgress, NameEditor, QuantityStepper, RowActions, RowStatus, StarButton, StatusBadge, Typed};
use crate::ui::form::PageStateForm;
use crate::ui::live::use_live_feed;
use crate::ui::sync::{OrderSync, PendingKind};

/// What the editor reopens with when the server refused a rename or a note: what was sent,
/// and the message at its field.
fn refused_edit(r: &RowView) -> Option<Typed> {
    let RowState::RolledBack { error, .. } = &r.state else { return None };
    let ErrorKind::Validation { field } = error.kind else { return None };
    let error = Some(crate::domain::ValidationError::new(field, error.message.clone()));
    match r.refused.as_ref()? {
        OpKind::Rename { customer, item } => {
            Some(Typed { customer: Some(customer.to_string()), item: Some(item.to_string()), note: None, error, from_server: true })
        }
        OpKind::SetNote(note) => Some(Typed { note: Some(note.to_string()), error, from_server: true, ..Typed::default() }),
        _ => None,
    }
}

/// Puts focus on the row of `id` (after Retry, Undo or a dialog, whose button is gone), so the
/// next key acts where the person is.
pub fn focus_row(id: OrderId) {
    use leptos::wasm_bindgen::JsCast;
    let row = document().get_element_by_id(&format!("order-{id}")).and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok());
    if let Some(row) = row {
        let _ = row.focus();
    }
}

/// Asks the row with this id to open its editor (set by "New order").
#[derive(Clone, Copy)]
pub struct EditRequest(pub RwSignal<Option<OrderId>>);

#[component]
pub fn OrderRow(initial: RowView, sync: OrderSync) -> impl IntoView {
    let id = initial.order.id;
    // The row as the engine renders it now (re-run only when this row changes); keeps its
    // last value while the list drops it.
    let row = Memo::new(move |prev: Option<&RowView>| sync.row(id).or_else(|| prev.cloned()).unwrap_or_else(|| initial.clone()));
    // What a form posted without JavaScript left for this row (`crate::ui::form`): its
    // message on the status line, and a refused edit's editor open with what was typed.
    let notice = crate::ui::form::form_notice().filter(|n| n.order == Some(id));
    let typed = notice.as_ref().and_then(|n| {
        let (field, message) = n.invalid_field()?;
        let kept = |name| n.field(name).map(str::to_string);
        Some(Typed {
            customer: kept("customer"),
            item: kept("item"),
            note: kept("note"),
            error: Some(crate::domain::ValidationError::new(field, message)),
            // Said only at the field (the row's status line doesn't repeat a form's refusal).
            from_server: false,
        })
    });
    // The editor is open when asked for (`?edit=` without JavaScript) or to show a refused edit.
    let asked = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("edit") == Some(id.to_string()));
    let editing = RwSignal::new(asked || typed.is_some());
    let typed = StoredValue::new(typed.unwrap_or_default());
    if let Some(EditRequest(req)) = use_context::<EditRequest>() {
        Effect::new(move || {
            if req.get() == Some(id) {
                editing.set(true);
                req.set(None);
            }
        });
    }
    // A viewer gets no edit controls at all (and loses them live when demoted).
    let account = crate::ui::account::use_account();
    let may_edit = move || account.can_edit();
    let editable = move || may_edit() && row.with(|r| r.order.status.is_editable() && !matches!(r.state, RowState::Deleted { .. }));
    let hedged = move |f: OpField| row.with(|r| r.pending.as_ref().is_some_and(|p| p.fields.contains(&f)));
    let in_flight = move || row.with(|r| r.pending.as_ref().is_some_and(|p| p.in_flight));
    let number = move || row.with(|r| r.order.display_number());
    let invalid = move |f: crate::domain::Field| {
        row.with(|r| matches!(&r.state, RowState::RolledBack { error, .. } if error.kind == ErrorKind::Validation { field: f }))
    };
    let on_retry = Callback::new(move |_| {
        sync.retry(id);
        // Retry disappears with the note; keep focus on the row.
        focus_row(id);
    });
    // A rename or note the server refused: the editor opens again with what was sent and the
    // message at its field. Closing it (Escape, Cancel) goes back to the server's values.
    let refused_edit = Memo::new(move |_| row.with(refused_edit));
    Effect::new(move |_| {
        if let Some(refused) = refused_edit.get() {
            typed.set_value(refused);
            editing.set(true);
        }
    });
    let close_editor = Callback::new(move |_| {
        editing.set(false);
        if refused_edit.with_untracked(Option::is_some) {
            sync.dismiss(id);
        }
    });
    // The order's newest job (placing it), as the live feed keeps it.
    let feed = use_live_feed();
    let job = Memo::new(move |_| feed.job_for_order(id));
    // Whether it has one: its link is drawn once, not again at each step or when it ends.
    let has_job = Memo::new(move |_| job.with(Option::is_some));
    // While the order is placing, the row shows the job's progress instead of the badge.
    let placing_job = Memo::new(move |_| {
        let placing = row.with(|r| r.order.status == OrderStatus::Placing);
        job.with(|j| j.as_ref().filter(|_| placing).map(|j| j.id))
    });
    // Why placing the order couldn't even be submitted (or a form posted without JavaScript
    // was refused), until dismissed or tried again.
    let place_error = RwSignal::new(notice.filter(|n| n.invalid_field().is_none()).map(|n| row.with_untracked(|r| n.message(Some(&r.order)))));

    view! {
        <div
            tabindex="-1"
            class=move || format!("order-row state-{}", row.with(|r| r.state.class()))
            class:is-pending=move || row.with(|r| r.pending.is_some())
            class:is-quiet=move || row.with(RowView::is_quiet)
            role="row"
            id=format!("order-{id}")
            data-testid="order-row"
            data-order-id=id.to_string()
            data-order-number=number
            data-state=move || row.with(|r| r.state.class())
            data-pending=move || row.with(|r| r.pending.as_ref().map(|p| PendingKind::of(p, sync.net()).as_str()))
            data-not-sent=move || row.with(|r| matches!(&r.state, RowState::RolledBack { error, .. } if error.kind == ErrorKind::NotSent).then_some("true"))
            aria-busy=move || in_flight().to_string()
        >
            <span role="cell" class="col-star">
                <Show
                    when=may_edit
                    fallback=move || row.with(|r| r.order.starred).then(|| view! {
                        <span class="star star-on" role="img" aria-label="Starred" data-testid="starred">"★"</span>
                    })
                >
                    <StarButton row sync/>
                </Show>
            </span>
            <span role="cell" class="col-number">
                <span class="order-number" class:hedged=move || hedged(OpField::Record) data-testid="order-number">{number}</span>
                <span class="order-date">{move || row.with(|r| format_timestamp(r.order.created_at))}</span>
            </span>
            <span role="cell" class="col-customer">
                <Show
                    when=move || editing.get() && may_edit()
                    fallback=move || {
                        let names = move || view! {
                            <span class="customer" data-testid="customer">{move || row.with(|r| r.order.customer.to_string())}</span>
                            <span class="item" data-testid="item">{move || row.with(|r| r.order.item.to_string())}</span>
                            {move || row.with(|r| (!r.order.note.as_str().is_empty()).then(|| {
                                let note = r.order.note.to_string();
                                view! { <span class="note" data-testid="note">{note}</span> }
                            }))}
                        };
                        if may_edit() {
                            // Without the app's script, the page again with this row's editor open.
                            view! {
                                <PageStateForm state=("edit", id.to_string()) on_submit=Callback::new(move |()| editing.set(true))>
                                    <button
                                        type="submit"
                                        class="name-button"
                                        class:hedged=move || hedged(OpField::Name) || hedged(OpField::Note)
                                        class:invalid=move || invalid(crate::domain::Field::Customer) || invalid(crate::domain::Field::Item)
                                        disabled=move || !editable()
                                        title=move || if editable() { "Edit customer, item and note" } else { "Only drafts can be edited" }
                                        data-testid="edit-names"
                                    >
                                        {names}
                                    </button>
                                </PageStateForm>
                            }
                            .into_any()
                        } else {
                            view! { <div class="name-text" data-testid="names">{names}</div> }.into_any()
                        }
                    }
                >
                    <NameEditor row sync on_close=close_editor typed=typed.get_value()/>
                </Show>
            </span>
            <span role="cell" class="col-qty" class:invalid=move || invalid(crate::domain::Field::Quantity)>
                <QuantityStepper row sync editable/>
            </span>
            <span role="cell" class="col-total">
                <span class="total" class:hedged=move || hedged(OpField::Quantity) data-testid="total">
                    {move || row.with(|r| r.order.total.to_string())}
                </span>
                {move || row.with(|r| (r.order.quantity.get() >= BULK_DISCOUNT_FROM).then(|| view! { <span class="discount">"Bulk −10%"</span> }))}
            </span>
            <span role="cell" class="col-status" class:job-cell=move || placing_job.with(Option::is_some)>
                {move || match placing_job.get() {
                    Some(job_id) => {
                        // The job as the live feed has it; the record it started with until then.
                        let started = StoredValue::new(feed.job(job_id));
                        view! {
                            <JobProgress
                                job=move || feed.job(job_id).or_else(|| started.get_value()).expect("a placing row's job is in the feed")
                                now=move || feed.now()
                                compact=true
                            />
                        }
                        .into_any()
                    }
                    None => view! { <StatusBadge status=move || row.with(|r| r.order.status)/> }.into_any(),
                }}
                {move || has_job.get().then(|| view! {
                    <JobLink
                        href=move || job.with(|j| j.as_ref().map(Job::href).unwrap_or_default())
                        number
                        running=move || placing_job.with(Option::is_some)
                    />
                })}
                <span class="sending" class:active=in_flight title="Saving…" data-testid="sending">
                    <span class="visually-hidden">{move || if in_flight() { "Saving" } else { "" }}</span>
                </span>
            </span>
            <span role="cell" class="col-actions">
                <Show when=may_edit>
                    <RowActions row sync place_error/>
                </Show>
            </span>
            <RowStatus row sync on_retry place_error/>
        </div>
    }
    .into_any()
}
