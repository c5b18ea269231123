//! A placing job's state: badge, progress bar, the step it is on, and a link to its status
//! page. `compact` for a list row, full for pages. It shows what it is given; it fetches nothing.

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
    /// One line for a list row: badge, thin bar, short step text, "Status" link.
    #[prop(optional)]
    compact: bool,
    /// Leave out the link to the status page (on pages that link to it themselves).
    #[prop(optional)]
    no_link: bool,
) -> impl IntoView {
    let job = Memo::new(move |_| job());
    let badge = Memo::new(move |_| job.with(|j| j.badge(now())));
    let progress = move || job.with(|j| j.progress.min(100));
    let number = move || job.with(|j| j.order_number.to_string());
    let mode = if compact { "compact" } else { "full" };
    let step = move || job.with(|j| step_text(j, compact));

    let link = (!no_link).then(|| {
        let text = if compact { "Status" } else { "View status page" };
        view! {
            <a
                class="job-status-link"
                href=move || job.with(Job::href)
                aria-label=move || format!("{text} of {}", number())
                data-testid="job-status-link"
            >
                {text}
            </a>
        }
    });

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
            <p class="job-step" data-testid="job-step">{step}</p>
            {(!compact).then(|| view! { <JobSteps job/> })}
            {link}
        </div>
    }
    .into_any()
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

/// "Step 2 of 3 · Reserving stock" (full) or "2 of 3 · Reserving stock" (compact).
fn step_text(job: &Job, compact: bool) -> String {
    let at = usize::from(job.steps_done).min(STEPS - 1);
    let label = JobStep::ALL[at].label();
    match job.state {
        JobState::Running if usize::from(job.steps_done) >= STEPS => "Finishing up".to_string(),
        JobState::Running if compact => format!("{} of {STEPS} · {label}", at + 1),
        JobState::Running => format!("Step {} of {STEPS} · {label}", at + 1),
        JobState::Succeeded if compact => "All steps done".to_string(),
        JobState::Succeeded => format!("All {STEPS} steps done"),
        JobState::Failed if compact => format!("Stopped at {}", label.to_lowercase()),
        JobState::Failed => format!("Stopped at step {} of {STEPS} · {label}", at + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{JobId, OrderId, OrderNumber};

    fn job(state: JobState, steps_done: u8) -> Job {
        Job {
            id: JobId::new(),
            order_id: OrderId::new(),
            order_number: OrderNumber::parse("ORD-1042").unwrap(),
            state,
            steps_done,
            progress: 40,
            submitted_at: 0,
            eta_at: 120_000,
            deadline_at: 300_000,
            finished_at: None,
            failure: None,
            version: 1,
        }
    }

    #[test]
    fn step_text_names_the_running_step_and_where_a_job_stopped() {
        assert_eq!(step_text(&job(JobState::Running, 1), false), "Step 2 of 3 · Reserving stock");
        assert_eq!(step_text(&job(JobState::Running, 1), true), "2 of 3 · Reserving stock");
        assert_eq!(step_text(&job(JobState::Running, 3), false), "Finishing up");
        assert_eq!(step_text(&job(JobState::Succeeded, 3), true), "All steps done");
        assert_eq!(step_text(&job(JobState::Failed, 0), false), "Stopped at step 1 of 3 · Authorising payment");
        assert_eq!(step_text(&job(JobState::Failed, 2), true), "Stopped at arranging fulfilment");
    }
}
