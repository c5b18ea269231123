//! The notification area: every job that ends while the app is open is announced here,
//! on whatever page the person is, until dismissed. Which jobs ended is the live feed's call.

use leptos::prelude::*;

use crate::ui::components::NotificationCard;
use crate::ui::live::use_live_feed;

#[component]
pub fn NotificationCenter() -> impl IntoView {
    let feed = use_live_feed();
    view! {
        <section class="notification-area" aria-label="Notifications" aria-live="polite" data-testid="notifications">
            <For each=move || feed.notices() key=|job| (job.id, job.version) let:job>
                {
                    let id = job.id;
                    view! { <NotificationCard job on_dismiss=Callback::new(move |_| feed.dismiss_notice(id))/> }
                }
            </For>
        </section>
    }
    .into_any()
}
