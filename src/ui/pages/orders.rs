//! `/orders`: the list of orders, server-rendered, then hydrated; every edit goes through
//! the app's sync engine, which outlives this page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{list_jobs, list_page};
use crate::domain::{uuid_made_at, ListKey, Order, OrderId};
use crate::records::OpKind;
use crate::ui::codec::Json;
use crate::records::form::FormResult;
use crate::ui::components::{EditRequest, FaultPanel, LoadError, OrderList, SearchBox, UndoForm};
use crate::ui::form::{form_key, form_notice, hidden, WriteForm};
use crate::ui::live::use_live_feed;
use crate::ui::sync::{use_order_sync, OrderSync};

#[component]
pub fn OrdersPage() -> impl IntoView {
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    // `?after=` (the "Load more" link without JavaScript): the page after that key.
    let start = move || query.read().get("after").filter(|a| !a.is_empty());
    let (first_search, first_start) = (search(), start());
    // The first page, loaded once per visit and handed to the app's engine, which keeps what it
    // already knows (newer records, queued changes); after that the push channel keeps the
    // window current, and "Load more" or scrolling adds pages.
    let orders = OnceResource::<_, Json>::new_with_options(list_page(first_start.clone(), Some(first_search.clone()), crate::ui::account::page_workspace()), false);
    let jobs = OnceResource::<_, Json>::new_with_options(list_jobs(crate::ui::account::page_workspace()), false);
    let feed = use_live_feed();
    let sync = use_order_sync();
    // Once hydrated, a new search reads its first page from the server (the loaded rows are
    // filtered at once meanwhile).
    Effect::new(move |seen: Option<String>| {
        let q = search();
        if seen.as_ref().is_some_and(|s| *s != q) {
            sync.search(q.clone());
        }
        q
    });
    let account = crate::ui::account::use_account();
    let edit_request = EditRequest(RwSignal::new(None));
    provide_context(edit_request);
    // A form's result is for the page it came back to, not for a later visit in the app.
    on_cleanup(crate::ui::form::forget_form_notice);

    view! {
        <Title text="Orders"/>
        <section class="page orders-page">
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading orders…"</p> }>
                {move || {
                    let (first_search, first_start) = (first_search.clone(), first_start.clone());
                    // Part of hydration: nothing from the browser (the stored outbox, the live
                    // feed) may change the rows before they are hydrated.
                    crate::ui::hydration::suspend(async move {
                        // The badges can do without jobs; the list can't do without orders.
                        let jobs = jobs.await;
                        match orders.await {
                            Ok(page) => {
                                // A malformed `after` got its own error from the server already.
                                let start = first_start.as_deref().and_then(|a| ListKey::parse(a).ok());
                                sync.load(page, start, first_search);
                                feed.seed_jobs(jobs.unwrap_or_default());
                                view! {
                                    <header class="page-header">
                                        <div>
                                            <h1>"Orders"</h1>
                                            <p class="page-subtitle">
                                                {move || if account.revoked() {
                                                    "You no longer have access to this workspace."
                                                } else if account.can_edit() {
                                                    "Drafts save as you edit. Placed orders are processed in the background."
                                                } else {
                                                    "You can view these orders; only editors and owners change them."
                                                }}
                                            </p>
                                        </div>
                                        <div class="toolbar">
                                            <SearchBox value=search/>
                                            <Show when=move || account.can_edit()>
                                                <NewOrderButton sync edit_request/>
                                            </Show>
                                        </div>
                                    </header>
                                    <PageNotice sync/>
                                    <OrderList sync search/>
                                }
                                .into_any()
                            }
                            Err(error) => view! {
                                <header class="page-header"><h1>"Orders"</h1></header>
                                <LoadError what="the orders" error/>
                            }
                            .into_any(),
                        }
                    })
                }}
            </Suspense>
            <FaultPanel/>
        </section>
    }
    .into_any()
}

/// Adds a draft at the top at once and opens its editor. Without the app's script, the form
/// posts a draft with the id the server rendered into it (so a second submit is the same draft).
#[component]
fn NewOrderButton(sync: OrderSync, edit_request: EditRequest) -> impl IntoView {
    let create = Callback::new(move |()| {
        let id = OrderId::new();
        let now = uuid_made_at(id.as_uuid());
        sync.act(id, OpKind::Create(Order::new_draft(id, now)));
        edit_request.0.set(Some(id));
    });
    let draft = Order::new_draft(OrderId::new(), 0);
    view! {
        <WriteForm action="create" on_submit=create>
            {hidden("id", form_key())}
            {hidden("customer", draft.customer.to_string())}
            {hidden("item", draft.item.to_string())}
            {hidden("quantity", draft.quantity.get().to_string())}
            {hidden("unit_price_cents", draft.unit_price.cents().to_string())}
            {hidden("note", String::new())}
            <button type="submit" class="button button-primary" data-testid="new-order">
                <span aria-hidden="true">"+"</span>
                " New order"
            </button>
        </WriteForm>
    }
    .into_any()
}

/// What a form posted without JavaScript left for the page when no row of the list shows it:
/// a delete (with Undo, which then posts too), or a refusal about an order not in the list.
#[component]
fn PageNotice(sync: OrderSync) -> impl IntoView {
    let notice = form_notice().filter(|n| matches!(n.result, FormResult::Deleted(_)) || n.order.is_none_or(|id| sync.row_untracked(id).is_none()));
    notice.map(|n| {
        let (undo, class, role) = match &n.result {
            FormResult::Deleted(order) => (Some(order.id), "page-notice", "status"),
            FormResult::Refused(_) => (None, "page-notice is-refused", "alert"),
        };
        view! {
            <div class=class id="form-notice" tabindex="-1" role=role data-testid="form-notice">
                <span class="status-text">{n.message(None)}</span>
                {undo.map(|id| view! { <UndoForm id/> })}
            </div>
        }
    })
}
