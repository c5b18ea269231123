//! Server functions behind the fault panel. They answer "not found" unless fault controls
//! are enabled (`faults.enabled` / `ORDERDESK_FAULTS`), exactly like `/api/faults`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::faults::FaultState;

#[cfg(feature = "ssr")]
fn faults() -> Result<std::sync::Arc<crate::faults::Faults>, AppError> {
    let state = super::context::state()?;
    if !state.settings.faults.enabled {
        return Err(AppError::not_found("Fault controls are off. Start the server with ORDERDESK_FAULTS=true to use them."));
    }
    Ok(state.faults)
}

/// The current fault rules, or `None` when fault controls are off (the panel then hides).
#[server(endpoint = "faults/state", output = crate::wire::Wire)]
pub async fn get_fault_state() -> Result<Option<FaultState>, AppError> {
    let state = super::context::state()?;
    Ok(state.settings.faults.enabled.then(|| state.faults.snapshot()))
}

/// Adds a rule: `outcome` is succeed, reject, server_error, conflict, transient, delay (`ms`),
/// hang (`ms`, or 0 for just past the client's write deadline), or (for `place` only)
/// job_fail or job_stall.
#[server(endpoint = "faults/add", output = crate::wire::Wire)]
pub async fn add_fault(kind: String, outcome: String, ms: u64, count: u32) -> Result<FaultState, AppError> {
    use crate::domain::{Field, WriteKind};
    use crate::faults::{FaultAction, FaultRule};
    super::context::reply(async {
        let faults = faults()?;
        let kind = if kind.is_empty() || kind == "any" {
            None
        } else {
            Some(WriteKind::parse(&kind).ok_or_else(|| AppError::BadRequest { message: format!("\"{kind}\" is not a kind of write.") })?)
        };
        let action = match outcome.as_str() {
            "succeed" => FaultAction::Succeed,
            "reject" => FaultAction::Reject,
            "server_error" => FaultAction::ServerError,
            "conflict" => FaultAction::Conflict,
            "transient" => FaultAction::Transient,
            "delay" => FaultAction::Delay { ms },
            "hang" => FaultAction::Hang { ms: (ms > 0).then_some(ms) },
            "job_fail" => FaultAction::JobFail,
            "job_stall" => FaultAction::JobStall,
            other => return Err(AppError::BadRequest { message: format!("\"{other}\" is not a fault outcome.") }),
        };
        let rule = FaultRule { kind, action, count };
        rule.validate().map_err(|m| AppError::Validation { field: Field::Position, message: m })?;
        faults.push(rule).map_err(|m| AppError::Validation { field: Field::Position, message: m })
    })
    .await
}

/// Sets the latency added before every write.
#[server(endpoint = "faults/latency", output = crate::wire::Wire)]
pub async fn set_fault_latency(ms: u64) -> Result<FaultState, AppError> {
    super::context::reply(async {
        if ms > crate::faults::MAX_DELAY_MS {
            return Err(AppError::BadRequest { message: format!("Latency can be at most {} ms.", crate::faults::MAX_DELAY_MS) });
        }
        Ok(faults()?.set_latency(ms))
    })
    .await
}

/// Removes every rule and the latency.
#[server(endpoint = "faults/clear", output = crate::wire::Wire)]
pub async fn clear_faults() -> Result<FaultState, AppError> {
    super::context::reply(async { Ok(faults()?.clear()) }).await
}
