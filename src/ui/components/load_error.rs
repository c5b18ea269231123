//! Shown in place of content that could not be loaded: what failed and what to do next.

use leptos::prelude::*;

use crate::error::AppError;

#[component]
pub fn LoadError(what: &'static str, error: AppError) -> impl IntoView {
    view! {
        <div class="callout callout-error" role="alert">
            <p class="callout-title">{format!("Couldn't load {what}.")}</p>
            <p>{error.to_string()}</p>
            <a class="button" href="">"Reload"</a>
        </div>
    }
    .into_any()
}
