//! The server's shared state (server only): what every handler and server function may reach.
//! It sits below `api`, `jobs` and `server` and imports none of them but the job runner's
//! handle, so no module needs `server/` to do its work.

mod inflight;

pub use inflight::{InFlight, InFlightClaim};

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

use crate::clock::SharedClock;
use crate::config::Settings;
use crate::faults::Faults;
use crate::jobs::JobRunner;
use crate::push::{Events, StreamSlots};
use crate::store::Db;

/// Shared state handed to axum handlers and (through context) to server functions.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub settings: Arc<Settings>,
    pub clock: SharedClock,
    pub faults: Arc<Faults>,
    /// Keys of writes running right now (the write gate's claims).
    pub inflight: Arc<InFlight>,
    /// The push channel to open pages.
    pub events: Events,
    /// Runs placed orders' jobs.
    pub jobs: Arc<JobRunner>,
    /// Open event streams, capped per client and in total.
    pub streams: Arc<StreamSlots>,
}
