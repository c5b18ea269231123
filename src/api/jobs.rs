//! Placing an order and following its job. Placing is accepted at once; the work runs in the
//! server's job runner and reports through `/api/events` and these reads.

use leptos::prelude::*;

use crate::domain::{Job, JobDetail, PlaceReceipt};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::context,
    super::gate::{self, announce, Scope},
    crate::domain::{job_copy, JobId, OrderId, WriteKind},
};

/// Place a draft (or a failed order, again). Answers "accepted" with the new job at once; the
/// order is `placing` until the job ends. A repeat with the same key answers with the same job.
#[server(endpoint = "orders/place", output = crate::wire::Wire)]
pub async fn place_order(key: String, id: String, version: i64) -> Result<PlaceReceipt, AppError> {
    context::reply(async {
        let id = OrderId::parse(&id)?;
        gate::write(WriteKind::Place, &key, Scope::Order(id), &(id, version), announce::placed, move |w| async move {
            let placed = w.db.place_order(&w.meta, id, version, &w.settings.jobs, w.job_fault).await?;
            // A replay's job was started by the request that placed it (or by the restart
            // that resumed it).
            Ok(placed.on_fresh(|r| w.jobs.start(r.job.id)))
        })
        .await
    })
    .await
}

/// A job with its order and full history, for the status page.
#[server(endpoint = "jobs/get", output = crate::wire::Wire)]
pub async fn get_job(id: String) -> Result<JobDetail, AppError> {
    context::reply(async {
        let id = JobId::parse(&id)?;
        let person = context::person()?;
        let db = context::db()?;
        let missing = || AppError::not_found(job_copy::no_such_job(id));
        let detail = db.job_detail(id).await.map_err(AppError::from)?.ok_or_else(missing)?;
        // Another workspace's job is, to this person, no job at all.
        context::role_for_order(&db, &person, detail.order.id).await.map_err(|_| missing())?;
        Ok(detail)
    })
    .await
}

/// How many jobs the feed starts from: the newest job of each of the most recently placed
/// orders (jobs older than that still show on their status pages; their orders' rows show
/// the status the job left).
#[cfg(feature = "ssr")]
const JOB_FEED_MAX: u32 = 200;

/// The newest job of each recently placed order of `workspace` (the person's current one
/// without it), for the badges in the list and the feed.
#[server(endpoint = "jobs/list", output = crate::wire::Wire)]
pub async fn list_jobs(workspace: Option<i64>) -> Result<Vec<Job>, AppError> {
    context::reply(async {
        let (workspace, _) = context::role_in(&context::person()?, workspace)?;
        Ok(context::db()?.latest_jobs(workspace, JOB_FEED_MAX).await?)
    })
    .await
}
