//! The job runner (server only): runs each placed order's job step by step, fails jobs past
//! their deadline, picks unfinished jobs up again after a restart (and, by the watchdog, any
//! running job that has no task, e.g. when its request ended between commit and start), and
//! emails their endings.
//! The state lives in the database (`crate::store`); this module only decides when each guarded
//! transition is tried and publishes what changed. It never panics: a failed transition is
//! logged and tried again.
//!
//! Several instances may share the database. A job is run by one of them at a time: its task
//! first takes the job's lease ([`Db::claim_job`]) and renews it every third of
//! `jobs.lease_ms`; every step it records is guarded by holding it. An instance that dies stops
//! renewing, and once its lease has run out another instance's watchdog takes the job over and
//! goes on from its step (the history says it was picked up again).

mod mailer;

pub use mailer::{MailError, Mailer, MAX_ATTEMPTS as MAX_EMAIL_ATTEMPTS};

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clock::SharedClock;
use crate::config::Settings;
use crate::domain::job_copy as copy;
use crate::domain::{Job, JobId, JobStep, Order};
use crate::store::StoreError;
use crate::faults::JobFault;
use crate::push::Events;
use crate::store::{Db, Ending, JobRun};

/// Progress reports per step.
const TICKS_PER_STEP: u32 = 4;
/// How long to wait before trying a transition again after the database failed.
const RETRY: Duration = Duration::from_millis(500);
/// How often the watchdog looks for jobs past their deadline or without a task.
const WATCHDOG_EVERY: Duration = Duration::from_millis(250);

/// How long a running job that no instance has taken yet must have been left unchanged before
/// the watchdog starts a task for it: the request that committed it starts it a moment later,
/// so a younger one is not an orphan.
const ORPHAN_AFTER_MS: i64 = 1_000;

/// Overall progress (0 to 99 while running) with `steps_done` steps done and `tick` of the
/// next step's [`TICKS_PER_STEP`] reports made. 100 is only reached by completing.
pub fn progress(steps_done: u8, tick: u32) -> u8 {
    let all = JobStep::ALL.len() as u32 * TICKS_PER_STEP;
    let done = (u32::from(steps_done) * TICKS_PER_STEP + tick.min(TICKS_PER_STEP)).min(all);
    (done * 100 / all).min(99) as u8
}

/// Runs jobs. Cheap to share (`Arc`); each job runs on its own tokio task.
pub struct JobRunner {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    settings: Arc<Settings>,
    clock: SharedClock,
    events: Events,
    /// This instance's name: the runner its tasks take jobs' leases as.
    instance: String,
    /// The jobs with a task in this process, so a job never runs twice at once.
    running: Mutex<HashSet<JobId>>,
}

/// What a restart found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resumed {
    /// Jobs picked up again.
    pub resumed: usize,
    /// Jobs whose deadline passed while the server was down, now failed.
    pub failed: usize,
}

/// Removes the job from the running set when its task ends, however it ends.
struct Claim {
    inner: Arc<Inner>,
    id: JobId,
}

impl Drop for Claim {
    fn drop(&mut self) {
        if let Ok(mut running) = self.inner.running.lock() {
            running.remove(&self.id);
        }
    }
}

/// What to do after one attempt at moving a job on.
enum Next {
    /// Read the job again and carry on from where it is.
    Reload,
    /// The job has ended (or will only end by its deadline): the task is done.
    Stop,
}

impl JobRunner {
    pub fn new(db: Db, settings: Arc<Settings>, clock: SharedClock, events: Events, instance: String) -> Self {
        JobRunner { inner: Arc::new(Inner { db, settings, clock, events, instance, running: Mutex::new(HashSet::new()) }) }
    }

    /// Runs the job on its own task, from the step it has reached. Starting a job that
    /// already runs here, or has ended, does nothing.
    pub fn start(&self, id: JobId) {
        Inner::start(&self.inner, id);
    }

    /// Whether a task of this process is running the job.
    pub fn is_running(&self, id: JobId) -> bool {
        self.inner.running.lock().map(|r| r.contains(&id)).unwrap_or(false)
    }

    /// At start-up: every job left running either fails (its deadline passed while the server
    /// was down) or gets a task here, which picks it up from its step with a `resumed` line in
    /// its history: at once if this instance (by its name) ran it or none did, else once the
    /// lease of the instance running it has run out (if that instance is alive, it keeps it).
    pub async fn resume_all(&self) -> Result<Resumed, StoreError> {
        let inner = &self.inner;
        let now = inner.clock.now_ms();
        let mut report = Resumed::default();
        for run in inner.db.running_jobs(None).await? {
            let id = run.job.id;
            if run.job.deadline_at <= now {
                let failure = copy::restart_failure(&run.job);
                let notice = copy::failure_notice(&run.job, &failure, &inner.settings.email.base_url);
                if let Some((job, order)) = inner.db.fail_job(id, Ending::PastDeadline, &failure, &notice, now).await? {
                    tracing::warn!(job = %job.id.reference(), order = %job.order_number, "failed a job whose deadline passed while the server was down");
                    inner.publish(&job, order.as_ref()).await;
                    report.failed += 1;
                }
            } else if run.runner.as_deref().is_none_or(|r| r == inner.instance) && Inner::start(inner, id) {
                report.resumed += 1;
            }
        }
        Ok(report)
    }

    /// Every [`WATCHDOG_EVERY`]: fails running jobs whose deadline has passed, then starts
    /// every running job that has no task here (see `Inner::start_orphans`).
    pub fn spawn_watchdog(&self) -> tokio::task::JoinHandle<()> {
        let inner = self.inner.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(WATCHDOG_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = inner.fail_overdue().await {
                    tracing::warn!(error = %e, "deadline check failed; will try again");
                }
                if let Err(e) = Inner::start_orphans(&inner).await {
                    tracing::warn!(error = %e, "the check for jobs without a task failed; will try again");
                }
            }
        })
    }

    /// Fails every running job past its deadline now. Returns how many it failed.
    pub async fn fail_overdue(&self) -> Result<usize, StoreError> {
        self.inner.fail_overdue().await
    }
}

impl Inner {
    /// Spawns the job's task unless one runs already; whether it spawned one.
    fn start(inner: &Arc<Inner>, id: JobId) -> bool {
        let claimed = match inner.running.lock() {
            Ok(mut running) => running.insert(id),
            Err(_) => false,
        };
        if !claimed {
            return false;
        }
        let claim = Claim { inner: inner.clone(), id };
        let task = inner.clone();
        tokio::spawn(async move {
            let _claim = claim;
            task.run(id).await;
        });
        true
    }

    /// Starts every running job that no instance runs: one whose request ended after the job
    /// was committed but before its task started, or one whose instance died (its lease ran
    /// out). Without this it would wait, with no progress, until its deadline failed it with a
    /// reason that isn't true. Jobs stalled on purpose (fault controls) are left to their
    /// deadline. Returns how many started.
    async fn start_orphans(inner: &Arc<Inner>) -> Result<usize, StoreError> {
        let mut started = 0;
        let now = inner.clock.now_ms();
        for id in inner.db.idle_runnable_job_ids(now.saturating_sub(ORPHAN_AFTER_MS), now).await? {
            // A job started between the read and here is in `running`: `start` skips it.
            if Inner::start(inner, id) {
                tracing::warn!(job = %id.reference(), "a running job had no task (its request ended before starting it, or its instance stopped); started it");
                started += 1;
            }
        }
        Ok(started)
    }

    /// Tells the pages of the order's workspace of the job's change (and the order's).
    async fn publish(&self, job: &Job, order: Option<&Order>) {
        let workspace = match self.db.workspace_of_order(job.order_id).await {
            Ok(Some(w)) => w,
            // Gone (pruned), or the read failed: pages catch up when they next read.
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, job = %job.id.reference(), "can't tell which workspace to tell of a job's change");
                return;
            }
        };
        self.events.job(workspace, job);
        if let Some(order) = order {
            self.events.order(workspace, order);
        }
    }

    async fn fail_overdue(&self) -> Result<usize, StoreError> {
        let now = self.clock.now_ms();
        let mut failed = 0;
        for run in self.db.running_jobs(Some(now)).await? {
            let failure = copy::deadline_failure(&run.job);
            let notice = copy::failure_notice(&run.job, &failure, &self.settings.email.base_url);
            if let Some((job, order)) = self.db.fail_job(run.job.id, Ending::PastDeadline, &failure, &notice, now).await? {
                tracing::info!(job = %job.id.reference(), order = %job.order_number, "a job passed its deadline and was stopped");
                self.publish(&job, order.as_ref()).await;
                failed += 1;
            }
        }
        Ok(failed)
    }

    /// Takes the job's lease and, while it holds it, moves the job on until it ends. Another
    /// instance holding the job keeps it; a lease lost meanwhile stops the task at its next step.
    async fn run(&self, id: JobId) {
        let lease_ms = self.settings.jobs.lease_ms as i64;
        let claimed = self.saved(|| {
            let now = self.clock.now_ms();
            self.db.claim_job(id, &self.instance, now, now.saturating_add(lease_ms))
        });
        let Some(resumed) = claimed.await else { return };
        if resumed && let Some(run) = self.saved(|| self.db.job_run(id)).await {
            let message = copy::resumed(&run.job);
            if let Some(job) = self.saved(|| self.db.resume_job(id, &self.instance, &message, self.clock.now_ms())).await {
                tracing::info!(job = %job.id.reference(), order = %job.order_number, steps_done = job.steps_done, "picked up a job its last runner left");
                self.publish(&job, None).await;
            }
        }
        tokio::select! {
            () = self.drive(id) => {}
            never = self.keep_lease(id) => match never {},
        }
    }

    /// Renews the job's lease every third of `jobs.lease_ms` for as long as the task runs. When
    /// it is lost (the job ended, or another instance took it over) it stops renewing: the task's
    /// next guarded step finds out and ends the task.
    async fn keep_lease(&self, id: JobId) -> std::convert::Infallible {
        let lease_ms = self.settings.jobs.lease_ms;
        loop {
            tokio::time::sleep(Duration::from_millis(lease_ms / 3)).await;
            let until = self.clock.now_ms().saturating_add(lease_ms as i64);
            match self.db.renew_job_lease(id, &self.instance, until).await {
                Ok(true) => {}
                Ok(false) => return std::future::pending().await,
                Err(e) => tracing::warn!(job = %id.reference(), error = %e, "a job's lease could not be renewed; will try again"),
            }
        }
    }

    /// Moves the job on until it ends, reading it again after every change made elsewhere.
    async fn drive(&self, id: JobId) {
        loop {
            let run = match self.db.job_run(id).await {
                Ok(Some(run)) => run,
                Ok(None) => {
                    tracing::warn!(job = %id.reference(), "asked to run a job that does not exist");
                    return;
                }
                Err(e) => {
                    tracing::warn!(job = %id.reference(), error = %e, "can't read the job; will try again");
                    tokio::time::sleep(RETRY).await;
                    continue;
                }
            };
            match self.advance(&run).await {
                Ok(Next::Reload) => {}
                Ok(Next::Stop) => return,
                Err(e) => {
                    tracing::warn!(job = %id.reference(), error = %e, "a job step could not be saved; will try again");
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
    }

    /// Runs the job's next step (or ends it). Every change is one guarded transaction; when
    /// one finds the job moved on elsewhere (its deadline failed it), the job is read again.
    async fn advance(&self, run: &JobRun) -> Result<Next, StoreError> {
        let job = &run.job;
        if job.state.is_terminal() {
            return Ok(Next::Stop);
        }
        if run.fault == Some(JobFault::Stall) {
            // Stalled on purpose: nothing moves until the watchdog fails it at its deadline.
            return Ok(Next::Stop);
        }
        if run.runner.as_deref() != Some(self.instance.as_str()) {
            tracing::info!(job = %job.id.reference(), runner = ?run.runner, "another instance runs this job now; this task stops");
            return Ok(Next::Stop);
        }
        let me = self.instance.as_str();
        let id = job.id;
        let index = job.steps_done;
        let Some(step) = JobStep::at(index) else {
            let notice = copy::success_notice(job, &run.order, &self.settings.email.base_url);
            let ended = self.db.complete_job(id, me, &copy::completed(job), &notice, self.clock.now_ms()).await?;
            if let Some((job, order)) = ended {
                tracing::info!(job = %job.id.reference(), order = %job.order_number, "order placed");
                self.publish(&job, order.as_ref()).await;
            }
            return Ok(Next::Reload);
        };

        match self.db.start_step(id, me, index, progress(index, 0), self.clock.now_ms()).await? {
            Some(job) => self.publish(&job, None).await,
            None => return Ok(Next::Reload),
        }
        let step_ms = self.settings.jobs.step_ms(step);
        let tick = Duration::from_millis(step_ms / u64::from(TICKS_PER_STEP));
        for t in 1..TICKS_PER_STEP {
            tokio::time::sleep(tick).await;
            match self.db.report_progress(id, me, index, progress(index, t), self.clock.now_ms()).await {
                Ok(Some(job)) => self.publish(&job, None).await,
                Ok(None) => return Ok(Next::Reload),
                // Progress is only a report; the step goes on.
                Err(e) => tracing::debug!(job = %id.reference(), error = %e, "a progress report was not saved"),
            }
        }
        tokio::time::sleep(Duration::from_millis(step_ms) - tick * (TICKS_PER_STEP - 1)).await;

        if run.fails_at == Some(step) {
            let failure = copy::step_failure(step, job, &run.order);
            let notice = copy::failure_notice(job, &failure, &self.settings.email.base_url);
            let ended = self.saved(|| self.db.fail_job(id, Ending::AtStep(index, me), &failure, &notice, self.clock.now_ms())).await;
            if let Some((job, order)) = ended {
                tracing::info!(job = %job.id.reference(), order = %job.order_number, step = step.as_str(), "a job step failed");
                self.publish(&job, order.as_ref()).await;
            }
            return Ok(Next::Reload);
        }
        if let Some(job) = self.saved(|| self.db.finish_step(id, me, index, progress(index + 1, 0), self.clock.now_ms())).await {
            self.publish(&job, None).await;
        }
        Ok(Next::Reload)
    }

    /// Tries a guarded transition until the database takes it (or says it no longer
    /// applies), so the end of a step's work is not thrown away by a busy database.
    async fn saved<T, F, Fut>(&self, attempt: F) -> Option<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Option<T>, StoreError>>,
    {
        loop {
            match attempt().await {
                Ok(result) => return result,
                Err(e) => {
                    tracing::warn!(error = %e, "a job transition could not be saved; trying again");
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_rises_with_every_report_and_reaches_100_only_by_completing() {
        let mut last = 0;
        for done in 0..3u8 {
            for t in 0..TICKS_PER_STEP {
                let p = progress(done, t);
                assert!(p >= last, "progress never goes back ({done}, {t}: {p} < {last})");
                last = p;
            }
        }
        assert_eq!(progress(0, 0), 0);
        assert_eq!(progress(1, 0), 33);
        assert_eq!(progress(2, 0), 66);
        assert_eq!(progress(3, 0), 99);
        assert_eq!(progress(3, 99), 99);
    }
}
