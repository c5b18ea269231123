//! Assembles the HTTP server (server only): builds the shared state, mounts the routes, and
//! names start-up errors. It holds no logic of its own that another module needs.
//! `main.rs` and the integration tests both start the server through [`start`].

use axum::http::StatusCode;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::app::{shell, App};
use crate::clock::{SharedClock, SystemClock};
use crate::config::Settings;
use crate::faults::Faults;
use crate::jobs::{JobRunner, MailError, Mailer};
use crate::edge::assets::{self, Assets};
use crate::edge::preload::ChunkHints;
use crate::edge::{serve::Limits, Edge};
use crate::push::relay::Relay;
use crate::push::{Events, StreamSlots};
use crate::state::{AppState, InFlight};
use crate::store::{Db, DbError, SessionCache};
use crate::accounts::sessions::SharedSessions;

mod fault_routes;

/// Why the server could not start. Printed as one clear sentence; the process exits non-zero.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("can't listen on {addr}: {source}. Is another server using that port? Set ORDERDESK_ADDRESS to another address.")]
    Bind { addr: std::net::SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error("can't pick up the jobs that were running before the restart ({0}). Check the database file and start again.")]
    Resume(crate::store::StoreError),
    #[error("can't join the instances on this database ({0}). Check the database and start again.")]
    Join(crate::store::StoreError),
}

/// A bound, ready server: its address, and what [`Running::serve`] runs.
pub struct Running {
    pub addr: std::net::SocketAddr,
    pub db: Db,
    events: Events,
    listener: TcpListener,
    app: Router,
    limits: Limits,
}

impl Running {
    /// Serves until the process is stopped (Ctrl-C or SIGTERM end it gracefully, within
    /// `server.shutdown_grace_ms`).
    pub async fn serve(self) -> Result<(), StartupError> {
        let events = self.events;
        let stop = async move {
            shutdown_signal().await;
            // Open event streams never end by themselves; end them so shutdown can finish.
            events.close();
        };
        crate::edge::serve::serve(self.listener, self.app, self.limits, stop).await;
        Ok(())
    }
}

/// Leptos' own options (asset paths), from cargo-leptos' environment when it runs us, else the
/// defaults cargo-leptos builds to. The client's file names carry content hashes when the build
/// left their list (`hash.txt`) beside this binary.
fn leptos_options(settings: &Settings) -> LeptosOptions {
    let env_or = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    let hash_file = env_or("LEPTOS_HASH_FILE_NAME", "hash.txt");
    let hashed = assets::hash_list(&hash_file).is_some_and(|f| f.is_file());
    LeptosOptions::builder()
        .hash_files(hashed)
        .hash_file(hash_file.into())
        .output_name(option_env!("LEPTOS_OUTPUT_NAME").unwrap_or("orderdesk"))
        .site_root(env_or("LEPTOS_SITE_ROOT", "target/site"))
        .site_pkg_dir(env_or("LEPTOS_SITE_PKG_DIR", "pkg"))
        .site_addr(settings.server.address)
        .reload_port(env_or("LEPTOS_RELOAD_PORT", "3001").parse::<u32>().unwrap_or(3001))
        .build()
}

/// Opens the database (migrating and seeding it), binds the address and builds the routes.
pub async fn start(settings: Settings) -> Result<Running, StartupError> {
    start_with_clock(settings, Arc::new(SystemClock)).await
}

/// [`start`] with the given clock (a [`crate::clock::ManualClock`] lets a caller move time).
pub async fn start_with_clock(settings: Settings, clock: SharedClock) -> Result<Running, StartupError> {
    settings.validate()?;
    let mailer = Mailer::from_settings(&settings.email)?;
    let db = Db::open(&settings.database.url, settings.database.readers).await?;
    if settings.database.seed_demo_data {
        if db.seed_if_empty(clock.now_ms(), settings.database.demo_orders, settings.pricing.promotion()).await? {
            tracing::info!("seeded an empty database with demo orders");
        }
        if crate::accounts::seed_demo_accounts(&db, clock.now_ms()).await.map_err(DbError::SeedAccounts)? {
            tracing::info!("made the demo accounts (their sign-in is on the sign-in page)");
        }
    }
    // This instance's copy of the sessions it read lately, up to 10,000.
    let session_cache = SessionCache::new(Some(10_000));
    let sessions = db.session_store(session_cache.clone()).await?;
    let listener = TcpListener::bind(settings.server.address)
        .await
        .map_err(|source| StartupError::Bind { addr: settings.server.address, source })?;
    let addr = listener.local_addr().map_err(|source| StartupError::Bind { addr: settings.server.address, source })?;

    let leptos_options = leptos_options(&settings);
    let assets = Arc::new(Assets::new(leptos_options.site_root.as_ref(), leptos_options.hash_files));
    let faults_enabled = settings.faults.enabled;
    let edge = Arc::new(Edge::new(&settings, addr));
    let server = settings.server.clone();
    // Its name among the instances sharing the database: who runs which job, who published what.
    let instance = server.instance_name(addr);
    let settings = Arc::new(settings);
    let events = Events::default();
    let relay = Relay::start(events.clone(), db.clone(), session_cache, instance.clone(), clock.clone()).await.map_err(StartupError::Join)?;
    if relay.has_company() {
        // Every other instance learns of this one before it serves, so they hand it their changes.
        tracing::info!("other instances run on this database; joining them");
        tokio::time::sleep(crate::push::relay::JOIN_WAIT).await;
    }
    crate::push::relay::spawn(relay);
    let sessions = SharedSessions::new(sessions, events.clone());
    let session_layer = crate::accounts::session_layer(sessions, edge.secure_cookie(), settings.accounts.session_hours);
    let jobs = Arc::new(JobRunner::new(db.clone(), settings.clone(), clock.clone(), events.clone(), instance.clone()));
    // Before serving: every job the last process left running is resumed or failed.
    let resumed = jobs.resume_all().await.map_err(StartupError::Resume)?;
    if resumed.resumed + resumed.failed > 0 {
        tracing::info!(resumed = resumed.resumed, failed = resumed.failed, "picked up the jobs left running by the last run");
    }
    jobs.spawn_watchdog();
    let mailer = Arc::new(mailer);
    mailer.clone().spawn(db.clone(), clock.clone());
    crate::retention::spawn(db.clone(), mailer, clock.clone(), settings.retention.clone());
    let state = AppState {
        leptos_options: leptos_options.clone(),
        db: db.clone(),
        settings,
        clock,
        faults: Arc::new(Faults::default()),
        inflight: Arc::new(InFlight::default()),
        events,
        jobs,
        streams: StreamSlots::new(server.event_streams_per_client, server.event_streams_total),
    };
    let state_events = state.events.clone();
    // `/` answers with a real HTTP redirect; the router's own `/` route serves client-side
    // navigation only.
    let routes = generate_route_list(App).into_iter().filter(|r| r.path() != "/").collect::<Vec<_>>();
    let mut app = Router::new().route("/", axum::routing::get(|| async { axum::response::Redirect::to("/orders") })).merge(crate::accounts::routes());
    if faults_enabled {
        tracing::warn!("fault controls are ON: /api/faults can make writes fail on purpose");
        app = app.merge(fault_routes::routes());
    }
    let app = app
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let state = state.clone();
                // Read once: the lazy pages' chunks, for their preload hints.
                let hints = Arc::new(ChunkHints::load(&leptos_options));
                move || {
                    provide_context(state.clone());
                    provide_context(hints.clone());
                }
            },
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // Every request but the event stream (which lives as long as its page) is answered
        // within the request timeout.
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_millis(server.request_timeout_ms)))
        // Pages and API answers compressed for browsers that take it: brotli at a level that
        // costs little per request (the built files were compressed harder, once, at build
        // time). Small answers (most writes') aren't worth it; the event stream never is.
        .layer(
            CompressionLayer::new()
                .quality(CompressionLevel::Precise(5))
                .compress_when(SizeAbove::new(1024).and(NotForContentType::GRPC).and(NotForContentType::IMAGES).and(NotForContentType::SSE)),
        )
        .route("/api/events", axum::routing::get(crate::push::stream))
        .layer(RequestBodyLimitLayer::new(server.max_body_bytes))
        // A browser's own form post (no JavaScript) is answered with a redirect back.
        .layer(axum::middleware::from_fn(crate::api::forms::plain_forms))
        // Who is asking, for every route behind it (the edge's checks come first).
        .layer(axum::middleware::from_fn_with_state(state.db.clone(), crate::accounts::resolve))
        .layer(session_layer)
        .merge(assets::routes(assets))
        .layer(axum::middleware::from_fn_with_state(edge, crate::edge::guard))
        .with_state(state);

    let limits = Limits {
        header_read_timeout: Duration::from_millis(server.header_read_timeout_ms),
        idle_timeout: Duration::from_millis(server.idle_timeout_ms),
        max_connections: server.max_connections,
        shutdown_grace: Duration::from_millis(server.shutdown_grace_ms),
    };
    tracing::info!(%instance, "Order Desk listening on http://{addr}");
    Ok(Running { addr, db, events: state_events, listener, app, limits })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
