//! The form every write is made with: a real `<form method="post">` in the server-rendered
//! page, which the browser posts by itself when JavaScript is off or hasn't loaded yet, and
//! which the app takes over once its script runs (the submit goes to the sync engine instead).
//! One markup for both. A post comes back to the page with its result (`FormNotice`, put in
//! the page by the server: `<meta name="form-notice">`), shown once by the row it was about.

use leptos::prelude::*;

use crate::records::form::{FormNotice, PAGE_STATES};

/// A write's form: posts to `/api/orders/<action>` with its key and the session token, and,
/// once the app runs, calls `on_submit` instead (without one, it is posted even then).
#[component]
pub fn WriteForm(
    /// The write's endpoint under `/api/orders/` (`star`, `quantity`, `move`, …).
    action: &'static str,
    /// What the app does instead of posting.
    #[prop(optional)]
    on_submit: Option<Callback<()>>,
    /// The form's class: `write-form` (it takes no room: its button sits in the layout as if
    /// it had none) unless given.
    #[prop(optional)]
    class: &'static str,
    /// The form's `data-testid`, if it has one.
    #[prop(optional)]
    testid: Option<&'static str>,
    /// The fields and the submit button.
    children: Children,
) -> impl IntoView {
    view! {
        <form
            method="post"
            action=format!("/api/orders/{action}")
            class=if class.is_empty() { "write-form" } else { class }
            data-testid=testid
            on:submit=move |ev| {
                if let Some(on_submit) = on_submit {
                    ev.prevent_default();
                    on_submit.run(());
                }
            }
        >
            <input type="hidden" name="key" value=form_key()/>
            <input type="hidden" name="token" value=form_token()/>
            {children()}
        </form>
    }
}

/// A GET form that opens a state of this page without JavaScript: the same page again with
/// `name=value` (none: the page without a state), keeping the rest of its address (the
/// search). Once the app runs, `on_submit` opens the state in place instead.
#[component]
pub fn PageStateForm(
    /// The state's query parameter (`edit`, `cancel`) and its value, if one is opened.
    #[prop(optional)]
    state: Option<(&'static str, String)>,
    on_submit: Callback<()>,
    /// The submit button.
    children: Children,
) -> impl IntoView {
    let kept: Vec<(String, String)> = leptos_router::hooks::use_query_map().with_untracked(|query| {
        query
            .latest_values()
            .filter(|(name, _)| !PAGE_STATES.contains(&name.as_ref()))
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    });
    view! {
        <form
            method="get"
            class="write-form"
            on:submit=move |ev| {
                ev.prevent_default();
                on_submit.run(());
            }
        >
            {kept.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
            {state.map(|(name, value)| hidden(name, value))}
            {children()}
        </form>
    }
}

/// A hidden field of a write form, as the page was rendered (the app's script never posts it).
pub fn hidden(name: &'static str, value: String) -> impl IntoView {
    view! { <input type="hidden" name=name value=value/> }
}

/// A fresh idempotency key for a form the server renders (a post of it is one write, however
/// often it is submitted). The app's own script makes its keys per change, so a form it renders
/// needs none.
pub fn form_key() -> String {
    #[cfg(feature = "ssr")]
    return uuid::Uuid::now_v7().to_string();
    #[cfg(not(feature = "ssr"))]
    String::new()
}

/// The session's request token, for a browser that says nothing of where its post comes from
/// (`crate::edge::origin`). Only the server knows it (its cookie is HttpOnly).
fn form_token() -> String {
    #[cfg(feature = "ssr")]
    return use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<crate::edge::token::Session>().map(|s| s.token().to_string()))
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    String::new()
}

/// The result of the post that led to this page, while the page is the one it came back to.
#[derive(Clone, Copy)]
struct Notices(RwSignal<Option<FormNotice>>);

/// Reads the page's form notice and provides it.
pub fn provide_form_notice() {
    provide_context(Notices(RwSignal::new(read_notice())));
}

/// Shows `notice` to the components below as if a post had left it (the state gallery).
pub fn provide_fixed_form_notice(notice: FormNotice) {
    provide_context(Notices(RwSignal::new(Some(notice))));
}

/// The notice this page came back with, if any (read once, where a component is made).
pub fn form_notice() -> Option<FormNotice> {
    use_context::<Notices>().and_then(|Notices(n)| n.get_untracked())
}

/// Forgets the notice (the page it was for is left), so a page reached later by navigating in
/// the app doesn't show it again.
pub fn forget_form_notice() {
    if let Some(Notices(n)) = use_context::<Notices>() {
        n.set(None);
    }
}

/// The notice as JSON for the page's `<meta name="form-notice">` (server).
pub fn notice_json() -> Option<String> {
    read_notice().and_then(|n| serde_json::to_string(&n).ok())
}

#[cfg(feature = "ssr")]
fn read_notice() -> Option<FormNotice> {
    use_context::<axum::http::request::Parts>().and_then(|p| p.extensions.get::<FormNotice>().cloned())
}

#[cfg(feature = "hydrate")]
fn read_notice() -> Option<FormNotice> {
    let content = super::page_meta("form-notice")?;
    crate::wire::from_slice::<FormNotice>(content.as_bytes()).ok()
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn read_notice() -> Option<FormNotice> {
    None
}
