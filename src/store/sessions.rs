//! Where sessions are stored: the `sessions` table (made by the migrations), through
//! `tower-sessions-sqlx-store`'s store for the database in use, on connections of its own.

use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::DbError;

/// The sessions' own connections.
#[derive(Clone, Debug)]
pub(super) enum SessionPool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl SessionPool {
    /// The store over the `sessions` table.
    pub(super) fn store(&self) -> Result<StoredSessions, DbError> {
        let refused = |e: String| DbError::Sessions(sqlx::Error::Configuration(e.into()));
        Ok(match self {
            SessionPool::Sqlite(pool) => StoredSessions::Sqlite(SqliteStore::new(pool.clone()).with_table_name("sessions").map_err(refused)?),
            SessionPool::Postgres(pool) => StoredSessions::Postgres(
                PostgresStore::new(pool.clone()).with_schema_name("public").and_then(|s| s.with_table_name("sessions")).map_err(refused)?,
            ),
        })
    }
}

/// The sessions as the database keeps them.
#[derive(Clone, Debug)]
pub enum StoredSessions {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// `$call` on whichever store `$sessions` is (named `$s` there).
macro_rules! on_either {
    ($sessions:expr, $s:ident => $call:expr) => {
        match $sessions {
            StoredSessions::Sqlite($s) => $call,
            StoredSessions::Postgres($s) => $call,
        }
    };
}

#[async_trait::async_trait]
impl SessionStore for StoredSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        on_either!(self, s => s.create(record).await)
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        on_either!(self, s => s.save(record).await)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        on_either!(self, s => s.load(id).await)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        on_either!(self, s => s.delete(id).await)
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for StoredSessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        on_either!(self, s => s.delete_expired().await)
    }
}
