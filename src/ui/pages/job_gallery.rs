//! The state gallery's second half: placing an order. The accepted screen, each job state
//! (compact and full), the status page, a history and each notification, rendered by the real
//! components from fixed jobs at a fixed "now". Nothing here is sent to the server.

use leptos::either::Either;
use leptos::prelude::*;

use crate::domain::{
    format_timestamp, job_copy, line_total, CustomerName, ItemName, Job, JobEmail, JobEvent, JobEventKind, JobFailure, JobId, JobState, JobStep, Money, Note, Order,
    OrderId, OrderNumber, OrderStatus, Quantity, Timestamp,
};
use crate::ui::components::{JobLink, JobProgress, JobTimeline, NotificationCard};

use super::accepted::AcceptedView;
use super::job_status::JobStatusView;
use super::states::GalleryItem;

/// 23 Nov 2026, 14:05 UTC, as in the rows above: the moment every fixed job is submitted.
const T0: Timestamp = 1_795_442_709_000;
const ETA: Timestamp = T0 + 120_000;
const DEADLINE: Timestamp = T0 + 300_000;

fn order(status: OrderStatus) -> Order {
    let quantity = Quantity::parse(12).expect("12 is a valid quantity");
    let unit_price = Money::from_cents(2_450);
    Order {
        id: OrderId::from_uuid(uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + 1042)),
        number: Some(OrderNumber::new(1042)),
        customer: CustomerName::parse("Harbor Street Café").expect("valid"),
        item: ItemName::parse("Espresso beans, 1 kg").expect("valid"),
        note: Note::parse("").expect("an empty note is valid"),
        quantity,
        unit_price,
        total: line_total(quantity, unit_price),
        status,
        starred: false,
        position: 1042,
        version: 5,
        created_at: T0 - 3_600_000,
        updated_at: T0,
    }
}

fn job(n: u128, state: JobState, steps_done: u8, progress: u8, finished: Option<Timestamp>) -> Job {
    Job {
        id: JobId::from_uuid(uuid::Uuid::from_u128(0x0190_0000_0000_7000_a000_0000_1a2b_3c00 + n)),
        order_id: order(OrderStatus::Placing).id,
        order_number: OrderNumber::new(1042),
        state,
        steps_done,
        progress,
        submitted_at: T0,
        eta_at: ETA,
        deadline_at: DEADLINE,
        finished_at: finished,
        failure: None,
        version: i64::from(steps_done) + 2,
    }
}

/// A failed job, with the server's own words for its failure (`job_copy`).
fn failed(mut job: Job, failure: impl FnOnce(&Job) -> JobFailure) -> Job {
    job.failure = Some(failure(&job));
    job
}

fn running() -> Job {
    job(1, JobState::Running, 1, 45, None)
}
fn late() -> Job {
    job(2, JobState::Running, 2, 78, None)
}
fn placed() -> Job {
    job(3, JobState::Succeeded, 3, 100, Some(T0 + 101_000))
}
fn declined() -> Job {
    failed(job(4, JobState::Failed, 0, 12, Some(T0 + 21_000)), |j| job_copy::step_failure(JobStep::Payment, j, &order(OrderStatus::Placing)))
}
fn timed_out() -> Job {
    failed(job(5, JobState::Failed, 2, 80, Some(DEADLINE)), job_copy::deadline_failure)
}

fn event(seq: i64, at: Timestamp, kind: JobEventKind, step: Option<JobStep>, message: &str) -> JobEvent {
    JobEvent { seq, at, kind, step, message: message.into() }
}

/// The history up to the end of the second step (both fixed histories share it).
fn first_steps() -> Vec<JobEvent> {
    use JobEventKind::*;
    vec![
        event(1, T0, Submitted, None, "Order submitted"),
        event(2, T0 + 1_000, StepStarted, Some(JobStep::Payment), "Authorising payment"),
        event(3, T0 + 26_000, StepDone, Some(JobStep::Payment), "Payment authorised"),
        event(4, T0 + 26_000, StepStarted, Some(JobStep::Stock), "Reserving stock"),
        event(5, T0 + 61_000, StepDone, Some(JobStep::Stock), "Stock reserved"),
        event(6, T0 + 61_000, StepStarted, Some(JobStep::Fulfilment), "Arranging fulfilment"),
    ]
}

fn completed_history() -> Vec<JobEvent> {
    let mut events = first_steps();
    events.push(event(7, T0 + 101_000, JobEventKind::StepDone, Some(JobStep::Fulfilment), "Fulfilment arranged"));
    events.push(event(8, T0 + 101_000, JobEventKind::Completed, None, &job_copy::completed(&placed())));
    events
}

fn timed_out_history() -> Vec<JobEvent> {
    let mut events = first_steps();
    let reason = timed_out().failure.map(|f| f.reason).unwrap_or_default();
    events.push(event(7, DEADLINE, JobEventKind::Failed, Some(JobStep::Fulfilment), &reason));
    events
}

/// A job state in both sizes: as a list row shows it, and as a page shows it.
#[component]
fn JobStateItem(slug: &'static str, title: &'static str, about: &'static str, job: Job, now: Timestamp) -> impl IntoView {
    let job = StoredValue::new(job);
    let job = move || job.get_value();
    let now = move || now;
    view! {
        <GalleryItem slug title about>
            <div class="gallery-job">
                <div class="gallery-job-compact">
                    <p class="gallery-label">"In the list"</p>
                    <div class="job-cell">
                        <JobProgress job now compact=true/>
                        <JobLink href=move || job().href() number=move || job().order_number.to_string() running=move || job().state == JobState::Running/>
                    </div>
                </div>
                <div class="card gallery-job-full">
                    <p class="gallery-label">"On a page"</p>
                    <JobProgress job now/>
                </div>
            </div>
        </GalleryItem>
    }
    .into_any()
}

#[component]
fn Accepted(slug: &'static str, title: &'static str, about: &'static str, job: Job, now: Timestamp) -> impl IntoView {
    let job = StoredValue::new(job);
    view! {
        <GalleryItem slug title about>
            <div class="gallery-screen">
                <AcceptedView job=move || job.get_value() now=move || now/>
            </div>
        </GalleryItem>
    }
    .into_any()
}

#[component]
fn Status(slug: &'static str, title: &'static str, about: &'static str, job: Job, events: Vec<JobEvent>, now: Timestamp) -> impl IntoView {
    let status = if job.state == JobState::Failed { OrderStatus::Failed } else { OrderStatus::Placing };
    let job = StoredValue::new(job);
    let events = StoredValue::new(events);
    let order = StoredValue::new(order(status));
    view! {
        <GalleryItem slug title about>
            <div class="gallery-screen">
                <JobStatusView
                    job=move || job.get_value()
                    order=move || order.get_value()
                    events=move || events.get_value()
                    now=move || now
                    newer_job=|| None
                    preview=true
                />
            </div>
        </GalleryItem>
    }
    .into_any()
}

#[component]
fn Notice(slug: &'static str, title: &'static str, about: &'static str, job: Job) -> impl IntoView {
    view! {
        <GalleryItem slug title about>
            <div class="gallery-screen gallery-notification">
                <NotificationCard job on_dismiss=Callback::new(|_| ())/>
            </div>
        </GalleryItem>
    }
    .into_any()
}

/// The browser's own notification (shown when the tab is hidden and the person allowed them):
/// its title and body as the system shows them, from the same copy as the in-app card.
#[component]
fn BrowserNotice(slug: &'static str, title: &'static str, about: &'static str, job: Job) -> impl IntoView {
    let heading = job.notice_title().unwrap_or_default();
    view! {
        <GalleryItem slug title about>
            <div class="gallery-screen gallery-notification">
                <div class="system-notification" data-testid="browser-notification">
                    <p class="system-notification-app">"Order Desk"</p>
                    <p class="system-notification-title">{heading}</p>
                    <p class="system-notification-body">{job.notice_body()}</p>
                </div>
            </div>
        </GalleryItem>
    }
    .into_any()
}

/// Where the fixed emails' links point: a workspace as `email.base_url` names it.
const BASE_URL: &str = "https://desk.example.com";

/// A job's email as the person reads it in their mail client: the headers the mailer sets and
/// the plain-text body the server writes (`job_copy`), its link made clickable as clients do.
#[component]
fn EmailItem(slug: &'static str, title: &'static str, about: &'static str, job: Job) -> impl IntoView {
    let email = ended_email(&job);
    let sent_at = job.finished_at.unwrap_or(job.submitted_at);
    // One text as the client shows plain text: its line breaks kept (`white-space: pre-line`).
    let body = email.body.lines().map(|line| view! { {linked(line)}"\n" }).collect_view();
    view! {
        <GalleryItem slug title about>
            <div class="gallery-screen gallery-email">
                <article class="email" aria-label=format!("Email: {}", email.subject) data-testid="email">
                    <h3 class="email-subject">{email.subject.clone()}</h3>
                    <dl class="email-headers">
                        <dt>"From"</dt>
                        <dd>"Order Desk <orders@desk.example.com>"</dd>
                        <dt>"To"</dt>
                        <dd>"sam@orderdesk.test"</dd>
                        <dt>"Date"</dt>
                        <dd>{format_timestamp(sent_at)}</dd>
                    </dl>
                    <div class="email-body">{body}</div>
                </article>
            </div>
        </GalleryItem>
    }
    .into_any()
}

/// The email the server writes when the job ends: its failure, or the order placed.
fn ended_email(job: &Job) -> JobEmail {
    match &job.failure {
        Some(failure) => job_copy::failure_notice(job, failure, BASE_URL),
        None => job_copy::success_notice(job, &order(OrderStatus::Placed), BASE_URL),
    }
}

/// A plain-text line with its web address as a link (the part after the last space).
fn linked(line: &str) -> impl IntoView + use<> {
    match line.rsplit_once(' ') {
        Some((before, url)) if url.starts_with("https://") => {
            Either::Left(view! { {format!("{before} ")}<a href=url.to_string()>{url.to_string()}</a> })
        }
        _ => Either::Right(line.to_string()),
    }
}

#[component]
pub fn JobGallery() -> impl IntoView {
    // As an editor sees them, whoever looks.
    crate::ui::account::provide_fixed_account(crate::domain::Role::Editor);
    view! {
        <h2 class="gallery-group">"Placing an order"</h2>
        <div class="gallery">
            <Accepted
                slug="accepted"
                title="Accepted screen"
                about="Where placing lands: accepted, not done. The usual duration, where to follow it, and an offer of browser notifications."
                job=running()
                now=T0 + 5_000
            />
            <Accepted
                slug="accepted-placed"
                title="Accepted screen · already placed"
                about="Opened after the job finished: it says so truthfully."
                job=placed()
                now=T0 + 200_000
            />
            <Accepted
                slug="accepted-failed"
                title="Accepted screen · already failed"
                about="Opened after the job failed: why, and where to see what to do."
                job=declined()
                now=T0 + 60_000
            />
            <JobStateItem
                slug="job-running"
                title="Job · running"
                about="Before its ETA: the running step and the job's real progress."
                job=running()
                now=T0 + 50_000
            />
            <JobStateItem
                slug="job-late"
                title="Job · taking longer than usual"
                about="Past its ETA and still running: the badge says so (amber)."
                job=late()
                now=T0 + 150_000
            />
            <JobStateItem slug="job-placed" title="Job · placed" about="Every step done." job=placed() now=T0 + 200_000/>
            <JobStateItem
                slug="job-failed"
                title="Job · failed"
                about="A step failed; the bar stops where it stopped."
                job=declined()
                now=T0 + 60_000
            />
            <JobStateItem
                slug="job-failed-deadline"
                title="Job · failed at the deadline"
                about="Still running at its deadline: stopped, with an explanation."
                job=timed_out()
                now=DEADLINE + 5_000
            />
            <Status
                slug="status-late"
                title="Status page · taking longer than usual"
                about="Past the ETA: a note says when it will stop and that the person will be told what to do."
                job=late()
                events=first_steps()
                now=T0 + 150_000
            />
            <Status
                slug="status-failed"
                title="Status page · failed at the deadline"
                about="Why it stopped, what to do next, Place order again, and the reference to quote to support."
                job=timed_out()
                events=timed_out_history()
                now=DEADLINE + 5_000
            />
            <GalleryItem slug="job-history" title="History · completed" about="Every step with its time; the ending stands out.">
                <div class="card gallery-history">
                    <JobTimeline events=completed_history/>
                </div>
            </GalleryItem>
        </div>
        <h2 class="gallery-group">"Notifications"</h2>
        <div class="gallery">
            <Notice
                slug="notification-success"
                title="Notification · placed"
                about="In the app, wherever the person is, when a job finishes."
                job=placed()
            />
            <Notice
                slug="notification-failure"
                title="Notification · failed"
                about="Why it failed and what to do, linking to the status page."
                job=declined()
            />
            <BrowserNotice
                slug="browser-notification-success"
                title="Browser notification · placed"
                about="When the tab is hidden and the person allowed notifications; a click opens the status page."
                job=placed()
            />
            <BrowserNotice
                slug="browser-notification-failure"
                title="Browser notification · failed"
                about="The same words as in the app: why, and what to do next."
                job=declined()
            />
            <EmailItem
                slug="email-success"
                title="Email · placed"
                about="Sent to the person who placed the order when it is placed, in case the tab was closed."
                job=placed()
            />
            <EmailItem
                slug="email-failure"
                title="Email · failed"
                about="Why it failed and what to do next, with the reference support will ask for."
                job=declined()
            />
        </div>
    }
    .into_any()
}
