//! The bar at the top of every page: product name, main navigation, and how live updates
//! are coming in.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::domain::Person;
use crate::ui::account::use_account;
use crate::ui::components::ConnectionStatus;

#[component]
pub fn AppHeader() -> impl IntoView {
    let person = use_account().person();
    view! {
        <header class="app-header">
            <a class="brand" href="/orders" aria-label="Order Desk, home">
                <span class="brand-mark" aria-hidden="true">"OD"</span>
                <span class="brand-name">"Order Desk"</span>
            </a>
            <nav class="app-nav" aria-label="Main">
                <A href="/orders">"Orders"</A>
                {person.is_some().then(|| view! { <A href="/members">"Members"</A> })}
                <A href="/states">"State gallery"</A>
            </nav>
            {person.map(|p| view! {
                <ConnectionStatus/>
                <AccountMenu person=p/>
            })}
        </header>
    }
    .into_any()
}

/// Who is signed in, the workspace the pages show (a switch when they have several), their
/// role there, and signing out. Plain forms: each is a full page load.
#[component]
fn AccountMenu(person: Person) -> impl IntoView {
    let account = use_account();
    let current = person.current().cloned();
    let others = person.memberships.iter().filter(|m| Some(m.workspace) != person.current).cloned().collect::<Vec<_>>();
    let role = move || account.role().map(|r| r.label()).unwrap_or("No access");
    view! {
        <div class="account-menu" data-testid="account-menu">
            {current.map(|c| view! {
                <span class="workspace-name" data-testid="workspace-name">{c.name}</span>
                <span class="role-chip" data-testid="role" data-role=move || account.role().map(|r| r.as_str())>{role}</span>
            })}
            {(!others.is_empty()).then(|| view! {
                <form method="post" action="/api/accounts/workspace" class="inline-form">
                    <select name="workspace" aria-label="Switch workspace" data-testid="workspace-select">
                        {others.into_iter().map(|m| view! { <option value=m.workspace.to_string()>{m.name}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="button button-small">"Switch"</button>
                </form>
            })}
            <span class="account-email" data-testid="account-email">{person.email.to_string()}</span>
            <form method="post" action="/api/accounts/sign-out" class="inline-form">
                <button type="submit" class="link-button" data-testid="sign-out">"Sign out"</button>
            </form>
        </div>
    }
    .into_any()
}
