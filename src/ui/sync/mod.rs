//! The bridge between the order list's sync engine and Leptos. The engine and its pump belong
//! to the app shell, not to a page: in-app navigation never drops or pauses queued, in-flight
//! or backing-off operations, and an answer that arrives while the person is on another page
//! still reconciles. Components read [`OrderSync::rows`]; they never reconcile anything.

#[cfg(feature = "hydrate")]
mod persist;
mod transport;

pub use transport::outcome_of_error;

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::{Order, OrderId, ServerEvent};
use crate::error::AppError;
use crate::records::{Engine, OpKind, PendingWork, RowState, RowView};
use crate::sync::OpId;
use crate::ui::live::LiveFeed;

/// How long a write may go unanswered before it is abandoned and resent with the same key,
/// unless the page says otherwise (`<meta name="write-deadline-ms">`, from the server's
/// `writes.request_deadline_ms`).
pub const DEFAULT_WRITE_DEADLINE_MS: i64 = 10_000;

/// After this long without an answer a row says it is still saving.
pub const STILL_SAVING_AFTER_MS: i64 = 3_000;

/// How long the server remembers an idempotency key, unless the page says otherwise
/// (`<meta name="idempotency-window-ms">`, from `writes.idempotency_ttl_hours`). A persisted
/// op older than this is not resent blindly.
pub const DEFAULT_IDEMPOTENCY_WINDOW_MS: i64 = 24 * 3_600_000;

/// While the server can't be reached (but the browser says it is online), how often the
/// oldest waiting ops are tried again. Such tries are no attempts: nothing counts down.
#[cfg(feature = "hydrate")]
const PROBE_EVERY_MS: u64 = 3_000;

/// Whether writes can reach the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Net {
    /// As far as we know.
    Online,
    /// The browser says it has no network.
    Offline,
    /// The browser is online, but requests don't reach the server.
    Unreachable,
}

/// What a pending row is waiting for: its `data-pending` attribute and its status line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PendingKind {
    /// No network: it will be sent when the network is back.
    Waiting,
    /// Restored from an earlier page load or a closed tab, not confirmed yet.
    Restored,
    /// Another open tab holds it and sends it.
    OtherTab,
    /// A request is out.
    Sending,
    /// Waiting behind another request, or for its backoff.
    Queued,
}

impl PendingKind {
    pub fn of(pending: &PendingWork, net: Net) -> Self {
        if net != Net::Online && !pending.in_flight {
            PendingKind::Waiting
        } else if pending.restored {
            PendingKind::Restored
        } else if pending.elsewhere {
            PendingKind::OtherTab
        } else if pending.in_flight {
            PendingKind::Sending
        } else {
            PendingKind::Queued
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PendingKind::Waiting => "waiting",
            PendingKind::Restored => "restored",
            PendingKind::OtherTab => "other-tab",
            PendingKind::Sending => "sending",
            PendingKind::Queued => "queued",
        }
    }
}

/// The app-wide line while writes can't reach the server, with a live count (PRODUCT.md:
/// "You're offline — 3 changes will be sent when you're back"). `None` while online.
pub fn offline_message(net: Net, unconfirmed: usize) -> Option<String> {
    let (lead, back) = match net {
        Net::Online => return None,
        Net::Offline => ("You're offline", "you're back"),
        Net::Unreachable => ("Can't reach the server", "it's back"),
    };
    Some(match unconfirmed {
        0 => format!("{lead} — changes you make will be sent when {back}"),
        1 => format!("{lead} — 1 change will be sent when {back}"),
        n => format!("{lead} — {n} changes will be sent when {back}"),
    })
}

/// Handle to the orders' sync state. `Copy`, so closures can hold it freely.
#[derive(Clone, Copy)]
pub struct OrderSync {
    engine: RwSignal<Engine>,
    /// Whether queued operations are sent. Off only for the state gallery's fixed rows.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    live: bool,
    /// Whether the list has been loaded in this app (so catching up means refetching it).
    loaded: RwSignal<bool>,
    /// The time fixed rows are shown at (the gallery); live rows use the feed's clock.
    fixed_now: Option<i64>,
    /// Set to the time when a request has been out for [`STILL_SAVING_AFTER_MS`], so the row
    /// says so then, not at the feed clock's next whole-second tick.
    woke_at: RwSignal<i64>,
    /// Whether writes can reach the server; ops wait (no attempt counted) while they can't.
    net: RwSignal<Net>,
    /// A timer to try again is set while the server is unreachable.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    probing: StoredValue<bool>,
    /// Operations found stored by another version of the app, which were not sent.
    unusable: RwSignal<usize>,
    /// The rendered list: `fold(authoritative, queue)`, recomputed on every change.
    pub rows: Memo<Vec<RowView>>,
}

/// Creates the app's order sync (empty until the orders page loads the list), provides it as
/// context, and follows changes pushed from elsewhere for as long as the app runs.
pub fn provide_order_sync(feed: LiveFeed) -> OrderSync {
    let sync = new_sync(Engine::new(), true);
    provide_context(sync);
    follow_changes(feed, sync);
    // Once hydrated (the first render matches the server's HTML, which knows no browser
    // storage), before any click can be handled.
    #[cfg(feature = "hydrate")]
    Effect::new(move |started: Option<()>| {
        if started.is_none() {
            watch_network(sync);
            persist::start(sync);
        }
    });
    sync
}

/// The app's order sync.
pub fn use_order_sync() -> OrderSync {
    expect_context::<OrderSync>()
}

/// A handle over a prepared engine that never sends, shown as at time `now`: the state
/// gallery renders real rows in fixed states with it (clicks still fold locally, nothing
/// reaches the server).
pub fn fixed_order_sync(engine: Engine, now: i64, net: Net) -> OrderSync {
    let sync = OrderSync { fixed_now: Some(now), ..new_sync(engine, false) };
    sync.net.set(net);
    sync
}

fn new_sync(engine: Engine, live: bool) -> OrderSync {
    let engine = RwSignal::new(engine);
    let rows = Memo::new(move |_| engine.with(|e| e.order_view()));
    OrderSync {
        engine,
        live,
        loaded: RwSignal::new(!live),
        fixed_now: None,
        woke_at: RwSignal::new(0),
        net: RwSignal::new(Net::Online),
        probing: StoredValue::new(false),
        unusable: RwSignal::new(0),
        rows,
    }
}

/// Changes made elsewhere reach the list: pushed records go to the engine (the newer version
/// wins), and after a reconnect or on each poll the list is fetched again once it was loaded.
fn follow_changes(feed: LiveFeed, sync: OrderSync) {
    feed.on_order_event(move |event| match event {
        ServerEvent::Order(order) => sync.confirm_record(order.clone()),
        ServerEvent::OrderRemoved(id) => sync.take_removal(*id),
        ServerEvent::Job(_) => {}
    });
    Effect::new(move |seen: Option<u64>| {
        let now = feed.resyncs();
        if seen.is_some_and(|s| s != now) && sync.loaded.get_untracked() {
            leptos::task::spawn_local(async move {
                match crate::api::list_orders().await {
                    Ok(list) => sync.take_snapshot(list),
                    Err(e) => leptos::logging::warn!("couldn't refresh the orders: {e}"),
                }
            });
        }
        now
    });
}

/// Follows the browser's online and offline events: offline, nothing is sent; back online,
/// the queue goes out in order.
#[cfg(feature = "hydrate")]
fn watch_network(sync: OrderSync) {
    if !browser_online() {
        sync.net.set(Net::Offline);
    }
    let _ = window_event_listener(leptos::ev::offline, move |_| sync.net.set(Net::Offline));
    let _ = window_event_listener(leptos::ev::online, move |_| {
        sync.net.set(Net::Online);
        sync.pump();
    });
}

#[cfg(feature = "hydrate")]
fn browser_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Wall-clock milliseconds, from the browser on the client.
#[cfg(feature = "hydrate")]
fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

impl OrderSync {
    /// Now, for the rows' timing ("Still saving…"): the feed's ticking clock, or the fixed
    /// time of gallery rows. Reactive.
    pub fn now(self, feed: LiveFeed) -> i64 {
        self.fixed_now.unwrap_or_else(|| feed.now().max(self.woke_at.get()))
    }

    /// The row for `id` as rendered now.
    pub fn row(self, id: OrderId) -> Option<RowView> {
        self.rows.with(|rows| rows.iter().find(|r| r.order.id == id).cloned())
    }

    /// Ids in list order, without pending deletes' neighbours changing: used for move up/down.
    pub fn order_ids(self) -> Vec<OrderId> {
        self.rows.with_untracked(|rows| rows.iter().map(|r| r.order.id).collect())
    }

    /// Takes the list the orders page loaded: newer records win, rows the server no longer
    /// lists go, queued changes stay queued and keep being sent.
    pub fn load(self, orders: Vec<Order>) {
        self.loaded.set(true);
        self.take_snapshot(orders);
        self.pump();
    }

    /// A user action on a row: queued with a fresh idempotency key, shown at once, sent when
    /// the row's previous request has been answered.
    pub fn act(self, order: OrderId, kind: OpKind) {
        let id = OpId::from_uuid(Uuid::now_v7());
        let queued = self.engine.try_update(|e| e.enqueue(id, order, kind));
        if let Some(Err(e)) = queued {
            leptos::logging::warn!("action not queued: {e}");
        }
        self.pump();
    }

    /// Resends a rolled-back change with its original key.
    pub fn retry(self, order: OrderId) {
        self.engine.update(|e| {
            let _ = e.retry(order);
        });
        self.pump();
    }

    /// Takes a record the server just confirmed outside the queue (a pessimistic write, a push).
    pub fn confirm_record(self, order: Order) {
        self.engine.update(|e| {
            e.upsert_authoritative(order);
        });
    }

    /// Takes a full list from the server (catching up after a reconnect): newer records win,
    /// rows the server no longer lists go, queued changes stay queued.
    pub fn take_snapshot(self, orders: Vec<Order>) {
        self.engine.update(|e| e.replace_authoritative(orders));
    }

    /// Another tab or user removed the order. A row this page itself deleted keeps its
    /// "Deleted · Undo" line until its own window closes.
    pub fn take_removal(self, order: OrderId) {
        if self.row(order).is_some_and(|r| matches!(r.state, RowState::Deleted { .. })) {
            return;
        }
        self.engine.update(|e| e.remove_authoritative(order));
    }

    /// Clears the row's note (and drops a rolled-back create).
    pub fn dismiss(self, order: OrderId) {
        self.engine.update(|e| e.dismiss(order));
    }

    /// Sends whatever the engine says is next, each request with its deadline, and arranges
    /// to come back for backed-off ops and for held deletes whose undo window closes.
    fn pump(self) {
        self.send_due(false);
    }

    /// Sends what is due; while the server can't be reached, only when `probe` (the timer
    /// that tries again) says so.
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    fn send_due(self, probe: bool) {
        #[cfg(feature = "hydrate")]
        if self.live {
            let net = self.net.get_untracked();
            if net == Net::Offline || (net == Net::Unreachable && !probe) {
                return;
            }
            let ops = self.engine.try_update(|e| e.next_to_send(now_ms())).unwrap_or_default();
            if !ops.is_empty() {
                let wake = move || self.woke_at.set(now_ms());
                set_timeout(wake, std::time::Duration::from_millis(STILL_SAVING_AFTER_MS as u64));
            }
            for op in ops {
                leptos::task::spawn_local(async move {
                    let op_id = op.id;
                    match transport::send(op, meta_ms("write-deadline-ms", DEFAULT_WRITE_DEADLINE_MS)).await {
                        transport::Sent::Answered(outcome) => {
                            self.engine.update(|e| {
                                e.apply_outcome(op_id, outcome, now_ms());
                            });
                            if self.net.get_untracked() != Net::Online {
                                self.net.set(Net::Online);
                            }
                        }
                        transport::Sent::Unreached(reason) => {
                            leptos::logging::warn!("a write didn't reach the server; it waits: {reason}");
                            self.engine.update(|e| {
                                e.put_back(op_id);
                            });
                            self.lost_contact();
                        }
                    }
                    self.schedule_purges();
                    self.pump();
                });
            }
            if let Some(at) = self.engine.with_untracked(|e| e.next_send_at()) {
                let wait = (at - now_ms()).max(0) as u64;
                set_timeout(move || self.pump(), std::time::Duration::from_millis(wait));
            }
        }
    }

    /// A request didn't reach the server: ops wait, and unless the browser says it is
    /// offline (then its `online` event resumes sending), the oldest are tried again now and
    /// then.
    #[cfg(feature = "hydrate")]
    fn lost_contact(self) {
        let online = browser_online();
        if self.net.get_untracked() == Net::Online {
            self.net.set(if online { Net::Unreachable } else { Net::Offline });
        }
        if online && !self.probing.get_value() {
            self.probing.set_value(true);
            set_timeout(
                move || {
                    self.probing.set_value(false);
                    self.send_due(true);
                },
                std::time::Duration::from_millis(PROBE_EVERY_MS),
            );
        }
    }

    /// Whether writes can reach the server now. Reactive.
    pub fn net(self) -> Net {
        self.net.get()
    }

    /// How many operations wait for the server, from this tab and others. Reactive.
    pub fn unconfirmed(self) -> usize {
        self.engine.with(|e| e.unconfirmed_count())
    }

    /// How many stored operations were written by another version of the app and dropped.
    pub fn unusable(self) -> usize {
        self.unusable.get()
    }

    /// Forgets the count of dropped stored operations (the person read the notice).
    pub fn dismiss_unusable(self) {
        self.unusable.set(0);
    }

    /// Rows whose delete the server holds disappear when their undo window closes.
    #[cfg(feature = "hydrate")]
    fn schedule_purges(self) {
        let now = now_ms();
        for row in self.rows.get_untracked() {
            if let RowState::Deleted { held: true, undo_until: Some(until) } = row.state {
                let id = row.order.id;
                set_timeout(
                    move || {
                        // Only this hold: after Undo and a new delete, a newer window applies.
                        let still_held = self
                            .row(id)
                            .is_some_and(|r| matches!(r.state, RowState::Deleted { held: true, undo_until: Some(u) } if u == until));
                        if still_held {
                            self.engine.update(|e| e.remove_authoritative(id));
                        }
                    },
                    std::time::Duration::from_millis((until - now).max(0) as u64 + 50),
                );
            }
        }
    }
}

/// A duration in milliseconds the server put in the page (`<meta name="…" content="…">`).
#[cfg(feature = "hydrate")]
fn meta_ms(name: &str, default: i64) -> i64 {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(&format!("meta[name={name}]")).ok().flatten())
        .and_then(|m| m.get_attribute("content"))
        .and_then(|c| c.parse::<i64>().ok())
        .filter(|ms| *ms > 0)
        .unwrap_or(default)
}

/// How long the server keeps idempotency keys, as the page says.
#[cfg(feature = "hydrate")]
fn idempotency_window_ms() -> i64 {
    meta_ms("idempotency-window-ms", DEFAULT_IDEMPOTENCY_WINDOW_MS)
}

/// A pessimistic write (place, cancel) with the same deadline as the engine's writes: past it,
/// the request is abandoned with a retryable error, so the person can try again with the same
/// key instead of waiting on a button that never comes back.
pub async fn with_write_deadline<T>(request: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    #[cfg(feature = "hydrate")]
    {
        transport::within(meta_ms("write-deadline-ms", DEFAULT_WRITE_DEADLINE_MS), request).await.unwrap_or_else(|| {
            Err(AppError::Network {
                message: "The server didn't answer in time, so it isn't known whether it was saved. Try again; it's safe.".into(),
            })
        })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        request.await
    }
}

/// Whether a request sent at `sent_at` has been out long enough that the row should say it
/// is still saving.
pub fn is_slow(sent_at: Option<i64>, now: i64) -> bool {
    sent_at.is_some_and(|t| now > 0 && now - t >= STILL_SAVING_AFTER_MS)
}
