//! The bridge between the sync engine and Leptos: the engine lives in a signal, user actions
//! enqueue operations, and a pump sends what the engine says is next. Components read
//! [`OrderSync::rows`]; they never reconcile anything themselves.

mod transport;

pub use transport::outcome_of_error;

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::{Order, OrderId};
use crate::sync::{Engine, OpId, OpKind, RowState, RowView};

/// Handle to the orders' sync state. `Copy`, so closures can hold it freely.
#[derive(Clone, Copy)]
pub struct OrderSync {
    engine: RwSignal<Engine>,
    /// Whether queued operations are sent. Off only for the state gallery's fixed rows.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    live: bool,
    /// The rendered list: `fold(authoritative, queue)`, recomputed on every change.
    pub rows: Memo<Vec<RowView>>,
}

/// What [`use_order_sync`] returns.
pub type UseOrderSyncReturn = OrderSync;

/// Starts syncing `orders` (the server's list). Provides the handle as context too.
pub fn use_order_sync(orders: Vec<Order>) -> UseOrderSyncReturn {
    let mut engine = Engine::new();
    engine.replace_authoritative(orders);
    let engine = RwSignal::new(engine);
    let rows = Memo::new(move |_| engine.with(|e| e.view()));
    let sync = OrderSync { engine, live: true, rows };
    provide_context(sync);
    sync
}

/// A handle over a prepared engine that never sends: the state gallery renders real rows in
/// fixed states with it (clicks still fold locally, nothing reaches the server).
pub fn fixed_order_sync(engine: Engine) -> OrderSync {
    let engine = RwSignal::new(engine);
    let rows = Memo::new(move |_| engine.with(|e| e.view()));
    OrderSync { engine, live: false, rows }
}

/// Wall-clock milliseconds, from the browser on the client.
#[cfg(feature = "hydrate")]
fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

impl OrderSync {
    /// The row for `id` as rendered now.
    pub fn row(self, id: OrderId) -> Option<RowView> {
        self.rows.with(|rows| rows.iter().find(|r| r.order.id == id).cloned())
    }

    /// Ids in list order, without pending deletes' neighbours changing: used for move up/down.
    pub fn order_ids(self) -> Vec<OrderId> {
        self.rows.with_untracked(|rows| rows.iter().map(|r| r.order.id).collect())
    }

    /// A user action on a row: queued with a fresh idempotency key, shown at once, sent when
    /// the row's previous request has been answered.
    pub fn act(self, order: OrderId, kind: OpKind) {
        let id = OpId::from_uuid(Uuid::now_v7());
        let queued = self.engine.try_update(|e| e.enqueue(id, order, kind));
        if let Some(Err(e)) = queued {
            leptos::logging::warn!("action not queued: {e}");
        }
        self.pump();
    }

    /// Resends a rolled-back change with its original key.
    pub fn retry(self, order: OrderId) {
        self.engine.update(|e| {
            let _ = e.retry(order);
        });
        self.pump();
    }

    /// Takes a record the server just confirmed outside the queue (a pessimistic write).
    pub fn confirm_record(self, order: Order) {
        self.engine.update(|e| {
            e.upsert_authoritative(order);
        });
    }

    /// Takes a full list from the server (catching up after a reconnect): newer records win,
    /// rows the server no longer lists go, queued changes stay queued.
    pub fn take_snapshot(self, orders: Vec<Order>) {
        self.engine.update(|e| e.replace_authoritative(orders));
    }

    /// Another tab or user removed the order. A row this page itself deleted keeps its
    /// "Deleted · Undo" line until its own window closes.
    pub fn take_removal(self, order: OrderId) {
        if self.row(order).is_some_and(|r| matches!(r.state, RowState::Deleted { .. })) {
            return;
        }
        self.engine.update(|e| e.remove_authoritative(order));
    }

    /// Clears the row's note (and drops a rolled-back create).
    pub fn dismiss(self, order: OrderId) {
        self.engine.update(|e| e.dismiss(order));
    }

    /// Sends whatever the engine says is next, and arranges to come back for backed-off ops
    /// and for held deletes whose undo window closes.
    fn pump(self) {
        #[cfg(feature = "hydrate")]
        if self.live {
            let ops = self.engine.try_update(|e| e.next_to_send(now_ms())).unwrap_or_default();
            for op in ops {
                leptos::task::spawn_local(async move {
                    let op_id = op.id;
                    let outcome = transport::send(op).await;
                    self.engine.update(|e| {
                        e.apply_outcome(op_id, outcome, now_ms());
                    });
                    self.schedule_purges();
                    self.pump();
                });
            }
            if let Some(at) = self.engine.with_untracked(|e| e.next_send_at()) {
                let wait = (at - now_ms()).max(0) as u64;
                set_timeout(move || self.pump(), std::time::Duration::from_millis(wait));
            }
        }
    }

    /// Rows whose delete the server holds disappear when their undo window closes.
    #[cfg(feature = "hydrate")]
    fn schedule_purges(self) {
        let now = now_ms();
        for row in self.rows.get_untracked() {
            if let RowState::Deleted { held: true, undo_until: Some(until) } = row.state {
                let id = row.order.id;
                set_timeout(
                    move || {
                        // Only this hold: after Undo and a new delete, a newer window applies.
                        let still_held = self
                            .row(id)
                            .is_some_and(|r| matches!(r.state, RowState::Deleted { held: true, undo_until: Some(u) } if u == until));
                        if still_held {
                            self.engine.update(|e| e.remove_authoritative(id));
                        }
                    },
                    std::time::Duration::from_millis((until - now).max(0) as u64 + 50),
                );
            }
        }
    }
}

/// The sync handle provided by the orders page.
pub fn expect_order_sync() -> OrderSync {
    expect_context::<OrderSync>()
}
