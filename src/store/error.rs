//! What can go wrong in the store, in the store's own terms. No HTTP here: the api edge maps
//! these to answers (`impl From<StoreError> for AppError` in `crate::api`).

use crate::domain::RuleError;

/// Why a store call failed. Nothing was changed when one of these is returned (a write's
/// transaction is rolled back).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A business rule refused the write (see `crate::domain::rules`).
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// The idempotency key was already used for a different write.
    #[error("the idempotency key was already used for a different write")]
    KeyReused,
    /// The database was busy (locked, a serialization failure or deadlock on PostgreSQL) or the
    /// pool had no free connection in time: try again later.
    #[error("the database is busy: {0}")]
    Busy(sqlx::Error),
    /// A stored row (or stored answer) no longer reads as what it should be.
    #[error("corrupt {what} {id}: {reason}")]
    Corrupt { what: &'static str, id: String, reason: String },
    /// Any other database failure.
    #[error("database error: {0}")]
    Db(sqlx::Error),
}

impl StoreError {
    pub(crate) fn corrupt(what: &'static str, id: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        let (id, reason) = (id.into(), reason.to_string());
        tracing::error!(%id, %reason, "corrupt {what}");
        StoreError::Corrupt { what, id, reason }
    }
}

impl From<sqlx::Error> for StoreError {
    /// "Busy" is worth retrying: SQLite's BUSY / LOCKED codes; PostgreSQL's serialization
    /// failure, deadlock, lock not available or too many connections; or no free connection in
    /// time. Anything else is not.
    fn from(e: sqlx::Error) -> Self {
        const BUSY: [&str; 7] = ["5", "517", "6", "40001", "40P01", "55P03", "53300"];
        let busy = e.as_database_error().and_then(|d| d.code()).is_some_and(|c| BUSY.contains(&c.as_ref()));
        if busy || matches!(e, sqlx::Error::PoolTimedOut) {
            tracing::warn!(error = %e, "database busy");
            return StoreError::Busy(e);
        }
        tracing::error!(error = %e, "database error");
        StoreError::Db(e)
    }
}
