//! The server push channel (server only): every change to an order or a job is broadcast to
//! the open pages of its workspace's members as server-sent events on
//! `GET /api/events?workspace=N`. It knows nothing of writes or jobs: the write gate
//! (`crate::api`), the job runner and the account forms publish here; `crate::server` mounts
//! [`stream`].
//!
//! Wire format: each change is an SSE `message` whose data is a JSON [`ServerEvent`]. The first
//! event of every connection is `ready`: the page then catches up on what it may have missed
//! (it refetches, and the sync engine keeps the newer of each record by version). A page that
//! falls too far behind gets `resync` and does the same. When the person's role in the
//! workspace changes the page gets `access` (data: the role); when they are removed from it,
//! `revoked`, and the stream ends at once.
//!
//! Several instances may share the database: what one publishes reaches the others' pages
//! through the database ([`relay`]).

pub mod relay;

use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Query, State};
use axum::Extension;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

use crate::domain::{Job, Order, OrderId, Person, Role, ServerEvent, WorkspaceId};

/// How many changes a slow page may fall behind before it is told to resync.
const BUFFER: usize = 1024;

/// What travels on the channel: a change in a workspace, or a change of someone's access to one.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bus {
    Change { workspace: WorkspaceId, event: ServerEvent },
    /// `user`'s role in `workspace` is now `role` (`None`: they were removed).
    Access { workspace: WorkspaceId, user: i64, role: Option<Role> },
    /// Changes may have been missed (another instance's were pruned before this one read
    /// them): every page catches up.
    Resync,
    /// The session with this id changed or ended: instances drop their cached copy
    /// (`crate::accounts::sessions`). No page hears of it.
    Session { id: String },
}

/// The broadcast side of the channel. Cheap to clone; publishing with no page open is fine.
#[derive(Clone, Debug)]
pub struct Events {
    tx: broadcast::Sender<Bus>,
    /// Set when the server is shutting down: open streams end, so shutdown doesn't wait on them.
    closing: Arc<watch::Sender<bool>>,
    /// What was published here, waiting for the relay to hand it to the other instances.
    outgoing: Arc<relay::Outgoing>,
}

impl Default for Events {
    fn default() -> Self {
        Events { tx: broadcast::channel(BUFFER).0, closing: Arc::new(watch::channel(false).0), outgoing: Arc::default() }
    }
}

impl Events {
    /// Tells the open pages of `workspace` of `event`, here and on every other instance.
    pub fn publish(&self, workspace: WorkspaceId, event: ServerEvent) {
        self.send(Bus::Change { workspace, event });
    }

    /// Tells `user`'s open pages of `workspace` that their role is now `role` (`None`: gone).
    pub fn access(&self, workspace: WorkspaceId, user: i64, role: Option<Role>) {
        self.send(Bus::Access { workspace, user, role });
    }

    fn send(&self, bus: Bus) {
        self.outgoing.push(bus.clone());
        self.deliver(bus);
    }

    /// Tells this instance's pages only (what another instance published).
    fn deliver(&self, bus: Bus) {
        // An error only means nobody is listening right now.
        let _ = self.tx.send(bus);
    }

    /// Ends every open stream (graceful shutdown). Browsers reconnect to the next server.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    pub fn order(&self, workspace: WorkspaceId, order: &Order) {
        self.publish(workspace, ServerEvent::Order(order.clone()));
    }

    pub fn order_removed(&self, workspace: WorkspaceId, id: OrderId) {
        self.publish(workspace, ServerEvent::OrderRemoved(id));
    }

    pub fn job(&self, workspace: WorkspaceId, job: &Job) {
        self.publish(workspace, ServerEvent::Job(job.clone()));
    }

    /// Tells the other instances that the session `id` changed or ended.
    pub fn session_changed(&self, id: String) {
        self.outgoing.push(Bus::Session { id });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Bus> {
        self.tx.subscribe()
    }
}

/// Open event streams, per client address and in total: a stream holds a connection for as
/// long as the page is open, so no client (and no crowd) may hold them all.
#[derive(Debug)]
pub struct StreamSlots {
    per_client: usize,
    total: usize,
    /// Streams open now: in total, and per address (an address leaves the map at zero).
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

impl StreamSlots {
    pub fn new(per_client: usize, total: usize) -> Arc<StreamSlots> {
        Arc::new(StreamSlots { per_client, total, open: Mutex::new((0, HashMap::new())) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (usize, HashMap<IpAddr, usize>)> {
        // Counters only: a panic elsewhere can't leave them half-written.
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A slot for one more stream from `client`, or `None` when a limit is reached.
    fn take(self: &Arc<Self>, client: IpAddr) -> Option<Slot> {
        let mut open = self.lock();
        let (total, per_client) = &mut *open;
        let mine = per_client.entry(client).or_insert(0);
        if *total >= self.total || *mine >= self.per_client {
            if *mine == 0 {
                per_client.remove(&client);
            }
            return None;
        }
        *mine += 1;
        *total += 1;
        Some(Slot { slots: self.clone(), client })
    }

    /// Streams open now.
    pub fn open(&self) -> usize {
        self.lock().0
    }
}

/// One open stream's place; given back when the stream ends (the page closed or went away).
struct Slot {
    slots: Arc<StreamSlots>,
    client: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.slots.lock();
        let (total, per_client) = &mut *open;
        *total = total.saturating_sub(1);
        if let Some(mine) = per_client.get_mut(&self.client) {
            *mine = mine.saturating_sub(1);
            if *mine == 0 {
                per_client.remove(&self.client);
            }
        }
    }
}

/// What one connection sends next.
enum Next {
    Ready,
    Listen,
    /// The person was removed from the workspace: `revoked` was sent, the stream ends.
    End,
}

/// Which workspace a stream follows (the person's current one without it).
#[derive(serde::Deserialize)]
pub struct Follow {
    workspace: Option<WorkspaceId>,
}

/// What a stream sends for one message on the bus: nothing (another workspace, or another
/// person's access), an event, or the last event.
fn event_for(bus: Bus, workspace: WorkspaceId, user: i64) -> Option<(Event, Next)> {
    match bus {
        Bus::Change { workspace: w, event } if w == workspace => Some(match serde_json::to_string(&event) {
            Ok(json) => (Event::default().data(json), Next::Listen),
            Err(e) => {
                tracing::error!(error = %e, "can't encode a server event");
                (Event::default().event("resync").data("{}"), Next::Listen)
            }
        }),
        Bus::Access { workspace: w, user: u, role } if w == workspace && u == user => Some(match role {
            Some(role) => (Event::default().event("access").data(role.as_str()), Next::Listen),
            None => (Event::default().event("revoked").data("{}"), Next::End),
        }),
        Bus::Resync => Some((Event::default().event("resync").data("{}"), Next::Listen)),
        _ => None,
    }
}

/// `GET /api/events?workspace=N`: `ready`, then every change in that workspace as it happens;
/// comments keep the connection alive. Only for its members: anyone else is told it doesn't
/// exist (404), and nobody signed in gets 401. Past the stream limits it answers 503, and the
/// page polls instead.
pub async fn stream(
    State(events): State<Events>,
    State(slots): State<Arc<StreamSlots>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    person: Option<Extension<Person>>,
    Query(follow): Query<Follow>,
) -> Response {
    let Some(Extension(person)) = person else { return crate::error::AppError::unauthorized().into_response_with_status() };
    let Some(workspace) = follow.workspace.or(person.current).filter(|w| person.membership(*w).is_some()) else {
        return crate::error::AppError::not_found("There is no such workspace, or you are not a member of it.").into_response_with_status();
    };
    let user = person.user;
    let Some(slot) = slots.take(client.ip()) else {
        tracing::info!(%client, "refused an event stream: too many open");
        let error = crate::error::AppError::Transient {
            message: "Too many live connections are open. This page checks for changes every few seconds instead.".into(),
        };
        return (StatusCode::SERVICE_UNAVAILABLE, [(axum::http::header::RETRY_AFTER, "30")], axum::Json(error)).into_response();
    };
    let rx = events.subscribe();
    let closing = events.closing.subscribe();
    let body = stream::unfold((Next::Ready, rx, closing, slot), move |(next, mut rx, mut closing, slot)| async move {
        match next {
            Next::Ready => return Some((Ok::<_, Infallible>(Event::default().event("ready").data("{}")), (Next::Listen, rx, closing, slot))),
            Next::End => return None,
            Next::Listen => {}
        }
        loop {
            let received = tokio::select! {
                received = rx.recv() => received,
                _ = closing.wait_for(|closing| *closing) => return None,
            };
            let (event, next) = match received {
                Ok(bus) => match event_for(bus, workspace, user) {
                    Some(found) => found,
                    None => continue,
                },
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::debug!(missed = n, "a page fell behind the event stream; asking it to resync");
                    (Event::default().event("resync").data("{}"), Next::Listen)
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            return Some((Ok(event), (next, rx, closing, slot)));
        }
    });
    Sse::new(body).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OrderId;

    #[test]
    fn stream_slots_are_capped_per_client_and_in_total_and_given_back() {
        let slots = StreamSlots::new(2, 3);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let a1 = slots.take(a).unwrap();
        let _a2 = slots.take(a).unwrap();
        assert!(slots.take(a).is_none(), "a third stream from one client");
        let _b1 = slots.take(b).unwrap();
        assert!(slots.take("10.0.0.3".parse().unwrap()).is_none(), "a fourth stream in total");
        drop(a1);
        assert_eq!(slots.open(), 2);
        assert!(slots.take(a).is_some());
        assert_eq!(slots.lock().1.len(), 2, "refused clients leave no entry behind");
    }

    #[tokio::test]
    async fn subscribers_get_what_is_published_after_they_subscribe() {
        let events = Events::default();
        events.order_removed(1, OrderId::new());
        let mut rx = events.subscribe();
        let id = OrderId::new();
        events.order_removed(1, id);
        assert_eq!(rx.recv().await.unwrap(), Bus::Change { workspace: 1, event: ServerEvent::OrderRemoved(id) });
    }

    #[test]
    fn a_stream_carries_only_its_workspace_and_its_person_s_access() {
        let change = |workspace| Bus::Change { workspace, event: ServerEvent::OrderRemoved(OrderId::new()) };
        assert!(event_for(change(1), 1, 7).is_some());
        assert!(event_for(change(2), 1, 7).is_none(), "another workspace's change");
        assert!(event_for(Bus::Access { workspace: 1, user: 8, role: None }, 1, 7).is_none(), "another person's access");
        assert!(event_for(Bus::Access { workspace: 2, user: 7, role: None }, 1, 7).is_none(), "another workspace's access");
        assert!(matches!(event_for(Bus::Access { workspace: 1, user: 7, role: Some(Role::Viewer) }, 1, 7), Some((_, Next::Listen))));
        assert!(matches!(event_for(Bus::Access { workspace: 1, user: 7, role: None }, 1, 7), Some((_, Next::End))), "removed: the stream ends");
    }
}
