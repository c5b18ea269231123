//! What waits for hydration. The server's HTML knows nothing of the browser (its storage, other
//! tabs, the live feed), so anything that changes state from there starts once the page is
//! hydrated: a value changed while the page is still being hydrated (which awaits a lazily
//! loaded page's code) would leave the server's markup standing for it.

use leptos::prelude::Owner;
use std::cell::RefCell;

/// Something to start, with the owner it was asked from.
type Waiting = (Option<Owner>, Box<dyn FnOnce()>);

enum Phase {
    /// Still hydrating: what to run when done.
    Hydrating(Vec<Waiting>),
    Hydrated,
}

thread_local! {
    static PHASE: RefCell<Phase> = const { RefCell::new(Phase::Hydrating(Vec::new())) };
}

/// Runs `start` once the page is hydrated (at once if it is), in the current reactive owner.
pub fn after_hydration(start: impl FnOnce() + 'static) {
    let owner = Owner::current();
    let now = PHASE.with_borrow_mut(|phase| match phase {
        Phase::Hydrating(waiting) => {
            waiting.push((owner.clone(), Box::new(start)));
            None
        }
        Phase::Hydrated => Some(start),
    });
    if let Some(start) = now {
        run(owner, start);
    }
}

/// The entry point says hydration is done: everything waiting starts, in the order asked.
pub fn hydrated() {
    let waiting = PHASE.with_borrow_mut(|phase| match std::mem::replace(phase, Phase::Hydrated) {
        Phase::Hydrating(waiting) => waiting,
        Phase::Hydrated => Vec::new(),
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
