//! Group commit: the versioned writes that arrive together share one transaction, and so one
//! disk flush (`synchronous = FULL` syncs the WAL at every commit, and one writer would
//! otherwise wait for the disk once per write).
//!
//! The writes run on the writer's own thread, one after another, each in its own savepoint of
//! the open batch: a write that fails (a rule, a conflict) rolls back alone and the others
//! stay. The thread takes every write that is waiting into the batch, then commits when none
//! is left (or at [`MAX_WRITES`], 32); no batch waits for company on a timer. A write's answer is
//! given only after its batch's commit returned: it is on disk. If the commit fails, every
//! write of the batch gets the error (nothing of them was kept, so each may be sent again).
//!
//! Why a thread of its own: every statement is a round trip to the connection's thread, and a
//! write between two round trips used to wait its turn among the server's HTTP work; on a busy
//! server that wait, not SQLite, was most of a batch's time (bench/README.md). And why the
//! savepoints cost nothing extra: the batch opens with the first write's savepoint already
//! open, and a write's last statement ([`Write::finish`]) also releases it and opens the next
//! one's, in the same round trip; a refused write rolls back to its savepoint, which stays
//! open for the next write.
//!
//! Only the writes go through here; job steps, pruning and the like take the writer connection
//! from its pool between batches, as before.

use futures::future::LocalBoxFuture;
use futures::FutureExt;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, AnyPool};
use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::{mpsc, oneshot};

use super::{db_err, Dialect, StoreError};

/// The most writes one batch takes; the next write commits it and opens another. Small on
/// purpose: a batch that takes every waiting write makes every connection wait for the same
/// commit and send its next request at the same moment, so the writer and the HTTP side take
/// turns instead of working side by side. Measured at 64 connections (bench/README.md): 256
/// gave median batches of 64 creates and 6,300–6,500 creates/s; 32 gives 7,000–8,100/s with a
/// shorter tail; 16 was no better. Even a slow disk (5 ms per flush) commits 6,400 writes/s
/// at 32 per batch.
pub const MAX_WRITES: usize = 32;
/// How many writes may wait for the writer at once; more wait to be queued.
const QUEUE: usize = 1024;
/// How many recent batches [`Batcher::recent`] remembers.
const REMEMBERED: usize = 4096;
/// Keeps the write that ran in the open savepoint and opens the next write's.
const NEXT_WRITE: &str = "RELEASE write; SAVEPOINT write";

/// How a batch ended, as its writes learn it.
type Outcome = Result<(), Arc<str>>;

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

/// A write's hand-back of its answer, called once its batch has ended.
type Completion = Box<dyn FnOnce(Outcome) + Send>;

/// What a write left when it ran: whether it succeeded, and what hands its answer back once
/// the batch has ended.
struct Ran {
    ok: bool,
    kept: bool,
    complete: Completion,
}

/// A write queued for the writer's thread.
type Job = Box<dyn for<'w, 'c> FnOnce(&'w mut Write<'c>) -> LocalBoxFuture<'w, Ran> + Send>;

/// The group-commit writer over the writer pool (one connection), on a thread of its own.
pub struct Batcher {
    queue: mpsc::Sender<Job>,
    recent: Arc<Mutex<VecDeque<BatchFigures>>>,
}

impl std::fmt::Debug for Batcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher").finish_non_exhaustive()
    }
}

impl Batcher {
    /// Starts the writer's thread; it ends when the last handle to the batcher is dropped.
    pub fn new(pool: AnyPool, dialect: Dialect) -> std::io::Result<Batcher> {
        let (queue, jobs) = mpsc::channel(QUEUE);
        let recent = Arc::new(Mutex::new(VecDeque::with_capacity(REMEMBERED)));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let figures = recent.clone();
        std::thread::Builder::new().name("orderdesk-writer".into()).spawn(move || runtime.block_on(writer(pool, dialect, jobs, figures)))?;
        Ok(Batcher { queue, recent })
    }

    /// Runs `write` in its own savepoint of a batch and returns its answer once the batch is
    /// committed; an error rolls back this write only. The write runs to its end even if the
    /// caller stops waiting.
    pub async fn run<T, W>(&self, write: W) -> Result<T, StoreError>
    where
        T: Send + 'static,
        W: AsyncFnOnce(&mut Write<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |w| {
            async move {
                let result = write(&mut *w).await;
                let (ok, kept) = (result.is_ok(), w.kept);
                let complete = Box::new(move |outcome: Outcome| {
                    let _ = answer.send(match (result, outcome) {
                        (Err(e), _) => Err(e),
                        (Ok(answer), Ok(())) => Ok(answer),
                        // Nothing of the batch was kept: the write may be sent again.
                        (Ok(_), Err(why)) => Err(StoreError::Busy(sqlx::Error::Protocol(why.to_string()))),
                    });
                });
                Ran { ok, kept, complete }
            }
            .boxed_local()
        });
        self.queue.send(job).await.map_err(|_| StoreError::Busy(sqlx::Error::Protocol("the writer has stopped".into())))?;
        // Dropped unanswered: the write could not run, or its batch broke off (logged there).
        answered.await.map_err(|_| StoreError::Busy(sqlx::Error::Protocol("the write could not run; nothing was saved".into())))?
    }

    /// The most recent batches (up to 4096), oldest first.
    pub fn recent(&self) -> Vec<BatchFigures> {
        self.recent.lock().unwrap_or_else(|p| p.into_inner()).iter().copied().collect()
    }
}

/// The writer's thread: a batch per run of waiting writes.
async fn writer(pool: AnyPool, dialect: Dialect, mut jobs: mpsc::Receiver<Job>, recent: Arc<Mutex<VecDeque<BatchFigures>>>) {
    while let Some(first) = jobs.recv().await {
        let opened = Instant::now();
        let mut conn = match pool.acquire().await {
            Ok(c) => c,
            Err(e) => {
                not_run(first, &format!("no writer connection: {e}"));
                continue;
            }
        };
        if let Err(e) = sqlx::raw_sql(&format!("{}; SAVEPOINT write", dialect.begin_write())).execute(&mut *conn).await {
            let why = e.to_string();
            let _ = db_err(e);
            not_run(first, &format!("can't open a write batch: {why}"));
            continue;
        }
        let mut waiting: Vec<Completion> = Vec::new();
        let mut writes = 0;
        let mut broken = None;
        let mut next = Some(first);
        while let Some(job) = next.take() {
            writes += 1;
            let (complete, went_on) = run_one(&mut conn, dialect, job).await;
            waiting.extend(complete);
            if let Err(why) = went_on {
                broken = Some(why);
                break;
            }
            if writes < MAX_WRITES {
                next = jobs.try_recv().ok();
            }
        }
        let started = Instant::now();
        let outcome = match broken {
            None => match sqlx::raw_sql("COMMIT").execute(&mut *conn).await {
                Ok(_) => Ok(()),
                Err(e) => {
                    let why = e.to_string();
                    let _ = db_err(e);
                    rollback(&mut conn).await;
                    Err(Arc::from(format!("the batch's commit failed: {why}")))
                }
            },
            Some(why) => {
                tracing::error!(%why, "a write batch can't go on; rolling it back");
                rollback(&mut conn).await;
                Err(Arc::from(format!("the batch was rolled back: {why}")))
            }
        };
        drop(conn);
        let figures = BatchFigures {
            writes,
            open_us: started.duration_since(opened).as_micros() as u64,
            commit_us: started.elapsed().as_micros() as u64,
        };
        tracing::debug!(writes = figures.writes, open_us = figures.open_us, commit_us = figures.commit_us, ok = outcome.is_ok(), "write batch");
        {
            let mut recent = recent.lock().unwrap_or_else(|p| p.into_inner());
            if recent.len() == REMEMBERED {
                recent.pop_front();
            }
            recent.push_back(figures);
        }
        for complete in waiting {
            complete(outcome.clone());
        }
    }
}

/// Runs one write in the open savepoint and leaves the next write's savepoint open: kept (by
/// [`Write::finish`], or here for a write that finished without it), or rolled back alone (its
/// savepoint stays open). A refused write is answered at once; a kept one's answer waits for
/// the commit (its completion is returned). `Err`: the batch can't go on.
async fn run_one(conn: &mut AnyConnection, dialect: Dialect, job: Job) -> (Option<Completion>, Result<(), String>) {
    let mut w = Write { conn: &mut *conn, dialect, kept: false };
    let ran = AssertUnwindSafe(job(&mut w)).catch_unwind().await;
    let kept = w.kept;
    let exec = async |conn: &mut AnyConnection, sql: &'static str| sqlx::raw_sql(sql).execute(&mut *conn).await.map(|_| ()).map_err(|e| db_err(e).to_string());
    let Ok(ran) = ran else {
        // A bug in the write: undone alone, like a refusal; its caller hears nothing was saved.
        tracing::error!("a write panicked; rolling it back");
        return (None, if kept { Err("a write panicked after it was kept".into()) } else { exec(conn, "ROLLBACK TO write").await });
    };
    match (ran.ok, ran.kept) {
        (true, true) => (Some(ran.complete), Ok(())),
        (true, false) => (Some(ran.complete), exec(conn, NEXT_WRITE).await),
        (false, false) => {
            (ran.complete)(Ok(()));
            (None, exec(conn, "ROLLBACK TO write").await)
        }
        // Kept in the batch, then failed: it can't be taken back alone.
        (false, true) => {
            (ran.complete)(Ok(()));
            (None, Err("a write failed after it was kept".into()))
        }
    }
}

/// A write that can't run (no connection, no transaction): dropped unrun, so its caller hears
/// that nothing was saved.
fn not_run(job: Job, why: &str) {
    tracing::error!(%why, "a write could not run");
    drop(job);
}

/// A write in the open batch: its connection, inside the write's own savepoint.
pub struct Write<'b> {
    conn: &'b mut AnyConnection,
    dialect: Dialect,
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
    pub fn conn(&mut self) -> &mut AnyConnection {
        debug_assert!(!self.kept, "a write used the connection after its last statement");
        self.conn
    }

    /// The database's dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Runs `sql` (its arguments bound by `bind`) as the write's last statements and keeps the
    /// write, in one round trip where the dialect allows it (else two); nothing may run in the
    /// write after it is kept. The last statement of `sql` must return a row when the write's
    /// work is done (`… RETURNING 1`); when it returns none, `sql` must have changed nothing
    /// ([`Finish::Skipped`]).
    pub async fn finish(
        &mut self,
        sql: &str,
        bind: impl for<'q> FnOnce(Query<'q, Any, AnyArguments<'q>>) -> Query<'q, Any, AnyArguments<'q>>,
    ) -> Result<Finish, StoreError> {
        let chained = self.dialect.chains_statements();
        let sql = if chained { format!("{sql}; {NEXT_WRITE}") } else { sql.to_owned() };
        // `fetch_all`: every statement runs (a `fetch_optional` stops at the first row).
        match bind(sqlx::query(&sql)).fetch_all(&mut *self.conn).await {
            Ok(rows) if !rows.is_empty() => {
                if !chained {
                    sqlx::raw_sql(NEXT_WRITE).execute(&mut *self.conn).await.map_err(db_err)?;
                }
                self.kept = true;
                Ok(Finish::Kept)
            }
            Ok(_) => Ok(Finish::Skipped),
            // Only the write's own statements can break a uniqueness rule, and an error stops
            // the rest, so the write's savepoint is intact.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                self.undo().await?;
                Ok(Finish::Duplicate)
            }
            Err(e) => Err(db_err(e)),
        }
    }

    /// Undoes everything the write did so far; its savepoint stays open, so it may go on.
    pub async fn undo(&mut self) -> Result<(), StoreError> {
        debug_assert!(!self.kept, "a write undone after its last statement");
        sqlx::raw_sql("ROLLBACK TO write").execute(&mut *self.conn).await.map_err(db_err).map(|_| ())
    }
}

async fn rollback(conn: &mut AnyConnection) {
    if let Err(e) = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await {
        tracing::error!(error = %e, "can't roll back a write batch");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Db;

    async fn scratch() -> (tempfile::TempDir, Db) {
        let (dir, db) = Db::scratch().await;
        sqlx::query("CREATE TABLE scratch (n BIGINT PRIMARY KEY)").execute(db.writer()).await.unwrap();
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
                        .run(async move |w: &mut Write<'_>| {
                            sqlx::query("INSERT INTO scratch (n) VALUES ($1)").bind(n).execute(w.conn()).await.map_err(db_err)?;
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
            .run(async move |w: &mut Write<'_>| {
                sqlx::query("INSERT INTO scratch (n) VALUES (1)").execute(w.conn()).await.map_err(db_err)?;
                let skipped = w.finish("INSERT INTO scratch (n) SELECT 2 WHERE 1 = 0 RETURNING 1", |q| q).await?;
                // The write goes on after a last statement that did nothing.
                let kept = w.finish("INSERT INTO scratch (n) VALUES (3) RETURNING 1", |q| q).await?;
                Ok((skipped, kept))
            })
            .await
            .unwrap();
        assert_eq!(finished, (Finish::Skipped, Finish::Kept));
        let duplicate = db
            .batch
            .run(async move |w: &mut Write<'_>| {
                sqlx::query("INSERT INTO scratch (n) VALUES (4)").execute(w.conn()).await.map_err(db_err)?;
                w.finish("INSERT INTO scratch (n) VALUES (1) RETURNING 1", |q| q).await
            })
            .await
            .unwrap();
        assert_eq!(duplicate, Finish::Duplicate);
        db.batch.run(async move |w: &mut Write<'_>| sqlx::query("INSERT INTO scratch (n) VALUES (5)").execute(w.conn()).await.map_err(db_err).map(|_| ())).await.unwrap();
        let stored: Vec<i64> = sqlx::query_scalar("SELECT n FROM scratch ORDER BY n").fetch_all(db.reader()).await.unwrap();
        assert_eq!(stored, [1, 3, 5], "the duplicate's write (4) was rolled back, and only it");
    }

    #[tokio::test]
    async fn a_write_runs_to_its_end_even_if_its_caller_stops_waiting_and_a_panicking_write_is_undone_alone() {
        let (_dir, db) = scratch().await;
        let insert = |n: i64| async move |w: &mut Write<'_>| sqlx::query("INSERT INTO scratch (n) VALUES ($1)").bind(n).execute(w.conn()).await.map_err(db_err).map(|_| ());
        let batch = db.batch.clone();
        let abandoned = tokio::spawn(async move {
            batch
                .run(async move |w: &mut Write<'_>| {
                    // Long enough for the writes below to queue up behind it, into its batch.
                    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
                    sqlx::query("INSERT INTO scratch (n) VALUES (1)").execute(w.conn()).await.map_err(db_err).map(|_| ())
                })
                .await
        });
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        abandoned.abort();
        let panicking = async move |w: &mut Write<'_>| -> Result<(), StoreError> {
            sqlx::query("INSERT INTO scratch (n) VALUES (99)").execute(w.conn()).await.map_err(db_err)?;
            panic!("a bug in a write")
        };
        let (panicked, after) = tokio::join!(db.batch.run(panicking), db.batch.run(insert(2)));
        assert!(matches!(panicked, Err(StoreError::Busy(_))), "{panicked:?}");
        after.unwrap();
        let stored: Vec<i64> = sqlx::query_scalar("SELECT n FROM scratch ORDER BY n").fetch_all(db.reader()).await.unwrap();
        assert_eq!(stored, [1, 2], "the abandoned write landed, the panicking one was undone alone");
        assert!(db.recent_batches().iter().any(|b| b.writes == 3), "the three shared a batch: {:?}", db.recent_batches());
    }

    #[tokio::test]
    async fn a_batch_never_grows_past_its_bound() {
        let (_dir, db) = scratch().await;
        let tasks: Vec<_> = (0..(MAX_WRITES as i64 + 40))
            .map(|n| {
                let db = db.clone();
                tokio::spawn(async move {
                    db.batch
                        .run(async move |w: &mut Write<'_>| {
                            sqlx::query("INSERT INTO scratch (n) VALUES ($1)").bind(n).execute(w.conn()).await.map_err(db_err).map(|_| ())
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
        db.batch.run(async move |w: &mut Write<'_>| sqlx::query("INSERT INTO scratch (n) VALUES (1)").execute(w.conn()).await.map_err(db_err).map(|_| ())).await.unwrap();
        // A job step or the pruner takes the writer connection from its pool directly.
        sqlx::query("INSERT INTO scratch (n) VALUES (2)").execute(db.writer()).await.unwrap();
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM scratch").fetch_one(db.reader()).await.unwrap();
        assert_eq!(count, 2);
    }
}
