//! A job's history, oldest first: each line with its time and how long after submitting it
//! happened; the ending (completed or failed) stands out. It shows what it is given.

use leptos::prelude::*;

use crate::domain::{format_timestamp, JobEvent};

#[component]
pub fn JobTimeline(
    /// The history to show, read reactively; new lines appear as the list grows.
    events: impl Fn() -> Vec<JobEvent> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lines = move || {
        let events = events();
        let start = events.first().map(|e| e.at);
        events
            .into_iter()
            .map(|e| {
                let kind = e.kind.as_str();
                let after = start.filter(|s| e.seq > 1 && e.at >= *s).map(|s| elapsed(e.at - s));
                view! {
                    <li class=format!("job-event job-event-{kind}") data-testid="job-event" data-kind=kind>
                        <span class="job-event-marker" aria-hidden="true"></span>
                        <div class="job-event-body">
                            <p class="job-event-message">{e.message}</p>
                            <p class="job-event-time">
                                {format_timestamp(e.at)}
                                {after.map(|a| view! { <span class="job-event-after">{a}</span> })}
                            </p>
                        </div>
                    </li>
                }
            })
            .collect_view()
    };
    view! { <ol class="job-timeline" aria-label="History" data-testid="job-history">{lines}</ol> }.into_any()
}

/// "+25 s", "+2 min 5 s": how long after the first line a line happened.
fn elapsed(ms: i64) -> String {
    let secs = (ms.max(0) + 500) / 1000;
    match (secs / 60, secs % 60) {
        (0, s) => format!("+{s} s"),
        (m, 0) => format!("+{m} min"),
        (m, s) => format!("+{m} min {s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::elapsed;

    #[test]
    fn elapsed_time_reads_in_minutes_and_seconds() {
        assert_eq!(elapsed(0), "+0 s");
        assert_eq!(elapsed(24_600), "+25 s");
        assert_eq!(elapsed(120_000), "+2 min");
        assert_eq!(elapsed(125_000), "+2 min 5 s");
    }
}
