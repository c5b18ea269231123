//! Live updates for open pages: one feed per app, fed by the server push channel
//! (`/api/events`, server-sent events). It keeps the newest record of every job it has seen,
//! announces jobs that end (in-app, and in the browser when the tab is hidden), and tells
//! pages when to catch up (after a reconnect, or on each poll when push is unavailable).
//! It decides nothing about orders: order changes go to the page's sync engine.

use leptos::prelude::*;
#[cfg(feature = "hydrate")]
use std::rc::Rc;

use crate::domain::{Job, JobId, OrderId, ServerEvent, Timestamp};
use crate::sync::{Collection, Merged};

/// How the feed is getting its updates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedMode {
    /// Not connected yet (and always, on the server).
    Connecting,
    /// Server push is open.
    Live,
    /// Push is unavailable; the feed asks the server every few seconds.
    Polling,
    /// The browser has no network: nothing comes in until it is back, then push reconnects.
    Offline,
}

impl FeedMode {
    /// For `data-mode` and CSS classes.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedMode::Connecting => "connecting",
            FeedMode::Live => "live",
            FeedMode::Polling => "polling",
            FeedMode::Offline => "offline",
        }
    }
}

/// At most this many ended jobs are announced at once; older notices give way to newer ones.
const MAX_NOTICES: usize = 8;

#[cfg(feature = "hydrate")]
type OrderListener = Rc<dyn Fn(&ServerEvent)>;

/// Handle to the feed. `Copy`; provided as context by [`provide_live_feed`].
#[derive(Clone, Copy)]
pub struct LiveFeed {
    /// The newest record of every job seen, by the engine's one version rule.
    jobs: RwSignal<Collection<Job>>,
    /// Jobs that ended while the app was open, oldest first, until dismissed.
    notices: RwSignal<Vec<Job>>,
    mode: RwSignal<FeedMode>,
    /// Bumped whenever pages should refetch what they show (reconnect, resync, poll).
    resyncs: RwSignal<u64>,
    /// Wall-clock milliseconds, ticking each second once hydrated; 0 on the server.
    now: RwSignal<Timestamp>,
    /// Browser only: thread-local storage must never be touched by the server's worker threads.
    #[cfg(feature = "hydrate")]
    listeners: StoredValue<Vec<(u64, OrderListener)>, LocalStorage>,
    /// The person's access to the page's workspace, which the channel keeps current.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    account: crate::ui::account::Account,
}

/// Creates the app's feed and provides it as context; connects once the page is hydrated.
pub fn provide_live_feed() -> LiveFeed {
    let feed = LiveFeed {
        jobs: RwSignal::new(Collection::new()),
        notices: RwSignal::new(Vec::new()),
        mode: RwSignal::new(FeedMode::Connecting),
        resyncs: RwSignal::new(0),
        now: RwSignal::new(0),
        #[cfg(feature = "hydrate")]
        listeners: StoredValue::new_local(Vec::new()),
        account: crate::ui::account::use_account(),
    };
    provide_context(feed);
    #[cfg(feature = "hydrate")]
    crate::ui::hydration::after_hydration(move || client::start(feed));
    feed
}

/// The app's feed.
pub fn use_live_feed() -> LiveFeed {
    expect_context::<LiveFeed>()
}

impl LiveFeed {
    /// Takes jobs the page loaded (a list, or one job), keeping the newer record of each.
    /// Nothing is announced: these are what the person is looking at already.
    pub fn seed_jobs(self, jobs: impl IntoIterator<Item = Job>) {
        for job in jobs {
            self.merge(job, false);
        }
    }

    /// Takes a job update (push, poll or an answer). A job seen running that now has ended is
    /// announced.
    pub fn take_job(self, job: Job) {
        self.merge(job, true);
    }

    fn merge(self, job: Job, announce: bool) {
        let mut ended = false;
        self.jobs.update(|jobs| {
            if let Merged::Replaced(known) = jobs.merge(job.clone()) {
                ended = !known.state.is_terminal() && job.state.is_terminal();
            }
        });
        if ended && announce {
            #[cfg(feature = "hydrate")]
            client::browser_notification(&job);
            self.notices.update(|n| {
                n.retain(|j| j.order_id != job.order_id);
                n.push(job);
                // The oldest go first: a burst of endings shows the newest few.
                let over = n.len().saturating_sub(MAX_NOTICES);
                n.drain(..over);
            });
        }
    }

    /// The newest record of this job, if the feed has one.
    pub fn job(self, id: JobId) -> Option<Job> {
        self.jobs.with(|jobs| jobs.get(&id).cloned())
    }

    /// The newest job of this order (ids are time-ordered), if any.
    pub fn job_for_order(self, order: OrderId) -> Option<Job> {
        self.jobs.with(|jobs| jobs.iter().filter(|j| j.order_id == order).max_by_key(|j| j.id).cloned())
    }

    /// Ended jobs to announce, oldest first.
    pub fn notices(self) -> Vec<Job> {
        self.notices.get()
    }

    /// Whether there is anything to announce (without cloning the notices).
    pub fn has_notices(self) -> bool {
        self.notices.with(|n| !n.is_empty())
    }

    pub fn dismiss_notice(self, id: JobId) {
        self.notices.update(|n| n.retain(|j| j.id != id));
    }

    pub fn mode(self) -> FeedMode {
        self.mode.get()
    }

    /// Changes whenever pages should refetch: read it in a resource's source.
    pub fn resyncs(self) -> u64 {
        self.resyncs.get()
    }

    /// Now, in milliseconds: ticks each second once hydrated, 0 before (so the server's HTML
    /// and the first client render agree).
    pub fn now(self) -> Timestamp {
        self.now.get()
    }

    /// Calls `f` with every order change pushed while the calling component lives (in the
    /// browser; nothing is pushed while the server renders).
    #[cfg(not(feature = "hydrate"))]
    pub fn on_order_event(self, _f: impl Fn(&ServerEvent) + 'static) {}

    /// Calls `f` with every order change pushed while the calling component lives (in the
    /// browser; nothing is pushed while the server renders).
    #[cfg(feature = "hydrate")]
    pub fn on_order_event(self, f: impl Fn(&ServerEvent) + 'static) {
        let id = self.listeners.with_value(|l| l.iter().map(|(i, _)| *i + 1).max().unwrap_or(1));
        self.listeners.update_value(|l| l.push((id, Rc::new(f))));
        on_cleanup(move || self.listeners.update_value(|l| l.retain(|(i, _)| *i != id)));
    }

    #[cfg(feature = "hydrate")]
    fn dispatch(self, event: ServerEvent) {
        match event {
            ServerEvent::Job(job) => self.take_job(job),
            other => {
                let listeners: Vec<OrderListener> = self.listeners.with_value(|l| l.iter().map(|(_, f)| f.clone()).collect());
                for f in listeners {
                    f(&other);
                }
            }
        }
    }
}

/// A job kept current by the feed: the newer of `initial` and what the feed holds.
pub fn use_live_job(initial: Job) -> Memo<Job> {
    let feed = use_live_feed();
    let id = initial.id;
    // Seeded first, so the feed holds `initial` or something newer from then on.
    feed.seed_jobs([initial.clone()]);
    Memo::new(move |_| feed.job(id).unwrap_or_else(|| initial.clone()))
}

#[cfg(feature = "hydrate")]
mod client {
    use super::*;
    use std::time::Duration;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};

    /// Consecutive failures before giving up on push and polling instead.
    const MAX_PUSH_FAILURES: u32 = 3;
    const POLL_EVERY: Duration = Duration::from_secs(3);

    thread_local! {
        /// The open push channel, if any.
        static SOURCE: std::cell::RefCell<Option<EventSource>> = const { std::cell::RefCell::new(None) };
        /// The polling timer, while push is unavailable.
        static POLLER: std::cell::RefCell<Option<IntervalHandle>> = const { std::cell::RefCell::new(None) };
    }

    pub(super) fn start(feed: LiveFeed) {
        feed.now.set(js_sys::Date::now() as i64);
        let _ = set_interval_with_handle(move || feed.now.set(js_sys::Date::now() as i64), Duration::from_secs(1));
        // Nobody signed in (the sign-in pages, the gallery): there is nothing of theirs to hear.
        if !feed.account.signed_in() {
            feed.mode.set(FeedMode::Offline);
            return;
        }
        // Offline, nothing can come in: stop asking; back online, reconnect (and catch up).
        let _ = window_event_listener(leptos::ev::offline, move |_| go_offline(feed));
        let _ = window_event_listener(leptos::ev::online, move |_| open(feed));
        if !crate::ui::browser_online() {
            go_offline(feed);
        } else {
            open(feed);
        }
    }

    /// Push if the browser can open it, polling if not.
    fn open(feed: LiveFeed) {
        if connect(feed).is_err() {
            poll(feed);
        }
    }

    fn go_offline(feed: LiveFeed) {
        if let Some(source) = SOURCE.with_borrow_mut(Option::take) {
            source.close();
        }
        stop_polling();
        feed.mode.set(FeedMode::Offline);
    }

    fn stop_polling() {
        if let Some(poller) = POLLER.with_borrow_mut(Option::take) {
            poller.clear();
        }
    }

    /// Opens the push channel. The browser reconnects by itself after a dropped connection;
    /// every (re)connection starts with `ready`, and the feed catches up then.
    fn connect(feed: LiveFeed) -> Result<(), ()> {
        if feed.account.revoked.get_untracked() {
            return Ok(());
        }
        let url = match crate::ui::account::page_workspace() {
            Some(w) => format!("/api/events?workspace={w}"),
            None => "/api/events".to_string(),
        };
        let source = EventSource::new(&url).map_err(|_| ())?;
        let failures = Rc::new(std::cell::Cell::new(0u32));

        let on_ready = Closure::<dyn FnMut(MessageEvent)>::new({
            let failures = failures.clone();
            move |_: MessageEvent| {
                failures.set(0);
                stop_polling();
                feed.mode.set(FeedMode::Live);
                catch_up(feed);
            }
        });
        let on_resync = Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| catch_up(feed));
        // An owner changed this person's role: the page offers what the new role allows.
        let on_access = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(role) = ev.data().as_string().and_then(|r| crate::domain::Role::parse(&r).ok()) {
                feed.account.set_role(role);
            }
        });
        // Removed from the workspace: the server ended the stream; nothing more comes (or is
        // asked for) here.
        let on_revoked = Closure::<dyn FnMut(MessageEvent)>::new({
            let source = source.clone();
            move |_: MessageEvent| {
                source.close();
                stop_polling();
                feed.account.revoke();
            }
        });
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let Some(text) = ev.data().as_string() else { return };
            // The one JSON reader the rest of the client uses (see `crate::wire`).
            match crate::wire::from_slice::<ServerEvent>(text.as_bytes()) {
                Ok(event) => feed.dispatch(event),
                Err(e) => leptos::logging::warn!("ignored a server event that could not be read: {e}"),
            }
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new({
            let source = source.clone();
            move |_: web_sys::Event| {
                if feed.mode.get_untracked() == FeedMode::Offline {
                    return;
                }
                failures.set(failures.get() + 1);
                // CLOSED: the browser will not retry (the channel is not there); CONNECTING: it
                // retries by itself, unless it keeps failing.
                if source.ready_state() == EventSource::CLOSED || failures.get() >= MAX_PUSH_FAILURES {
                    source.close();
                    if feed.mode.get_untracked() != FeedMode::Polling {
                        poll(feed);
                    }
                } else {
                    feed.mode.set(FeedMode::Connecting);
                }
            }
        });
        let _ = source.add_event_listener_with_callback("ready", on_ready.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("resync", on_resync.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("access", on_access.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("revoked", on_revoked.as_ref().unchecked_ref());
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // The channel lives as long as the page.
        on_ready.forget();
        on_resync.forget();
        on_access.forget();
        on_revoked.forget();
        on_message.forget();
        on_error.forget();
        if let Some(previous) = SOURCE.with_borrow_mut(|s| s.replace(source)) {
            previous.close();
        }
        feed.mode.set(FeedMode::Connecting);
        Ok(())
    }

    /// Push is unavailable: ask the server every few seconds instead.
    fn poll(feed: LiveFeed) {
        leptos::logging::warn!("live updates: server push is unavailable, checking every {} s instead", POLL_EVERY.as_secs());
        feed.mode.set(FeedMode::Polling);
        catch_up(feed);
        stop_polling();
        if let Ok(poller) = set_interval_with_handle(move || catch_up(feed), POLL_EVERY) {
            POLLER.with_borrow_mut(|p| *p = Some(poller));
        }
    }

    /// Fetches the jobs again and tells pages to refetch what they show.
    fn catch_up(feed: LiveFeed) {
        if feed.account.revoked.get_untracked() {
            return;
        }
        feed.resyncs.update(|n| *n += 1);
        leptos::task::spawn_local(async move {
            match crate::api::list_jobs(crate::ui::account::page_workspace()).await {
                Ok(jobs) => {
                    for job in jobs {
                        feed.take_job(job);
                    }
                }
                Err(e) => leptos::logging::warn!("live updates: couldn't fetch jobs: {e}"),
            }
        });
    }

    /// A browser notification when the tab is in the background and the person allowed them.
    pub(super) fn browser_notification(job: &Job) {
        use web_sys::{Notification, NotificationOptions, NotificationPermission};
        let hidden = web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden());
        if !hidden || !supported() || Notification::permission() != NotificationPermission::Granted {
            return;
        }
        let Some(title) = job.notice_title() else { return };
        let options = NotificationOptions::new();
        options.set_body(&job.notice_body());
        options.set_tag(&job.id.to_string());
        if let Ok(n) = Notification::new_with_options(&title, &options) {
            let href = job.href();
            let on_click = Closure::<dyn FnMut()>::new(move || {
                if let Some(w) = web_sys::window() {
                    let _ = w.focus();
                    let _ = w.location().set_href(&href);
                }
            });
            n.set_onclick(Some(on_click.as_ref().unchecked_ref()));
            on_click.forget();
        }
    }

    /// Whether this browser has the Notification API.
    pub(crate) fn supported() -> bool {
        web_sys::window().is_some_and(|w| js_sys::Reflect::has(&w, &"Notification".into()).unwrap_or(false))
    }
}

/// Whether browser notifications can be asked for now: supported and not yet decided.
/// Always `false` on the server and before hydration.
pub fn can_ask_for_browser_notifications() -> bool {
    #[cfg(feature = "hydrate")]
    {
        client::supported() && web_sys::Notification::permission() == web_sys::NotificationPermission::Default
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// Asks the browser for permission to notify; call only from a click (never on load).
/// `done` gets whether notifications are now allowed.
pub fn ask_for_browser_notifications(done: impl Fn(bool) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        if !client::supported() {
            return done(false);
        }
        match web_sys::Notification::request_permission() {
            Ok(promise) => leptos::task::spawn_local(async move {
                let answer = wasm_bindgen_futures::JsFuture::from(promise).await;
                let granted = answer.ok().and_then(|v| v.as_string()).is_some_and(|s| s == "granted");
                done(granted);
            }),
            Err(_) => done(false),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    done(false)
}
