//! Push across instances: what one instance publishes reaches the pages connected to the others.
//!
//! Every instance appends what it publishes to the database's `bus` table (in order, every
//! [`EVERY`]), and follows the rows the others append, handing each to its own pages as if it
//! were published here. Its own rows it skips: its pages had them at once. Rows are kept for
//! [`KEEP_MS`]; an instance that fell further behind than that (or whose own queue overflowed)
//! tells every page to resync, so nothing is silently missed. Catch-up after a reconnect is the
//! page's own (`ready`, then it reads again), as on one instance.
//!
//! An instance alone on its database appends nothing (the bus would cost every write a row:
//! 14% of the write benchmark's throughput, bench/README.md). Each instance notes every
//! [`HEARTBEAT`] that it is alive (`instances`) and whether another one is; a new instance that
//! finds company waits [`JOIN_WAIT`] before it serves, by which time every other instance knows
//! of it and appends what it publishes: whatever they published before, its pages read.
//!
//! An instance that dies may have committed changes it never appended. When one stops noting
//! that it is alive, every other instance tells its pages to resync, so they read those too.
//!
//! What this instance keeps in memory of another's changes is dropped as they arrive: a
//! person whose access changed is read again, a session changed or ended elsewhere too.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{Bus, Events};
use crate::clock::SharedClock;
use crate::store::{Db, SessionCache};

/// How often the relay appends what was published here and reads what the others appended.
pub const EVERY: Duration = Duration::from_millis(25);
/// How long rows stay in the table.
pub const KEEP_MS: i64 = 2 * 60_000;
/// How often an instance notes that it is alive and looks for others.
pub const HEARTBEAT: Duration = Duration::from_secs(1);
/// How long an instance counts as alive after it last noted it.
const ALIVE_MS: i64 = 5_000;
/// How long a new instance that found others waits before it serves: a heartbeat of theirs
/// and a margin.
pub const JOIN_WAIT: Duration = Duration::from_millis(1_500);
/// How often old rows are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(60);
/// Rows read per query; more are read at once in further queries.
const READ_LIMIT: u32 = 1_000;
/// Messages waiting to be appended, at most; past it the oldest go and the others resync.
const MAX_WAITING: usize = 65_536;

/// What was published here and waits for the relay.
#[derive(Debug, Default)]
pub struct Outgoing(Mutex<Waiting>);

#[derive(Debug, Default)]
struct Waiting {
    queue: VecDeque<Bus>,
    /// Messages were dropped since the relay last took the queue.
    dropped: bool,
}

impl Outgoing {
    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting> {
        // A queue and a flag: a panic elsewhere can't leave them half-written.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn push(&self, bus: Bus) {
        let mut waiting = self.lock();
        if waiting.queue.len() >= MAX_WAITING {
            waiting.queue.pop_front();
            waiting.dropped = true;
        }
        waiting.queue.push_back(bus);
    }

    /// Everything waiting, oldest first, with [`Bus::Resync`] in front if some was dropped.
    fn take(&self) -> Vec<Bus> {
        let mut waiting = self.lock();
        let dropped = std::mem::take(&mut waiting.dropped);
        dropped.then_some(Bus::Resync).into_iter().chain(waiting.queue.drain(..)).collect()
    }
}

/// Runs the relay, until the process ends.
pub fn spawn(mut relay: Relay) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            relay.once().await;
        }
    })
}

/// One instance's relay: where it has read up to, and what it has yet to append.
pub struct Relay {
    events: Events,
    db: Db,
    sessions: SessionCache,
    instance: String,
    clock: SharedClock,
    /// The last row read.
    last: i64,
    /// Messages taken from the queue but not appended yet (the database failed).
    unsent: Vec<String>,
    pruned_at: Instant,
    /// The other instances alive at the last heartbeat.
    company: Vec<String>,
    /// The last heartbeat, and the last one that was noted.
    beat_at: Instant,
    noted_at: Instant,
}

impl Relay {
    /// A relay that follows the rows appended from now on, its instance noted as alive.
    pub async fn start(events: Events, db: Db, sessions: SessionCache, instance: String, clock: SharedClock) -> Result<Relay, crate::store::StoreError> {
        let last = db.bus_last_id().await?;
        let now = clock.now_ms();
        let company = db.instance_seen(&instance, now, now.saturating_sub(ALIVE_MS)).await?;
        let at = Instant::now();
        Ok(Relay { events, db, sessions, instance, clock, last, unsent: Vec::new(), pruned_at: at, company, beat_at: at, noted_at: at })
    }

    /// Whether another instance runs on the database (at the last heartbeat).
    pub fn has_company(&self) -> bool {
        !self.company.is_empty()
    }

    /// Notes that this instance is alive and looks for others. An instance that could not note
    /// it for long may have been taken for dead (the others stopped appending): its pages resync.
    async fn beat(&mut self, now: i64) {
        self.beat_at = Instant::now();
        match self.db.instance_seen(&self.instance, now, now.saturating_sub(ALIVE_MS)).await {
            Ok(company) => {
                let gone: Vec<&String> = self.company.iter().filter(|name| !company.contains(name)).collect();
                if !gone.is_empty() {
                    tracing::warn!(?gone, "an instance stopped; pages resync (it may have left changes untold)");
                    self.events.deliver(Bus::Resync);
                } else if self.noted_at.elapsed() >= Duration::from_millis(ALIVE_MS as u64 / 2) {
                    tracing::warn!("this instance could not say it was alive for a while; pages resync");
                    self.events.deliver(Bus::Resync);
                }
                if company != self.company {
                    tracing::info!(?company, "the other instances on this database");
                }
                self.company = company;
                self.noted_at = Instant::now();
            }
            Err(e) => tracing::warn!(error = %e, "can't note this instance as alive; will try again"),
        }
    }

    /// Drops what this instance keeps of what another instance changed, then tells its pages.
    async fn arrived(&self, bus: Bus) {
        match &bus {
            Bus::Access { user, .. } => self.db.forget_person(*user).await,
            Bus::Session { id } => {
                use tower_sessions::SessionStore;
                if let Ok(id) = id.parse() {
                    // Only the cached copy: the database has the change already.
                    let _ = self.sessions.delete(&id).await;
                }
                // No page hears of a session.
                return;
            }
            Bus::Change { .. } | Bus::Resync => {}
        }
        self.events.deliver(bus);
    }

    /// Appends what was published here, hands what the others appended to this instance's
    /// pages, and now and then prunes old rows. Failures are logged and tried again next time.
    pub async fn once(&mut self) {
        let now = self.clock.now_ms();
        if self.beat_at.elapsed() >= HEARTBEAT {
            self.beat(now).await;
        }
        let published = self.events.outgoing.take();
        if self.company.is_empty() {
            // Alone: nobody would read it (a newcomer waits until this instance knows of it).
            self.unsent.clear();
        } else {
            self.hand_on(now, &published).await;
        }
        self.follow().await;
        if self.pruned_at.elapsed() >= PRUNE_EVERY {
            self.prune(now).await;
        }
    }

    /// Appends what was published here (and what could not be appended before).
    async fn hand_on(&mut self, now: i64, published: &[Bus]) {
        self.unsent.extend(published.iter().filter_map(|bus| match serde_json::to_string(bus) {
            Ok(json) => Some(json),
            Err(e) => {
                tracing::error!(error = %e, "can't encode a change for the other instances");
                None
            }
        }));
        if !self.unsent.is_empty() {
            match self.db.bus_append(&self.instance, now, &self.unsent).await {
                Ok(()) => self.unsent.clear(),
                Err(e) => {
                    tracing::warn!(error = %e, waiting = self.unsent.len(), "can't hand changes to the other instances; will try again");
                    if self.unsent.len() > MAX_WAITING {
                        self.unsent = vec![serde_json::to_string(&Bus::Resync).unwrap_or_default()];
                    }
                }
            }
        }
    }

    /// Hands what the others appended since the last read to this instance.
    async fn follow(&mut self) {
        loop {
            let rows = match self.db.bus_after(self.last, &self.instance, READ_LIMIT).await {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::warn!(error = %e, "can't read the other instances' changes; will try again");
                    break;
                }
            };
            let full = rows.len() == READ_LIMIT as usize;
            for row in rows {
                self.last = row.id;
                let Some(message) = row.message else { continue };
                match serde_json::from_str::<Bus>(&message) {
                    Ok(bus) => self.arrived(bus).await,
                    Err(e) => tracing::error!(error = %e, id = row.id, "can't read another instance's change; pages resync"),
                }
            }
            if !full {
                break;
            }
        }
    }

    /// Drops old rows and the names of instances long gone.
    async fn prune(&mut self, now: i64) {
        self.pruned_at = Instant::now();
        if let Err(e) = self.db.bus_prune(now.saturating_sub(KEEP_MS)).await {
            tracing::warn!(error = %e, "can't prune the instances' bus; will try again");
        }
        // Names of instances gone for an hour.
        if let Err(e) = self.db.instances_prune(now.saturating_sub(3_600_000)).await {
            tracing::warn!(error = %e, "can't prune the instances' names; will try again");
        }
        // Rows this instance had not read were pruned: its pages may have missed changes.
        if let Ok(Some(first)) = self.db.bus_first_id().await
            && first > self.last + 1
        {
            tracing::warn!(read_up_to = self.last, first, "fell behind the other instances' changes; pages resync");
            self.last = first - 1;
            self.events.deliver(Bus::Resync);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::domain::{OrderId, Role, ServerEvent};
    use std::sync::Arc;

    #[tokio::test]
    async fn what_one_instance_publishes_reaches_the_other_s_pages_once_in_order_and_not_back() {
        let (_dir, db) = crate::store::Db::scratch().await;
        let (a, b) = (Events::default(), Events::default());
        let cache = || SessionCache::new(Some(10));
        let mut relay_a = Relay::start(a.clone(), db.clone(), cache(), "a".into(), Arc::new(SystemClock)).await.unwrap();
        assert!(!relay_a.has_company());
        a.order_removed(1, OrderId::new());
        relay_a.once().await;
        assert_eq!(db.bus_last_id().await.unwrap(), 0, "alone, a writes nothing to the bus");
        let mut relay_b = Relay::start(b.clone(), db.clone(), cache(), "b".into(), Arc::new(SystemClock)).await.unwrap();
        assert!(relay_b.has_company(), "b finds a");
        relay_a.beat(crate::store::now_ms()).await;
        assert!(relay_a.has_company(), "a's next heartbeat finds b");
        let on_a = a.subscribe();
        let mut on_b = b.subscribe();
        let ids: Vec<OrderId> = (0..3).map(|_| OrderId::new()).collect();
        for id in &ids {
            a.order_removed(1, *id);
        }
        a.access(1, 7, Some(Role::Viewer));
        relay_a.once().await;
        relay_b.once().await;
        for id in &ids {
            assert_eq!(on_b.try_recv().unwrap(), Bus::Change { workspace: 1, event: ServerEvent::OrderRemoved(*id) });
        }
        assert_eq!(on_b.try_recv().unwrap(), Bus::Access { workspace: 1, user: 7, role: Some(Role::Viewer) });
        assert!(on_b.try_recv().is_err(), "each once");
        relay_a.once().await;
        assert_eq!(on_a.len(), 4, "a's pages had its own changes at once, and not again from the table");
    }

    #[test]
    fn a_queue_that_overflows_keeps_the_newest_and_asks_the_others_to_resync() {
        let outgoing = Outgoing::default();
        for n in 0..(MAX_WAITING + 2) {
            outgoing.push(Bus::Access { workspace: n as i64, user: 1, role: None });
        }
        let taken = outgoing.take();
        assert_eq!(taken.len(), MAX_WAITING + 1);
        assert_eq!(taken[0], Bus::Resync);
        assert_eq!(taken[1], Bus::Access { workspace: 2, user: 1, role: None });
        assert!(outgoing.take().is_empty());
    }

    #[tokio::test]
    async fn when_another_instance_stops_the_pages_here_resync() {
        let (_dir, db) = crate::store::Db::scratch().await;
        let a = Events::default();
        let mut relay_a = Relay::start(a.clone(), db.clone(), SessionCache::new(Some(10)), "a".into(), Arc::new(SystemClock)).await.unwrap();
        let now = crate::store::now_ms();
        db.instance_seen("b", now, 0).await.unwrap();
        let mut on_a = a.subscribe();
        relay_a.beat(now).await;
        assert!(relay_a.has_company());
        assert!(on_a.try_recv().is_err(), "nothing to resync while b lives");
        // b stops noting that it is alive (it died).
        relay_a.beat(now + ALIVE_MS + 1).await;
        assert!(!relay_a.has_company());
        assert_eq!(on_a.try_recv().unwrap(), Bus::Resync, "pages read again what b may have left untold");
    }
}
