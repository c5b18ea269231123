//! Jobs in the database: placing an order, each step of its job, its history and the email outbox.
//! Every transition is one short transaction on the writer, guarded by the state it expects,
//! so it applies at most once however often it is tried (after a restart, or by the runner and
//! the watchdog at once). The runner's timing lives in `crate::jobs`, not here.

use sqlx::{FromRow, AnyConnection};
use std::collections::HashMap;
use uuid::Uuid;

use super::idempotency::WriteMeta;
use super::orders::{OrderRow, ORDER_COLUMNS};
use super::idempotency::Applied;
use super::writes::{live, one_order, returning, to_order};
use super::{db_err, Db, StoreError};
use crate::config::JobSettings;
use crate::domain::{
    Job, JobDetail, JobEmail, JobEvent, JobEventKind, JobFailure, JobId, JobState, JobStep, Order, OrderId, OrderNumber,
    OrderStatus, PlaceReceipt,
};
use crate::faults::JobFault;

/// The columns every job query selects, in `JobRow`'s order (`j` is `jobs`, `o` its order).
const JOB_COLUMNS: &str = "j.id, j.order_id, o.number AS order_number, j.state, j.steps_done, j.progress, \
     j.submitted_at, j.eta_at, j.deadline_at, j.finished_at, j.failure_reason, j.next_step, j.fault, \
     j.fails_at_step, j.version, j.runner";
const JOB_FROM: &str = "FROM jobs j JOIN orders o ON o.id = j.order_id";

/// One row of `jobs` with its order's number, as stored.
#[derive(Debug, Clone, FromRow)]
struct JobRow {
    id: String,
    order_id: String,
    order_number: i64,
    state: String,
    steps_done: i64,
    progress: i64,
    submitted_at: i64,
    eta_at: i64,
    deadline_at: i64,
    finished_at: Option<i64>,
    failure_reason: Option<String>,
    next_step: Option<String>,
    fault: Option<String>,
    fails_at_step: Option<i64>,
    version: i64,
    runner: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
struct EventRow {
    seq: i64,
    at: i64,
    kind: String,
    step: Option<String>,
    message: String,
}

#[derive(Debug, Clone, FromRow)]
struct NotificationRow {
    id: i64,
    job_id: String,
    subject: String,
    body: String,
    attempts: i64,
    recipient: Option<String>,
}

/// A job as the runner needs it: the job, its order, and what was decided when it was submitted.
#[derive(Clone, Debug, PartialEq)]
pub struct JobRun {
    pub job: Job,
    pub order: Order,
    /// What fault controls forced for this job, if anything.
    pub fault: Option<JobFault>,
    /// The step this job fails at (decided at submission from the failure rate, or forced).
    pub fails_at: Option<JobStep>,
    /// The server instance that runs it now ([`Db::claim_job`]), if one has taken it.
    pub runner: Option<String>,
}

/// Which running job a failure may end: the guard that makes it apply at most once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending<'a> {
    /// The step at this index failed, as the named instance ran it: only if the job is still on
    /// it and that instance still runs it.
    AtStep(u8, &'a str),
    /// The deadline passed: only if it really has at `now`.
    PastDeadline,
}

/// A notification the mailer has yet to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsentNotification {
    pub id: i64,
    pub job_id: JobId,
    pub subject: String,
    pub body: String,
    /// How many sends have failed so far.
    pub attempts: i64,
    /// The email of the person who placed the order (`None` for jobs from before accounts:
    /// they go to `email.to`).
    pub recipient: Option<String>,
}

fn corrupt(what: &'static str, id: &str, reason: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(what, id, reason)
}

fn parse_uuid(what: &'static str, id: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(id).map_err(|e| corrupt(what, id, e))
}

impl JobRow {
    fn into_run(self, order: Order) -> Result<JobRun, StoreError> {
        let fault = match &self.fault {
            None => None,
            Some(f) => Some(JobFault::parse(f).ok_or_else(|| corrupt("job", &self.id, format!("unknown fault {f:?}")))?),
        };
        let fails_at = match self.fails_at_step {
            None => None,
            Some(i) => Some(
                u8::try_from(i).ok().and_then(JobStep::at).ok_or_else(|| corrupt("job", &self.id, format!("no step {i}")))?,
            ),
        };
        let runner = self.runner.clone();
        Ok(JobRun { job: self.into_job()?, order, fault, fails_at, runner })
    }

    fn into_job(self) -> Result<Job, StoreError> {
        let bad = |reason: String| corrupt("job", &self.id, reason);
        let failure = match (&self.failure_reason, &self.next_step) {
            (Some(reason), Some(next_step)) => Some(JobFailure { reason: reason.clone(), next_step: next_step.clone() }),
            _ => None,
        };
        Ok(Job {
            id: JobId::from_uuid(parse_uuid("job", &self.id)?),
            order_id: OrderId::from_uuid(parse_uuid("job", &self.order_id)?),
            order_number: OrderNumber::new(u32::try_from(self.order_number).map_err(|e| bad(e.to_string()))?),
            state: JobState::parse(&self.state).ok_or_else(|| bad(format!("unknown state {:?}", self.state)))?,
            steps_done: u8::try_from(self.steps_done).ok().filter(|s| *s <= 3).ok_or_else(|| bad(format!("steps_done {}", self.steps_done)))?,
            progress: u8::try_from(self.progress).ok().filter(|p| *p <= 100).ok_or_else(|| bad(format!("progress {}", self.progress)))?,
            submitted_at: self.submitted_at,
            eta_at: self.eta_at,
            deadline_at: self.deadline_at,
            finished_at: self.finished_at,
            failure,
            version: self.version,
        })
    }
}

impl TryFrom<EventRow> for JobEvent {
    type Error = StoreError;

    fn try_from(r: EventRow) -> Result<Self, StoreError> {
        let id = format!("event {}", r.seq);
        let kind = JobEventKind::parse(&r.kind).ok_or_else(|| corrupt("job event", &id, format!("kind {:?}", r.kind)))?;
        let step = match &r.step {
            None => None,
            Some(s) => Some(JobStep::parse(s).ok_or_else(|| corrupt("job event", &id, format!("step {s:?}")))?),
        };
        Ok(JobEvent { seq: r.seq, at: r.at, kind, step, message: r.message })
    }
}

/// Which step, if any, a new job fails at: forced by fault controls, or rolled once from the
/// failure rate (`roll` gives a number in 0..1 and a step index in 0..3).
pub(crate) fn failing_step(rate: f64, fault: Option<JobFault>, roll: impl FnOnce() -> (f64, u8)) -> Option<JobStep> {
    match fault {
        Some(JobFault::Fail) => Some(JobStep::Payment),
        Some(JobFault::Succeed | JobFault::Stall) => None,
        None => {
            let (chance, step) = roll();
            (chance < rate).then(|| JobStep::at(step % 3)).flatten()
        }
    }
}

async fn job_on(conn: &mut AnyConnection, id: JobId) -> Result<Option<JobRow>, StoreError> {
    let sql = format!("SELECT {JOB_COLUMNS} {JOB_FROM} WHERE j.id = $1");
    sqlx::query_as(&sql).bind(id.to_string()).fetch_optional(&mut *conn).await.map_err(db_err)
}

async fn job_after_change(conn: &mut AnyConnection, id: JobId) -> Result<Job, StoreError> {
    job_on(conn, id).await?.ok_or_else(|| corrupt("job", &id.to_string(), "vanished inside its own transaction"))?.into_job()
}

async fn append_event(
    conn: &mut AnyConnection,
    id: JobId,
    at: i64,
    kind: JobEventKind,
    step: Option<JobStep>,
    message: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO job_events (job_id, seq, at, kind, step, message) \
         VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM job_events WHERE job_id = $2), $3, $4, $5, $6)",
    )
    .bind(id.to_string())
    .bind(id.to_string())
    .bind(at)
    .bind(kind.as_str())
    .bind(step.map(JobStep::as_str))
    .bind(message)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

async fn add_notice(conn: &mut AnyConnection, id: JobId, success: bool, notice: &JobEmail, now: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO notifications (job_id, kind, subject, body, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.to_string())
    .bind(if success { "success" } else { "failure" })
    .bind(&notice.subject)
    .bind(&notice.body)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Moves the job's order from `placing` to `status`; `None` if it is not placing any more.
async fn settle_order(conn: &mut AnyConnection, order_id: OrderId, status: OrderStatus, now: i64) -> Result<Option<Order>, StoreError> {
    let row: Option<OrderRow> =
        sqlx::query_as(&returning("UPDATE orders SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND status = 'placing'"))
            .bind(status.as_str())
            .bind(now)
            .bind(order_id.to_string())
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?;
    row.map(to_order).transpose()
}

async fn order_on(conn: &mut AnyConnection, id: OrderId) -> Result<Order, StoreError> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1");
    let query = sqlx::query_as(&sql).bind(id.to_string());
    one_order(conn, query).await
}

impl Db {
    /// Places a draft (or a failed order, again): the order becomes `placing` and a job is
    /// recorded with its `submitted` event, in one transaction. A repeat with the same key
    /// answers with the same receipt and starts no second job.
    pub async fn place_order(
        &self,
        meta: &WriteMeta,
        id: OrderId,
        version: i64,
        settings: &JobSettings,
        fault: Option<JobFault>,
    ) -> Result<Applied<PlaceReceipt>, StoreError> {
        let now = meta.now;
        // The person placing it (their id as the gate names them); emails of the job go to them.
        let placed_by = meta.user.parse::<i64>().ok();
        let fails_at = failing_step(settings.failure_rate, fault, || (fastrand::f64(), fastrand::u8(0..3)));
        let (eta_ms, deadline_ms) = (settings.eta_ms as i64, settings.deadline_ms as i64);
        self.idempotent(meta, async move |conn: &mut AnyConnection| {
            live(conn, id).await?.check_placeable(version)?;
            let sql = returning(
                "UPDATE orders SET status = 'placing', version = version + 1, updated_at = $1 WHERE id = $2",
            );
            let query = sqlx::query_as(&sql)
                .bind(now)
                .bind(id.to_string());
            let order = one_order(conn, query).await?;
            let job_id = JobId::new();
            sqlx::query(
                "INSERT INTO jobs (id, order_id, state, steps_done, progress, submitted_at, eta_at, deadline_at, \
                 fault, fails_at_step, version, updated_at, placed_by) VALUES ($1, $2, 'running', 0, 0, $3, $4, $5, $6, $7, 1, $8, $9)",
            )
            .bind(job_id.to_string())
            .bind(id.to_string())
            .bind(now)
            .bind(now.saturating_add(eta_ms))
            .bind(now.saturating_add(deadline_ms))
            .bind(fault.map(JobFault::as_str))
            .bind(fails_at.map(|s| JobStep::ALL.iter().position(|x| *x == s).unwrap_or_default() as i64))
            .bind(now)
            .bind(placed_by)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
            append_event(conn, job_id, now, JobEventKind::Submitted, None, "Order submitted").await?;
            Ok(PlaceReceipt { job: job_after_change(conn, job_id).await?, order })
        })
        .await
    }

    /// A job with its order and full history, or `None` if there is no such job.
    pub async fn job_detail(&self, id: JobId) -> Result<Option<JobDetail>, StoreError> {
        let mut conn = self.reader().acquire().await.map_err(db_err)?;
        let Some(row) = job_on(&mut conn, id).await? else { return Ok(None) };
        let job = row.into_job()?;
        let order = order_on(&mut conn, job.order_id).await?;
        let rows: Vec<EventRow> =
            sqlx::query_as("SELECT seq, at, kind, step, message FROM job_events WHERE job_id = $1 ORDER BY seq")
                .bind(id.to_string())
                .fetch_all(&mut *conn)
                .await
                .map_err(db_err)?;
        let events = rows.into_iter().map(JobEvent::try_from).collect::<Result<_, _>>()?;
        Ok(Some(JobDetail { job, order, events }))
    }

    /// The newest job of each (live) order of `workspace`, newest first, at most `limit` of
    /// them: what the live feed and the list's badges start from. Read newest first along an
    /// index and stopped at the bound, so it costs the same however many jobs there have been.
    pub async fn latest_jobs(&self, workspace: crate::domain::WorkspaceId, limit: u32) -> Result<Vec<Job>, StoreError> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} {JOB_FROM} WHERE o.workspace_id = $1 AND o.purge_after IS NULL AND j.id = \
             (SELECT l.id FROM jobs l WHERE l.order_id = j.order_id ORDER BY l.submitted_at DESC, l.id DESC LIMIT 1) \
             ORDER BY j.submitted_at DESC, j.id DESC LIMIT $2"
        );
        let rows: Vec<JobRow> = sqlx::query_as(&sql).bind(workspace).bind(i64::from(limit)).fetch_all(self.reader()).await.map_err(db_err)?;
        rows.into_iter().map(JobRow::into_job).collect()
    }

    /// The job as the runner needs it. Read on a reader: every change is committed before
    /// the runner reads, and each transition re-checks the state it expects anyway.
    pub async fn job_run(&self, id: JobId) -> Result<Option<JobRun>, StoreError> {
        let mut conn = self.reader().acquire().await.map_err(db_err)?;
        let Some(row) = job_on(&mut conn, id).await? else { return Ok(None) };
        let order = order_on(&mut conn, OrderId::from_uuid(parse_uuid("job", &row.order_id)?)).await?;
        row.into_run(order).map(Some)
    }

    /// Every running job, oldest first; only those whose deadline is at or before `due_by`
    /// when it is given.
    pub async fn running_jobs(&self, due_by: Option<i64>) -> Result<Vec<JobRun>, StoreError> {
        let mut conn = self.reader().acquire().await.map_err(db_err)?;
        let filter = "j.state = 'running' AND j.deadline_at <= $1";
        let sql = format!("SELECT {JOB_COLUMNS} {JOB_FROM} WHERE {filter} ORDER BY j.submitted_at, j.id");
        let due_by = due_by.unwrap_or(i64::MAX);
        let rows: Vec<JobRow> = sqlx::query_as(&sql).bind(due_by).fetch_all(&mut *conn).await.map_err(db_err)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE id IN (SELECT j.order_id FROM jobs j WHERE {filter})"
        );
        let orders: Vec<OrderRow> = sqlx::query_as(&sql).bind(due_by).fetch_all(&mut *conn).await.map_err(db_err)?;
        let orders: HashMap<String, Order> =
            orders.into_iter().map(|r| Ok((r.id.clone(), to_order(r)?))).collect::<Result<_, StoreError>>()?;
        rows.into_iter()
            .map(|row| {
                let order = orders.get(&row.order_id).cloned().ok_or_else(|| corrupt("job", &row.id, "its order is missing"))?;
                row.into_run(order)
            })
            .collect()
    }

    /// The running jobs that a task should be moving on but no instance does: never taken and
    /// unchanged since `idle_since`, or taken by an instance whose lease ran out by `now`. Every
    /// such job but those stalled on purpose by fault controls (only their deadline ends them).
    pub async fn idle_runnable_job_ids(&self, idle_since: i64, now: i64) -> Result<Vec<JobId>, StoreError> {
        let ids: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM jobs WHERE state = 'running' AND (fault IS NULL OR fault <> 'stall') \
             AND ((runner IS NULL AND updated_at <= $1) OR lease_until <= $2) ORDER BY submitted_at, id",
        )
        .bind(idle_since)
        .bind(now)
        .fetch_all(self.reader())
        .await
        .map_err(db_err)?;
        ids.into_iter().map(|(id,)| Ok(JobId::from_uuid(parse_uuid("job", &id)?))).collect()
    }

    /// Takes the running job for the instance `runner` until `lease_until`: if no instance has
    /// it, it is `runner`'s already (a restart under the same name), or its runner's lease ran
    /// out at `now` (that instance died or lost touch). `None`: another instance holds it, it
    /// has ended, or it is stalled on purpose. `Some(true)`: it had been taken before, so it is
    /// being picked up again.
    pub async fn claim_job(&self, id: JobId, runner: &str, now: i64, lease_until: i64) -> Result<Option<bool>, StoreError> {
        let claims: Option<i64> = sqlx::query_scalar(
            "UPDATE jobs SET runner = $1, lease_until = $2, claims = claims + 1 \
             WHERE id = $3 AND state = 'running' AND (fault IS NULL OR fault <> 'stall') \
             AND (runner IS NULL OR runner = $4 OR lease_until <= $5) RETURNING claims",
        )
        .bind(runner)
        .bind(lease_until)
        .bind(id.to_string())
        .bind(runner)
        .bind(now)
        .fetch_optional(self.writer())
        .await
        .map_err(db_err)?;
        Ok(claims.map(|c| c > 1))
    }

    /// Keeps `runner`'s hold on the running job until `lease_until`; `false` if it no longer
    /// holds it (another instance took it over) or the job has ended.
    pub async fn renew_job_lease(&self, id: JobId, runner: &str, lease_until: i64) -> Result<bool, StoreError> {
        let renewed = sqlx::query("UPDATE jobs SET lease_until = $1 WHERE id = $2 AND runner = $3 AND state = 'running'")
            .bind(lease_until)
            .bind(id.to_string())
            .bind(runner)
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        Ok(renewed.rows_affected() == 1)
    }

    /// Records that the step at `index` started (again, after a restart). Only while the job
    /// runs, has that step next and `runner` holds it; `None` otherwise.
    pub async fn start_step(&self, id: JobId, runner: &str, index: u8, progress: u8, now: i64) -> Result<Option<Job>, StoreError> {
        let Some(step) = JobStep::at(index) else { return Ok(None) };
        let update = sqlx::query(
            "UPDATE jobs SET progress = $1, version = version + 1, updated_at = $2 \
             WHERE id = $3 AND state = 'running' AND steps_done = $4 AND runner = $5",
        )
        .bind(i64::from(progress))
        .bind(now)
        .bind(id.to_string())
        .bind(i64::from(index))
        .bind(runner);
        self.transition(id, now, update, Some((JobEventKind::StepStarted, Some(step), step.label()))).await
    }

    /// Moves the progress forward while the step at `index` runs (by `runner`); never backwards.
    pub async fn report_progress(&self, id: JobId, runner: &str, index: u8, progress: u8, now: i64) -> Result<Option<Job>, StoreError> {
        let update = sqlx::query(
            "UPDATE jobs SET progress = $1, version = version + 1, updated_at = $2 \
             WHERE id = $3 AND state = 'running' AND steps_done = $4 AND progress < $5 AND runner = $6",
        )
        .bind(i64::from(progress.min(100)))
        .bind(now)
        .bind(id.to_string())
        .bind(i64::from(index))
        .bind(i64::from(progress.min(100)))
        .bind(runner);
        self.transition(id, now, update, None).await
    }

    /// Marks the step at `index` done (by `runner`), with its history line: at most once per step.
    pub async fn finish_step(&self, id: JobId, runner: &str, index: u8, progress: u8, now: i64) -> Result<Option<Job>, StoreError> {
        let Some(step) = JobStep::at(index) else { return Ok(None) };
        let sql = format!(
            "UPDATE jobs SET steps_done = $1 + 1, progress = {}, version = version + 1, updated_at = $3 \
             WHERE id = $4 AND state = 'running' AND steps_done = $5 AND runner = $6",
            self.dialect().greatest("progress", "$2")
        );
        let update = sqlx::query(&sql)
        .bind(i64::from(index))
        .bind(i64::from(progress.min(100)))
        .bind(now)
        .bind(id.to_string())
        .bind(i64::from(index))
        .bind(runner);
        self.transition(id, now, update, Some((JobEventKind::StepDone, Some(step), step.done_label()))).await
    }

    /// One guarded move of a running job, in one transaction: `update` names in its WHERE the
    /// state it expects, so it changes the job's row once or not at all (`None`: someone else
    /// moved the job on). Then the history line, if any, and the job as it is now.
    async fn transition<'q>(
        &self,
        id: JobId,
        now: i64,
        update: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
        event: Option<(JobEventKind, Option<JobStep>, &str)>,
    ) -> Result<Option<Job>, StoreError> {
        let mut tx = self.write_tx().await.map_err(db_err)?;
        if update.execute(&mut *tx).await.map_err(db_err)?.rows_affected() != 1 {
            return Ok(None);
        }
        if let Some((kind, step, message)) = event {
            append_event(&mut tx, id, now, kind, step, message).await?;
        }
        let job = job_after_change(&mut tx, id).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(Some(job))
    }

    /// Ends a job whose three steps are done (run by `runner`): the job succeeds, its order is
    /// placed, the history says so and the success email waits in the outbox. At most once.
    pub async fn complete_job(&self, id: JobId, runner: &str, message: &str, notice: &JobEmail, now: i64) -> Result<Option<(Job, Option<Order>)>, StoreError> {
        let update = sqlx::query(
            "UPDATE jobs SET state = 'succeeded', progress = 100, finished_at = $1, version = version + 1, updated_at = $2 \
             WHERE id = $3 AND state = 'running' AND steps_done = 3 AND runner = $4",
        )
        .bind(now)
        .bind(now)
        .bind(id.to_string())
        .bind(runner);
        self.end(id, now, update, (JobEventKind::Completed, None, message), notice, OrderStatus::Placed).await
    }

    /// Ends a running job as failed (if `when` still holds): the reason and next step are kept
    /// with it, its order becomes `failed` (so it can be placed again), the history says why and
    /// the failure email waits in the outbox. At most once.
    pub async fn fail_job(
        &self,
        id: JobId,
        when: Ending<'_>,
        failure: &JobFailure,
        notice: &JobEmail,
        now: i64,
    ) -> Result<Option<(Job, Option<Order>)>, StoreError> {
        let (guard, value, runner) = match when {
            Ending::AtStep(index, runner) => ("steps_done = $6 AND runner = $7", i64::from(index), Some(runner)),
            Ending::PastDeadline => ("deadline_at <= $6", now, None),
        };
        let sql = format!(
            "UPDATE jobs SET state = 'failed', failure_reason = $1, next_step = $2, finished_at = $3, version = version + 1, \
             updated_at = $4 WHERE id = $5 AND state = 'running' AND {guard}"
        );
        let update = sqlx::query(&sql)
            .bind(&failure.reason)
            .bind(&failure.next_step)
            .bind(now)
            .bind(now)
            .bind(id.to_string())
            .bind(value);
        let update = match runner {
            Some(runner) => update.bind(runner),
            None => update,
        };
        let step = match when {
            Ending::AtStep(index, _) => JobStep::at(index),
            Ending::PastDeadline => None,
        };
        self.end(id, now, update, (JobEventKind::Failed, step, &failure.reason), notice, OrderStatus::Failed).await
    }

    /// The end of a job, in one transaction: `update` ends the job's row if it still runs as
    /// expected (else `None`: it already ended), then the last history line, the email waiting
    /// in the outbox, and the order settled as `status`.
    async fn end<'q>(
        &self,
        id: JobId,
        now: i64,
        update: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
        (kind, step, message): (JobEventKind, Option<JobStep>, &str),
        notice: &JobEmail,
        status: OrderStatus,
    ) -> Result<Option<(Job, Option<Order>)>, StoreError> {
        let mut tx = self.write_tx().await.map_err(db_err)?;
        if update.execute(&mut *tx).await.map_err(db_err)?.rows_affected() != 1 {
            return Ok(None);
        }
        append_event(&mut tx, id, now, kind, step, message).await?;
        add_notice(&mut tx, id, status == OrderStatus::Placed, notice, now).await?;
        let job = job_after_change(&mut tx, id).await?;
        let order = settle_order(&mut tx, job.order_id, status, now).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(Some((job, order)))
    }

    /// Notes in a running job's history that it was picked up again (by `runner`, which holds it
    /// now) after the instance running it stopped.
    pub async fn resume_job(&self, id: JobId, runner: &str, message: &str, now: i64) -> Result<Option<Job>, StoreError> {
        let update = sqlx::query("UPDATE jobs SET version = version + 1, updated_at = $1 WHERE id = $2 AND state = 'running' AND runner = $3")
            .bind(now)
            .bind(id.to_string())
            .bind(runner);
        self.transition(id, now, update, Some((JobEventKind::Resumed, None, message))).await
    }

    /// Up to `limit` notifications not yet emailed, not given up on, and due for a (re)try at
    /// `now`, oldest first.
    pub async fn unsent_notifications(&self, now: i64, limit: u32) -> Result<Vec<UnsentNotification>, StoreError> {
        let rows: Vec<NotificationRow> = sqlx::query_as(
            "SELECT n.id, n.job_id, n.subject, n.body, n.attempts, u.email AS recipient FROM notifications n \
             JOIN jobs j ON j.id = n.job_id LEFT JOIN users u ON u.id = j.placed_by \
             WHERE n.emailed_at IS NULL AND n.gave_up_at IS NULL AND n.next_attempt_at <= $1 ORDER BY n.next_attempt_at, n.id LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|r| {
                let job_id = JobId::from_uuid(parse_uuid("notification", &r.job_id)?);
                Ok(UnsentNotification { id: r.id, job_id, subject: r.subject, body: r.body, attempts: r.attempts, recipient: r.recipient })
            })
            .collect()
    }

    /// The notification was handed to the mail transport.
    pub async fn mark_emailed(&self, id: i64, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE notifications SET emailed_at = $1, last_error = NULL WHERE id = $2 AND emailed_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        Ok(())
    }

    /// Claims a due notification for one send attempt, before it is made: counts the attempt
    /// and moves its next try to `retry_at`, so a send cut off by a crash is neither lost nor
    /// retried at once. Returns which attempt this is, or `None` if it is not due any more
    /// (sent, given up, or claimed already).
    pub async fn claim_notification(&self, id: i64, now: i64, retry_at: i64) -> Result<Option<i64>, StoreError> {
        let attempt: Option<(i64,)> = sqlx::query_as(
            "UPDATE notifications SET attempts = attempts + 1, next_attempt_at = $1 \
             WHERE id = $2 AND emailed_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= $3 RETURNING attempts",
        )
        .bind(retry_at)
        .bind(id)
        .bind(now)
        .fetch_optional(self.writer())
        .await
        .map_err(db_err)?;
        Ok(attempt.map(|(a,)| a))
    }

    /// The claimed send failed: keep the reason (the next try was set by the claim).
    pub async fn mark_email_failed(&self, id: i64, error: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE notifications SET last_error = $1 WHERE id = $2 AND emailed_at IS NULL")
            .bind(error)
            .bind(id)
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        Ok(())
    }

    /// Sending failed too often: the notification is not tried again, and says why.
    pub async fn give_up_notification(&self, id: i64, error: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE notifications SET gave_up_at = $1, last_error = $2 WHERE id = $3 AND emailed_at IS NULL AND gave_up_at IS NULL")
            .bind(now)
            .bind(error)
            .bind(id)
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::WriteKind;

    async fn db_with_a_placed_order(fault: Option<JobFault>) -> (tempfile::TempDir, Db, Job) {
        let (dir, db) = Db::scratch().await;
        db.seed_if_empty(1_000, 25, crate::domain::Promotion::NONE).await.unwrap();
        let draft = db.list_orders(1).await.unwrap().into_iter().find(|o| o.status == OrderStatus::Draft).unwrap();
        let meta = WriteMeta {
            user: "local".into(),
            workspace: 1,
            key: Uuid::now_v7(),
            kind: WriteKind::Place,
            payload_hash: "h".into(),
            now: 10_000,
            ttl_ms: 60_000,
        };
        let settings = JobSettings { failure_rate: 0.0, ..JobSettings::default() };
        let receipt = db.place_order(&meta, draft.id, draft.version, &settings, fault).await.unwrap();
        assert!(receipt.is_fresh());
        (dir, db, receipt.into_inner().job)
    }

    fn notice() -> JobEmail {
        JobEmail { subject: "s".into(), body: "b".into() }
    }

    fn failure() -> JobFailure {
        JobFailure { reason: "r".into(), next_step: "n".into() }
    }

    async fn history(db: &Db, id: JobId) -> Vec<(JobEventKind, Option<JobStep>)> {
        db.job_detail(id).await.unwrap().unwrap().events.into_iter().map(|e| (e.kind, e.step)).collect()
    }

    #[tokio::test]
    async fn each_transition_applies_at_most_once() {
        let (_dir, db, job) = db_with_a_placed_order(None).await;
        let id = job.id;
        assert_eq!(db.claim_job(id, "a", 10_500, 20_000).await.unwrap(), Some(false), "a new job is free to take");
        assert!(db.complete_job(id, "a", "done", &notice(), 11_000).await.unwrap().is_none(), "not before every step is done");
        assert!(db.finish_step(id, "a", 1, 66, 11_000).await.unwrap().is_none(), "not a step out of turn");
        assert!(db.start_step(id, "a", 0, 0, 11_000).await.unwrap().is_some());
        assert_eq!(db.report_progress(id, "a", 0, 8, 11_100).await.unwrap().unwrap().progress, 8);
        assert!(db.report_progress(id, "a", 0, 8, 11_100).await.unwrap().is_none(), "progress never repeats or goes back");
        let after = db.finish_step(id, "a", 0, 33, 12_000).await.unwrap().unwrap();
        assert_eq!((after.steps_done, after.progress), (1, 33));
        assert!(db.finish_step(id, "a", 0, 33, 12_000).await.unwrap().is_none(), "a step is never done twice");
        assert!(db.fail_job(id, Ending::AtStep(0, "a"), &failure(), &notice(), 12_000).await.unwrap().is_none(), "a done step can't fail");
        assert!(db.fail_job(id, Ending::PastDeadline, &failure(), &notice(), 12_000).await.unwrap().is_none(), "not before the deadline");
        for i in 1..3 {
            db.start_step(id, "a", i, 0, 13_000).await.unwrap().unwrap();
            db.finish_step(id, "a", i, 99, 13_000).await.unwrap().unwrap();
        }
        let (done, order) = db.complete_job(id, "a", "done", &notice(), 14_000).await.unwrap().unwrap();
        assert_eq!((done.state, done.progress, done.finished_at), (JobState::Succeeded, 100, Some(14_000)));
        assert_eq!(order.unwrap().status, OrderStatus::Placed);
        assert!(db.complete_job(id, "a", "done", &notice(), 15_000).await.unwrap().is_none(), "it ends once");
        assert!(db.fail_job(id, Ending::PastDeadline, &failure(), &notice(), i64::MAX).await.unwrap().is_none(), "an ended job can't fail");
        assert!(db.resume_job(id, "a", "again", 15_000).await.unwrap().is_none());
        assert_eq!(db.claim_job(id, "a", 15_000, 25_000).await.unwrap(), None, "an ended job can't be taken");
        let h = history(&db, id).await;
        assert_eq!(h.first(), Some(&(JobEventKind::Submitted, None)));
        assert_eq!(h.last(), Some(&(JobEventKind::Completed, None)));
        assert_eq!(h.len(), 1 + 6 + 1);
        assert_eq!(db.unsent_notifications(15_000, 10).await.unwrap().len(), 1, "one email per ending");
    }

    #[tokio::test]
    async fn a_deadline_failure_ends_the_job_and_fails_the_order_once() {
        let (_dir, db, job) = db_with_a_placed_order(Some(JobFault::Stall)).await;
        let run = db.job_run(job.id).await.unwrap().unwrap();
        assert_eq!((run.fault, run.fails_at), (Some(JobFault::Stall), None));
        assert_eq!(db.running_jobs(Some(job.deadline_at - 1)).await.unwrap(), vec![], "not due yet");
        assert_eq!(db.running_jobs(Some(job.deadline_at)).await.unwrap(), vec![run.clone()]);
        let (failed, order) = db.fail_job(job.id, Ending::PastDeadline, &failure(), &notice(), job.deadline_at).await.unwrap().unwrap();
        assert_eq!(failed.state, JobState::Failed);
        assert_eq!(failed.failure, Some(failure()));
        assert_eq!(order.unwrap().status, OrderStatus::Failed);
        assert!(db.fail_job(job.id, Ending::PastDeadline, &failure(), &notice(), job.deadline_at).await.unwrap().is_none());
        assert_eq!(history(&db, job.id).await, vec![(JobEventKind::Submitted, None), (JobEventKind::Failed, None)]);
        assert!(db.running_jobs(None).await.unwrap().is_empty());
        let n = db.unsent_notifications(job.deadline_at, 10).await.unwrap();
        assert_eq!(n.len(), 1);
        assert_eq!(db.claim_notification(n[0].id, job.deadline_at, job.deadline_at + 1_000).await.unwrap(), Some(1));
        assert_eq!(db.claim_notification(n[0].id, job.deadline_at, job.deadline_at + 1_000).await.unwrap(), None, "claimed once");
        db.mark_email_failed(n[0].id, "smtp down").await.unwrap();
        assert!(db.unsent_notifications(job.deadline_at + 999, 10).await.unwrap().is_empty(), "a failed send waits for its retry");
        let again = db.unsent_notifications(job.deadline_at + 1_000, 10).await.unwrap();
        assert_eq!(again[0].attempts, 1);
        db.mark_emailed(n[0].id, job.deadline_at + 1_000).await.unwrap();
        assert!(db.unsent_notifications(i64::MAX, 10).await.unwrap().is_empty(), "a sent email is never sent again");
    }

    #[tokio::test]
    async fn a_notification_given_up_on_is_not_sent_again_and_says_why() {
        let (_dir, db, job) = db_with_a_placed_order(Some(JobFault::Stall)).await;
        db.fail_job(job.id, Ending::PastDeadline, &failure(), &notice(), job.deadline_at).await.unwrap().unwrap();
        let n = db.unsent_notifications(job.deadline_at, 10).await.unwrap().remove(0);
        db.give_up_notification(n.id, "smtp refused", job.deadline_at).await.unwrap();
        assert!(db.unsent_notifications(i64::MAX, 10).await.unwrap().is_empty());
        assert_eq!(db.claim_notification(n.id, i64::MAX, i64::MAX).await.unwrap(), None);
        let (gave_up_at, error): (Option<i64>, Option<String>) =
            sqlx::query_as("SELECT gave_up_at, last_error FROM notifications WHERE id = $1").bind(n.id).fetch_one(db.reader()).await.unwrap();
        assert_eq!((gave_up_at, error.as_deref()), (Some(job.deadline_at), Some("smtp refused")));
    }

    #[tokio::test]
    async fn the_database_refuses_a_second_ending_or_a_step_done_twice() {
        let (_dir, db, job) = db_with_a_placed_order(None).await;
        let mut conn = db.writer().acquire().await.unwrap();
        append_event(&mut conn, job.id, 1, JobEventKind::StepDone, Some(JobStep::Payment), "x").await.unwrap();
        assert!(append_event(&mut conn, job.id, 2, JobEventKind::StepDone, Some(JobStep::Payment), "x").await.is_err());
        append_event(&mut conn, job.id, 3, JobEventKind::Failed, None, "x").await.unwrap();
        assert!(append_event(&mut conn, job.id, 4, JobEventKind::Completed, None, "x").await.is_err());
    }

    #[test]
    fn forced_outcomes_win_over_the_failure_rate() {
        let never = || panic!("a forced outcome must not roll");
        assert_eq!(failing_step(1.0, Some(JobFault::Succeed), never), None);
        assert_eq!(failing_step(1.0, Some(JobFault::Stall), never), None);
        assert_eq!(failing_step(0.0, Some(JobFault::Fail), never), Some(JobStep::Payment));
    }

    #[test]
    fn the_failure_rate_decides_whether_and_where_a_job_fails() {
        assert_eq!(failing_step(0.05, None, || (0.04, 1)), Some(JobStep::Stock));
        assert_eq!(failing_step(0.05, None, || (0.05, 1)), None);
        assert_eq!(failing_step(0.0, None, || (0.0, 2)), None, "a rate of 0 never fails");
        assert_eq!(failing_step(1.0, None, || (0.999, 2)), Some(JobStep::Fulfilment));
    }

    #[tokio::test]
    async fn one_instance_runs_a_job_at_a_time_and_another_takes_it_over_only_when_its_lease_runs_out() {
        let (_dir, db, job) = db_with_a_placed_order(None).await;
        let id = job.id;
        assert_eq!(db.claim_job(id, "a", 10_000, 20_000).await.unwrap(), Some(false));
        assert_eq!(db.claim_job(id, "b", 19_999, 29_999).await.unwrap(), None, "b can't take it while a's lease lasts");
        assert!(db.start_step(id, "b", 0, 0, 19_999).await.unwrap().is_none(), "nor move it on");
        assert!(db.renew_job_lease(id, "a", 30_000).await.unwrap());
        assert_eq!(db.claim_job(id, "b", 29_999, 39_999).await.unwrap(), None, "a renewed its lease");
        assert_eq!(db.idle_runnable_job_ids(i64::MAX, 29_999).await.unwrap(), Vec::<JobId>::new(), "a job held by a live lease is nobody's orphan");
        // a stops renewing (it died): once its lease has run out, b takes the job over.
        assert_eq!(db.idle_runnable_job_ids(i64::MAX, 30_000).await.unwrap(), vec![id]);
        assert_eq!(db.claim_job(id, "b", 30_000, 40_000).await.unwrap(), Some(true), "taken over: picked up again");
        assert!(!db.renew_job_lease(id, "a", 50_000).await.unwrap(), "a has lost it");
        assert!(db.start_step(id, "a", 0, 0, 30_001).await.unwrap().is_none(), "a can no longer move it on");
        assert!(db.fail_job(id, Ending::AtStep(0, "a"), &failure(), &notice(), 30_001).await.unwrap().is_none(), "nor fail it");
        assert!(db.start_step(id, "b", 0, 0, 30_001).await.unwrap().is_some(), "b can");
        assert_eq!(db.job_run(id).await.unwrap().unwrap().runner.as_deref(), Some("b"));
        // A restart under b's own name takes it back at once.
        assert_eq!(db.claim_job(id, "b", 30_002, 40_002).await.unwrap(), Some(true));
    }

    #[tokio::test]
    async fn a_job_stalled_on_purpose_is_taken_by_no_instance() {
        let (_dir, db, job) = db_with_a_placed_order(Some(JobFault::Stall)).await;
        assert_eq!(db.claim_job(job.id, "a", 10_000, 20_000).await.unwrap(), None);
        assert!(db.idle_runnable_job_ids(i64::MAX, i64::MAX).await.unwrap().is_empty());
    }
}
