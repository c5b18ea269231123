//! `/states`: the state gallery for designers. Every row state, rendered by the real row
//! component from real sync engines driven into that state with fixed data (nothing is sent);
//! then placing an order (`job_gallery`).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::{job_copy, JobId, Role, line_total, CustomerName, Field, ItemName, Money, Note, Order, OrderId, OrderNumber, OrderStatus, Quantity, WriteKind};
use crate::error::AppError;
use crate::records::form::{FormNotice, FormResult};
use crate::records::{Engine, ErrorKind, OpKind, Outcome, RowError};
use crate::sync::{OpId, MAX_ATTEMPTS};
use crate::ui::components::{OrderRow, SyncBanner};
use crate::ui::account::provide_fixed_account;
use crate::ui::app_failure;
use crate::ui::form::provide_fixed_form_notice;
use crate::ui::sync::{fixed_order_sync, Net};

use super::job_gallery::JobGallery;

/// 23 Nov 2026, 14:05 UTC: every gallery timestamp, so screenshots never change.
const T0: i64 = 1_795_442_709_000;

fn sample(n: u32, customer: &str, item: &str, qty: i64, price_cents: i64, status: OrderStatus) -> Order {
    let quantity = Quantity::parse(qty).unwrap_or_else(|_| Quantity::parse(1).expect("1 is valid"));
    let unit_price = Money::from_cents(price_cents);
    Order {
        id: OrderId::from_uuid(uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + u128::from(n))),
        number: Some(OrderNumber::new(n)),
        customer: CustomerName::parse(customer).unwrap_or_else(|_| CustomerName::parse("Customer").expect("valid")),
        item: ItemName::parse(item).unwrap_or_else(|_| ItemName::parse("Item").expect("valid")),
        note: Note::parse("").expect("empty note is valid"),
        quantity,
        unit_price,
        total: line_total(quantity, unit_price),
        status,
        starred: false,
        position: i64::from(n),
        version: 3,
        created_at: T0,
        updated_at: T0,
    }
}

fn op(n: u128) -> OpId {
    OpId::from_uuid(uuid::Uuid::from_u128(0x0190_0000_0000_7000_9000_0000_0000_0000 + n))
}

fn engine_with(order: &Order) -> Engine {
    let mut e = Engine::new();
    e.replace_authoritative(vec![order.clone()]);
    e
}

/// `order` with one op sent and answered with `outcome`.
fn answered(order: &Order, kind: OpKind, outcome: Outcome) -> Engine {
    let mut e = engine_with(order);
    let _ = e.enqueue(op(1), order.id, kind);
    let _ = e.next_to_send(T0);
    e.apply_outcome(op(1), outcome, T0);
    e
}

fn rejected(order: &Order, kind: OpKind, kind_of_error: ErrorKind, message: &str) -> Engine {
    answered(order, kind, Outcome::Rejected(RowError::new(kind_of_error, message)))
}

struct Shown {
    /// Whose row it is: an editor's, unless the state is a viewer's.
    role: Role,
    slug: &'static str,
    title: &'static str,
    about: &'static str,
    engine: Engine,
    /// Whether the gallery shows it with writes reaching the server.
    net: Net,
}

fn gallery() -> Vec<Shown> {
    let draft = sample(1042, "Harbor Street Café", "Espresso beans, 1 kg", 12, 2_450, OrderStatus::Draft);
    let starred_draft = Order { starred: true, ..draft.clone() };
    let q13 = OpKind::SetQuantity(Quantity::parse(13).expect("valid"));
    let mut confirmed = draft.clone();
    confirmed.quantity = Quantity::parse(13).expect("valid");
    confirmed.total = line_total(confirmed.quantity, confirmed.unit_price);
    confirmed.version += 1;
    let mut elsewhere = draft.clone();
    elsewhere.quantity = Quantity::parse(20).expect("valid");
    elsewhere.total = line_total(elsewhere.quantity, elsewhere.unit_price);
    elsewhere.version += 1;

    let mut sending = engine_with(&draft);
    let _ = sending.enqueue(op(1), draft.id, q13.clone());
    let _ = sending.next_to_send(T0);

    // Sent four seconds before the gallery's clock, and not answered yet.
    let mut slow = engine_with(&draft);
    let _ = slow.enqueue(op(1), draft.id, q13.clone());
    let _ = slow.next_to_send(T0 - 4_000);

    let mut queued = engine_with(&draft);
    let _ = queued.enqueue(op(1), draft.id, q13.clone());
    let _ = queued.next_to_send(T0);
    let _ = queued.enqueue(op(2), draft.id, OpKind::SetStarred(true));

    let mut retrying = engine_with(&draft);
    let _ = retrying.enqueue(op(1), draft.id, q13.clone());
    let _ = retrying.next_to_send(T0);
    retrying.apply_outcome(op(1), Outcome::Transient("timeout".into()), T0);

    let mut gave_up = engine_with(&draft);
    let _ = gave_up.enqueue(op(1), draft.id, q13.clone());
    let mut now = T0;
    for _ in 0..MAX_ATTEMPTS {
        let _ = gave_up.next_to_send(now);
        gave_up.apply_outcome(op(1), Outcome::Transient("timeout".into()), now);
        now += 60_000;
    }

    let mut creating = Engine::new();
    let new_id = OrderId::from_uuid(uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0999));
    let _ = creating.enqueue(op(1), new_id, OpKind::Create(Order::new_draft(new_id, T0)));
    let _ = creating.next_to_send(T0);

    let mut deleting = engine_with(&draft);
    let _ = deleting.enqueue(op(1), draft.id, OpKind::Delete);
    let _ = deleting.next_to_send(T0);

    // Made offline: queued, waiting for the network.
    let mut waiting = engine_with(&draft);
    let _ = waiting.enqueue(op(1), draft.id, q13.clone());

    // Sent before a reload, and restored by the next page load: resent with the same key.
    let mut before_reload = engine_with(&draft);
    let _ = before_reload.enqueue(op(1), draft.id, q13.clone());
    let _ = before_reload.next_to_send(T0);
    let left = before_reload.outbox([]);
    let mut restored = Engine::new();
    restored.restore(left.clone());
    let mut not_sent = Engine::new();
    not_sent.restore(left.clone());
    not_sent.set_aside(|_| true, |_| RowError::new(ErrorKind::NotSent, ""));
    let mut other_tab = engine_with(&draft);
    other_tab.show_elsewhere("another tab", left);

    let mut held = draft.clone();
    held.version += 1;
    let placed = sample(1038, "Mina Okafor", "Standing desk, oak", 1, 54_900, OrderStatus::Placed);

    let server_failed = "The server couldn't finish the change. Retry in a moment.";
    let mut create_failed = Engine::new();
    let _ = create_failed.enqueue(op(1), new_id, OpKind::Create(Order::new_draft(new_id, T0)));
    let _ = create_failed.next_to_send(T0);
    create_failed.apply_outcome(op(1), Outcome::Rejected(RowError::new(ErrorKind::Server, server_failed)), T0);
    let refused_rename = OpKind::Rename {
        customer: CustomerName::parse("Harbor Street Café & Roastery").expect("valid"),
        item: ItemName::parse("Espresso beans, 1 kg").expect("valid"),
    };

    vec![
        Shown { role: Role::Editor, net: Net::Online, slug: "idle", title: "Idle", about: "Nothing pending. The row as the server holds it.", engine: engine_with(&draft) },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "optimistic",
            title: "Optimistic · sending",
            about: "Quantity 12 → 13 shows at once, hedged (faded fields, sending glyph); no page spinner.",
            engine: sending,
        },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "still-saving",
            title: "Optimistic · still saving",
            about: "No answer after 3 s: the row says so. At the write deadline the request is resent with the same key.",
            engine: slow,
        },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "optimistic-queued",
            title: "Optimistic · queued behind",
            about: "A second edit (star) waits behind the request in flight: one request per row.",
            engine: queued,
        },
        Shown {
            role: Role::Editor,
            net: Net::Offline,
            slug: "waiting",
            title: "Optimistic · waiting for the network",
            about: "Made while offline: the change shows at once and waits; nothing counts down, nothing rolls back. Sent, in order, when the network is back.",
            engine: waiting,
        },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "restored",
            title: "Optimistic · restored after a reload",
            about: "Still unconfirmed when the page was reloaded or closed: restored from the browser's storage and resent with the same key, so it lands once.",
            engine: restored,
        },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "other-tab",
            title: "Optimistic · saved from another tab",
            about: "Another open tab made the change and sends it; this tab shows it pending too, until the server confirms it.",
            engine: other_tab,
        },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "retrying",
            title: "Optimistic · retrying",
            about: "The network failed once; the same change is resent with the same key after a backoff.",
            engine: retrying,
        },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "confirmed",
            title: "Confirmed",
            about: "The hedge drops and the server's record (number, total, version) replaces the guess.",
            engine: answered(&draft, q13.clone(), Outcome::Confirmed(confirmed)),
        },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "rolled-back-server",
            title: "Rolled back · server error",
            about: "The server failed: the change is undone on the row, which says so and offers Retry.",
            engine: rejected(
                &draft,
                q13.clone(),
                ErrorKind::Server,
                "The server couldn't finish this request. Try again in a minute; if it keeps failing, contact support.",
            ),
        },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "rolled-back-network",
            title: "Rolled back · network",
            about: "After the bounded retries the change rolls back with Retry.",
            engine: gave_up,
        },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "rolled-back-validation",
            title: "Rolled back · validation",
            about: "The server refused the value: the field is marked and the message says how to fix it. No Retry.",
            engine: rejected(
                &draft,
                q13.clone(),
                ErrorKind::Validation { field: Field::Quantity },
                "The quantity can be at most 999. For larger orders, split them or contact sales.",
            ),
        },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "rolled-back-not-found",
            title: "Rolled back · not found",
            about: "The order is gone (deleted elsewhere).",
            engine: rejected(&draft, q13.clone(), ErrorKind::NotFound, "This order no longer exists; it may have been deleted. Reload the list to see the current orders."),
        },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "rolled-back-unsendable",
            title: "Rolled back · can't be sent as it is",
            about: "The request can only fail the same way again (its key was used for another change, or the server could not read it): no Retry; the message says to reload.",
            engine: rejected(
                &draft,
                q13.clone(),
                ErrorKind::Unsendable,
                "This request key was already used for a different change, so nothing was saved. Reload the page and make the change again.",
            ),
        },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "rolled-back-not-sent",
            title: "Not sent · too old to resend",
            about: "Restored, but older than the server's idempotency window (24 h): resending it blindly could apply it twice, so the person decides: Retry sends it, Discard drops it.",
            engine: not_sent,
        },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "rolled-back-forbidden",
            title: "Rolled back · not allowed",
            about: "The change is not allowed for this order.",
            engine: rejected(&placed, OpKind::SetStarred(true), ErrorKind::Forbidden, "ORD-1038 is placed, so it can't be edited. Only drafts can change."),
        },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "updated-elsewhere",
            title: "Updated elsewhere",
            about: "Someone changed the order first (409): the row takes the server's values with a quiet note.",
            engine: answered(&draft, q13, Outcome::VersionConflict(elsewhere)),
        },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "rolled-back-rename",
            title: "Rolled back · rename refused, input kept",
            about: "The server refused a rename: the editor opens again with what was typed, the message at the field and focus on it. Escape goes back to the server's values.",
            engine: answered(
                &draft,
                refused_rename,
                Outcome::Rejected(RowError::validation(Field::Customer, "This customer name is already used by another account. Use a different name.")),
            ),
        },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "rolled-back-star",
            title: "Rolled back · star (quiet)",
            about: "A cosmetic change that failed: one short line and a quiet mark, with Retry. No alarm.",
            engine: rejected(&draft, OpKind::SetStarred(true), ErrorKind::Server, server_failed),
        },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "rolled-back-delete",
            title: "Rolled back · delete",
            about: "Destructive, so loud: the delete did not complete and the row says plainly that the order is still there.",
            engine: rejected(&draft, OpKind::Delete, ErrorKind::Server, server_failed),
        },
        Shown { role: Role::Editor, net: Net::Online, slug: "creating", title: "New draft · creating", about: "Appears at once on top; the server assigns the number.", engine: creating },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "rolled-back-create",
            title: "Rolled back · new draft",
            about: "The server couldn't create the draft: it stays on top with what was typed, says so, and offers Retry.",
            engine: create_failed,
        },
        Shown { role: Role::Editor, net: Net::Online, slug: "deleting", title: "Deleted · sending", about: "The delete shows at once with Undo while it is sent.", engine: deleting },
        Shown {
            role: Role::Editor,
            net: Net::Online,
            slug: "deleted",
            title: "Deleted · Undo",
            about: "The server holds the delete for the undo window; Undo brings the row back unchanged.",
            engine: answered(&draft, OpKind::Delete, Outcome::DeleteHeld { record: held, undo_until: T0 + 10_000 }),
        },
        Shown {
            role: Role::Viewer,
            net: Net::Online,
            slug: "rolled-back-permission",
            title: "Rolled back · permission changed",
            about: "The person was made a viewer while the change was on its way: the server refused it (403), the row rolls back in place and says why. Their controls are gone with the new role.",
            engine: rejected(&draft, OpKind::StepQuantity { by: 1, to: Quantity::parse(13).expect("valid") }, ErrorKind::Forbidden, "You can view this order but no longer change it."),
        },
        Shown {
            role: Role::Viewer,
            net: Net::Online,
            slug: "viewer",
            title: "A viewer's row",
            about: "A viewer reads every order but gets no edit controls: no star, stepper, editor, actions or New order.",
            engine: engine_with(&starred_draft),
        },
        Shown { role: Role::Editor, net: Net::Online, slug: "placed", title: "Placed order", about: "Not editable: star and move apply; Cancel asks for confirmation and waits for the server.", engine: engine_with(&placed) },
    ]
}

/// The app-wide line while writes can't reach the server, with three changes waiting.
fn banners() -> impl IntoView {
    let draft = sample(1042, "Harbor Street Café", "Espresso beans, 1 kg", 12, 2_450, OrderStatus::Draft);
    let shown = [
        (Net::Offline, "offline-banner", "Offline banner", "The browser has no network. One line for the whole app, counting the changes that will be sent."),
        (Net::Unreachable, "unreachable-banner", "Server unreachable", "The network is up but requests don't reach the server; the waiting changes are tried again every few seconds, without counting down."),
        (Net::SignedOut, "signed-out-banner", "Sign in to send", "The session ended with changes waiting: nothing is rolled back. Signing in (in a new tab, so this page stays) sends each with its original key."),
    ];
    shown
        .into_iter()
        .map(|(net, slug, title, about)| {
            let mut engine = engine_with(&draft);
            for n in 1..=3 {
                let _ = engine.enqueue(op(n), draft.id, OpKind::StepQuantity { by: 1, to: Quantity::parse(12 + n as i64).expect("valid") });
            }
            let sync = fixed_order_sync(engine, T0, net);
            view! {
                <GalleryItem slug title about>
                    <SyncBanner sync/>
                </GalleryItem>
            }
        })
        .collect_view()
}

/// The account screens' states: refused sign-in and sign-up forms, and an owner's members page.
/// Inert: nothing here can be submitted.
fn account_states() -> impl IntoView {
    use crate::api::{MemberView, Members};
    use crate::domain::Membership;
    use super::sign_in::{error_copy, AuthForm};
    use super::MemberList;
    let form = |slug: &'static str, title: &'static str, about: &'static str, action: &'static str, code: &str, submit: &'static str| {
        let error = Some(error_copy(code, Some("60")));
        view! {
            <GalleryItem slug title about>
                <div class="gallery-frame auth-page" inert>
                    <AuthForm action next="/orders".to_string() email="sam@orderdesk.test".to_string() error password_autocomplete="off" submit testid=slug/>
                </div>
            </GalleryItem>
        }
    };
    let members = Members {
        workspace: Membership { workspace: 1, name: "Harbor Street team".into(), role: Role::Owner },
        members: vec![
            MemberView { user: 1, email: "demo@orderdesk.test".into(), role: Role::Owner, you: true },
            MemberView { user: 2, email: "sam@orderdesk.test".into(), role: Role::Editor, you: false },
            MemberView { user: 3, email: "viola@example.com".into(), role: Role::Viewer, you: false },
        ],
    };
    view! {
        {form("sign-in-wrong", "Sign in · wrong email or password", "One message for both: it never says which accounts exist.", "/api/accounts/sign-in", "credentials", "Sign in")}
        {form("sign-in-throttled", "Sign in · too many tries", "After five failures an account (or a client) waits, twice as long each time, up to 15 minutes.", "/api/accounts/sign-in", "throttled", "Sign in")}
        {form("sign-up-password", "Sign up · password too short", "The form comes back with the email kept and the rule said.", "/api/accounts/sign-up", "password", "Create account")}
        <GalleryItem
            slug="members"
            title="Members · as an owner"
            about="Share by email, change a role, remove: each decided by the server before the page shows it."
        >
            <div class="gallery-frame" inert>
                <MemberList members error=None done=Some("Role changed. Their open pages follow at once.")/>
            </div>
        </GalleryItem>
    }
}

/// The list's own states and the pages around it: an empty workspace, a search without a
/// match, a list that couldn't load, and the not-found page.
#[component]
fn PageStates() -> impl IntoView {
    use crate::ui::components::{EmptyList, JobLoadError, LoadError, NoMatch};
    use super::not_found::NotFoundContent;
    provide_fixed_account(Role::Editor);
    let item = |slug: &'static str, title: &'static str, about: &'static str, shown: AnyView| {
        view! {
            <GalleryItem slug title about>
                <div class="gallery-frame" inert>{shown}</div>
            </GalleryItem>
        }
    };
    view! {
        {item("empty-list", "Empty list", "A workspace without orders: what to do first, as the person's role allows.", view! { <EmptyList/> }.into_any())}
        {item("no-match", "Search · no match", "What was searched, what to try, and a way back to every order.", view! { <NoMatch search=|| "walnut desk".to_string()/> }.into_any())}
        {item(
            "load-error",
            "Load error",
            "The list couldn't be read: why, and Reload. Nothing the person changed is lost.",
            view! { <LoadError what="the orders" error=AppError::Network { message: "The server didn't answer. Check your connection, then reload.".into() }/> }.into_any(),
        )}
        {item(
            "job-load-error",
            "Job · couldn't load",
            "The status page couldn't read the job: why, Reload, and the way back to the orders.",
            view! { <JobLoadError error=AppError::Network { message: "The server didn't answer. Check your connection, then reload.".into() }/> }.into_any(),
        )}
        {item(
            "job-not-found",
            "Job · not found",
            "A status link to a job that isn't there (or isn't this workspace's): said plainly, without Reload.",
            view! { <JobLoadError error=AppError::not_found(job_copy::no_such_job(JobId::from_uuid(uuid::Uuid::from_u128(0x0190_0000_0000_7000_a000_0000_1a2b_3c99))))/> }.into_any(),
        )}
        {item(
            "app-failure",
            "The app stopped · a page's code couldn't load",
            "A page's own code (its chunk) couldn't be fetched, or the app stopped for another reason: said at the top of the page, with a Reload that works without the app.",
            view! { <div class="gallery-app-failure" inner_html=app_failure::notice_html(app_failure::headline(app_failure::CHUNK_FAILED), "/states")></div> }.into_any(),
        )}
        {item("not-found", "Not found (404)", "An address that leads nowhere: said plainly, with the way back to the orders.", view! { <NotFoundContent/> }.into_any())}
    }
}

/// Cancelling a placed order: the confirmation open, waiting for the server, and refused.
#[component]
fn CancelStates() -> impl IntoView {
    use crate::records::cancel_failure_message;
    use crate::ui::components::CancelDialog;
    let placed = sample(1038, "Mina Okafor", "Standing desk, oak", 1, 54_900, OrderStatus::Placed);
    let refused = cancel_failure_message(
        "ORD-1038",
        &RowError::new(ErrorKind::Server, "The order has already shipped, so it can't be cancelled. Contact the customer instead."),
    );
    let shown = [
        ("cancel-open", "Cancel · asking", "Pessimistic: nothing changes until the person confirms. Focus starts on Cancel order; Escape keeps the order.", false, None),
        ("cancel-pending", "Cancel · waiting for the server", "Both buttons wait while the server decides; the row changes only when it confirms.", true, None),
        ("cancel-refused", "Cancel · refused", "Destructive, so loud: the dialog says plainly that the order is not cancelled, and why.", false, Some(refused)),
    ];
    shown
        .into_iter()
        .map(|(slug, title, about, pending, error)| {
            let number = placed.display_number();
            let shown = (placed.id.to_string(), placed.version.to_string());
            view! {
                <GalleryItem slug title about>
                    <div class="gallery-frame" inert>
                        <CancelDialog
                            number=Signal::stored(number)
                            shown
                            pending=Signal::stored(pending)
                            error=Signal::stored(error)
                            on_keep=Callback::new(|()| {})
                            on_confirm=Callback::new(|()| {})
                        />
                    </div>
                </GalleryItem>
            }
        })
        .collect_view()
}

/// One gallery entry: a heading, what it shows, and the thing itself. Its slug is its stable
/// anchor (`/states#rolled-back-delete`) and its screenshot's name.
#[component]
pub(super) fn GalleryItem(slug: &'static str, title: &'static str, about: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="gallery-item" id=slug data-testid=format!("gallery-{slug}")>
            <h2>{title}</h2>
            <p class="gallery-about">{about}</p>
            {children()}
        </section>
    }
    .into_any()
}

/// One row state, seen in its role (whoever looks at the gallery).
#[component]
fn GalleryRow(
    s: Shown,
    /// What a post left for the row, if the state comes from one.
    #[prop(optional)]
    notice: Option<FormNotice>,
) -> impl IntoView {
    provide_fixed_account(s.role);
    if let Some(notice) = notice {
        provide_fixed_form_notice(notice);
    }
    let sync = fixed_order_sync(s.engine, T0, s.net);
    let rows = sync.rows_untracked();
    view! {
        <GalleryItem slug=s.slug title=s.title about=s.about>
            <div class="order-table" role="table" aria-label=s.title>
                <div role="rowgroup">
                    {rows.into_iter().map(|initial| view! { <OrderRow initial sync/> }).collect_view()}
                </div>
            </div>
        </GalleryItem>
    }
    .into_any()
}

#[component]
pub fn StatesPage() -> impl IntoView {
    let items = gallery().into_iter().map(|s| view! { <GalleryRow s/> }).collect_view();
    // Placing couldn't even be submitted: the row says why, until dismissed or tried again.
    let draft = sample(1042, "Harbor Street Café", "Espresso beans, 1 kg", 12, 2_450, OrderStatus::Draft);
    let refused = FormNotice::new(
        WriteKind::Place,
        &[("id".to_string(), draft.id.to_string())],
        FormResult::Refused(AppError::Internal { message: "The payment service isn't answering. Try again in a few minutes.".into() }),
    );
    let place_error = Shown {
        role: Role::Editor,
        net: Net::Online,
        slug: "place-error",
        title: "Place order · couldn't be submitted",
        about: "Placing is pessimistic: nothing changes on the row, which says why and keeps Place order for another try.",
        engine: engine_with(&draft),
    };
    view! {
        <Title text="State gallery"/>
        <section class="page states-page">
            <header class="page-header">
                <div>
                    <h1>"State gallery"</h1>
                    <p class="page-subtitle">
                        "Every state of every screen: order rows, placing an order and its notifications, rendered by the real components from fixed data. Nothing here is sent to the server."
                    </p>
                </div>
            </header>
            <h2 class="gallery-group">"Order rows"</h2>
            <div class="gallery">{items}<GalleryRow s=place_error notice=refused/></div>
            <h2 class="gallery-group">"Cancelling an order"</h2>
            <div class="gallery"><CancelStates/></div>
            <h2 class="gallery-group">"The list and its pages"</h2>
            <div class="gallery"><PageStates/></div>
            <h2 class="gallery-group">"Offline and signed out"</h2>
            <div class="gallery">{banners()}</div>
            <h2 class="gallery-group">"Accounts"</h2>
            <div class="gallery">{account_states()}</div>
            <JobGallery/>
        </section>
    }
    .into_any()
}
