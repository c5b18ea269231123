//! Persistence through sqlx (server only): SQLite, the embedded default, or PostgreSQL for
//! several instances on one database (`dialect` holds what the two say differently). Owns the
//! SQL; knows nothing of HTTP or the UI.
//! Writes go through a single writer connection so they never fight for the write lock; reads
//! use a pool of connections that run beside the writer (WAL, on SQLite). The writer syncs
//! every commit to disk (`synchronous = FULL` on SQLite; PostgreSQL's default), so an
//! acknowledged write survives a power loss, and the versioned writes that arrive together
//! share a commit (`batch`: group commit).

mod accounts;
mod batch;
mod bus;
mod dialect;
mod error;
mod idempotency;
mod jobs;
mod orders;
mod retention;
mod seed;
mod sessions;
mod writes;

pub use accounts::{Member, MemberError};
pub use batch::{BatchFigures, MAX_WRITES as MAX_BATCH_WRITES};
pub use bus::BusRow;
pub use dialect::Dialect;
pub use error::StoreError;
pub use idempotency::{payload_hash, Applied, WriteMeta};
pub use jobs::{Ending, JobRun, UnsentNotification};
pub use orders::OrderRow;
pub use retention::{Pruned, Retention};
pub use writes::NewDraft;

use sqlx::any::AnyPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::AnyPool;
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
    #[error("the database URL {0:?} names neither SQLite (sqlite://…) nor PostgreSQL (postgres://…)")]
    Engine(String),
}

/// The connection pools. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    dialect: Dialect,
    read: AnyPool,
    write: AnyPool,
    /// The instances' bus and presence (`bus`): written often, by one task, and nothing on it is
    /// worth a disk flush (on SQLite) or a turn on the writer.
    quick: AnyPool,
    /// Sessions' own connections (`crate::accounts`, through `tower-sessions-sqlx-store`): read
    /// on every request, written at sign-in and sign-out only, so they never queue behind the
    /// writer or take a reader's turn.
    sessions: sessions::SessionPool,
    /// The versioned writes, committed in groups over `write`.
    batch: Arc<batch::Batcher>,
    /// What every request reads: people (by id) and which workspace an order is in.
    cache: Arc<accounts::Cache>,
}

/// How long a request waits for a free connection before it is told the database is busy.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

impl Db {
    /// Opens the database at `url` (SQLite: creating the file if missing, in WAL mode) and runs
    /// the migrations.
    pub async fn open(url: &str, readers: u32) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        match Dialect::of_url(url) {
            Some(Dialect::Sqlite) => Self::open_sqlite(url, readers).await,
            Some(Dialect::Postgres) => Self::open_postgres(url, readers).await,
            None => Err(DbError::Engine(url.into())),
        }
    }

    async fn open_sqlite(url: &str, readers: u32) -> Result<Self, DbError> {
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
        // The store's own pools speak through sqlx's `Any` driver, which takes a URL: the file
        // with its open mode, and the rest set on each new connection. (Foreign keys on and a
        // 5 s busy timeout are the driver's defaults.)
        let file_url = |mode: &str| format!("sqlite://{}?mode={mode}", file.display());
        // Instances starting together on one file open and migrate it one at a time (switching
        // it to WAL needs it to themselves): the others wait here, then find it ready.
        let one_at_a_time = migration_lock(&file).await.map_err(|source| DbError::Lock { path: file.display().to_string(), source })?;
        // sqlx pings a pooled connection before handing it out ("test before acquire"): a round
        // trip to the connection's thread that a local file's connection never needs (it can't
        // go stale like a network connection), and the write path's costliest part is exactly
        // those round trips (bench/README.md).
        let write = store_pool(1)
            .min_connections(1)
            .test_before_acquire(false)
            // In WAL mode NORMAL skips the fsync at commit: a crash of the process loses
            // nothing, but a power loss can lose the last commits after we answered 200 for
            // them. FULL fsyncs the WAL at every commit (cost measured in bench/README.md).
            .after_connect(with_pragmas("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL"))
            .connect(&file_url("rwc"))
            .await
            .map_err(open_err)?;
        sqlx::migrate!("./migrations/sqlite").run(&write).await?;
        drop(one_at_a_time);
        let read = store_pool(readers.max(1))
            .test_before_acquire(false)
            // Readers never commit, so how they sync does not matter.
            .connect(&file_url("ro"))
            .await
            .map_err(open_err)?;
        let quick = store_pool(2)
            .test_before_acquire(false)
            .after_connect(with_pragmas("PRAGMA synchronous = NORMAL"))
            .connect(&file_url("rw"))
            .await
            .map_err(open_err)?;
        let sessions = SqlitePoolOptions::new()
            .max_connections(readers.max(1))
            .test_before_acquire(false)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // A session lost to a power cut means signing in again, nothing more.
            .connect_with(options.synchronous(SqliteSynchronous::Normal))
            .await
            .map_err(open_err)?;
        let batch = Arc::new(batch::Batcher::new(write.clone(), Dialect::Sqlite).map_err(|source| DbError::Writer { source })?);
        Ok(Db { dialect: Dialect::Sqlite, read, write, quick, sessions: sessions::SessionPool::Sqlite(sessions), batch, cache: Arc::default() })
    }

    async fn open_postgres(url: &str, readers: u32) -> Result<Self, DbError> {
        let open_err = |source| DbError::Open { url: url.into(), source };
        let write = store_pool(1).min_connections(1).connect(url).await.map_err(open_err)?;
        // Instances starting together take turns here: sqlx holds an advisory lock while it
        // migrates, and the demo data is seeded under the write lock.
        sqlx::migrate!("./migrations/postgres").run(&write).await?;
        let read = store_pool(readers.max(1)).connect(url).await.map_err(open_err)?;
        let quick = store_pool(2).connect(url).await.map_err(open_err)?;
        let sessions = sqlx::postgres::PgPoolOptions::new()
            .max_connections(readers.max(1))
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await
            .map_err(open_err)?;
        let batch = Arc::new(batch::Batcher::new(write.clone(), Dialect::Postgres).map_err(|source| DbError::Writer { source })?);
        Ok(Db { dialect: Dialect::Postgres, read, write, quick, sessions: sessions::SessionPool::Postgres(sessions), batch, cache: Arc::default() })
    }

    /// Which database this is.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Fills an empty database with demo orders, priced as the server prices them; does
    /// nothing if any order exists.
    pub async fn seed_if_empty(&self, now_ms: i64, count: u32, promotion: crate::domain::Promotion) -> Result<bool, DbError> {
        seed::seed_if_empty(self, now_ms, count, promotion).await.map_err(DbError::Seed)
    }

    pub(crate) fn reader(&self) -> &AnyPool {
        &self.read
    }

    pub(crate) fn writer(&self) -> &AnyPool {
        &self.write
    }

    /// A transaction on the writer that holds the database's write lock from its start
    /// ([`Dialect::begin_write`]). Another instance may hold the lock: a transaction that read
    /// first and wrote after would then fail at once (SQLite) or write beside the other
    /// (PostgreSQL) instead of waiting its turn.
    pub(crate) async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        self.write.begin_with(self.dialect.begin_write()).await
    }

    /// The session store: the `sessions` table (made by the migrations, swept of expired
    /// sessions hourly) on the sessions' own connections, behind `cache`, this instance's
    /// in-memory copy (a sign-out deletes from both; `crate::accounts::sessions` tells the
    /// other instances).
    pub async fn session_store(&self, cache: SessionCache) -> Result<SessionStore, DbError> {
        let store = self.sessions.store()?;
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

/// A pool of the store's own of at most `size` connections, on either engine.
fn store_pool(size: u32) -> AnyPoolOptions {
    AnyPoolOptions::new().max_connections(size).acquire_timeout(ACQUIRE_TIMEOUT).after_release(discard_if_in_transaction())
}

/// Closes a connection that comes back to its pool still inside a transaction instead of
/// handing it out again. sqlx's SQLite driver leaves one so when a caller stops waiting (a
/// request cancelled) between its `BEGIN …` and the transaction's start; on the writer that
/// would hold the write lock for good. Closing it rolls the transaction back.
fn discard_if_in_transaction(
) -> impl for<'c> Fn(&'c mut sqlx::AnyConnection, sqlx::pool::PoolConnectionMetadata) -> futures::future::BoxFuture<'c, Result<bool, sqlx::Error>> + Send + Sync + 'static {
    move |conn, _| {
        Box::pin(async move {
            use sqlx::Connection;
            let open = conn.is_in_transaction();
            if open {
                tracing::warn!("a database connection came back inside a transaction; closing it");
            }
            Ok(!open)
        })
    }
}

/// Runs `sql` (SQLite `PRAGMA`s) on every new connection of a pool.
fn with_pragmas(
    sql: &'static str,
) -> impl for<'c> Fn(&'c mut sqlx::AnyConnection, sqlx::pool::PoolConnectionMetadata) -> futures::future::BoxFuture<'c, Result<(), sqlx::Error>> + Send + Sync + 'static {
    move |conn, _| {
        Box::pin(async move {
            use sqlx::Executor;
            conn.execute(sql).await.map(|_| ())
        })
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

/// Sessions as the server keeps them: in memory, backed by the database.
pub type SessionStore = tower_sessions::CachingSessionStore<tower_sessions_moka_store::MokaStore, sessions::StoredSessions>;

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

/// A fresh database for the store's own tests: a SQLite file in a temporary folder (removed
/// when the folder is dropped), or, when `ORDERDESK_TEST_POSTGRES` names a PostgreSQL server
/// (`./dev.sh test` starts a throwaway one), a new database on it.
#[cfg(test)]
impl Db {
    pub(crate) async fn scratch() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = match std::env::var("ORDERDESK_TEST_POSTGRES") {
            Ok(admin) => {
                use sqlx::Connection;
                let name = format!("scratch_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&admin).await.expect("the test PostgreSQL server answers");
                sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("a scratch database");
                let (server, _) = admin.rsplit_once('/').expect("ORDERDESK_TEST_POSTGRES ends with /<database>");
                format!("{server}/{name}")
            }
            Err(_) => format!("sqlite://{}", dir.path().join("t.db").display()),
        };
        let db = Db::open(&url, 2).await.expect("a fresh database opens");
        (dir, db)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_connection_left_inside_a_transaction_is_closed_not_handed_out_again() {
        use sqlx::{Connection, TransactionManager};
        let (_dir, db) = Db::scratch().await;
        let mut conn = db.writer().acquire().await.unwrap();
        let begin = Some(std::borrow::Cow::Owned(db.dialect().begin_write()));
        <sqlx::Any as sqlx::Database>::TransactionManager::begin(&mut conn, begin).await.unwrap();
        assert!(conn.is_in_transaction());
        // Dropped as a cancelled caller's would be: no `Transaction` exists to roll it back.
        drop(conn);
        let again = db.writer().acquire().await.unwrap();
        assert!(!again.is_in_transaction(), "the writer was handed out inside the old transaction");
        // The write lock went with it: another connection writes and commits.
        drop(again);
        let mut tx = db.write_tx().await.unwrap();
        sqlx::query("INSERT INTO instances (name, seen_at) VALUES ('x', 1)").execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn the_writer_syncs_every_commit_to_disk() {
        let (_dir, db) = Db::scratch().await;
        if db.dialect() == Dialect::Postgres {
            let sync: String = sqlx::query_scalar("SELECT current_setting('synchronous_commit')").fetch_one(db.writer()).await.unwrap();
            assert!(sync == "on" || std::env::var("ORDERDESK_PG_DURABLE").is_err(), "synchronous_commit = {sync}");
            return;
        }
        let level: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(db.writer()).await.unwrap();
        assert_eq!(level, 2, "synchronous = FULL on the writer");
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(db.writer()).await.unwrap();
        assert_eq!(mode, "wal");
    }
}
