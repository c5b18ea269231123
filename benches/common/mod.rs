//! What the load generators share: the real server started in-process on its own runtime
//! against a fresh SQLite file, and percentiles.

#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

/// The server running in this process, on its own 2-thread runtime so the load generator
/// can't starve it inside one scheduler (and the other way round).
pub struct InProcess {
    pub base: String,
    pub db: orderdesk::store::Db,
    pub readers: u32,
    pub db_file: std::path::PathBuf,
    runtime: Option<tokio::runtime::Runtime>,
    _dir: tempfile::TempDir,
}

impl InProcess {
    /// Starts it from the committed Leptos.toml on a fresh database, with `adjust` on top.
    pub fn start(adjust: impl FnOnce(&mut orderdesk::config::Settings)) -> Result<InProcess, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("server")
            .enable_all()
            .build()
            .map_err(|e| format!("can't build the server runtime: {e}"))?;
        let dir = tempfile::tempdir().map_err(|e| format!("can't make a temp dir: {e}"))?;
        let db_file = dir.path().join("orderdesk-bench.db");
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Leptos.toml");
        let mut settings = orderdesk::config::Settings::from_file(&manifest).map_err(|e| e.to_string())?;
        settings.server.address = "127.0.0.1:0".parse().expect("literal address");
        settings.database.url = format!("sqlite://{}", db_file.display());
        settings.faults.enabled = false;
        adjust(&mut settings);
        let readers = settings.database.readers;
        let running = runtime.block_on(orderdesk::server::start(settings)).map_err(|e| format!("the server did not start: {e}"))?;
        let base = format!("http://{}", running.addr);
        let db = running.db.clone();
        runtime.spawn(running.serve());
        Ok(InProcess { base, db, readers, db_file, runtime: Some(runtime), _dir: dir })
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        // Don't wait for keep-alive connections or the sweeper to wind down.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_millis(500));
        }
    }
}

/// The `p`th percentile (0–100) of sorted microseconds, in milliseconds.
pub fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1] as f64 / 1000.0
}

/// A runtime for the load generator (2 threads, as the server's).
pub fn client_runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("client")
        .enable_all()
        .build()
        .map_err(|e| format!("can't build the client runtime: {e}"))
}
