//! Pruning what the server no longer needs: deletes whose undo window closed, idempotency keys
//! past their time, and ended jobs, their history and their notifications past the retention
//! settings. Never touches a running job or a notification still waiting to be sent.

use super::{db_err, Db, StoreError};
use crate::config::RetentionSettings;

/// How long ended things are kept, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    pub ended_jobs_ms: i64,
    pub job_events_ms: i64,
    pub notifications_ms: i64,
}

impl From<&RetentionSettings> for Retention {
    fn from(s: &RetentionSettings) -> Self {
        Retention {
            ended_jobs_ms: RetentionSettings::days_ms(s.ended_jobs_days),
            job_events_ms: RetentionSettings::days_ms(s.job_events_days),
            notifications_ms: RetentionSettings::days_ms(s.notifications_days),
        }
    }
}

/// What one prune removed, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Deleted drafts whose undo window closed.
    pub orders: u64,
    pub keys: u64,
    pub jobs: u64,
    pub job_events: u64,
    pub notifications: u64,
    /// Counts of failed sign-ins a day past their last failure (their wait is long over).
    pub sign_in_failures: u64,
}

impl Pruned {
    pub fn is_empty(&self) -> bool {
        *self == Pruned::default()
    }
}

/// A job is done with when it ended and no email for it is still waiting to go out.
const ENDED_AND_SETTLED: &str = "state <> 'running' AND finished_at <= $1 AND NOT EXISTS \
     (SELECT 1 FROM notifications n WHERE n.job_id = jobs.id AND n.emailed_at IS NULL AND n.gave_up_at IS NULL)";

impl Db {
    /// Removes, in one transaction, everything past its time at `now`.
    pub async fn prune(&self, now: i64, keep: Retention) -> Result<Pruned, StoreError> {
        let before = |ms: i64| now.saturating_sub(ms);
        let mut tx = self.write_tx().await.map_err(db_err)?;
        let mut run = async |sql: &str, at: i64| -> Result<u64, StoreError> {
            Ok(sqlx::query(sql).bind(at).execute(&mut *tx).await.map_err(db_err)?.rows_affected())
        };
        let orders = run("DELETE FROM orders WHERE purge_after IS NOT NULL AND purge_after <= $1", now).await?;
        let keys = run("DELETE FROM idempotency_keys WHERE expires_at <= $1", now).await?;
        // History first, so the count says what this setting removed (a pruned job takes its
        // remaining lines and its notification with it, by the foreign keys).
        let job_events = run(
            &format!("DELETE FROM job_events WHERE job_id IN (SELECT id FROM jobs WHERE {ENDED_AND_SETTLED})"),
            before(keep.job_events_ms),
        )
        .await?;
        let notifications = run(
            "DELETE FROM notifications WHERE COALESCE(emailed_at, gave_up_at) <= $1 \
             AND (emailed_at IS NOT NULL OR gave_up_at IS NOT NULL)",
            before(keep.notifications_ms),
        )
        .await?;
        let jobs = run(&format!("DELETE FROM jobs WHERE {ENDED_AND_SETTLED}"), before(keep.ended_jobs_ms)).await?;
        let sign_in_failures = run("DELETE FROM sign_in_failures WHERE last_at <= $1", before(86_400_000)).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(Pruned { orders, keys, jobs, job_events, notifications, sign_in_failures })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::JobSettings;
    use crate::domain::{JobFailure, OrderStatus, WriteKind};
    use crate::faults::JobFault;
    use crate::domain::JobEmail;
    use crate::store::{Ending, WriteMeta};

    const DAY: i64 = 86_400_000;
    const KEEP: Retention = Retention { ended_jobs_ms: 2 * DAY, job_events_ms: DAY, notifications_ms: DAY };

    async fn count(db: &Db, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(db.reader()).await.unwrap()
    }

    #[tokio::test]
    async fn a_running_job_is_never_pruned_and_an_ended_one_only_once_its_email_is_settled() {
        let (_dir, db) = Db::scratch().await;
        db.seed_if_empty(1_000, 25, crate::domain::Promotion::NONE).await.unwrap();
        let drafts: Vec<_> = db.list_orders(1).await.unwrap().into_iter().filter(|o| o.status == OrderStatus::Draft).take(2).collect();
        let settings = JobSettings { failure_rate: 0.0, ..JobSettings::default() };
        let mut jobs = Vec::new();
        for d in &drafts {
            let meta = WriteMeta { user: "local".into(), workspace: 1, key: uuid::Uuid::now_v7(), kind: WriteKind::Place, payload_hash: "h".into(), now: 10_000, ttl_ms: DAY };
            jobs.push(db.place_order(&meta, d.id, d.version, &settings, Some(JobFault::Stall)).await.unwrap().into_inner().job);
        }
        let (running, ended) = (&jobs[0], &jobs[1]);
        let failure = JobFailure { reason: "r".into(), next_step: "n".into() };
        let notice = JobEmail { subject: "s".into(), body: "b".into() };
        db.fail_job(ended.id, Ending::PastDeadline, &failure, &notice, ended.deadline_at).await.unwrap().unwrap();

        let far = ended.deadline_at + 100 * DAY;
        let pruned = db.prune(far, KEEP).await.unwrap();
        assert_eq!((pruned.jobs, pruned.job_events, pruned.notifications), (0, 0, 0), "the email is still waiting: {pruned:?}");
        let n = db.unsent_notifications(far, 10).await.unwrap().remove(0);
        db.mark_emailed(n.id, far).await.unwrap();
        assert_eq!(db.prune(far, KEEP).await.unwrap().jobs, 1, "settled and ended long ago: pruned");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM notifications").await, 0, "its notification went with it");
        let left = format!("SELECT COUNT(*) FROM jobs WHERE id = '{}' AND state = 'running'", running.id);
        assert_eq!(count(&db, &left).await, 1, "the running job stays, however old");
        assert!(count(&db, &format!("SELECT COUNT(*) FROM job_events WHERE job_id = '{}'", running.id)).await >= 1);
        assert_eq!(db.prune(far, KEEP).await.unwrap(), Pruned::default(), "a second pass finds nothing");
    }
}

#[cfg(test)]
mod empty {
    use super::*;

    #[tokio::test]
    async fn pruning_an_empty_database_removes_nothing_and_fails_nothing() {
        let (_dir, db) = Db::scratch().await;
        let _sessions = db.session_store(crate::store::SessionCache::new(Some(10))).await.unwrap();
        let keep = Retention { ended_jobs_ms: 1, job_events_ms: 1, notifications_ms: 1 };
        assert_eq!(db.prune(1_000, keep).await.unwrap(), Pruned::default());
        assert_eq!(db.prune(2_000, keep).await.unwrap(), Pruned::default());
    }
}
