//! The fault-control endpoint (`/api/faults`), mounted only when `faults.enabled` is set.
//!
//! - `GET    /api/faults`          the current rules and latency
//! - `POST   /api/faults`          add a rule: `{"kind":"quantity","action":{"outcome":"reject"},"count":1}`
//!   (`kind` omitted = any write; outcomes: succeed, reject, server_error, conflict, transient,
//!   delay with `ms`, hang with optional `ms`; for `place` only: job_fail, job_stall)
//! - `PUT    /api/faults/latency`  `{"ms":500}` added before every write
//! - `DELETE /api/faults`          clear everything

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;

use crate::state::AppState;
use crate::error::AppError;
use crate::faults::{FaultRule, MAX_DELAY_MS};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/faults", get(show).post(add).delete(clear))
        .route("/api/faults/latency", put(latency))
}

fn bad_request(message: String) -> Response {
    let e = AppError::BadRequest { message };
    (StatusCode::BAD_REQUEST, Json(e)).into_response()
}

async fn show(State(state): State<AppState>) -> Response {
    Json(state.faults.snapshot()).into_response()
}

async fn add(State(state): State<AppState>, body: Bytes) -> Response {
    let rule: FaultRule = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad_request(format!("The fault rule is not valid JSON for a rule ({e}). See the README's fault controls section.")),
    };
    if let Err(why) = rule.validate() {
        return bad_request(format!("The fault rule was refused: {why}"));
    }
    match state.faults.push(rule) {
        Ok(rules) => Json(rules).into_response(),
        Err(why) => bad_request(format!("The fault rule was refused: {why}")),
    }
}

#[derive(Deserialize)]
struct Latency {
    ms: u64,
}

async fn latency(State(state): State<AppState>, body: Bytes) -> Response {
    match serde_json::from_slice::<Latency>(&body) {
        Ok(Latency { ms }) if ms <= MAX_DELAY_MS => Json(state.faults.set_latency(ms)).into_response(),
        Ok(_) => bad_request(format!("Latency can be at most {MAX_DELAY_MS} ms.")),
        Err(e) => bad_request(format!("Send {{\"ms\": <milliseconds>}} ({e}).")),
    }
}

async fn clear(State(state): State<AppState>) -> Response {
    Json(state.faults.clear()).into_response()
}
