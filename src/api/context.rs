//! What server functions need from the server: the shared state, the common start of every
//! write (key, in-flight claim, fault controls), and errors turned into HTTP answers.

use leptos::prelude::*;
use serde::Serialize;
use std::sync::Arc;

use crate::config::Settings;
use crate::domain::{Field, OrderId, WriteKind};
use crate::error::AppError;
use crate::faults::{FaultAction, JobFault};
use crate::server::{AppState, InFlightClaim};
use crate::store::{parse_key, payload_hash, Db, WriteMeta};

/// There is no sign-in yet: every request acts as this one user. Keys are stored per user
/// so adding accounts later does not change the contract.
pub const LOCAL_USER: &str = "local";

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::internal()
    })
}

pub fn db() -> Result<Db, AppError> {
    Ok(state()?.db)
}

/// Logs an unexpected failure with its context and returns the safe error for the client.
pub fn internal(doing: &str, detail: impl std::fmt::Display) -> AppError {
    tracing::error!(%detail, "failed while {doing}");
    AppError::internal()
}

/// Runs a server function body and, on error, sets the HTTP status that matches the error.
pub async fn reply<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(e) = &result
        && let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(axum::http::StatusCode::from_u16(e.status()).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR));
        }
    result
}

/// A write that may proceed: what the store needs, and the claim on its key (released when
/// this is dropped, after the answer).
pub struct Write {
    pub db: Db,
    pub settings: Arc<Settings>,
    /// Where the write's effect is announced to other open pages.
    pub events: crate::server::Events,
    pub meta: WriteMeta,
    /// For `place`: what fault controls decided for the job it starts (`None`: run normally).
    pub job_fault: Option<JobFault>,
    _claim: InFlightClaim,
}

/// Starts a write: parses the key, refuses a repeat while the first is still running,
/// then applies any fault-control rule for this kind of write.
pub async fn begin_write(kind: WriteKind, key: &str, target: Option<OrderId>, payload: &impl Serialize) -> Result<Write, AppError> {
    let state = state()?;
    let key = parse_key(key)?;
    let claim = state.inflight.claim(LOCAL_USER, key).ok_or_else(|| AppError::InProgress {
        message: "This change is still being saved. It is safe to send it again in a moment.".into(),
    })?;
    let (latency_ms, action) = state.faults.take(kind);
    if latency_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency_ms)).await;
    }
    let mut job_fault = None;
    match action {
        None => {}
        Some(FaultAction::Succeed) => job_fault = Some(JobFault::Succeed),
        Some(FaultAction::JobFail) => job_fault = Some(JobFault::Fail),
        Some(FaultAction::JobStall) => job_fault = Some(JobFault::Stall),
        Some(FaultAction::Delay { ms }) => tokio::time::sleep(std::time::Duration::from_millis(ms)).await,
        Some(FaultAction::Transient) => {
            return Err(AppError::Transient {
                message: "The server is temporarily unavailable, so nothing was saved. It will be retried in a moment.".into(),
            });
        }
        Some(FaultAction::Reject) => return Err(injected_rejection(kind)),
        Some(FaultAction::ServerError) => {
            tracing::warn!(kind = kind.as_str(), "fault controls: answering a write with a server error");
            return Err(AppError::internal());
        }
        Some(FaultAction::Conflict) => {
            if let Some(id) = target {
                state.db.touch_elsewhere(id, state.clock.now_ms()).await?;
            }
        }
    }
    let meta = WriteMeta {
        user: LOCAL_USER.to_string(),
        key,
        kind,
        payload_hash: payload_hash(kind, payload),
        now: state.clock.now_ms(),
        ttl_ms: (state.settings.writes.idempotency_ttl_hours as i64).saturating_mul(3_600_000),
    };
    Ok(Write { db: state.db, settings: state.settings, events: state.events, meta, job_fault: job_fault.filter(|_| kind == WriteKind::Place), _claim: claim })
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
