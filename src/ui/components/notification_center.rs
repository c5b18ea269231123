//! The notification area: every job that ends while the app is open is announced here,
//! on whatever page the person is, until dismissed. Which jobs ended is the live feed's call.

use leptos::prelude::*;

use crate::domain::JobState;
use crate::ui::components::NotificationCard;
use crate::ui::live::use_live_feed;

/// Two live regions, always present so every notice is heard once: an order placed is polite;
/// a failure the person must act on is assertive.
#[component]
pub fn NotificationCenter() -> impl IntoView {
    let feed = use_live_feed();
    let cards = move |failures: bool| {
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
    };
    view! {
        <section class="notification-area" aria-label="Notifications" data-testid="notifications">
            <div class="notification-stack" aria-live="polite" data-testid="notifications-polite">{cards(false)}</div>
            <div class="notification-stack" aria-live="assertive" data-testid="notifications-assertive">{cards(true)}</div>
        </section>
    }
    .into_any()
}
