//! The server push channel (server only): every change to an order or a job is broadcast to
//! open pages as server-sent events on `GET /api/events`. It knows nothing of writes or jobs:
//! the write gate (`crate::api`) and the job runner publish here; `crate::server` mounts
//! [`stream`].
//!
//! Wire format: each change is an SSE `message` whose data is a JSON [`ServerEvent`]. The first
//! event of every connection is `ready`: the page then catches up on what it may have missed
//! (it refetches, and the sync engine keeps the newer of each record by version). A page that
//! falls too far behind gets `resync` and does the same.

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

use crate::domain::{Job, Order, OrderId, ServerEvent};

/// How many changes a slow page may fall behind before it is told to resync.
const BUFFER: usize = 1024;

/// The broadcast side of the channel. Cheap to clone; publishing with no page open is fine.
#[derive(Clone, Debug)]
pub struct Events {
    tx: broadcast::Sender<ServerEvent>,
    /// Set when the server is shutting down: open streams end, so shutdown doesn't wait on them.
    closing: Arc<watch::Sender<bool>>,
}

impl Default for Events {
    fn default() -> Self {
        Events { tx: broadcast::channel(BUFFER).0, closing: Arc::new(watch::channel(false).0) }
    }
}

impl Events {
    pub fn publish(&self, event: ServerEvent) {
        // An error only means nobody is listening right now.
        let _ = self.tx.send(event);
    }

    /// Ends every open stream (graceful shutdown). Browsers reconnect to the next server.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    pub fn order(&self, order: &Order) {
        self.publish(ServerEvent::Order(order.clone()));
    }

    pub fn orders(&self, orders: &[Order]) {
        for o in orders {
            self.order(o);
        }
    }

    pub fn order_removed(&self, id: OrderId) {
        self.publish(ServerEvent::OrderRemoved(id));
    }

    pub fn job(&self, job: &Job) {
        self.publish(ServerEvent::Job(job.clone()));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ServerEvent> {
        self.tx.subscribe()
    }
}

/// What one connection sends next.
enum Next {
    Ready,
    Listen,
}

/// `GET /api/events`: `ready`, then every change as it happens; comments keep the connection alive.
pub async fn stream(State(events): State<Events>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = events.subscribe();
    let closing = events.closing.subscribe();
    let body = stream::unfold((Next::Ready, rx, closing), |(next, mut rx, mut closing)| async move {
        if let Next::Ready = next {
            return Some((Ok(Event::default().event("ready").data("{}")), (Next::Listen, rx, closing)));
        }
        let received = tokio::select! {
            received = rx.recv() => received,
            _ = closing.wait_for(|closing| *closing) => return None,
        };
        let event = match received {
            Ok(change) => match serde_json::to_string(&change) {
                Ok(json) => Event::default().data(json),
                Err(e) => {
                    tracing::error!(error = %e, "can't encode a server event");
                    Event::default().event("resync").data("{}")
                }
            },
            Err(broadcast::error::RecvError::Lagged(n)) => {
                tracing::debug!(missed = n, "a page fell behind the event stream; asking it to resync");
                Event::default().event("resync").data("{}")
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok(event), (Next::Listen, rx, closing)))
    });
    Sse::new(body).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OrderId;

    #[tokio::test]
    async fn subscribers_get_what_is_published_after_they_subscribe() {
        let events = Events::default();
        events.order_removed(OrderId::new());
        let mut rx = events.subscribe();
        let id = OrderId::new();
        events.order_removed(id);
        assert_eq!(rx.recv().await.unwrap(), ServerEvent::OrderRemoved(id));
    }
}
