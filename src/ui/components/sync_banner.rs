//! The one place the app says writes can't reach the server ("You're offline — 3 changes will
//! be sent when you're back", counted live), and that stored changes from another version of
//! the app could not be sent. Rows say the rest (each waiting row shows it is waiting).

use leptos::prelude::*;

use crate::ui::sync::{offline_message, Net, OrderSync};

#[component]
pub fn SyncBanner(sync: OrderSync) -> impl IntoView {
    let offline = move || offline_message(sync.net(), sync.unconfirmed());
    let unusable = move || sync.unusable();
    let account = crate::ui::account::use_account();
    view! {
        // The live region is always there, so the change is announced.
        <div class="sync-banners" role="status" aria-live="polite">
            {move || account.revoked().then(|| view! {
                <p class="sync-banner is-warning" data-testid="revoked-banner">
                    {match sync.discarded() {
                        0 => "You no longer have access to this workspace, so its orders were removed from this page.".to_string(),
                        1 => "You no longer have access to this workspace: its orders were removed from this page and 1 unsent change was discarded.".to_string(),
                        n => format!("You no longer have access to this workspace: its orders were removed from this page and {n} unsent changes were discarded."),
                    }}
                    " "
                    <a href="/orders">"Open your workspaces"</a>
                </p>
            })}
            {move || offline().map(|message| view! {
                <p
                    class="sync-banner is-offline"
                    data-testid="offline-banner"
                    data-net=move || match sync.net() {
                        Net::Offline => "offline",
                        Net::SignedOut => "signed-out",
                        _ => "unreachable",
                    }
                >
                    <span class="sync-banner-icon" aria-hidden="true"></span>
                    {message}
                    {move || (sync.net() == Net::SignedOut).then(|| view! {
                        // A new tab: this page, and the changes it holds, stay as they are.
                        <a class="sync-banner-action" href="/sign-in?next=/orders" target="_blank" rel="opener" data-testid="sign-in-to-send">
                            "Sign in (opens a new tab)"
                        </a>
                    })}
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
