//! The one write gate. Every write server function parses its arguments into domain types and
//! makes one call to [`write`], which does the rest in this order, for every kind of write:
//!
//! 1. parse the idempotency key (a bad key is refused before anything else happens);
//! 2. find who writes and check their role where the write acts: nobody signed in gets 401,
//!    a non-member "not found" (as for an order that doesn't exist), a viewer "forbidden";
//! 3. claim the key in flight (per person: another's key is another key) (a repeat while the first still runs gets "in progress", safe to retry);
//! 4. apply the fault-control rules (latency, delay, hang, reject, …; off in production);
//! 5. run the effect: the store replays the key's stored answer, or applies the change and
//!    stores its answer in the same transaction ([`Applied`]);
//! 6. publish to the workspace's pages only when the effect ran now: a replay publishes nothing.
//!
//! It holds no business rules (those are in `crate::domain::rules`) and no SQL.

use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

use super::context;
use crate::config::Settings;
use crate::domain::{DeleteReceipt, Field, Order, OrderId, PlaceReceipt, ServerEvent, WorkspaceId, WriteKind};
use crate::error::AppError;
use crate::faults::{FaultAction, JobFault};
use crate::jobs::JobRunner;
use crate::state::AppState;
use crate::store::{payload_hash, Applied, Db, StoreError, WriteMeta};

/// What a write's effect may use: the store, the write's key and time, the settings, and
/// (for `place`) what fault controls decided for the job it starts.
pub struct Effect {
    pub db: Db,
    pub meta: WriteMeta,
    pub settings: Arc<Settings>,
    /// For `place` only: the job's forced outcome (`None`: run normally).
    pub job_fault: Option<JobFault>,
    pub jobs: Arc<JobRunner>,
}

/// What other open pages are told when a write's effect ran: the events for its answer.
pub type Announce<T> = fn(&T) -> Vec<ServerEvent>;

/// [`Announce`] for the answers writes give.
pub mod announce {
    use super::*;

    /// The changed order.
    pub fn order(o: &Order) -> Vec<ServerEvent> {
        vec![ServerEvent::Order(o.clone())]
    }

    /// The canonical list after a move: every order in it (positions may have been renumbered).
    #[allow(clippy::ptr_arg, reason = "an Announce<Vec<Order>> takes the answer as it is")]
    pub fn orders(list: &Vec<Order>) -> Vec<ServerEvent> {
        list.iter().cloned().map(ServerEvent::Order).collect()
    }

    /// The order left the list (held for its undo window).
    pub fn removed(r: &DeleteReceipt) -> Vec<ServerEvent> {
        vec![ServerEvent::OrderRemoved(r.order.id)]
    }

    /// The order is now placing; the job's own changes are published by the job runner.
    pub fn placed(r: &PlaceReceipt) -> Vec<ServerEvent> {
        vec![ServerEvent::Order(r.order.clone())]
    }
}

/// Where a write acts: on an existing order (in its workspace), or, for a new order, in a
/// workspace (`None`: the person's current one).
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    Order(OrderId),
    Workspace(Option<WorkspaceId>),
}

/// Runs one write through the gate (see the module docs for the order of the steps).
///
/// - `kind`, `key`: which write, and its idempotency key as the client sent it.
/// - `scope`: the existing order it changes (the `conflict` fault changes it first), or the
///   workspace a new one goes to.
/// - `payload`: the parsed arguments; their hash tells a repeat from a reused key.
/// - `announce`: what to publish when the effect ran now.
/// - `effect`: the store call, given an [`Effect`]; it must answer [`Applied`].
///
/// Once claimed, the write runs to its end on its own task even if the client stops waiting
/// (the `hang` fault outlives the client's deadline on purpose), so an effect is never cut
/// off halfway and the claim is held until its answer is stored.
///
/// ```ignore
/// gate::write(WriteKind::Star, &key, Scope::Order(id), &(id, version, starred), announce::order, move |w| async move {
///     w.db.set_starred(&w.meta, id, version, starred).await
/// })
/// .await
/// ```
pub async fn write<T, F, Fut>(
    kind: WriteKind,
    key: &str,
    scope: Scope,
    payload: &impl Serialize,
    announce: Announce<T>,
    effect: F,
) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(Effect) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Applied<T>, StoreError>> + Send + 'static,
{
    let state = context::state()?;
    let key = parse_key(key)?;
    let person = context::person()?;
    let (workspace, role, target) = match scope {
        Scope::Order(id) => {
            let (workspace, role) = context::role_for_order(&state.db, &person, id).await?;
            (workspace, role, Some(id))
        }
        Scope::Workspace(w) => {
            let (workspace, role) = context::role_in(&person, w)?;
            (workspace, role, None)
        }
    };
    if !role.can_edit() {
        return Err(AppError::read_only());
    }
    let user = person.user.to_string();
    let claim = state.inflight.claim(&user, key).ok_or_else(|| AppError::InProgress {
        message: "This change is still being saved. It is safe to send it again in a moment.".into(),
    })?;
    let payload_hash = payload_hash(kind, payload);
    let run = async move {
        let _claim = claim;
        let job_fault = apply_faults(&state, kind, target).await?;
        let meta = WriteMeta {
            user,
            workspace,
            key,
            kind,
            payload_hash,
            now: state.clock.now_ms(),
            ttl_ms: (state.settings.writes.idempotency_ttl_hours as i64).saturating_mul(3_600_000),
        };
        let job_fault = job_fault.filter(|_| kind == WriteKind::Place);
        let ctx = Effect { db: state.db.clone(), meta, settings: state.settings.clone(), job_fault, jobs: state.jobs.clone() };
        let applied = effect(ctx).await?;
        if let Applied::Fresh(answer) = &applied {
            for event in announce(answer) {
                state.events.publish(workspace, event);
            }
        }
        Ok(applied.into_inner())
    };
    tokio::spawn(run).await.unwrap_or_else(|e| Err(context::internal("running a write", e)))
}

/// Parses a client-made idempotency key.
pub fn parse_key(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw.trim()).map_err(|_| AppError::Validation {
        field: Field::IdempotencyKey,
        message: "The request key is not a UUID, so nothing was saved. Reload the page and try again.".into(),
    })
}

/// Applies the fault-control rule (if any) that catches this write, after the added latency.
/// Returns what was decided for the job a `place` starts.
async fn apply_faults(state: &AppState, kind: WriteKind, target: Option<OrderId>) -> Result<Option<JobFault>, AppError> {
    let (latency_ms, action) = state.faults.take(kind);
    if latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(latency_ms)).await;
    }
    let Some(action) = action else { return Ok(None) };
    match action {
        FaultAction::Succeed => return Ok(Some(JobFault::Succeed)),
        FaultAction::JobFail => return Ok(Some(JobFault::Fail)),
        FaultAction::JobStall => return Ok(Some(JobFault::Stall)),
        FaultAction::Delay { ms } => tokio::time::sleep(Duration::from_millis(ms)).await,
        FaultAction::Hang { ms } => {
            let ms = ms.unwrap_or_else(|| state.settings.writes.request_deadline_ms.saturating_add(1_000));
            tracing::warn!(kind = kind.as_str(), ms, "fault controls: holding a write past the client's deadline");
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        FaultAction::Transient => {
            return Err(AppError::Transient {
                message: "The server is temporarily unavailable, so nothing was saved. It will be retried in a moment.".into(),
            });
        }
        FaultAction::Reject => return Err(injected_rejection(kind)),
        FaultAction::ServerError => {
            tracing::warn!(kind = kind.as_str(), "fault controls: answering a write with a server error");
            return Err(AppError::internal());
        }
        FaultAction::Conflict => {
            if let Some(id) = target {
                state.db.touch_elsewhere(id, state.clock.now_ms()).await?;
            }
        }
    }
    Ok(None)
}

/// The hard rejection the fault controls produce: a 422 on the field the write touches.
fn injected_rejection(kind: WriteKind) -> AppError {
    let field = match kind {
        WriteKind::Rename | WriteKind::Create => Field::Customer,
        WriteKind::Note => Field::Note,
        WriteKind::Quantity => Field::Quantity,
        WriteKind::Move => Field::Position,
        WriteKind::Star | WriteKind::Delete | WriteKind::UndoDelete | WriteKind::Cancel | WriteKind::Place => Field::OrderId,
    };
    AppError::Validation {
        field,
        message: "The server refused this value (fault controls asked for a rejection). Change it and try again.".into(),
    }
}
