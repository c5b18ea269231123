//! The notification area: every job that ends while the app is open is announced here,
//! on whatever page the person is, until dismissed. Which jobs ended is the live feed's call.

use leptos::lazy;
use leptos::prelude::*;

use crate::domain::JobState;
use crate::ui::components::NotificationCard;
use crate::ui::hydration::when_online;
use crate::ui::live::{use_live_feed, LiveFeed};

/// Two live regions, always present so every notice is heard once: an order placed is polite;
/// a failure the person must act on is assertive. The cards' code is a chunk of its own
/// (`#[lazy]`, with `cargo leptos build --split`), fetched with the first notice (which came
/// over the network): the server's page never has one, and a first load doesn't wait for it.
#[component]
pub fn NotificationCenter() -> impl IntoView {
    let feed = use_live_feed();
    // Once there has been a notice (and the network is there to fetch the cards' code), the
    // cards stay drawn: an empty list when all are dismissed.
    let drawn = RwSignal::new(false);
    Effect::new(move |_| {
        if feed.has_notices() && !drawn.get_untracked() {
            when_online(move || drawn.set(true));
        }
    });
    let cards = move |failures: bool| move || drawn.get().then(|| Suspend::new(notification_cards(feed, failures)));
    view! {
        <section class="notification-area" aria-label="Notifications" data-testid="notifications">
            <div class="notification-stack" aria-live="polite" data-testid="notifications-polite">{cards(false)}</div>
            <div class="notification-stack" aria-live="assertive" data-testid="notifications-assertive">{cards(true)}</div>
        </section>
    }
    .into_any()
}

/// The failures' cards or the others', as the feed's notices change.
#[lazy]
fn notification_cards(feed: LiveFeed, failures: bool) -> AnyView {
    let notices = move || {
        let mut notices = feed.notices();
        notices.retain(|job| (job.state == JobState::Failed) == failures);
        notices
    };
    view! {
        <For each=notices key=|job| (job.id, job.version) let:job>
            {
                let id = job.id;
                view! { <NotificationCard job on_dismiss=Callback::new(move |_| feed.dismiss_notice(id))/> }
            }
        </For>
    }
    .into_any()
}
