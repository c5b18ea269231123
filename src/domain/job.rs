//! Long-running work: placing an order runs as a durable job on the server (payment, stock,
//! fulfilment). These are the job's records as both sides see them on the wire.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

use super::{Order, OrderId, OrderNumber, Timestamp};

/// A job's identity: a UUIDv7 made by the server when it accepts the work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(Uuid);

impl JobId {
    pub fn new() -> Self {
        JobId(Uuid::now_v7())
    }

    pub const fn from_uuid(id: Uuid) -> Self {
        JobId(id)
    }

    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }

    /// Parses a job id from a URL or a form; the error says what to do.
    pub fn parse(s: &str) -> Result<Self, super::ValidationError> {
        Uuid::parse_str(s.trim()).map(JobId).map_err(|_| {
            super::ValidationError::new(
                super::Field::JobId,
                format!("\"{}\" is not a job reference. Open the job from the orders list.", super::excerpt(s)),
            )
        })
    }

    /// The short reference a person quotes to support: `JOB-` and the id's last 8 hex digits.
    pub fn reference(&self) -> String {
        let hex = self.0.simple().to_string();
        // Hex is ASCII: `to_ascii_uppercase` keeps Unicode case tables out of the WASM.
        format!("JOB-{}", hex[hex.len() - 8..].to_ascii_uppercase())
    }
}

impl Default for JobId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The steps of placing an order, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStep {
    Payment,
    Stock,
    Fulfilment,
}

impl JobStep {
    pub const ALL: [JobStep; 3] = [JobStep::Payment, JobStep::Stock, JobStep::Fulfilment];

    /// What the step does, as the status page and the list say it while it runs.
    pub fn label(self) -> &'static str {
        match self {
            JobStep::Payment => "Authorising payment",
            JobStep::Stock => "Reserving stock",
            JobStep::Fulfilment => "Arranging fulfilment",
        }
    }

    /// What the history says once the step is done.
    pub fn done_label(self) -> &'static str {
        match self {
            JobStep::Payment => "Payment authorised",
            JobStep::Stock => "Stock reserved",
            JobStep::Fulfilment => "Fulfilment arranged",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JobStep::Payment => "payment",
            JobStep::Stock => "stock",
            JobStep::Fulfilment => "fulfilment",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The step at `index` (0-based), if there is one.
    pub fn at(index: u8) -> Option<Self> {
        Self::ALL.get(usize::from(index)).copied()
    }
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Accepted, steps still running (or waiting to run after a restart).
    Running,
    /// Every step done: the order is placed.
    Succeeded,
    /// Stopped for good; `failure` says why and what to do next.
    Failed,
}

impl JobState {
    pub const ALL: [JobState; 3] = [JobState::Running, JobState::Succeeded, JobState::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn is_terminal(self) -> bool {
        self != JobState::Running
    }
}

/// Why a job failed, and what the person can do about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFailure {
    /// What failed, in a sentence ("The card issuer declined the payment.").
    pub reason: String,
    /// What to do next ("Check the payment details and place the order again.").
    pub next_step: String,
}

/// One job as the list, the status page and notifications show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: JobId,
    pub order_id: OrderId,
    pub order_number: OrderNumber,
    pub state: JobState,
    /// How many steps are done (0 to 3); while running, the step running is `JobStep::at(steps_done)`.
    pub steps_done: u8,
    /// Overall progress, 0 to 100, reported by the steps as they run.
    pub progress: u8,
    pub submitted_at: Timestamp,
    /// When the work usually has finished; past it the UI says it is taking longer than usual.
    pub eta_at: Timestamp,
    /// When the job fails if it has not finished.
    pub deadline_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub failure: Option<JobFailure>,
    /// Incremented on every change, so an older update never overwrites a newer one.
    pub version: i64,
}

impl Job {
    /// The step running now, if the job is running.
    pub fn current_step(&self) -> Option<JobStep> {
        (self.state == JobState::Running).then(|| JobStep::at(self.steps_done)).flatten()
    }

    /// Running past its ETA: the UI says it is taking longer than usual.
    pub fn is_late(&self, now: Timestamp) -> bool {
        self.state == JobState::Running && now >= self.eta_at
    }

    /// "about 2 minutes", "about 30 seconds": how long the work usually takes, for the copy.
    pub fn usual_duration(&self) -> String {
        about(self.eta_at - self.submitted_at)
    }

    /// The class and the word for the job's state in badges: `placing`, `late`, `placed`, `failed`.
    pub fn badge(&self, now: Timestamp) -> (&'static str, &'static str) {
        match self.state {
            JobState::Running if self.is_late(now) => ("late", "Taking longer than usual"),
            JobState::Running => ("placing", "Placing"),
            JobState::Succeeded => ("placed", "Placed"),
            JobState::Failed => ("failed", "Failed"),
        }
    }

    /// The status page's path.
    pub fn href(&self) -> String {
        format!("/jobs/{}", self.id)
    }

    /// The headline of the notification (in-app, browser, email subject) when the job ends;
    /// `None` while it runs.
    pub fn notice_title(&self) -> Option<String> {
        match self.state {
            JobState::Running => None,
            JobState::Succeeded => Some(format!("{} is placed", self.order_number)),
            JobState::Failed => Some(format!("{} couldn't be placed", self.order_number)),
        }
    }

    /// The notification's text: what was done, or why it failed and what to do next.
    pub fn notice_body(&self) -> String {
        match (&self.state, &self.failure) {
            (JobState::Succeeded, _) => "Payment, stock and fulfilment are done.".to_string(),
            (JobState::Failed, Some(f)) => format!("{} {}", f.reason, f.next_step),
            (JobState::Failed, None) => {
                format!("It was stopped before it finished. Place it again, or contact support quoting {}.", self.id.reference())
            }
            (JobState::Running, _) => format!("Placing {}…", self.order_number),
        }
    }
}

/// "about 2 minutes" for a span in milliseconds (rounded to whole minutes from 90 s, else seconds).
pub fn about(ms: i64) -> String {
    let secs = (ms.max(0) + 500) / 1000;
    if secs >= 90 {
        let mins = (secs + 30) / 60;
        format!("about {mins} minutes")
    } else if secs >= 60 {
        "about a minute".to_string()
    } else {
        let secs = secs.max(1);
        format!("about {secs} second{}", if secs == 1 { "" } else { "s" })
    }
}

/// What happened to a job, in the order it happened: the status page's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobEventKind {
    Submitted,
    StepStarted,
    StepDone,
    /// The server restarted while the job ran and picked it up again.
    Resumed,
    Completed,
    Failed,
}

impl JobEventKind {
    pub const ALL: [JobEventKind; 6] = [
        JobEventKind::Submitted,
        JobEventKind::StepStarted,
        JobEventKind::StepDone,
        JobEventKind::Resumed,
        JobEventKind::Completed,
        JobEventKind::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobEventKind::Submitted => "submitted",
            JobEventKind::StepStarted => "step_started",
            JobEventKind::StepDone => "step_done",
            JobEventKind::Resumed => "resumed",
            JobEventKind::Completed => "completed",
            JobEventKind::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One line of a job's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobEvent {
    /// Position in the job's history, from 1.
    pub seq: i64,
    pub at: Timestamp,
    pub kind: JobEventKind,
    pub step: Option<JobStep>,
    /// The line as the status page shows it ("Payment authorised").
    pub message: String,
}

/// Everything the status page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobDetail {
    pub job: Job,
    pub order: Order,
    pub events: Vec<JobEvent>,
}

/// The answer to placing an order: the work is accepted (not done), and the order now placing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceReceipt {
    pub job: Job,
    pub order: Order,
}

/// What the server pushes to open pages (server-sent events on `/api/events`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerEvent {
    /// An order changed (by any tab, user or job): its full record.
    Order(Order),
    /// An order left the list (its delete is held or final).
    OrderRemoved(OrderId),
    /// A job changed: progress, a step, or its end.
    Job(Job),
}

/// A job of ORD-1042 for unit tests: submitted at 0, usual time 2 minutes, deadline 5 minutes,
/// 40% done.
#[cfg(test)]
pub(crate) fn sample_job(state: JobState, steps_done: u8) -> Job {
    Job {
        id: JobId::new(),
        order_id: OrderId::new(),
        order_number: OrderNumber::parse("ORD-1042").expect("a valid order number"),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn job(state: JobState, steps_done: u8) -> Job {
        sample_job(state, steps_done)
    }

    #[test]
    fn a_bad_job_id_is_quoted_only_by_a_short_prefix_without_invisible_characters() {
        let err = JobId::parse(&format!("JOB-\u{202E}{}", "1".repeat(50_000))).unwrap_err();
        assert!(err.message.len() < 120, "{}", err.message);
        assert!(!err.message.contains('\u{202E}'), "{}", err.message);
    }

    #[test]
    fn references_are_short_and_stable() {
        let id = JobId::from_uuid(Uuid::parse_str("0196a3b2-7c1d-7e4f-8a9b-0123456789ab").unwrap());
        assert_eq!(id.reference(), "JOB-456789AB");
        assert_eq!(JobId::parse(&id.to_string()).unwrap(), id);
        assert_eq!(JobId::parse("ORD-1").unwrap_err().field, super::super::Field::JobId);
    }

    #[test]
    fn the_running_step_follows_the_steps_done() {
        assert_eq!(job(JobState::Running, 0).current_step(), Some(JobStep::Payment));
        assert_eq!(job(JobState::Running, 2).current_step(), Some(JobStep::Fulfilment));
        assert_eq!(job(JobState::Succeeded, 3).current_step(), None);
        assert_eq!(job(JobState::Failed, 1).current_step(), None);
    }

    #[test]
    fn a_running_job_past_its_eta_is_late_and_says_so() {
        let j = job(JobState::Running, 1);
        assert_eq!(j.badge(119_999), ("placing", "Placing"));
        assert!(j.is_late(120_000));
        assert_eq!(j.badge(120_000), ("late", "Taking longer than usual"));
        assert!(!job(JobState::Succeeded, 3).is_late(500_000));
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(job(JobState::Running, 0).usual_duration(), "about 2 minutes");
        assert_eq!(about(65_000), "about a minute");
        assert_eq!(about(4_000), "about 4 seconds");
        assert_eq!(about(200), "about 1 second");
    }

    #[test]
    fn names_round_trip() {
        for s in JobStep::ALL {
            assert_eq!(JobStep::parse(s.as_str()), Some(s));
        }
        for s in JobState::ALL {
            assert_eq!(JobState::parse(s.as_str()), Some(s));
        }
        for k in JobEventKind::ALL {
            assert_eq!(JobEventKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(JobStep::at(3), None);
    }

    #[test]
    fn notices_say_done_only_when_done_and_why_on_failure() {
        let mut j = job(JobState::Running, 1);
        assert_eq!(j.notice_title(), None);
        j.state = JobState::Succeeded;
        assert_eq!(j.notice_title().unwrap(), "ORD-1042 is placed");
        j.state = JobState::Failed;
        j.failure = Some(JobFailure { reason: "The card issuer declined the payment.".into(), next_step: "Check it.".into() });
        assert_eq!(j.notice_title().unwrap(), "ORD-1042 couldn't be placed");
        assert_eq!(j.notice_body(), "The card issuer declined the payment. Check it.");
    }
}
