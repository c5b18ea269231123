//! A polite offer to notify in this browser when the work is done. It appears only after
//! hydration and only where the browser can still be asked; it asks only when clicked.

use leptos::prelude::*;

use crate::ui::live::{ask_for_browser_notifications, can_ask_for_browser_notifications};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Offer {
    /// On the server, before hydration, or when there is nothing to ask.
    Hidden,
    Ready,
    Asking,
    Allowed,
    Refused,
}

#[component]
pub fn BrowserNotifyButton() -> impl IntoView {
    // Starts hidden on both sides; the browser's permission is read only once hydrated.
    let offer = RwSignal::new(Offer::Hidden);
    Effect::new(move |_| {
        if can_ask_for_browser_notifications() {
            offer.set(Offer::Ready);
        }
    });
    let ask = move |_| {
        offer.set(Offer::Asking);
        ask_for_browser_notifications(move |allowed| offer.set(if allowed { Offer::Allowed } else { Offer::Refused }));
    };
    let content = move || match offer.get() {
        Offer::Hidden => ().into_any(),
        Offer::Ready | Offer::Asking => view! {
            <button
                type="button"
                class="button browser-notify-button"
                data-testid="browser-notify"
                disabled=move || offer.get() == Offer::Asking
                on:click=ask
            >
                <span class="browser-notify-bell" aria-hidden="true"></span>
                "Notify me in this browser when it's done"
            </button>
        }
        .into_any(),
        Offer::Allowed => view! {
            <p class="browser-notify-answer is-allowed" data-testid="browser-notify-answer">"We'll notify you in this browser."</p>
        }
        .into_any(),
        Offer::Refused => view! {
            <p class="browser-notify-answer" data-testid="browser-notify-answer">
                "Browser notifications are off; you'll still see it here and by email."
            </p>
        }
        .into_any(),
    };
    view! { <div class="browser-notify" aria-live="polite">{content}</div> }.into_any()
}
