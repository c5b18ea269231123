//! How the app hears about changes made elsewhere, visible in the header: live (push),
//! checking every few seconds (polling), offline, or connecting.

use leptos::prelude::*;

use crate::ui::live::{use_live_feed, FeedMode};
use crate::ui::sync::{use_order_sync, Net};

#[component]
pub fn ConnectionStatus() -> impl IntoView {
    let feed = use_live_feed();
    let sync = use_order_sync();
    let mode = move || match (sync.net(), feed.mode()) {
        (Net::Offline, _) | (_, FeedMode::Offline) => FeedMode::Offline,
        (_, mode) => mode,
    };
    let text = move || match (mode(), sync.net()) {
        (FeedMode::Offline, _) => "Offline",
        (_, Net::Unreachable) => "Can't reach the server",
        (FeedMode::Live, _) => "Live",
        (FeedMode::Polling, _) => "Checking every few seconds",
        (FeedMode::Connecting, _) => "Connecting…",
    };
    view! {
        <p class=move || format!("connection-status is-{}", mode().as_str()) data-testid="feed-mode" data-mode=move || mode().as_str()>
            <span class="connection-dot" aria-hidden="true"></span>
            <span class="visually-hidden">"Updates: "</span>
            {text}
        </p>
    }
    .into_any()
}
