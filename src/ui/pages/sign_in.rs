//! `/sign-in` and `/sign-up`: plain forms posted to the server (`crate::accounts`), which
//! answers with a redirect, so they work before (or without) JavaScript. A refused form comes
//! back here with an error code in the URL; the copy is ours, never text from the URL.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::ui::account::demo_accounts;
use crate::ui::components::encode_query;

/// What a refused account form says, by the code the server sent back.
pub fn error_copy(code: &str, wait: Option<&str>) -> String {
    crate::domain::form_refusal(code, wait.and_then(|w| w.parse::<i64>().ok()))
}

/// The query's value for `key`, read once (these pages come from a full page load).
fn param(key: &str) -> Option<String> {
    use_query_map().read_untracked().get(key).filter(|v| !v.is_empty())
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let next = param("next").unwrap_or_else(|| "/orders".into());
    let error = param("error").map(|code| error_copy(&code, param("wait").as_deref()));
    let signed_out = param("signed_out").is_some();
    let up_href = format!("/sign-up?next={}", encode_query(&next));
    view! {
        <Title text="Sign in"/>
        <section class="page auth-page">
            <h1>"Sign in to Order Desk"</h1>
            {signed_out.then(|| view! { <p class="form-notice" role="status" data-testid="signed-out">"You're signed out."</p> })}
            <AuthForm action="/api/accounts/sign-in" next email=param("email").unwrap_or_default() error password_autocomplete="current-password" submit="Sign in" testid="sign-in"/>
            <p class="auth-switch">"New to Order Desk? " <a href=up_href>"Create an account"</a></p>
            <DemoAccounts/>
        </section>
    }
    .into_any()
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let next = param("next").unwrap_or_else(|| "/orders".into());
    let error = param("error").map(|code| error_copy(&code, None));
    view! {
        <Title text="Create an account"/>
        <section class="page auth-page">
            <h1>"Create an account"</h1>
            <p class="page-subtitle">"You get a workspace of your own; share it with your team from its members page."</p>
            <AuthForm action="/api/accounts/sign-up" next email=param("email").unwrap_or_default() error password_autocomplete="new-password" submit="Create account" testid="sign-up"/>
            <p class="auth-switch">"Already have an account? " <a href="/sign-in">"Sign in"</a></p>
        </section>
    }
    .into_any()
}

/// The email-and-password form both pages post, with the error a refused post came back with.
#[component]
pub fn AuthForm(
    action: &'static str,
    next: String,
    email: String,
    error: Option<String>,
    password_autocomplete: &'static str,
    submit: &'static str,
    testid: &'static str,
) -> impl IntoView {
    let invalid = error.is_some().then_some("true");
    let error_id = format!("{testid}-error");
    view! {
        <form class="auth-form" method="post" action=action data-testid=format!("{testid}-form")>
            {error.map(|e| view! { <p class="form-error" role="alert" id=error_id.clone() data-testid="auth-error">{e}</p> })}
            <input type="hidden" name="next" value=next/>
            <label class="field">
                <span class="field-label">"Email"</span>
                <input type="email" name="email" autocomplete="username" required value=email aria-invalid=invalid aria-describedby=invalid.map(|_| error_id.clone()) data-testid="email"/>
            </label>
            <label class="field">
                <span class="field-label">"Password"</span>
                <input type="password" name="password" autocomplete=password_autocomplete required aria-invalid=invalid data-testid="password"/>
            </label>
            <button type="submit" class="button button-primary" data-testid=testid>{submit}</button>
        </form>
    }
    .into_any()
}

/// In demo mode only: the demo accounts' sign-in, to try the app (and sharing) at once.
#[component]
fn DemoAccounts() -> impl IntoView {
    let accounts = demo_accounts();
    (!accounts.is_empty()).then(|| {
        view! {
            <aside class="demo-accounts" aria-labelledby="demo-title" data-testid="demo-accounts">
                <h2 id="demo-title">"Demo accounts"</h2>
                <p>"This server runs with demo data. Both accounts share the demo workspace:"</p>
                <ul>
                    {accounts.into_iter().map(|(email, password, role)| view! {
                        <li><code>{email}</code>" / "<code>{password}</code>" — "{role}</li>
                    }).collect_view()}
                </ul>
            </aside>
        }
    })
}
