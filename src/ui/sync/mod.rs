//! The bridge between the order list's sync engine and Leptos. The engine and its pump belong
//! to the app shell, not to a page: in-app navigation never drops or pauses queued, in-flight
//! or backing-off operations, and an answer that arrives while the person is on another page
//! still reconciles. Components read [`OrderSync::rows`]; they never reconcile anything.

#[cfg(feature = "hydrate")]
mod persist;
mod transport;


use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::{ListKey, ListWindow, Order, OrderId, OrderPage, ServerEvent};
use crate::error::AppError;
use crate::records::{Engine, OpKind, PendingWork, RowState, RowView};
#[cfg(feature = "hydrate")]
use crate::records::Outcome;
#[cfg(feature = "hydrate")]
use crate::ui::browser_online;
use crate::sync::{OpId, VecMap};
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

/// A catch-up reads the loaded window again page by page, at most this many pages; a longer
/// window shrinks to what was read (its rows come back with "Load more").
const MAX_REFRESH_PAGES: usize = 20;

/// After a change that may add or remove orders, the count is read again this much later (once
/// for a burst of changes).
#[cfg(feature = "hydrate")]
const RECOUNT_AFTER_MS: u64 = 400;

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
    /// The server answered that nobody is signed in (the session ended): changes wait for a
    /// sign-in (in another tab, so this page and its changes stay), then go with their keys.
    SignedOut,
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
        Net::SignedOut => {
            return Some(match unconfirmed {
                0 => "You're signed out. Sign in to make changes".to_string(),
                1 => "Sign in to send 1 change".to_string(),
                n => format!("Sign in to send {n} changes"),
            });
        }
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
    /// The list's order: ids of the rendered rows, set only when it changes.
    ids: RwSignal<Vec<OrderId>>,
    /// One signal per rendered row, set only when that row changes: after a click only the
    /// clicked row re-renders, whether the list holds 25 rows or 500.
    cells: StoredValue<VecMap<OrderId, ArcRwSignal<RowView>>>,
    /// Bumped when a row gets or loses its cell (rows appear or go).
    structure: RwSignal<u64>,
    /// How many rendered rows are starred, for the summary.
    starred: RwSignal<usize>,
    /// The part of the list loaded here: rows outside it are not kept, unless work is pending
    /// on them. Everything until the orders page loads.
    window: RwSignal<ListWindow>,
    /// The search the list is to show: the newest asked for, whose first page may still be
    /// on its way (the window's own search is the one whose page arrived).
    wanted_search: StoredValue<String>,
    /// How many orders the list (or the search) holds in all, as the server last said.
    total: RwSignal<u64>,
    /// Bumped whenever the window is loaded anew or read again, so a page answered for an
    /// older window is dropped.
    generation: StoredValue<u64>,
    /// A next page is being read (or the window read again): "Load more" waits.
    fetching: RwSignal<bool>,
    /// Why the last next page could not be read, shown by "Load more" until it is tried again.
    more_error: RwSignal<Option<String>>,
    /// Changes discarded because the person lost access to the workspace.
    discarded: RwSignal<usize>,
    /// A recount is already due.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    recount_due: StoredValue<bool>,
}

/// Which rows an engine change may have changed: the UI recomputes only those.
enum Touched {
    Rows(Vec<OrderId>),
    All,
}

/// Creates the app's order sync (empty until the orders page loads the list), provides it as
/// context, and follows changes pushed from elsewhere for as long as the app runs.
pub fn provide_order_sync(feed: LiveFeed) -> OrderSync {
    let sync = new_sync(Engine::new(), true);
    provide_context(sync);
    follow_changes(feed, sync);
    // Removed from the workspace while the page is open: nothing of it may stay.
    let account = crate::ui::account::use_account();
    Effect::new(move |_| {
        if account.revoked() {
            sync.forget_all();
        }
    });
    // Once hydrated (the first render matches the server's HTML, which knows no browser
    // storage), before any click can be handled.
    #[cfg(feature = "hydrate")]
    crate::ui::hydration::after_hydration(move || {
        watch_network(sync);
        persist::start(sync);
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
    let sync = OrderSync {
        engine: RwSignal::new(engine),
        live,
        loaded: RwSignal::new(!live),
        fixed_now: None,
        woke_at: RwSignal::new(0),
        net: RwSignal::new(Net::Online),
        probing: StoredValue::new(false),
        unusable: RwSignal::new(0),
        ids: RwSignal::new(Vec::new()),
        cells: StoredValue::new(VecMap::default()),
        structure: RwSignal::new(0),
        starred: RwSignal::new(0),
        window: RwSignal::new(ListWindow::default()),
        wanted_search: StoredValue::new(String::new()),
        total: RwSignal::new(0),
        generation: StoredValue::new(0),
        fetching: RwSignal::new(false),
        more_error: RwSignal::new(None),
        recount_due: StoredValue::new(false),
        discarded: RwSignal::new(0),
    };
    sync.refresh(Touched::All);
    sync
}

/// Changes made elsewhere reach the list: pushed records in the loaded window go to the engine
/// (the newer version wins), and after a reconnect or on each poll the window is read again
/// once it was loaded.
fn follow_changes(feed: LiveFeed, sync: OrderSync) {
    feed.on_order_event(move |event| match event {
        ServerEvent::Order(order) => sync.take_push(order.clone()),
        ServerEvent::OrderRemoved(id) => {
            sync.take_removal(*id);
            sync.recount();
        }
        ServerEvent::Job(_) => {}
    });
    Effect::new(move |seen: Option<u64>| {
        let now = feed.resyncs();
        if seen.is_some_and(|s| s != now) && sync.loaded.get_untracked() {
            sync.refresh_window();
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

    /// Rows shown for looking at, not working in (the state gallery's): they never take focus.
    pub fn is_display_only(self) -> bool {
        self.fixed_now.is_some()
    }

    /// The row for `id` as rendered now. Reactive: only on that row's changes (and rows
    /// appearing or going).
    pub fn row(self, id: OrderId) -> Option<RowView> {
        self.structure.track();
        self.cells.with_value(|c| c.get(&id).cloned()).map(|cell| cell.get())
    }

    /// The row for `id` as rendered now, not tracked.
    pub fn row_untracked(self, id: OrderId) -> Option<RowView> {
        self.cells.with_value(|c| c.get(&id).map(|cell| cell.get_untracked()))
    }

    /// Every rendered row, in list order, not tracked (the state gallery's fixed rows).
    pub fn rows_untracked(self) -> Vec<RowView> {
        self.ids.get_untracked().into_iter().filter_map(|id| self.row_untracked(id)).collect()
    }

    /// Ids of the rendered rows, in list order. Reactive: changes only when the order does.
    pub fn ids(self) -> Vec<OrderId> {
        self.ids.get()
    }

    /// Where the row is in the list, and how long the list is. Reactive on the order only.
    pub fn place(self, id: OrderId) -> (Option<usize>, usize) {
        self.ids.with(|ids| (ids.iter().position(|i| *i == id), ids.len()))
    }

    /// How many rows are rendered. Reactive on the order only.
    pub fn row_count(self) -> usize {
        self.ids.with(Vec::len)
    }

    /// How many rendered rows are starred. Reactive.
    pub fn starred(self) -> usize {
        self.starred.get()
    }

    /// The rows just above and just below `id` now, not tracked (what move up / down go by).
    /// A row shown deleted is passed over: the server places a row among live ones only.
    pub fn neighbours_untracked(self, id: OrderId) -> (Option<OrderId>, Option<OrderId>) {
        let live = |other: &&OrderId| !self.row_untracked(**other).is_some_and(|r| matches!(r.state, RowState::Deleted { .. }));
        self.ids.with_untracked(|ids| match ids.iter().position(|i| *i == id) {
            Some(i) => (ids[..i].iter().rev().find(live).copied(), ids[i + 1..].iter().find(live).copied()),
            None => (None, None),
        })
    }

    /// Changes the engine, then re-renders the rows `f` says it may have touched (and the
    /// order, if it changed). Every change to the engine goes through here.
    /// `None` if this sync is gone (a page's fixed rows after the page closed).
    fn change<T>(self, f: impl FnOnce(&mut Engine) -> (T, Touched)) -> Option<T> {
        let (out, touched) = self.engine.try_update(f)?;
        self.refresh(touched);
        Some(out)
    }

    /// Shows what another tab holds (its outbox) as pending rows.
    #[cfg(feature = "hydrate")]
    fn show_elsewhere(self, tab: &str, outbox: crate::records::Outbox) {
        self.change(|e| (e.show_elsewhere(tab, outbox), Touched::All));
    }

    /// Another tab's outbox is gone (adopted, or confirmed).
    #[cfg(feature = "hydrate")]
    fn forget_elsewhere(self, tab: &str) {
        self.show_elsewhere(tab, crate::records::Outbox::default());
    }

    /// Takes over an outbox left by a page that is gone: its ops are queued here with their
    /// keys, except those made before `too_old`, which wait for the person (Retry or
    /// Discard): the server may have forgotten their keys.
    #[cfg(feature = "hydrate")]
    fn adopt(self, tab: &str, outbox: crate::records::Outbox, too_old: i64) {
        use crate::records::{ErrorKind, RowError};
        self.change(|e| {
            e.restore(outbox);
            e.show_elsewhere(tab, crate::records::Outbox::default());
            e.set_aside(|op| crate::domain::uuid_made_at(op.id.as_uuid()) < too_old, |_| RowError::new(ErrorKind::NotSent, ""));
            ((), Touched::All)
        });
        self.pump();
    }

    fn refresh(self, touched: Touched) {
        let (order, rows) = self.engine.with_untracked(|e| {
            let order = e.order();
            let keys: Vec<OrderId> = match touched {
                Touched::Rows(keys) => keys,
                Touched::All => {
                    let mut keys = order.clone();
                    self.cells.with_value(|c| keys.extend(c.keys().copied()));
                    keys.sort();
                    keys.dedup();
                    keys
                }
            };
            let rows: Vec<(OrderId, Option<RowView>)> = keys.into_iter().map(|k| (k, e.order_row(k))).collect();
            (order, rows)
        });
        let mut changed = Vec::new();
        let mut structural = false;
        // The starred count moves by the rows that changed, not by counting every row.
        let mut starred = self.starred.get_untracked() as i64;
        let stars = |r: &RowView| i64::from(r.order.starred);
        self.cells.update_value(|cells| {
            for (id, row) in rows {
                match (cells.get(&id), row) {
                    (Some(cell), Some(row)) => {
                        if cell.with_untracked(|shown| *shown != row) {
                            starred += stars(&row) - cell.with_untracked(stars);
                            changed.push((cell.clone(), row));
                        }
                    }
                    (None, Some(row)) => {
                        starred += stars(&row);
                        cells.insert(id, ArcRwSignal::new(row));
                        structural = true;
                    }
                    (Some(_), None) => {
                        if let Some(cell) = cells.remove(&id) {
                            starred -= cell.with_untracked(stars);
                        }
                        structural = true;
                    }
                    (None, None) => {}
                }
            }
        });
        for (cell, row) in changed {
            cell.set(row);
        }
        if structural {
            self.structure.update(|n| *n += 1);
        }
        if self.ids.with_untracked(|ids| *ids != order) {
            self.ids.set(order);
        }
        let starred = starred.max(0) as usize;
        if self.starred.get_untracked() != starred {
            self.starred.set(starred);
        }
    }

    /// Takes the page the orders page loaded (after `start`, matching `search`): the loaded
    /// window becomes that page. Newer records win, rows outside it go unless work is pending on
    /// them, queued changes stay queued and keep being sent.
    pub fn load(self, page: OrderPage, start: Option<ListKey>, search: String) {
        self.loaded.set(true);
        self.next_generation();
        self.fetching.set(false);
        self.more_error.set(None);
        self.wanted_search.set_value(search.clone());
        let window = ListWindow { start, end: page.next, search };
        self.total.set(page.total);
        self.window.set(window.clone());
        let next = page.next;
        self.change(|e| {
            e.retain_where(|o| window.contains(o));
            e.replace_where(page.orders, |o| ListWindow::between(o, start, next));
            ((), Touched::All)
        });
        self.pump();
    }

    /// A new search: its first page is read from the server and becomes the window (from the
    /// top). An answer for a search typed over since is dropped.
    pub fn search(self, search: String) {
        self.wanted_search.set_value(search.clone());
        let generation = self.next_generation();
        self.fetching.set(true);
        leptos::task::spawn_local(async move {
            let answer = crate::api::list_page(None, Some(search.clone()), crate::ui::account::page_workspace()).await;
            if !self.is_current(generation) {
                return;
            }
            match answer {
                Ok(page) => self.load(page, None, search),
                Err(e) => {
                    self.fetching.set(false);
                    self.more_error.set(Some(e.to_string()));
                }
            }
        });
    }

    /// Starts a new read of the window (a load, a search, a catch-up): from now on, answers to
    /// earlier reads are dropped.
    fn next_generation(self) -> u64 {
        self.generation.update_value(|g| *g += 1);
        self.generation.get_value()
    }

    /// Whether an answer to read `generation` still applies (no newer read began, and this
    /// sync still exists).
    fn is_current(self, generation: u64) -> bool {
        self.generation.try_get_value() == Some(generation)
    }

    /// The loaded window. Reactive.
    pub fn window(self) -> ListWindow {
        self.window.get()
    }

    /// How many orders the list (or the search) holds in all: the server's last count, or the
    /// rows shown if there are more (a new draft not counted yet). Reactive.
    pub fn total(self) -> u64 {
        self.total.get().max(self.row_count() as u64)
    }

    /// Whether a next page is being read. Reactive.
    pub fn fetching(self) -> bool {
        self.fetching.get()
    }

    /// Why the last next page could not be read. Reactive.
    pub fn more_error(self) -> Option<String> {
        self.more_error.get()
    }

    /// Reads the page after the window's end and adds it (Load more, or the end of the list
    /// scrolled into view). Does nothing while a page is being read or when none is left.
    pub fn load_more(self) {
        let Some(from) = self.window.with_untracked(|w| w.end) else { return };
        if self.fetching.get_untracked() {
            return;
        }
        self.fetching.set(true);
        self.more_error.set(None);
        let generation = self.generation.get_value();
        let search = self.window.with_untracked(|w| w.search.clone());
        leptos::task::spawn_local(async move {
            let answer = crate::api::list_page(Some(from.to_string()), Some(search), crate::ui::account::page_workspace()).await;
            if !self.is_current(generation) {
                return;
            }
            self.fetching.set(false);
            match answer {
                Ok(page) => self.take_page(Some(from), page),
                Err(e) => self.more_error.set(Some(e.to_string())),
            }
        });
    }

    /// Takes a page read from `from`: what the server lists in its stretch replaces what was
    /// held there, and the window reaches to the page's end.
    fn take_page(self, from: Option<ListKey>, page: OrderPage) {
        let next = page.next;
        self.total.set(page.total);
        self.window.update(|w| w.end = next);
        self.change(|e| {
            e.replace_where(page.orders, |o| ListWindow::between(o, from, next));
            ((), Touched::All)
        });
    }

    /// Reads the loaded window again from its start, page by page up to where it ended (after
    /// a reconnect, or on each poll): changes missed meanwhile come in, rows deleted or moved
    /// out of it go. At most [`MAX_REFRESH_PAGES`] pages: a longer window ends where the reading
    /// stopped. While a new search's first page is still out, that page is read again instead.
    pub fn refresh_window(self) {
        // A search whose first page hasn't come yet: reading that page is the catch-up.
        // Reading the old window instead would drop the search's answer for good.
        let wanted = self.wanted_search.get_value();
        if self.window.with_untracked(|w| w.search != wanted) {
            return self.search(wanted);
        }
        let generation = self.next_generation();
        self.fetching.set(true);
        let ListWindow { start, end, search } = self.window.get_untracked();
        leptos::task::spawn_local(async move {
            let mut from = start;
            for _ in 0..MAX_REFRESH_PAGES {
                let answer = crate::api::list_page(from.map(|k| k.to_string()), Some(search.clone()), crate::ui::account::page_workspace()).await;
                if !self.is_current(generation) {
                    return;
                }
                let page = match answer {
                    Ok(page) => page,
                    Err(e) => {
                        leptos::logging::warn!("couldn't read the orders again: {e}");
                        self.fetching.set(false);
                        return;
                    }
                };
                let next = page.next;
                self.take_page(from, page);
                from = next;
                if next.is_none_or(|n| end.is_some_and(|e| n >= e)) {
                    break;
                }
            }
            let window = self.window.get_untracked();
            self.change(|e| {
                e.retain_where(|o| window.contains(o));
                ((), Touched::All)
            });
            self.fetching.set(false);
        });
    }

    /// A record pushed from elsewhere: taken if it is in the loaded window or already shown
    /// (where it may leave the window: moved past its end, or no longer matching the search).
    /// An order outside the window is not added, so a change far down the list never lands in
    /// the middle of it; a new draft goes on top, inside any window that starts there.
    pub fn take_push(self, order: Order) {
        let id = order.id;
        let inside = self.window.with_untracked(|w| w.contains(&order));
        let known = self.engine.with_untracked(|e| e.authoritative(id).is_some());
        if !known && order.version == 1 {
            // A new order, wherever it is.
            self.recount();
        }
        // Until the orders page loaded a window, nothing new is kept (it loads what it needs).
        if !known && (!inside || !self.loaded.get_untracked()) {
            return;
        }
        self.change(|e| {
            e.upsert_authoritative(order);
            if !inside {
                // It left the window: it goes, unless work is pending on it.
                e.retain_where(|o| o.id != id);
            }
            ((), Touched::Rows(vec![id]))
        });
    }

    /// Our own move confirmed a row past the window's end (moved down behind its last row):
    /// the window grows to hold it, so it stays where the person put it.
    #[cfg(feature = "hydrate")]
    fn keep_moved_in_window(self, id: OrderId) {
        let Some(key) = self.engine.with_untracked(|e| e.authoritative(id).and_then(ListKey::of)) else { return };
        if self.window.with_untracked(|w| w.end.is_some_and(|end| key > end)) {
            self.window.update(|w| w.end = Some(key));
        }
    }

    /// Reads the count again soon (once for a burst of changes): orders were added or removed.
    pub fn recount(self) {
        #[cfg(feature = "hydrate")]
        if self.loaded.get_untracked() && !self.recount_due.get_value() {
            self.recount_due.set_value(true);
            set_timeout(
                move || {
                    self.recount_due.set_value(false);
                    let search = self.window.with_untracked(|w| w.search.clone());
                    leptos::task::spawn_local(async move {
                        // A page after the last possible key holds no orders, only the count.
                        match crate::api::list_page(Some(ListKey::PAST_THE_END.to_string()), Some(search.clone()), crate::ui::account::page_workspace()).await {
                            Ok(page) if self.window.with_untracked(|w| w.search == search) => self.total.set(page.total),
                            Ok(_) => {}
                            Err(e) => leptos::logging::warn!("couldn't count the orders: {e}"),
                        }
                    });
                },
                std::time::Duration::from_millis(RECOUNT_AFTER_MS),
            );
        }
    }

    /// A user action on a row: queued with a fresh idempotency key, shown at once, sent when
    /// the row's previous request has been answered.
    pub fn act(self, order: OrderId, kind: OpKind) {
        let id = OpId::from_uuid(Uuid::now_v7());
        let queued = self.change(|e| (e.enqueue(id, order, kind), Touched::Rows(vec![order])));
        if let Some(Err(e)) = queued {
            leptos::logging::warn!("action not queued: {e}");
        }
        self.pump();
    }

    /// Resends a rolled-back change with its original key.
    pub fn retry(self, order: OrderId) {
        self.change(|e| (e.retry(order).is_ok(), Touched::Rows(vec![order])));
        self.pump();
    }

    /// Takes a record the server just confirmed outside the queue (a pessimistic write, a push).
    pub fn confirm_record(self, order: Order) {
        let id = order.id;
        self.change(|e| (e.upsert_authoritative(order), Touched::Rows(vec![id])));
    }

    /// Another tab or user removed the order. A row this page itself deleted keeps its
    /// "Deleted · Undo" line until its own window closes.
    pub fn take_removal(self, order: OrderId) {
        if self.row_untracked(order).is_some_and(|r| matches!(r.state, RowState::Deleted { .. })) {
            return;
        }
        self.change(|e| (e.remove_authoritative(order), Touched::Rows(vec![order])));
    }

    /// Clears the row's note (and drops a rolled-back create).
    pub fn dismiss(self, order: OrderId) {
        self.change(|e| (e.dismiss(order), Touched::Rows(vec![order])));
    }

    /// Sends whatever the engine says is next, each request with its deadline, and arranges
    /// to come back for backed-off ops and for held deletes whose undo window closes.
    fn pump(self) {
        self.send_due(false);
    }

    /// The person lost access to the workspace: every row leaves the page, and changes still
    /// waiting to be sent are discarded (the banner says how many).
    pub fn forget_all(self) {
        let dropped = self.engine.with_untracked(|e| e.unconfirmed_count());
        self.change(|e| {
            *e = Engine::new();
            ((), Touched::All)
        });
        self.total.set(0);
        self.discarded.set(dropped);
    }

    /// How many waiting changes were discarded when access to the workspace was lost. Reactive.
    pub fn discarded(self) -> usize {
        self.discarded.get()
    }

    /// Sends what is due; while the server can't be reached, only when `probe` (the timer
    /// that tries again) says so.
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    fn send_due(self, probe: bool) {
        #[cfg(feature = "hydrate")]
        if self.live {
            let net = self.net.get_untracked();
            if net == Net::Offline || (matches!(net, Net::Unreachable | Net::SignedOut) && !probe) {
                return;
            }
            let ops = self.change(|e| {
                let ops = e.next_to_send(now_ms());
                let touched = ops.iter().map(|op| op.target).collect();
                (ops, Touched::Rows(touched))
            })
            .unwrap_or_default();
            if !ops.is_empty() {
                let wake = move || self.woke_at.set(now_ms());
                set_timeout(wake, std::time::Duration::from_millis(STILL_SAVING_AFTER_MS as u64));
            }
            for op in ops {
                leptos::task::spawn_local(async move {
                    let (op_id, target) = (op.id, op.target);
                    let adds_or_removes = matches!(op.kind, OpKind::Create(_) | OpKind::Delete | OpKind::UndoDelete);
                    match transport::send(op, meta_ms("write-deadline-ms", DEFAULT_WRITE_DEADLINE_MS)).await {
                        transport::Sent::Answered(outcome) => {
                            // A move's answer holds every order it placed; any other touches its own.
                            let moved = matches!(outcome, Outcome::ConfirmedList(_));
                            let touched = if moved { Touched::All } else { Touched::Rows(vec![target]) };
                            self.change(|e| (e.apply_outcome(op_id, outcome, now_ms()), touched));
                            if moved {
                                self.keep_moved_in_window(target);
                            }
                            if adds_or_removes {
                                self.recount();
                            }
                            if self.net.get_untracked() != Net::Online {
                                self.net.set(Net::Online);
                            }
                        }
                        transport::Sent::SignedOut => {
                            self.change(|e| (e.put_back(op_id), Touched::Rows(vec![target])));
                            self.lost_contact(Some(Net::SignedOut));
                        }
                        transport::Sent::Unreached(reason) => {
                            leptos::logging::warn!("a write didn't reach the server; it waits: {reason}");
                            self.change(|e| (e.put_back(op_id), Touched::Rows(vec![target])));
                            self.lost_contact(None);
                        }
                    }
                    self.schedule_purge(target);
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
    /// Writes can't go now: the network is down or the server unreachable, or (`as_net`) the
    /// server said why. Tries again every few seconds.
    fn lost_contact(self, as_net: Option<Net>) {
        let online = browser_online();
        let net = as_net.unwrap_or(if online { Net::Unreachable } else { Net::Offline });
        if self.net.get_untracked() != net && (self.net.get_untracked() == Net::Online || as_net.is_some()) {
            self.net.set(net);
        }
        if online && !self.probing.get_value() {
            self.probing.set_value(true);
            set_timeout(
                move || {
                    self.probing.set_value(false);
                    if self.net.get_untracked() == Net::SignedOut {
                        self.probe_sign_in();
                    } else {
                        self.send_due(true);
                    }
                },
                std::time::Duration::from_millis(PROBE_EVERY_MS),
            );
        }
    }

    /// Signed out with changes held: they go again only once *this page's person* is signed in
    /// again (another person signing in on this browser never sends them as theirs).
    #[cfg(feature = "hydrate")]
    fn probe_sign_in(self) {
        leptos::task::spawn_local(async move {
            let me = crate::api::who_am_i().await.ok();
            if me.is_some() && me == crate::ui::account::page_person() {
                self.net.set(Net::Online);
                self.send_due(false);
            } else {
                self.lost_contact(Some(Net::SignedOut));
            }
        });
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

    /// A row whose delete the server holds disappears when its undo window closes.
    #[cfg(feature = "hydrate")]
    fn schedule_purge(self, id: OrderId) {
        let now = now_ms();
        if let Some(RowState::Deleted { held: true, undo_until: Some(until) }) = self.row_untracked(id).map(|r| r.state) {
            set_timeout(
                move || {
                    // Only this hold: after Undo and a new delete, a newer window applies.
                    let still_held = self
                        .row_untracked(id)
                        .is_some_and(|r| matches!(r.state, RowState::Deleted { held: true, undo_until: Some(u) } if u == until));
                    if still_held {
                        self.change(|e| (e.remove_authoritative(id), Touched::Rows(vec![id])));
                    }
                },
                std::time::Duration::from_millis((until - now).max(0) as u64 + 50),
            );
        }
    }
}

/// A duration in milliseconds the server put in the page (`<meta name="…" content="…">`).
#[cfg(feature = "hydrate")]
fn meta_ms(name: &str, default: i64) -> i64 {
    crate::ui::page_meta(name)
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

/// An action that only the browser runs (a pessimistic write from a click): its future need
/// not be `Send`. The server renders the page but never dispatches it, so there it owns
/// nothing bound to a thread: the page's owner is dropped on whichever worker ends the
/// response, where a thread-bound action would panic.
pub fn browser_action<I, O, Fu>(action_fn: impl Fn(&I) -> Fu + 'static) -> Action<I, O>
where
    I: Send + Sync + 'static,
    O: Send + Sync + 'static,
    Fu: Future<Output = O> + 'static,
{
    #[cfg(feature = "hydrate")]
    {
        Action::new_local(action_fn)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        drop(action_fn);
        Action::new(|_: &I| std::future::pending::<O>())
    }
}

/// Whether a request sent at `sent_at` has been out long enough that the row should say it
/// is still saving.
pub fn is_slow(sent_at: Option<i64>, now: i64) -> bool {
    sent_at.is_some_and(|t| now > 0 && now - t >= STILL_SAVING_AFTER_MS)
}
