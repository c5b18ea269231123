//! One in-app notice that a job ended: what happened, a link to the status page, Dismiss.
//! It does not decide when notices appear or go; the notification area does.

use leptos::prelude::*;

use crate::domain::{Job, JobState};

#[component]
pub fn NotificationCard(job: Job, on_dismiss: Callback<()>) -> impl IntoView {
    let succeeded = job.state == JobState::Succeeded;
    let (tone, mark, link) = if succeeded { ("success", "✓", "View status") } else { ("failure", "!", "See what to do") };
    let title = job.notice_title().unwrap_or_else(|| format!("{} is being placed", job.order_number));
    view! {
        <div class=format!("notification notification-{tone}") data-testid="notification" data-state=job.state.as_str()>
            <span class="notification-mark" aria-hidden="true">{mark}</span>
            <div class="notification-text">
                <p class="notification-title" data-testid="notification-title">{title}</p>
                <p class="notification-body" data-testid="notification-body">{job.notice_body()}</p>
                <a class="notification-link" href=job.href() data-testid="notification-link">{link}</a>
            </div>
            <button
                type="button"
                class="icon-button notification-dismiss"
                aria-label="Dismiss"
                data-testid="notification-dismiss"
                on:click=move |_| on_dismiss.run(())
            >
                "✕"
            </button>
        </div>
    }
    .into_any()
}
