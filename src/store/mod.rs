//! Persistence in SQLite through sqlx (server only). Owns the SQL; knows nothing of HTTP or the UI.
//! Writes go through a single writer connection so they never fight for SQLite's lock; reads
//! use a pool of connections that WAL lets run beside the writer. The writer syncs every
//! commit to disk (`synchronous = FULL`), so an acknowledged write survives a power loss, and
//! the versioned writes that arrive together share a commit (`batch`: group commit).

mod accounts;
mod batch;
mod bus;
mod error;
mod idempotency;
mod jobs;
mod orders;
mod retention;
mod seed;
mod writes;

pub use accounts::{Member, MemberError};
pub use batch::{BatchFigures, MAX_WRITES as MAX_BATCH_WRITES};
pub use bus::BusRow;
pub use error::StoreError;
pub use idempotency::{payload_hash, Applied, WriteMeta};
pub use jobs::{Ending, JobRun, UnsentNotification};
pub use orders::OrderRow;
pub use retention::{Pruned, Retention};
pub use writes::NewDraft;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Why the database could not be opened or prepared at start-up.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("the database URL {url:?} is not valid: {source}")]
    BadUrl { url: String, source: sqlx::Error },
    #[error("can't create the database folder {path}: {source}")]
    CreateDir { path: String, source: std::io::Error },
    #[error("can't open the database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("a database migration failed, so the server did not start: {0}. Fix the migration or restore the database file.")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("can't lock {path} (instances take turns opening the database): {source}")]
    Lock { path: String, source: std::io::Error },
    #[error("can't start the writer's thread: {source}")]
    Writer { source: std::io::Error },
    #[error("can't seed the demo orders: {0}")]
    Seed(sqlx::Error),
    #[error("can't seed the demo accounts: {0}")]
    SeedAccounts(String),
    #[error("can't prepare the sessions table: {0}")]
    Sessions(sqlx::Error),
}

/// The connection pools. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    read: SqlitePool,
    write: SqlitePool,
    /// Sessions' own connections (`crate::accounts`): read on every request, written at sign-in
    /// and sign-out only, so they never queue behind the writer or take a reader's turn. The
    /// instances' bus (`bus`) is written over them too: nothing on either is worth a disk flush.
    sessions: SqlitePool,
    /// The versioned writes, committed in groups over `write`.
    batch: Arc<batch::Batcher>,
    /// What every request reads: people (by id) and which workspace an order is in.
    cache: Arc<accounts::Cache>,
}

impl Db {
    /// Opens (creating if missing) the database at `url`, in WAL mode, and runs the migrations.
    pub async fn open(url: &str, readers: u32) -> Result<Self, DbError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|source| DbError::BadUrl { url: url.into(), source })?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let file = options.get_filename().to_path_buf();
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|source| DbError::CreateDir { path: dir.display().to_string(), source })?;
        }
        let open_err = |source| DbError::Open { url: url.into(), source };
        // Instances starting together on one file open and migrate it one at a time (switching
        // it to WAL needs it to themselves): the others wait here, then find it ready.
        let one_at_a_time = migration_lock(&file).await.map_err(|source| DbError::Lock { path: file.display().to_string(), source })?;
        // sqlx pings a pooled connection before handing it out ("test before acquire"): a round
        // trip to the connection's thread that a local file's connection never needs (it can't
        // go stale like a network connection), and the write path's costliest part is exactly
        // those round trips (bench/README.md).
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(10))
            // In WAL mode NORMAL skips the fsync at commit: a crash of the process loses
            // nothing, but a power loss can lose the last commits after we answered 200 for
            // them. FULL fsyncs the WAL at every commit (cost measured in bench/README.md).
            .connect_with(options.clone().synchronous(SqliteSynchronous::Full))
            .await
            .map_err(open_err)?;
        sqlx::migrate!("./migrations").run(&write).await?;
        drop(one_at_a_time);
        let read = SqlitePoolOptions::new()
            .max_connections(readers.max(1))
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(10))
            // Readers never commit, so how they sync does not matter; NORMAL is the WAL default.
            .connect_with(options.clone().read_only(true).synchronous(SqliteSynchronous::Normal))
            .await
            .map_err(open_err)?;
        let sessions = SqlitePoolOptions::new()
            .max_connections(readers.max(1))
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(10))
            // A session lost to a power cut means signing in again, nothing more.
            .connect_with(options.synchronous(SqliteSynchronous::Normal))
            .await
            .map_err(open_err)?;
        let batch = Arc::new(batch::Batcher::new(write.clone()).map_err(|source| DbError::Writer { source })?);
        Ok(Db { read, write, sessions, batch, cache: Arc::default() })
    }

    /// Fills an empty database with demo orders, priced as the server prices them; does
    /// nothing if any order exists.
    pub async fn seed_if_empty(&self, now_ms: i64, count: u32, promotion: crate::domain::Promotion) -> Result<bool, DbError> {
        seed::seed_if_empty(&self.write, now_ms, count, promotion).await.map_err(DbError::Seed)
    }

    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.read
    }

    pub(crate) fn writer(&self) -> &SqlitePool {
        &self.write
    }

    /// A transaction on the writer that holds the database's write lock from its start
    /// (`BEGIN IMMEDIATE`). Another instance on the same file may hold the lock: a transaction
    /// that read first and wrote after would then fail at once instead of waiting its turn.
    pub(crate) async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.write.begin_with("BEGIN IMMEDIATE").await
    }

    /// The session store: the `sessions` table (made by the migrations, swept of expired
    /// sessions hourly) on the sessions' own connections, behind `cache`, this instance's
    /// in-memory copy (a sign-out deletes from both; `crate::accounts::sessions` tells the
    /// other instances).
    pub async fn session_store(&self, cache: SessionCache) -> Result<SessionStore, DbError> {
        let store = tower_sessions_sqlx_store::SqliteStore::new(self.sessions.clone())
            .with_table_name("sessions")
            .map_err(|e| DbError::Sessions(sqlx::Error::Configuration(e.into())))?;
        // Expired sessions leave the table hourly (a cached one expires by itself).
        {
            use tower_sessions::ExpiredDeletion;
            tokio::spawn(store.clone().continuously_delete_expired(Duration::from_secs(3_600)));
        }
        Ok(tower_sessions::CachingSessionStore::new(cache, store))
    }

    /// The most recent write batches (up to 4096), oldest first: how many writes each
    /// committed together, and how long it stayed open and took to commit.
    pub fn recent_batches(&self) -> Vec<BatchFigures> {
        self.batch.recent()
    }
}

/// This instance's copy of the sessions it read lately (a handle: clones share it).
pub type SessionCache = tower_sessions_moka_store::MokaStore;

/// An exclusive lock on the file beside the database (`<file>-migrations.lock`), held until
/// dropped.
async fn migration_lock(database: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut name = database.as_os_str().to_owned();
    name.push("-migrations.lock");
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(std::path::PathBuf::from(name))?;
    tokio::task::spawn_blocking(move || file.lock().map(|()| file)).await.map_err(std::io::Error::other)?
}

/// Sessions as the server keeps them: in memory, backed by SQLite.
pub type SessionStore = tower_sessions::CachingSessionStore<tower_sessions_moka_store::MokaStore, tower_sessions_sqlx_store::SqliteStore>;

/// Logs a database failure as the store's error ("busy" is told apart: worth retrying).
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    StoreError::from(e)
}

/// Milliseconds since the Unix epoch, from the system clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// A fresh database in a temporary folder (removed when the folder is dropped), for the
/// store's own tests.
#[cfg(test)]
impl Db {
    pub(crate) async fn scratch() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let db = Db::open(&format!("sqlite://{}", dir.path().join("t.db").display()), 2).await.expect("a fresh database opens");
        (dir, db)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_writer_syncs_every_commit_to_disk() {
        let (_dir, db) = Db::scratch().await;
        let level: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(db.writer()).await.unwrap();
        assert_eq!(level, 2, "synchronous = FULL on the writer");
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(db.writer()).await.unwrap();
        assert_eq!(mode, "wal");
    }
}
