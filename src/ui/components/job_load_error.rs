//! Shown in place of a job that could not be loaded: what failed, what to do, and the way back
//! to the orders. A job that does not exist answers with HTTP 404.

use leptos::prelude::*;

use crate::error::AppError;

#[component]
pub fn JobLoadError(error: AppError) -> impl IntoView {
    let missing = matches!(error, AppError::NotFound { .. } | AppError::Validation { .. });
    #[cfg(feature = "ssr")]
    if missing && let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <div class="callout callout-error job-load-error" role="alert" data-testid="job-load-error">
            <p class="callout-title">{if missing { "Couldn't find this job." } else { "Couldn't load this job." }}</p>
            <p>{error.to_string()}</p>
            <div class="callout-actions">
                <a class="button button-primary" href="/orders" data-testid="job-back-to-orders">"Back to orders"</a>
                {(!missing).then(|| view! { <a class="button" href="">"Reload"</a> })}
            </div>
        </div>
    }
    .into_any()
}
