//! Pending writes outlive the page (browser only). Every change to the engine's outbox is
//! written to `localStorage` in the same task, before the next frame: synchronous, so nothing
//! queued is lost to a reload or a crash a moment later, and a few hundred bytes per row cost
//! well under a millisecond (measured in `bench/paint-latency.mjs`). IndexedDB would be
//! asynchronous, so a reload right after a click could lose the write.
//!
//! Each page load is a tab with its own id and its own key, `orderdesk.outbox.<tab>`, and
//! holds the Web Lock `orderdesk.tab.<tab>` for as long as it lives. Only the tab that holds
//! an outbox sends its ops; the others show them as pending (the `storage` event tells them
//! of every change). Each tab also waits for every other tab's lock: the browser grants it
//! when that tab is closed, crashes or reloads, and the first tab to get it adopts the
//! outbox (restores it into its own, saves, removes the old key) while holding the lock, so
//! no two tabs ever adopt the same ops. A new page load adopts what the previous one left the
//! same way. Without Web Locks (an insecure origin), a page adopts what it finds at start-up;
//! the ops' keys still keep the server from applying any twice.
//!
//! If storage is unavailable or full, the app keeps working in memory and, while unsent
//! operations exist, asks before the page is left.

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::{OrderSync, now_ms};
use crate::domain::OrderId;
use crate::records::saved::{self, Decoded};


/// Outbox keys in `localStorage`: this prefix and the tab's id.
const PREFIX: &str = "orderdesk.outbox.";

/// This page's outbox keys: [`PREFIX`], then the person and workspace (another person in this
/// browser never adopts or sends these), then the tab's id.
fn prefix() -> String {
    format!("{PREFIX}{}.", crate::ui::account::page_scope())
}
/// Web Lock names: this prefix and the tab's id.
const LOCK_PREFIX: &str = "orderdesk.tab.";

#[derive(Default)]
struct Tab {
    id: String,
    /// This tab holds its own lock (or there are no locks): it may write its key and adopt.
    owns: bool,
    /// Other tabs whose lock we wait for.
    watched: Vec<String>,
    /// What we last wrote, so an unchanged outbox is not written again.
    last: Option<String>,
    /// Records whose ops were in the last save: if answered since, the next save carries them.
    last_keys: Vec<OrderId>,
    /// Storage refused a write (or there is none): we keep working in memory.
    failed: bool,
}

thread_local! {
    static TAB: RefCell<Tab> = RefCell::new(Tab::default());
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The Web Locks API (`navigator.locks`), if the browser offers it here.
fn locks() -> Option<JsValue> {
    let navigator = web_sys::window()?.navigator();
    js_sys::Reflect::get(&navigator, &"locks".into()).ok().filter(|l| !l.is_undefined() && !l.is_null())
}

/// `navigator.locks.request(name, callback)`: `callback` runs once the lock is granted and
/// holds it until the promise it returns settles.
fn request_lock(locks: &JsValue, name: &str, callback: impl FnOnce() -> JsValue + 'static) {
    let Ok(request) = js_sys::Reflect::get(locks, &"request".into()) else { return };
    let Ok(request) = request.dyn_into::<js_sys::Function>() else { return };
    let callback = Closure::once_into_js(move |_lock: JsValue| callback());
    let _ = request.call2(locks, &name.into(), &callback);
}

/// Starts persistence for the app's sync: shows what other tabs hold, takes this tab's lock,
/// then adopts what tabs that are gone left, and saves after every change from then on.
pub(super) fn start(sync: OrderSync) {
    take_unscoped_outboxes();
    let id = uuid::Uuid::now_v7().to_string();
    TAB.with_borrow_mut(|t| {
        t.id = id.clone();
        t.failed = storage().is_none();
    });
    for (tab, text) in stored_outboxes() {
        if tab != id {
            show(sync, &tab, &text);
        }
    }
    let _ = window_event_listener(leptos::ev::storage, move |e| {
        let Some(tab) = e.key().and_then(|k| k.strip_prefix(prefix().as_str()).map(str::to_string)) else { return };
        if tab == TAB.with_borrow(|t| t.id.clone()) {
            return;
        }
        match e.new_value() {
            Some(text) => {
                show(sync, &tab, &text);
                watch(sync, tab);
            }
            None => sync.forget_elsewhere(&tab),
        }
    });
    let _ = window_event_listener(leptos::ev::beforeunload, move |e| {
        let unsaved = TAB.with_borrow(|t| t.failed) && sync.engine.with_untracked(|e| !e.is_settled());
        if unsaved {
            e.prevent_default();
            e.set_return_value("Some changes haven't been saved yet.");
        }
    });
    // Saves after every change of the engine, in the same task (effects run before the next
    // frame); only once this tab owns its key.
    Effect::new(move |_| {
        sync.engine.track();
        save(sync);
    });
    match locks() {
        Some(locks) => request_lock(&locks, &format!("{LOCK_PREFIX}{id}"), move || {
            TAB.with_borrow_mut(|t| t.owns = true);
            save(sync);
            for (tab, _) in stored_outboxes() {
                watch(sync, tab);
            }
            // Held for the page's lifetime: the browser releases it when the page goes.
            js_sys::Promise::new(&mut |_, _| {}).into()
        }),
        None => {
            TAB.with_borrow_mut(|t| t.owns = true);
            for (tab, _) in stored_outboxes() {
                adopt(sync, &tab);
            }
        }
    }
}

/// Outboxes saved before accounts (`orderdesk.outbox.<tab>`, no person in the key) hold
/// changes to the orders every page showed then, which are now the first workspace's: a page of
/// that workspace takes them under its own key (the server still checks each change's access).
fn take_unscoped_outboxes() {
    if crate::ui::account::page_workspace() != Some(1) {
        return;
    }
    let Some(storage) = storage() else { return };
    let len = storage.length().unwrap_or(0);
    let unscoped: Vec<String> = (0..len)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.strip_prefix(PREFIX).is_some_and(|tab| uuid::Uuid::parse_str(tab).is_ok()))
        .collect();
    for key in unscoped {
        let Some(text) = storage.get_item(&key).ok().flatten() else { continue };
        let tab = &key[PREFIX.len()..];
        if storage.set_item(&format!("{}{tab}", prefix()), &text).is_ok() {
            let _ = storage.remove_item(&key);
        }
    }
}

/// `(tab, text)` of every stored outbox.
fn stored_outboxes() -> Vec<(String, String)> {
    let Some(storage) = storage() else { return Vec::new() };
    let len = storage.length().unwrap_or(0);
    (0..len)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter_map(|k| {
            let tab = k.strip_prefix(prefix().as_str())?.to_string();
            let text = storage.get_item(&k).ok().flatten()?;
            Some((tab, text))
        })
        .collect()
}

/// Shows another tab's outbox as pending rows here.
fn show(sync: OrderSync, tab: &str, text: &str) {
    if let Decoded::Outbox(outbox) = saved::decode(text) {
        sync.show_elsewhere(tab, outbox);
    }
}

/// Waits for `tab`'s lock: granted when that tab is gone, then its outbox is adopted.
fn watch(sync: OrderSync, tab: String) {
    let mine = TAB.with_borrow_mut(|t| {
        let known = t.id == tab || t.watched.contains(&tab);
        if !known {
            t.watched.push(tab.clone());
        }
        known
    });
    if mine {
        return;
    }
    let Some(locks) = locks() else { return };
    let name = format!("{LOCK_PREFIX}{tab}");
    request_lock(&locks, &name, move || {
        adopt(sync, &tab);
        TAB.with_borrow_mut(|t| t.watched.retain(|w| *w != tab));
        JsValue::UNDEFINED
    });
}

/// Takes over the outbox `tab` left: restored into ours (ops older than the server's
/// idempotency window are set aside, not sent), saved under our key, then removed from its
/// own. Called only while holding that tab's lock, or at start-up without locks.
fn adopt(sync: OrderSync, tab: &str) {
    timed("orderdesk:outbox-adopt", || take_over(sync, tab));
}

fn take_over(sync: OrderSync, tab: &str) {
    let Some(storage) = storage() else { return };
    let key = format!("{}{tab}", prefix());
    let Some(text) = storage.get_item(&key).ok().flatten() else { return };
    match saved::decode(&text) {
        Decoded::Outbox(outbox) => sync.adopt(tab, outbox, now_ms() - super::idempotency_window_ms()),
        Decoded::Unusable { ops } => {
            leptos::logging::warn!("a stored outbox of another format was dropped ({ops} operations)");
            if ops > 0 {
                sync.unusable.update(|n| *n += ops);
            }
            sync.forget_elsewhere(tab);
        }
    }
    // Ours first, then theirs: a crash in between leaves the ops in both, and the next
    // adoption takes each id once.
    save(sync);
    let _ = storage.remove_item(&key);
}

/// Runs `f` and records how long it took as the User Timing measure `name` (only the latest is
/// kept; `bench/paint-latency.mjs` observes each as it is made).
fn timed<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let performance = web_sys::window().and_then(|w| js_sys::Reflect::get(&w, &"performance".into()).ok());
    let now = |p: &JsValue| {
        js_sys::Reflect::get(p, &"now".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .and_then(|f| f.call0(p).ok())
            .and_then(|v| v.as_f64())
    };
    let start = performance.as_ref().and_then(now);
    let out = f();
    if let (Some(p), Some(start)) = (performance, start) {
        let call = |method: &str, args: &[JsValue]| {
            if let Some(f) = js_sys::Reflect::get(&p, &method.into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
                let _ = f.apply(&p, &args.iter().collect::<js_sys::Array>());
            }
        };
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"start".into(), &start.into());
        call("clearMeasures", &[name.into()]);
        call("measure", &[name.into(), options.into()]);
    }
    out
}

/// Writes this tab's outbox if it changed (removes the key when there is nothing to keep).
fn save(sync: OrderSync) {
    timed("orderdesk:outbox-save", || write(sync));
}

fn write(sync: OrderSync) {
    let Some((id, last_keys)) = TAB.with_borrow(|t| t.owns.then(|| (t.id.clone(), t.last_keys.clone()))) else { return };
    let outbox = sync.engine.with_untracked(|e| e.outbox(last_keys));
    let keys: Vec<OrderId> = outbox.keys().collect();
    // Compared without the time of saving, so an unchanged outbox is not written again.
    let body = (!outbox.carries_nothing()).then(|| saved::body(&outbox));
    let unchanged = TAB.with_borrow(|t| t.last == body);
    TAB.with_borrow_mut(|t| t.last_keys = keys);
    if unchanged {
        return;
    }
    let Some(storage) = storage() else {
        TAB.with_borrow_mut(|t| t.failed = true);
        return;
    };
    let key = format!("{}{id}", prefix());
    let written = match &body {
        Some(body) => storage.set_item(&key, &saved::encode(&id, now_ms(), body)),
        None => storage.remove_item(&key),
    };
    TAB.with_borrow_mut(|t| {
        t.failed = written.is_err();
        if written.is_ok() {
            t.last = body;
        }
    });
    if written.is_err() {
        leptos::logging::warn!("couldn't save pending changes in this browser; keeping them in memory");
    }
}
