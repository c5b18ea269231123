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
}

impl Pruned {
    pub fn is_empty(&self) -> bool {
        *self == Pruned::default()
    }
}

/// A job is done with when it ended and no email for it is still waiting to go out.
const ENDED_AND_SETTLED: &str = "state <> 'running' AND finished_at <= ? AND NOT EXISTS \
     (SELECT 1 FROM notifications n WHERE n.job_id = jobs.id AND n.emailed_at IS NULL AND n.gave_up_at IS NULL)";

impl Db {
    /// Removes, in one transaction, everything past its time at `now`.
    pub async fn prune(&self, now: i64, keep: Retention) -> Result<Pruned, StoreError> {
        let before = |ms: i64| now.saturating_sub(ms);
        let mut tx = self.writer().begin().await.map_err(db_err)?;
        let mut run = async |sql: &str, at: i64| -> Result<u64, StoreError> {
            Ok(sqlx::query(sql).bind(at).execute(&mut *tx).await.map_err(db_err)?.rows_affected())
        };
        let orders = run("DELETE FROM orders WHERE purge_after IS NOT NULL AND purge_after <= ?", now).await?;
        let keys = run("DELETE FROM idempotency_keys WHERE expires_at <= ?", now).await?;
        // History first, so the count says what this setting removed (a pruned job takes its
        // remaining lines and its notification with it, by the foreign keys).
        let job_events = run(
            &format!("DELETE FROM job_events WHERE job_id IN (SELECT id FROM jobs WHERE {ENDED_AND_SETTLED})"),
            before(keep.job_events_ms),
        )
        .await?;
        let notifications = run(
            "DELETE FROM notifications WHERE COALESCE(emailed_at, gave_up_at) <= ? \
             AND (emailed_at IS NOT NULL OR gave_up_at IS NOT NULL)",
            before(keep.notifications_ms),
        )
        .await?;
        let jobs = run(&format!("DELETE FROM jobs WHERE {ENDED_AND_SETTLED}"), before(keep.ended_jobs_ms)).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(Pruned { orders, keys, jobs, job_events, notifications })
    }
}
