//! What waits for hydration. The server's HTML knows nothing of the browser (its storage, other
//! tabs, the live feed), so anything that changes state from there starts once the page is
//! hydrated: a value changed while the page is still being hydrated (which awaits a lazily
//! loaded page's code, or a `Suspense`'s data) would leave the server's markup standing for it,
//! since hydration takes the server's markup as it is.
//!
//! The app counts as hydrated when the entry point is done and every part that hydrates later
//! (a `Suspense` whose content hydrates once its data resolves: see [`suspend`]) has let go of
//! its [`Hold`].

use leptos::prelude::{component, on_cleanup, view, Effect, IntoView, Owner, Suspend};
use leptos_meta::Meta;
use std::future::Future;
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// How the server drew the page, said in its head for the entry point, when its code is not all
/// in the main file. Synchronous hydration is faster, but can't wait for a chunk.
#[derive(Clone, Copy)]
pub enum Drawn {
    /// A lazy route's page: hydrated asynchronously, once the page's chunk has arrived (the
    /// router waits for it).
    LazyPage,
}

impl Drawn {
    fn meta_name(self) -> &'static str {
        match self {
            Drawn::LazyPage => "orderdesk-lazy-page",
        }
    }

    /// Whether the server said so.
    #[cfg(feature = "hydrate")]
    pub fn is_said(self) -> bool {
        crate::ui::page_meta(self.meta_name()).is_some()
    }
}

/// Says in the page's head how the server drew it.
#[component]
pub fn SayDrawn(how: Drawn) -> impl IntoView {
    view! { <Meta name=how.meta_name() content="1"/> }
}

/// Something to start, with the owner it was asked from.
type Waiting = (Option<Owner>, Box<dyn FnOnce()>);

enum Phase {
    /// Still hydrating: what to run when done, how many holds are out, and whether the entry
    /// point has finished.
    Hydrating { waiting: Vec<Waiting>, holds: usize, entry_done: bool },
    Hydrated,
}

thread_local! {
    static PHASE: RefCell<Phase> = const { RefCell::new(Phase::Hydrating { waiting: Vec::new(), holds: 0, entry_done: false }) };
}

/// Runs `start` once the page is hydrated (at once if it is), in the current reactive owner.
pub fn after_hydration(start: impl FnOnce() + 'static) {
    let owner = Owner::current();
    let now = PHASE.with_borrow_mut(|phase| match phase {
        Phase::Hydrating { waiting, .. } => {
            waiting.push((owner.clone(), Box::new(start)));
            None
        }
        Phase::Hydrated => Some(start),
    });
    if let Some(start) = now {
        run(owner, start);
    }
}

/// Runs `start` once the page is hydrated, in a task of its own after the hydrated marker is up
/// and what waited for hydration has started, in the current reactive owner: for what the page
/// does without at first (the fault controls). Nothing on the server, which never hydrates.
pub fn soon_after_hydration(start: impl FnOnce() + 'static) {
    #[cfg(feature = "hydrate")]
    after_hydration(move || {
        let owner = Owner::current();
        leptos::prelude::set_timeout(move || run(owner, start), std::time::Duration::ZERO);
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = start;
}

/// Runs `start` now if the browser is online, or once it is back online: for asking for a
/// lazily loaded chunk of code, which stops the app when it can't be fetched (`#[lazy]` can't
/// fail softly in Leptos 0.8). Nothing on the server.
pub fn when_online(start: impl FnOnce() + 'static) {
    #[cfg(feature = "hydrate")]
    {
        if crate::ui::browser_online() {
            return start();
        }
        // The listener stays (one per call, and a call is made once per page and part): removing
        // it from inside its own call would free the closure that is running.
        let start = RefCell::new(Some(start));
        let _ = leptos::prelude::window_event_listener(leptos::ev::online, move |_| {
            if let Some(start) = start.take() {
                start();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = start;
}

/// The entry point says its part of hydration is done: once no [`Hold`] is out, everything
/// waiting starts, in the order asked.
pub fn hydrated() {
    PHASE.with_borrow_mut(|phase| {
        if let Phase::Hydrating { entry_done, .. } = phase {
            *entry_done = true;
        }
    });
    finish_if_done();
}

/// Keeps the app from counting as hydrated until it is released, or its owner is cleaned up
/// (the part went away before hydrating). Asked while the page hydrates, by a part that
/// hydrates later; at any other time it holds nothing.
#[derive(Clone)]
struct Hold(Arc<AtomicBool>);

impl Hold {
    fn new() -> Self {
        let out = cfg!(feature = "hydrate")
            && PHASE.with_borrow_mut(|phase| match phase {
                Phase::Hydrating { holds, .. } => {
                    *holds += 1;
                    true
                }
                Phase::Hydrated => false,
            });
        let hold = Hold(Arc::new(AtomicBool::new(out)));
        let on_drop = hold.clone();
        on_cleanup(move || on_drop.release());
        hold
    }

    /// This part is hydrated (at most once counts).
    fn release(&self) {
        if !self.0.swap(false, Ordering::Relaxed) {
            return;
        }
        PHASE.with_borrow_mut(|phase| {
            if let Phase::Hydrating { holds, .. } = phase {
                *holds = holds.saturating_sub(1);
            }
        });
        finish_if_done();
    }
}

/// A `Suspense`'s content, as `Suspend::new` makes it, that the app counts as part of its
/// hydration: made while the page hydrates, the app is hydrated only once the view `content`
/// resolves to has been hydrated too.
pub fn suspend<T: 'static>(content: impl Future<Output = T> + Send + 'static) -> Suspend<T> {
    let hold = Hold::new();
    Suspend::new(async move {
        let view = content.await;
        // An effect first runs after the view made with it is in place (here: hydrated).
        Effect::new(move |_| hold.release());
        view
    })
}

fn finish_if_done() {
    let waiting = PHASE.with_borrow_mut(|phase| match phase {
        Phase::Hydrating { holds: 0, entry_done: true, .. } => match std::mem::replace(phase, Phase::Hydrated) {
            Phase::Hydrating { waiting, .. } => waiting,
            Phase::Hydrated => Vec::new(),
        },
        _ => Vec::new(),
    });
    for (owner, start) in waiting {
        run(owner, start);
    }
}

fn run(owner: Option<Owner>, start: impl FnOnce()) {
    match owner {
        Some(owner) => owner.with(start),
        None => start(),
    }
}
