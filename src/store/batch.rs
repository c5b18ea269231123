//! Group commit: the versioned writes that arrive together share one transaction, and so one
//! disk flush (`synchronous = FULL` syncs the WAL at every commit, and one writer would
//! otherwise wait for the disk once per write).
//!
//! Each write runs in the caller's task, in its own savepoint inside the open batch: a write
//! that fails (a rule, a conflict) rolls back alone and the others stay. Every statement is a
//! round trip to the connection's own thread (two thread wake-ups), and those round trips, not
//! SQLite, are what a write costs here; so the savepoints cost none of their own. The batch opens
//! with the first write's savepoint already open, and a write's last statement
//! ([`Write::finish`]) also releases its savepoint and opens the next write's, in the same round
//! trip. A refused write rolls back to its savepoint, which stays open for the next one. After
//! its savepoint a write asks for the batch's commit; the writer's lock is fair (first come, first served), so
//! every write already waiting joins the batch before the commit. No batch waits for company
//! on a timer, and none grows past [`MAX_WRITES`]. A write's answer is given only after its
//! batch's commit returned: it is on disk. If the commit fails, every write of the batch gets
//! the error (nothing of them was kept, so each may be sent again).
//!
//! Only the writes go through here; job steps, pruning and the like take the writer connection
//! from its pool between batches, as before.

use sqlx::pool::PoolConnection;
use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Sqlite, SqliteConnection, SqlitePool};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::watch;

use super::{db_err, StoreError};

/// The most writes one batch takes; the next write commits it and opens another.
pub const MAX_WRITES: usize = 256;
/// How many recent batches [`Batcher::recent`] remembers.
const REMEMBERED: usize = 4096;
/// Keeps the write that ran in the open savepoint and opens the next write's.
const NEXT_WRITE: &str = "RELEASE write; SAVEPOINT write";

/// How a batch ended, as its writes learn it.
type Outcome = Option<Result<(), Arc<str>>>;

/// One committed (or failed) batch, for the log and the benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchFigures {
    /// Writes that ran in it (those rolled back alone included).
    pub writes: usize,
    /// From its first write's start to its commit's start, in microseconds.
    pub open_us: u64,
    /// How long its commit took (the disk flush), in microseconds.
    pub commit_us: u64,
}

/// The open batch.
struct Open {
    conn: PoolConnection<Sqlite>,
    id: u64,
    writes: usize,
    opened: Instant,
    done: watch::Sender<Outcome>,
}

struct State {
    open: Option<Open>,
    next_id: u64,
    /// A write's future was dropped halfway through its savepoint (its task was aborted): the
    /// open batch can't be trusted and is rolled back by the next write.
    dirty: bool,
}

/// The group-commit writer over the writer pool (one connection).
pub struct Batcher {
    pool: SqlitePool,
    state: tokio::sync::Mutex<State>,
    recent: Mutex<VecDeque<BatchFigures>>,
}

impl std::fmt::Debug for Batcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher").finish_non_exhaustive()
    }
}

impl Batcher {
    pub fn new(pool: SqlitePool) -> Batcher {
        Batcher {
            pool,
            state: tokio::sync::Mutex::new(State { open: None, next_id: 0, dirty: false }),
            recent: Mutex::new(VecDeque::with_capacity(REMEMBERED)),
        }
    }

    /// Runs `write` in its own savepoint of the open batch and returns its answer once the
    /// batch is committed; an error rolls back this write only.
    pub async fn run<T>(&self, write: impl AsyncFnOnce(&mut Write<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let (result, batch, mut done) = {
            let mut state = self.state.lock().await;
            if state.dirty {
                tracing::error!("a write was cut off inside its batch; rolling the batch back");
                self.end(&mut state, false).await;
                state.dirty = false;
            }
            if state.open.as_ref().is_some_and(|o| o.writes >= MAX_WRITES) {
                self.end(&mut state, true).await;
            }
            if state.open.is_none() {
                let id = state.next_id;
                state.next_id += 1;
                state.open = Some(self.begin(id).await?);
            }
            let State { open, dirty, .. } = &mut *state;
            let Some(open) = open.as_mut() else { return Err(StoreError::corrupt("write batch", "open", "no batch after opening one")) };
            open.writes += 1;
            *dirty = true;
            let result = in_savepoint(&mut open.conn, write).await;
            *dirty = false;
            let (batch, done) = (open.id, open.done.subscribe());
            match result {
                Ok(answer) => (Ok(answer), batch, done),
                // The savepoint itself failed: the transaction is in an unknown state.
                Err(Failed::Batch(e)) => {
                    self.end(&mut state, false).await;
                    return Err(e);
                }
                Err(Failed::Write(e)) => (Err(e), batch, done),
            }
        };
        // Every write waiting for the lock now gets in before this commit.
        {
            let mut state = self.state.lock().await;
            if state.open.as_ref().is_some_and(|o| o.id == batch) {
                self.end(&mut state, true).await;
            }
        }
        let answer = result?;
        let outcome = done.wait_for(Option::is_some).await.map(|o| o.clone()).ok().flatten();
        match outcome {
            Some(Ok(())) => Ok(answer),
            // Nothing of the batch was kept: the write may be sent again, like a busy database.
            Some(Err(why)) => Err(StoreError::Busy(sqlx::Error::Protocol(format!("write batch {batch}: {why}")))),
            None => Err(StoreError::Busy(sqlx::Error::Protocol(format!("write batch {batch} ended without an outcome")))),
        }
    }

    /// The most recent batches (up to 4096), oldest first.
    pub fn recent(&self) -> Vec<BatchFigures> {
        self.recent.lock().unwrap_or_else(|p| p.into_inner()).iter().copied().collect()
    }

    async fn begin(&self, id: u64) -> Result<Open, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        sqlx::query("BEGIN IMMEDIATE; SAVEPOINT write").execute(&mut *conn).await.map_err(db_err)?;
        Ok(Open { conn, id, writes: 0, opened: Instant::now(), done: watch::channel(None).0 })
    }

    /// Commits (or, with `commit` false, rolls back) the open batch and tells its writes.
    async fn end(&self, state: &mut State, commit: bool) {
        let Some(mut open) = state.open.take() else { return };
        let started = Instant::now();
        let outcome = if commit {
            match sqlx::query("COMMIT").execute(&mut *open.conn).await {
                Ok(_) => Ok(()),
                Err(e) => {
                    let why = e.to_string();
                    let _ = db_err(e);
                    rollback(&mut open.conn).await;
                    Err(Arc::from(format!("the batch's commit failed: {why}")))
                }
            }
        } else {
            rollback(&mut open.conn).await;
            Err(Arc::from("the batch was rolled back"))
        };
        let figures = BatchFigures {
            writes: open.writes,
            open_us: started.duration_since(open.opened).as_micros() as u64,
            commit_us: started.elapsed().as_micros() as u64,
        };
        tracing::debug!(writes = figures.writes, open_us = figures.open_us, commit_us = figures.commit_us, ok = outcome.is_ok(), "write batch");
        {
            let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
            if recent.len() == REMEMBERED {
                recent.pop_front();
            }
            recent.push_back(figures);
        }
        open.done.send_replace(Some(outcome));
    }
}

/// A write in the open batch: its connection, inside the write's own savepoint.
pub struct Write<'b> {
    conn: &'b mut SqliteConnection,
    /// The write's last statement ran and released its savepoint: it is part of the batch.
    kept: bool,
}

/// How a write's last statement went ([`Write::finish`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finish {
    /// It did the write's work: the write is part of the batch, and commits with it.
    Kept,
    /// It did nothing (a guard in it didn't hold): the write goes on, in a fresh savepoint.
    Skipped,
    /// It broke a uniqueness rule: everything the write did is rolled back, and the write may
    /// go on another way (its savepoint is still open).
    Duplicate,
}

impl Write<'_> {
    /// The connection, inside the write's savepoint (until [`Write::finish`] kept the write).
    pub fn conn(&mut self) -> &mut SqliteConnection {
        debug_assert!(!self.kept, "a write used the connection after its last statement");
        self.conn
    }

    /// Runs `sql` (its arguments bound by `bind`) as the write's last statements and keeps the
    /// write, in one round trip; nothing may run in the write after it is kept. The last
    /// statement of `sql` must return a row when the write's work is done (`… RETURNING 1`);
    /// when it returns none, `sql` must have changed nothing ([`Finish::Skipped`]).
    pub async fn finish(
        &mut self,
        sql: &str,
        bind: impl for<'q> FnOnce(Query<'q, Sqlite, SqliteArguments<'q>>) -> Query<'q, Sqlite, SqliteArguments<'q>>,
    ) -> Result<Finish, StoreError> {
        let sql = format!("{sql}; {NEXT_WRITE}");
        // `fetch_all`: every statement runs (a `fetch_optional` stops at the first row).
        match bind(sqlx::query(&sql)).fetch_all(&mut *self.conn).await {
            Ok(rows) if !rows.is_empty() => {
                self.kept = true;
                Ok(Finish::Kept)
            }
            Ok(_) => Ok(Finish::Skipped),
            // Only the write's own statements can break a uniqueness rule, and an error stops
            // the rest, so the write's savepoint is intact.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                sqlx::query("ROLLBACK TO write").execute(&mut *self.conn).await.map_err(db_err)?;
                Ok(Finish::Duplicate)
            }
            Err(e) => Err(db_err(e)),
        }
    }
}

/// Why a write in a savepoint failed: its own error (rolled back alone), or the savepoint
/// machinery (the batch can't go on).
enum Failed {
    Write(StoreError),
    Batch(StoreError),
}

/// Runs `write` in the open savepoint. Kept, the next write's savepoint is open (by
/// [`Write::finish`], or here for a write that finished without it); refused, the write is
/// rolled back to its savepoint, which stays open for the next write.
async fn in_savepoint<T>(conn: &mut SqliteConnection, write: impl AsyncFnOnce(&mut Write<'_>) -> Result<T, StoreError>) -> Result<T, Failed> {
    let exec = async |conn: &mut SqliteConnection, sql: &'static str| sqlx::query(sql).execute(&mut *conn).await.map(|_| ()).map_err(|e| Failed::Batch(db_err(e)));
    let mut w = Write { conn, kept: false };
    let result = write(&mut w).await;
    let Write { conn, kept } = w;
    match (result, kept) {
        (Ok(answer), true) => Ok(answer),
        (Ok(answer), false) => {
            exec(conn, NEXT_WRITE).await?;
            Ok(answer)
        }
        (Err(e), false) => {
            exec(conn, "ROLLBACK TO write").await?;
            Err(Failed::Write(e))
        }
        // Kept in the batch, then failed: it can't be taken back alone.
        (Err(e), true) => Err(Failed::Batch(e)),
    }
}

async fn rollback(conn: &mut SqliteConnection) {
    if let Err(e) = sqlx::query("ROLLBACK").execute(&mut *conn).await {
        tracing::error!(error = %e, "can't roll back a write batch");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Db;

    async fn scratch() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&format!("sqlite://{}", dir.path().join("t.db").display()), 2).await.unwrap();
        sqlx::query("CREATE TABLE scratch (n INTEGER PRIMARY KEY)").execute(db.writer()).await.unwrap();
        (dir, db)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_that_arrive_together_share_a_commit_and_a_failed_one_rolls_back_alone() {
        let (_dir, db) = scratch().await;
        let start = Arc::new(tokio::sync::Barrier::new(64));
        let tasks: Vec<_> = (0..64i64)
            .map(|n| {
                let (db, start) = (db.clone(), start.clone());
                tokio::spawn(async move {
                    start.wait().await;
                    db.batch
                        .run(async |w: &mut Write<'_>| {
                            sqlx::query("INSERT INTO scratch (n) VALUES (?)").bind(n).execute(w.conn()).await.map_err(db_err)?;
                            // Every third write is refused after its insert: only it is undone.
                            if n % 3 == 0 {
                                return Err(StoreError::Rule(crate::domain::rules::RuleError::Missing));
                            }
                            Ok(n)
                        })
                        .await
                })
            })
            .collect();
        let mut answered = Vec::new();
        for (n, task) in tasks.into_iter().enumerate() {
            match task.await.unwrap() {
                Ok(got) => {
                    assert_eq!(got, n as i64, "each write gets its own answer");
                    answered.push(got);
                }
                Err(e) => assert!(n % 3 == 0 && matches!(e, StoreError::Rule(_)), "write {n}: {e:?}"),
            }
        }
        let stored: Vec<i64> = sqlx::query_scalar("SELECT n FROM scratch ORDER BY n").fetch_all(db.reader()).await.unwrap();
        assert_eq!(stored, answered, "exactly the acknowledged writes are stored");
        let batches = db.recent_batches();
        assert_eq!(batches.iter().map(|b| b.writes).sum::<usize>(), 64);
        assert!(batches.len() < 64 && batches.iter().any(|b| b.writes > 1), "writes shared commits: {batches:?}");
    }

    #[tokio::test]
    async fn a_last_statement_that_did_nothing_lets_the_write_go_on_and_a_duplicate_rolls_the_write_back() {
        let (_dir, db) = scratch().await;
        let finished = db
            .batch
            .run(async |w: &mut Write<'_>| {
                sqlx::query("INSERT INTO scratch (n) VALUES (1)").execute(w.conn()).await.map_err(db_err)?;
                let skipped = w.finish("INSERT INTO scratch (n) SELECT 2 WHERE 0 RETURNING 1", |q| q).await?;
                // The write goes on after a last statement that did nothing.
                let kept = w.finish("INSERT INTO scratch (n) VALUES (3) RETURNING 1", |q| q).await?;
                Ok((skipped, kept))
            })
            .await
            .unwrap();
        assert_eq!(finished, (Finish::Skipped, Finish::Kept));
        let duplicate = db
            .batch
            .run(async |w: &mut Write<'_>| {
                sqlx::query("INSERT INTO scratch (n) VALUES (4)").execute(w.conn()).await.map_err(db_err)?;
                w.finish("INSERT INTO scratch (n) VALUES (1) RETURNING 1", |q| q).await
            })
            .await
            .unwrap();
        assert_eq!(duplicate, Finish::Duplicate);
        db.batch.run(async |w: &mut Write<'_>| sqlx::query("INSERT INTO scratch (n) VALUES (5)").execute(w.conn()).await.map_err(db_err).map(|_| ())).await.unwrap();
        let stored: Vec<i64> = sqlx::query_scalar("SELECT n FROM scratch ORDER BY n").fetch_all(db.reader()).await.unwrap();
        assert_eq!(stored, [1, 3, 5], "the duplicate's write (4) was rolled back, and only it");
    }

    #[tokio::test]
    async fn a_batch_never_grows_past_its_bound() {
        let (_dir, db) = scratch().await;
        let tasks: Vec<_> = (0..(MAX_WRITES as i64 + 40))
            .map(|n| {
                let db = db.clone();
                tokio::spawn(async move {
                    db.batch
                        .run(async |w: &mut Write<'_>| {
                            sqlx::query("INSERT INTO scratch (n) VALUES (?)").bind(n).execute(w.conn()).await.map_err(db_err).map(|_| ())
                        })
                        .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert!(db.recent_batches().iter().all(|b| b.writes <= MAX_WRITES));
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM scratch").fetch_one(db.reader()).await.unwrap();
        assert_eq!(count, MAX_WRITES as i64 + 40);
    }

    #[tokio::test]
    async fn between_batches_the_writer_is_free_for_other_work() {
        let (_dir, db) = scratch().await;
        db.batch.run(async |w: &mut Write<'_>| sqlx::query("INSERT INTO scratch (n) VALUES (1)").execute(w.conn()).await.map_err(db_err).map(|_| ())).await.unwrap();
        // A job step or the pruner takes the writer connection from its pool directly.
        sqlx::query("INSERT INTO scratch (n) VALUES (2)").execute(db.writer()).await.unwrap();
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM scratch").fetch_one(db.reader()).await.unwrap();
        assert_eq!(count, 2);
    }
}
