//! Idempotency keys: the first successful answer per (user, key) is stored in the same
//! transaction as its effect and replayed for repeats until it expires.
//! Errors are not stored: they changed nothing, so the same key may be sent again.
//! Whether an answer was replayed or fresh is told to the caller ([`Applied`]): only a fresh
//! one had an effect worth announcing. What is kept per key is chosen by a [`Keep`]: most
//! answers are one record and are stored whole; a move's answer (the whole list) is not.

use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::query::Query;
use sqlx::any::AnyArguments;
use sqlx::{Any, AnyConnection};
use uuid::Uuid;

use super::batch::{Finish, Write};
use super::{db_err, StoreError};
use crate::domain::WriteKind;

/// The `status` column (NOT NULL since the first migration) predates the store's own errors.
/// Only successes are ever stored, so every row holds this one value and nothing reads it; the
/// store knows no other HTTP status.
const STORED_SUCCESS: i64 = 200;

/// The answer of an idempotent write: run now, or the stored answer of an earlier request
/// with the same key (no effect this time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied<T> {
    /// The effect ran in this request; its answer is now stored under the key.
    Fresh(T),
    /// The key's stored answer, replayed: nothing changed.
    Replayed(T),
}

impl<T> Applied<T> {
    pub fn is_fresh(&self) -> bool {
        matches!(self, Applied::Fresh(_))
    }

    /// The answer, however it came.
    pub fn into_inner(self) -> T {
        match self {
            Applied::Fresh(t) | Applied::Replayed(t) => t,
        }
    }

    /// Runs `then` with the answer only when the effect ran now.
    pub fn on_fresh(self, then: impl FnOnce(&T)) -> Self {
        if let Applied::Fresh(t) = &self {
            then(t);
        }
        self
    }

    pub fn get(&self) -> &T {
        match self {
            Applied::Fresh(t) | Applied::Replayed(t) => t,
        }
    }
}

/// Who is writing, with which key, what, and when.
#[derive(Clone, Debug)]
pub struct WriteMeta {
    /// The person writing (keys are theirs alone: another's key never replays their answer).
    pub user: String,
    /// The workspace the write acts in (the gate checked the person's role there).
    pub workspace: crate::domain::WorkspaceId,
    pub key: Uuid,
    pub kind: WriteKind,
    pub payload_hash: String,
    pub now: i64,
    pub ttl_ms: i64,
}

/// SHA-256 (hex) of the write kind and its canonical JSON payload.
pub fn payload_hash(kind: WriteKind, payload: &impl Serialize) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_str().as_bytes());
    h.update(b":");
    h.update(serde_json::to_vec(payload).unwrap_or_default());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// How an answer is kept under its key, and made again from what was kept when the key is
/// repeated (in the repeat's transaction).
pub(super) trait Keep<T> {
    /// The text stored under the key for `answer`.
    fn store(&self, answer: &T) -> Result<String, serde_json::Error>;
    /// The answer for a repeat, from the stored text.
    async fn replay(&self, conn: &mut AnyConnection, meta: &WriteMeta, stored: String) -> Result<T, StoreError>;
}

/// Keeps the whole answer and replays it as it was.
pub(super) struct Whole;

impl<T: Serialize + DeserializeOwned> Keep<T> for Whole {
    fn store(&self, answer: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(answer)
    }

    async fn replay(&self, _: &mut AnyConnection, meta: &WriteMeta, stored: String) -> Result<T, StoreError> {
        serde_json::from_str(&stored).map_err(|e| StoreError::corrupt("stored answer", meta.key.to_string(), e))
    }
}

/// The stored text for this key, if a live one exists and matches this request; an expired
/// one is forgotten (in the caller's transaction), and the request then runs as new.
pub(super) async fn stored(conn: &mut AnyConnection, meta: &WriteMeta) -> Result<Option<String>, StoreError> {
    match peek(conn, meta).await? {
        Peek::Live(response) => Ok(Some(response)),
        Peek::Free => Ok(None),
        Peek::Expired => {
            sqlx::query("DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2")
                .bind(&meta.user)
                .bind(meta.key.to_string())
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
            Ok(None)
        }
    }
}

/// What a reader found under a key ([`peek`]).
pub(super) enum Peek {
    /// A live answer for this very request: replay it.
    Live(String),
    /// An expired answer, not yet pruned: the writer forgets it ([`stored`]) and runs the
    /// request as new.
    Expired,
    /// Nothing: a first request.
    Free,
}

/// What is stored under this key, read without changing anything (on a reader): a repeat is
/// answered without entering a write batch.
pub(super) async fn peek(conn: &mut AnyConnection, meta: &WriteMeta) -> Result<Peek, StoreError> {
    let row: Option<(String, String, String, i64)> = sqlx::query_as(
        "SELECT operation, payload_hash, response, expires_at FROM idempotency_keys WHERE user_id = $1 AND key = $2",
    )
    .bind(&meta.user)
    .bind(meta.key.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    let Some((operation, hash, response, expires_at)) = row else { return Ok(Peek::Free) };
    if expires_at <= meta.now {
        return Ok(Peek::Expired);
    }
    if operation != meta.kind.as_str() || hash != meta.payload_hash {
        return Err(StoreError::KeyReused);
    }
    Ok(Peek::Live(response))
}

/// The columns a stored answer fills, in the order [`bind_record`] binds them.
const RECORD_COLUMNS: &str = "user_id, key, operation, payload_hash, status, response, created_at, expires_at";

/// Stores `body` (what a [`Keep`] made of the answer) under the key, as the write's last
/// statement in its batch: [`Finish::Duplicate`] if the key is taken (the write is rolled back).
pub(super) async fn record(w: &mut Write<'_>, meta: &WriteMeta, body: String) -> Result<Finish, StoreError> {
    let sql = format!("INSERT INTO idempotency_keys ({RECORD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING 1");
    let record = bind_record(meta, body);
    w.finish(&sql, record).await
}

/// `change` (one statement that changes one row or none, its arguments `$1…$n` bound by
/// `bind_change`), then [`record`], in one statement list: the answer is stored only if
/// `change` changed its row, else nothing happened ([`Finish::Skipped`]).
pub(super) async fn record_after(
    w: &mut Write<'_>,
    change: &str,
    bind_change: impl for<'q> FnOnce(Query<'q, Any, AnyArguments<'q>>) -> Query<'q, Any, AnyArguments<'q>>,
    meta: &WriteMeta,
    body: String,
) -> Result<Finish, StoreError> {
    let first = placeholders(change) + 1;
    let values = (first..first + 8).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
    let sql = w.dialect().insert_if_changed(change, &format!("INSERT INTO idempotency_keys ({RECORD_COLUMNS}) SELECT {values}"));
    let record = bind_record(meta, body);
    w.finish(&sql, move |q| record(bind_change(q))).await
}

/// The highest `$N` placeholder in `sql` (0 for none).
fn placeholders(sql: &str) -> usize {
    sql.split('$').skip(1).filter_map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()).max().unwrap_or(0)
}

/// Binds a stored answer's [`RECORD_COLUMNS`].
fn bind_record(meta: &WriteMeta, body: String) -> impl for<'q> FnOnce(Query<'q, Any, AnyArguments<'q>>) -> Query<'q, Any, AnyArguments<'q>> {
    let (user, key, hash) = (meta.user.clone(), meta.key.to_string(), meta.payload_hash.clone());
    let (operation, now, expires_at) = (meta.kind.as_str(), meta.now, meta.now + meta.ttl_ms);
    move |q| q.bind(user).bind(key).bind(operation).bind(hash).bind(STORED_SUCCESS).bind(body).bind(now).bind(expires_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_depends_on_kind_and_payload() {
        let a = payload_hash(WriteKind::Quantity, &("id", 1, 5));
        assert_eq!(a, payload_hash(WriteKind::Quantity, &("id", 1, 5)));
        assert_ne!(a, payload_hash(WriteKind::Quantity, &("id", 1, 6)));
        assert_ne!(a, payload_hash(WriteKind::Star, &("id", 1, 5)));
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn the_record_after_a_change_numbers_its_arguments_after_the_change() {
        assert_eq!(placeholders("UPDATE t SET a = $1, b = $12 WHERE id = $3"), 12);
        assert_eq!(placeholders("DELETE FROM t"), 0);
    }
}
