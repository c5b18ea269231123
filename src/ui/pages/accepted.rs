//! `/jobs/:id/accepted`: where placing an order lands. It says the work is accepted (never that
//! it is done), how long it usually takes, and where to follow it; if the job has already
//! ended it says how, truthfully.

use leptos::prelude::*;
use leptos_meta::Title;

use super::job_status::with_job_from_url;
use crate::domain::{Job, JobState, Timestamp};
use crate::ui::components::{BrowserNotifyButton, JobProgress};
use crate::ui::live::{use_live_feed, use_live_job};

#[component]
pub fn AcceptedPage() -> impl IntoView {
    with_job_from_url("accepted-page", "accepted", "Loading…", |detail| view! { <LiveAccepted job=detail.job/> }.into_any())
}

/// The accepted screen kept current by the live feed.
#[component]
fn LiveAccepted(job: Job) -> impl IntoView {
    let feed = use_live_feed();
    let job = use_live_job(job);
    let title = move || job.with(|j| j.notice_title().unwrap_or_else(|| format!("{} is being placed", j.order_number)));
    view! {
        <Title text=title/>
        <AcceptedView job=move || job.get() now=move || feed.now()/>
    }
    .into_any()
}

/// The accepted screen for one job: what the page shows, and what the state gallery shows
/// from fixed data.
#[component]
pub fn AcceptedView(
    job: impl Fn() -> Job + Copy + Send + Sync + 'static,
    now: impl Fn() -> Timestamp + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let job = Memo::new(move |_| job());
    let state = Memo::new(move |_| job.with(|j| j.state));
    let href = move || job.with(Job::href);
    let title = move || {
        job.with(|j| j.notice_title().unwrap_or_else(|| format!("Got it — {} is being placed", j.order_number)))
    };

    // Only the lines that change with the job's state are rebuilt, and only when it changes.
    let summary = move || match state.get() {
        JobState::Running => view! {
            <p class="lede accepted-eta" data-testid="accepted-eta">
                {move || format!("This usually takes {}.", job.with(Job::usual_duration))}
            </p>
            <p class="accepted-leave" data-testid="accepted-leave">
                "You can leave this page. When it's finished we'll tell you here in Order Desk, and by email."
            </p>
        }
        .into_any(),
        JobState::Succeeded | JobState::Failed => view! {
            <p class="lede accepted-outcome" data-testid="accepted-outcome">{move || job.with(Job::notice_body)}</p>
        }
        .into_any(),
    };
    let status_link = move || match state.get() {
        JobState::Running => "Follow its progress",
        JobState::Succeeded => "View status",
        JobState::Failed => "See what to do",
    };

    view! {
        <section class="page accepted-page" data-testid="accepted" data-state=move || state.get().as_str()>
            <div class=move || format!("accepted-card is-{}", state.get().as_str())>
                <span class="accepted-mark" aria-hidden="true">
                    {move || match state.get() {
                        JobState::Running => "",
                        JobState::Succeeded => "✓",
                        JobState::Failed => "!",
                    }}
                </span>
                <p class="eyebrow">{move || if state.get() == JobState::Running { "Order accepted" } else { "Order update" }}</p>
                <h1 data-testid="accepted-title">{title}</h1>
                {summary}
                <div class="accepted-progress">
                    <JobProgress job=move || job.get() now/>
                </div>
                <Show when=move || state.get() == JobState::Running>
                    <BrowserNotifyButton/>
                </Show>
                <div class="accepted-actions">
                    <a
                        class="button button-primary"
                        href=href
                        data-testid="accepted-status-link"
                    >
                        {status_link}
                    </a>
                    <a class="button" href="/orders" data-testid="accepted-orders-link">"Back to orders"</a>
                </div>
            </div>
        </section>
    }
    .into_any()
}
