//! `/jobs/:id`: one job's status page, server-rendered and deep-linkable. The order, the job's
//! live progress, its full history (refetched as the job moves, never blanked while it
//! loads), and on failure why and what to do next. It decides nothing about the job.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::get_job;
use crate::domain::{format_timestamp, Job, JobDetail, JobEvent, JobState, Order, OrderStatus, ServerEvent, Timestamp};
use crate::sync::{is_current, is_newer};
use crate::ui::codec::Json;
use crate::ui::components::{JobLoadError, JobProgress, JobTimeline, PlaceAgain, StatusBadge};
use crate::ui::live::{use_live_feed, use_live_job};

#[component]
pub fn JobStatusPage() -> impl IntoView {
    with_job_from_url("job-status-page", "job-status", "Loading the job…", |detail| view! { <LiveJobStatus detail/> }.into_any())
}

/// A page about the job named in the URL (`/jobs/:id…`): loads it on the server (so the page is
/// server-rendered and deep-linkable), then shows `page`; a missing job gets a clear message
/// with a way back.
pub(super) fn with_job_from_url(
    class: &'static str,
    testid: &'static str,
    loading: &'static str,
    page: fn(JobDetail) -> AnyView,
) -> AnyView {
    let params = use_params_map();
    let detail = Resource::<_, Json>::new_with_options(move || params.read().get("id").unwrap_or_default(), get_job, false);
    view! {
        <Suspense fallback=move || view! { <p class="loading" role="status">{loading}</p> }>
            {move || crate::ui::hydration::suspend(async move {
                match detail.await {
                    Ok(detail) => page(detail),
                    Err(error) => {
                        #[cfg(feature = "ssr")]
                        if crate::ui::components::is_missing_job(&error) && let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                            res.set_status(axum::http::StatusCode::NOT_FOUND);
                        }
                        view! {
                            <Title text="Job not found"/>
                            <section class=format!("page {class}") data-testid=testid>
                                <JobLoadError error/>
                            </section>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// The status page kept current: the job from the live feed, the order from pushed order
/// changes, and the history fetched again whenever the job moves on (or the feed catches up).
#[component]
fn LiveJobStatus(detail: JobDetail) -> impl IntoView {
    let JobDetail { job: initial, order: initial_order, events: initial_events } = detail;
    let feed = use_live_feed();
    let id = initial.id;
    let order_id = initial.order_id;
    let shown_version = StoredValue::new(initial.version);
    let job = use_live_job(initial);
    let order = RwSignal::new(initial_order);
    let events = RwSignal::new(initial_events);

    feed.on_order_event(move |event| {
        if let ServerEvent::Order(o) = event
            && o.id == order_id
            && order.try_with_untracked(|mine| is_newer(o.version, mine.version)) == Some(true)
        {
            order.set(o.clone());
        }
    });

    // The old history stays on screen until the new one has arrived: no flicker, no spinner.
    Effect::new(move |seen_resyncs: Option<u64>| {
        let resyncs = feed.resyncs();
        let moved_on = job.with(|j| j.version) > shown_version.get_value();
        if moved_on || seen_resyncs.is_some_and(|seen| seen != resyncs) {
            leptos::task::spawn_local(async move {
                let Ok(fresh) = get_job(id.to_string()).await else { return };
                if !is_current(fresh.job.version, shown_version.try_get_value().unwrap_or(i64::MAX)) {
                    return;
                }
                shown_version.set_value(fresh.job.version);
                let _ = events.try_set(fresh.events);
                if order.try_with_untracked(|mine| is_current(fresh.order.version, mine.version)) == Some(true) {
                    order.set(fresh.order);
                }
                feed.seed_jobs([fresh.job]);
            });
        }
        resyncs
    });

    let newer_job = move || feed.job_for_order(order_id).filter(|j| j.id > id);
    let title = move || job.with(|j| format!("{} · {}", j.order_number, j.badge(feed.now()).1));
    view! {
        <Title text=title/>
        // Without JavaScript nothing else keeps the page current: it reloads itself while the
        // job runs (the server stops sending this once it has ended). Raw inside, so hydration
        // never walks it.
        {move || (!job.with(|j| j.state.is_terminal())).then(|| view! { <noscript inner_html=r#"<meta http-equiv="refresh" content="2">"#></noscript> })}
        <JobStatusView
            job=move || job.get()
            order=move || order.get()
            events=move || events.get()
            now=move || feed.now()
            newer_job
        />
    }
    .into_any()
}

/// Everything the status page shows for one job: what the page renders, and what the state
/// gallery renders from fixed data (`preview`: the retry button sends nothing).
#[component]
pub fn JobStatusView(
    job: impl Fn() -> Job + Copy + Send + Sync + 'static,
    order: impl Fn() -> Order + Copy + Send + Sync + 'static,
    events: impl Fn() -> Vec<JobEvent> + Copy + Send + Sync + 'static,
    now: impl Fn() -> Timestamp + Copy + Send + Sync + 'static,
    /// A later attempt at placing the same order, if there is one.
    newer_job: impl Fn() -> Option<Job> + Copy + Send + Sync + 'static,
    #[prop(optional)] preview: bool,
) -> impl IntoView {
    let job = Memo::new(move |_| job());
    let order = Memo::new(move |_| order());
    let badge = Memo::new(move |_| job.with(|j| j.badge(now())));
    let failed = Memo::new(move |_| job.with(|j| j.state == JobState::Failed));
    let heading = move || {
        job.with(|j| match badge.get().0 {
            "late" => format!("{} is taking longer than usual", j.order_number),
            "placing" => format!("{} is being placed", j.order_number),
            _ => j.notice_title().unwrap_or_default(),
        })
    };
    let submitted = move || job.with(|j| format!("Submitted {}", format_timestamp(j.submitted_at)));
    let reference = move || job.with(|j| j.id.reference());

    // Rebuilt only when its text changes, so the note is not re-announced every second.
    let late_text = Memo::new(move |_| {
        (badge.get().0 == "late").then(|| {
            job.with(|j| {
                format!(
                    "It usually takes {}; if it isn't done by {} it will stop and you'll be told what to do.",
                    j.usual_duration(),
                    format_timestamp(j.deadline_at)
                )
            })
        })
    });
    let late_note = move || {
        late_text.get().map(|text| {
            view! {
                <p class="job-late-note" role="status" data-testid="job-late-note">
                    <strong>"Taking longer than usual."</strong>
                    " "
                    {text}
                </p>
            }
        })
    };
    // What the failure box offers: place again, or where the order went since.
    let next = Memo::new(move |_| (order.with(|o| o.status), newer_job().map(|j| (j.href(), j.order_number.to_string()))));

    let failure = move || {
        failed.get().then(|| {
            let (reason, next_step) = job.with_untracked(|j| match &j.failure {
                Some(f) => (f.reason.clone(), f.next_step.clone()),
                None => (j.notice_body(), String::new()),
            });
            let account = crate::ui::account::use_account();
            let retry = move || match next.get() {
                (_, Some((href, number))) => view! {
                    <p class="job-failure-newer" data-testid="job-newer-attempt">
                        {format!("{number} was placed again. ")}
                        <a href=href>"Follow the new attempt"</a>
                    </p>
                }
                .into_any(),
                (OrderStatus::Failed, None) if account.can_edit() => view! { <PlaceAgain order=move || order.get() preview/> }.into_any(),
                (OrderStatus::Failed, None) => view! {
                    <p class="job-failure-newer">{format!("{} can be placed again by an editor of this workspace.", order.with_untracked(Order::display_number))}</p>
                }
                .into_any(),
                // Labels are ASCII: `to_ascii_lowercase` keeps Unicode case tables out of the WASM.
                (status, None) => view! {
                    <p class="job-failure-newer">
                        {format!("{} is now {}.", order.with_untracked(Order::display_number), status.label().to_ascii_lowercase())}
                    </p>
                }
                .into_any(),
            };
            view! {
                <section class="job-failure" aria-labelledby="job-failure-title" data-testid="job-failure">
                    <h2 id="job-failure-title">"Why it stopped"</h2>
                    <p class="job-failure-reason" data-testid="job-failure-reason">{reason}</p>
                    {(!next_step.is_empty()).then(|| view! {
                        <p class="job-failure-next" data-testid="job-failure-next"><strong>"What to do: "</strong>{next_step}</p>
                    })}
                    <div class="job-failure-actions">{retry}</div>
                    <p class="job-support">
                        "Need help? Contact support quoting "
                        <strong class="job-reference" data-testid="job-reference">{reference}</strong>
                        "."
                    </p>
                </section>
            }
        })
    };

    view! {
        <section class="page job-status-page" data-testid="job-status" data-state=move || badge.get().0>
            <a class="back-link" href="/orders">"← Orders"</a>
            <header class="page-header job-status-header">
                <div>
                    <h1 data-testid="job-title">{heading}</h1>
                    <p class="page-subtitle">
                        {submitted}
                        " · Job "
                        <span class="mono">{reference}</span>
                    </p>
                </div>
            </header>
            <div class="job-status-layout">
                <div class="job-status-main">
                    <section class="card job-status-progress" aria-label="Progress">
                        <JobProgress job=move || job.get() now/>
                        {late_note}
                    </section>
                    {failure}
                    <section class="card job-status-history" aria-labelledby="job-history-title">
                        <h2 id="job-history-title" class="card-title">"History"</h2>
                        <JobTimeline events/>
                    </section>
                </div>
                <aside class="card order-summary" aria-labelledby="order-summary-title" data-testid="job-order">
                    <h2 id="order-summary-title" class="card-title">"Order"</h2>
                    <dl class="order-summary-list">
                        <div>
                            <dt>"Number"</dt>
                            <dd class="mono" data-testid="job-order-number">{move || order.with(Order::display_number)}</dd>
                        </div>
                        <div>
                            <dt>"Status"</dt>
                            <dd><StatusBadge status=move || order.with(|o| o.status)/></dd>
                        </div>
                        <div>
                            <dt>"Customer"</dt>
                            <dd data-testid="job-order-customer">{move || order.with(|o| o.customer.to_string())}</dd>
                        </div>
                        <div>
                            <dt>"Item"</dt>
                            <dd data-testid="job-order-item">{move || order.with(|o| o.item.to_string())}</dd>
                        </div>
                        <div>
                            <dt>"Quantity"</dt>
                            <dd data-testid="job-order-quantity">{move || order.with(|o| o.quantity.to_string())}</dd>
                        </div>
                        <div class="order-summary-total">
                            <dt>"Total"</dt>
                            <dd data-testid="job-order-total">{move || order.with(|o| o.total.to_string())}</dd>
                        </div>
                    </dl>
                    <a class="button order-summary-back" href="/orders">"Back to orders"</a>
                </aside>
            </div>
        </section>
    }
    .into_any()
}
