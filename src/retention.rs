//! The pruning schedule (server only): every `retention.prune_every_secs`, drops what the
//! server no longer needs (final deletes, expired idempotency keys, old ended jobs, their
//! history and notifications, old outbox files). What is pruned and how is decided by the
//! store ([`Db::prune`]) and the mailer ([`Mailer::prune_outbox`]); this only keeps time.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::clock::SharedClock;
use crate::config::RetentionSettings;
use crate::jobs::Mailer;
use crate::store::{Db, Retention};

/// Prunes once now, then every `settings.prune_every_secs`, until the process ends.
pub fn spawn(db: Db, mailer: Arc<Mailer>, clock: SharedClock, settings: RetentionSettings) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(settings.prune_every_secs));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            prune_once(&db, &mailer, clock.now_ms(), &settings).await;
        }
    })
}

/// One pass. Failures are logged and the next pass tries again: nothing here is urgent.
async fn prune_once(db: &Db, mailer: &Mailer, now: i64, settings: &RetentionSettings) {
    match db.prune(now, Retention::from(settings)).await {
        Ok(pruned) if pruned.is_empty() => {}
        Ok(p) => tracing::info!(
            orders = p.orders,
            keys = p.keys,
            jobs = p.jobs,
            job_events = p.job_events,
            notifications = p.notifications,
            sign_in_failures = p.sign_in_failures,
            "pruned what is past its time"
        ),
        Err(e) => tracing::warn!(error = %e, "pruning the database failed; will try again"),
    }
    // Outbox files are dated by the file system that wrote them, so their age is read on its
    // clock, not the app's.
    let keep = Duration::from_millis(u64::try_from(RetentionSettings::days_ms(settings.outbox_files_days)).unwrap_or(u64::MAX));
    let Some(before) = SystemTime::now().checked_sub(keep) else { return };
    match mailer.prune_outbox(before).await {
        Ok(0) => {}
        Ok(files) => tracing::debug!(files, "pruned old outbox files"),
        Err(e) => tracing::warn!(error = %e, "pruning the email outbox failed; will try again"),
    }
}
