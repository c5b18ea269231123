//! A placing job's state: badge, progress bar and the step it is on, `compact` for a list row,
//! full for pages; and a list row's link to the job's status page. They show what they are
//! given; they fetch nothing.

use leptos::prelude::*;

use crate::domain::{Job, JobState, JobStep, Timestamp};

/// How many steps placing an order has, for "Step 2 of 3".
const STEPS: usize = JobStep::ALL.len();

#[component]
pub fn JobProgress(
    /// The job to show, read reactively (a live memo on pages, a fixed value in the gallery).
    job: impl Fn() -> Job + Copy + Send + Sync + 'static,
    /// Now, in milliseconds, for "taking longer than usual". Pages pass the live feed's clock,
    /// which is 0 until hydrated, so the server's HTML and the first client render agree.
    now: impl Fn() -> Timestamp + Copy + Send + Sync + 'static,
    /// One line for a list row: badge, thin bar, short step text (the row adds its `JobLink`).
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let job = Memo::new(move |_| job());
    let badge = Memo::new(move |_| job.with(|j| j.badge(now())));
    let progress = move || job.with(|j| j.progress.min(100));
    let number = move || job.with(|j| j.order_number.to_string());
    let mode = if compact { "compact" } else { "full" };
    let step = Memo::new(move |_| job.with(|j| step_parts(j, compact)));
    let step_text = move || step.with(|(lead, detail)| detail.as_ref().map_or_else(|| lead.clone(), |d| format!("{lead} · {d}")));

    view! {
        <div
            class=move || format!("job-progress job-progress-{mode} is-{}", badge.get().0)
            data-testid="job-progress"
            data-state=move || badge.get().0
            data-mode=mode
        >
            <div class="job-progress-head">
                <span class=move || format!("job-badge job-badge-{}", badge.get().0) data-testid="job-badge">
                    <span class="job-badge-dot" aria-hidden="true"></span>
                    {move || badge.get().1}
                </span>
                {(!compact).then(|| view! { <span class="job-percent" aria-hidden="true">{move || format!("{}%", progress())}</span> })}
            </div>
            <div
                class="job-bar"
                role="progressbar"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=progress
                aria-label=move || format!("Progress of {}", number())
                data-testid="job-progressbar"
            >
                <div class="job-bar-fill" style:width=move || format!("{}%", progress())></div>
            </div>
            <p class="job-step" title=move || compact.then(step_text) data-testid="job-step">
                <span class="job-step-lead">{move || step.with(|(lead, _)| lead.clone())}</span>
                {move || step.with(|(_, detail)| detail.clone()).map(|d| view! { <span class="job-step-detail">{format!(" · {d}")}</span> })}
            </p>
            {(!compact).then(|| view! { <JobSteps job/> })}
        </div>
    }
    .into_any()
}

/// A list row's link to its job's status page: "Status" while the job runs, "History" once it
/// has ended. The row keeps one for as long as its order has a job, beside the progress and
/// then beside the badge, so focus on it stays put when the job ends.
#[component]
pub fn JobLink(
    /// The job's status page.
    href: impl Fn() -> String + Send + Sync + 'static,
    /// The order's number, for the link's name.
    number: impl Fn() -> String + Send + Sync + 'static,
    /// Whether the job is still running.
    running: impl Fn() -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <a
            class="job-link"
            class:is-running=running
            href=href
            aria-label=move || if running() { format!("Status of {}", number()) } else { format!("Placing history of {}", number()) }
            data-testid="order-job-link"
        >
            {move || if running() { "Status" } else { "History" }}
        </a>
    }
}

/// The three steps with a mark for each: done, running, stopped or still to come.
#[component]
fn JobSteps(job: Memo<Job>) -> impl IntoView {
    let items = move || {
        job.with(|j| {
            JobStep::ALL
                .into_iter()
                .enumerate()
                .map(|(i, s)| {
                    let (state, mark, label) = match (i.cmp(&usize::from(j.steps_done)), j.state) {
                        (std::cmp::Ordering::Less, _) => ("done", "✓", s.done_label()),
                        (std::cmp::Ordering::Equal, JobState::Running) => ("current", "", s.label()),
                        (std::cmp::Ordering::Equal, JobState::Failed) => ("stopped", "✕", s.label()),
                        _ => ("todo", "", s.label()),
                    };
                    view! {
                        <li class=format!("job-steps-item is-{state}") data-step=s.as_str() data-step-state=state>
                            <span class="job-steps-mark" aria-hidden="true">{mark}</span>
                            <span class="job-steps-label">{label}</span>
                            <span class="visually-hidden">{step_state_words(state)}</span>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! { <ol class="job-steps" aria-label="Steps">{items}</ol> }.into_any()
}

fn step_state_words(state: &str) -> &'static str {
    match state {
        "done" => " (done)",
        "current" => " (in progress)",
        "stopped" => " (stopped here)",
        _ => " (to come)",
    }
}

/// What the step line says, in two parts: the count ("Step 2 of 3", or "2 of 3" compact) and
/// the step ("Reserving stock"). A narrow list column shows only the count.
fn step_parts(job: &Job, compact: bool) -> (String, Option<String>) {
    let at = usize::from(job.steps_done).min(STEPS - 1);
    let label = Some(JobStep::ALL[at].label().to_string());
    let n = at + 1;
    match job.state {
        JobState::Running if usize::from(job.steps_done) >= STEPS => ("Finishing up".to_string(), None),
        JobState::Running if compact => (format!("{n} of {STEPS}"), label),
        JobState::Running => (format!("Step {n} of {STEPS}"), label),
        JobState::Succeeded if compact => ("All steps done".to_string(), None),
        JobState::Succeeded => (format!("All {STEPS} steps done"), None),
        JobState::Failed if compact => ("Stopped".to_string(), label),
        JobState::Failed => (format!("Stopped at step {n} of {STEPS}"), label),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(state: JobState, steps_done: u8) -> Job {
        crate::domain::sample_job(state, steps_done)
    }

    #[test]
    fn the_step_line_names_the_running_step_and_where_a_job_stopped() {
        let text = |j: &Job, compact| {
            let (lead, detail) = step_parts(j, compact);
            detail.map_or(lead.clone(), |d| format!("{lead} · {d}"))
        };
        assert_eq!(text(&job(JobState::Running, 1), false), "Step 2 of 3 · Reserving stock");
        assert_eq!(text(&job(JobState::Running, 1), true), "2 of 3 · Reserving stock");
        assert_eq!(text(&job(JobState::Running, 3), false), "Finishing up");
        assert_eq!(text(&job(JobState::Succeeded, 3), true), "All steps done");
        assert_eq!(text(&job(JobState::Succeeded, 3), false), "All 3 steps done");
        assert_eq!(text(&job(JobState::Failed, 0), false), "Stopped at step 1 of 3 · Authorising payment");
        assert_eq!(text(&job(JobState::Failed, 2), true), "Stopped · Arranging fulfilment");
    }
}
