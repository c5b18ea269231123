//! Shown in place of a job that could not be loaded: what failed, what to do, and the way back
//! to the orders. (The page that shows it answers a job that does not exist with HTTP 404.)

use leptos::prelude::*;

use crate::error::AppError;

/// Whether the job isn't there (or the address can't name one), rather than unreadable now.
pub fn is_missing_job(error: &AppError) -> bool {
    matches!(error, AppError::NotFound { .. } | AppError::Validation { .. })
}

#[component]
pub fn JobLoadError(error: AppError) -> impl IntoView {
    let missing = is_missing_job(&error);
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
