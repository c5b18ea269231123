//! The one place the app says writes can't reach the server ("You're offline — 3 changes will
//! be sent when you're back", counted live), and that stored changes from another version of
//! the app could not be sent. Rows say the rest (each waiting row shows it is waiting).

use leptos::prelude::*;

use crate::ui::sync::{offline_message, Net, OrderSync};

#[component]
pub fn SyncBanner(sync: OrderSync) -> impl IntoView {
    let offline = move || offline_message(sync.net(), sync.unconfirmed());
    let unusable = move || sync.unusable();
    view! {
        // The live region is always there, so the change is announced.
        <div class="sync-banners" role="status" aria-live="polite">
            {move || offline().map(|message| view! {
                <p
                    class="sync-banner is-offline"
                    data-testid="offline-banner"
                    data-net=move || if sync.net() == Net::Offline { "offline" } else { "unreachable" }
                >
                    <span class="sync-banner-icon" aria-hidden="true"></span>
                    {message}
                </p>
            })}
            {move || (unusable() > 0).then(|| view! {
                <p class="sync-banner is-warning" data-testid="unusable-banner">
                    <span>{format!(
                        "{} saved by an earlier version of Order Desk couldn't be sent. Make {} again if you still need {}.",
                        if unusable() == 1 { "1 change".to_string() } else { format!("{} changes", unusable()) },
                        if unusable() == 1 { "it" } else { "them" },
                        if unusable() == 1 { "it" } else { "them" },
                    )}</span>
                    <button type="button" class="link-button subtle" on:click=move |_| sync.dismiss_unusable()>"Dismiss"</button>
                </p>
            })}
        </div>
    }
    .into_any()
}
