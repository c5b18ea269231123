//! Storage and durability: what is pruned and when, email sent at most once (as far as the
//! process can know), and bounded, visible failed sends. Against the real server and store.

mod common;

use common::{eventually, key, quick_jobs, spawn_app_with_clock, TestApp};
use orderdesk::clock::ManualClock;
use orderdesk::config::{EmailSettings, JobSettings, Settings};
use orderdesk::domain::{JobDetail, JobEmail, JobFailure, JobState, Order, OrderStatus, PlaceReceipt, WriteKind};
use orderdesk::faults::JobFault;
use orderdesk::jobs::{Mailer, MAX_EMAIL_ATTEMPTS};
use orderdesk::store::{Db, Ending, UnsentNotification, WriteMeta};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;


/// Quick jobs ([`quick_jobs`]), a prune every second, and short retention: history and
/// notifications for a day, ended jobs and outbox files for two.
fn quick_and_short_lived(s: &mut Settings, outbox: &Path) {
    quick_jobs(s, outbox);
    s.retention.prune_every_secs = 1;
    s.retention.job_events_days = 1;
    s.retention.notifications_days = 1;
    s.retention.ended_jobs_days = 2;
    s.retention.outbox_files_days = 2;
}

async fn pool(app: &TestApp) -> sqlx::AnyPool {
    common::database(&app.db_url).await
}

async fn count(pool: &sqlx::AnyPool, sql: &str, job: &str) -> i64 {
    sqlx::query_scalar(sql).bind(job).fetch_one(pool).await.unwrap()
}

/// Rows kept for a job: (jobs, job_events, notifications).
async fn kept(pool: &sqlx::AnyPool, job: &str) -> (i64, i64, i64) {
    (
        count(pool, "SELECT COUNT(*) FROM jobs WHERE id = $1", job).await,
        count(pool, "SELECT COUNT(*) FROM job_events WHERE job_id = $1", job).await,
        count(pool, "SELECT COUNT(*) FROM notifications WHERE job_id = $1", job).await,
    )
}

/// Places the first draft and waits until its job has ended and its email has gone out.
async fn place_and_settle(app: &TestApp, pool: &sqlx::AnyPool) -> String {
    let draft: Order = app.a_draft().await;
    let res = app.call("orders/place", &[("key", &key()), ("id", &draft.id.to_string()), ("version", &draft.version.to_string())]).await;
    assert_eq!(res.status(), 200);
    let job = res.json::<PlaceReceipt>().await.unwrap().job.id.to_string();
    eventually("the job to end and its email to be sent", || async {
        let sent = count(pool, "SELECT COUNT(*) FROM notifications WHERE job_id = $1 AND emailed_at IS NOT NULL", &job).await;
        (sent == 1).then_some(())
    })
    .await;
    job
}

fn eml_files(outbox: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(outbox)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "eml")).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[tokio::test]
async fn pruning_removes_what_is_past_its_retention_and_keeps_what_is_recent() {
    let outbox_dir = tempfile::tempdir().unwrap();
    let outbox = outbox_dir.path().join("outbox");
    let clock = ManualClock::starting_at(1_800_000_000_000);
    let app = spawn_app_with_clock(|s| quick_and_short_lived(s, &outbox), Arc::new(clock.clone())).await;
    let pool = pool(&app).await;

    let old_job = place_and_settle(&app, &pool).await;
    let o = app.a_draft().await;
    let old_key = key();
    let res = app.call("orders/star", &[("key", &old_key), ("id", &o.id.to_string()), ("version", &o.version.to_string()), ("starred", "true")]).await;
    assert_eq!(res.status(), 200);
    let keys = |k: String| {
        let pool = pool.clone();
        async move { count(&pool, "SELECT COUNT(*) FROM idempotency_keys WHERE key = $1", &k).await }
    };
    assert_eq!(keys(old_key.clone()).await, 1);
    // An outbox file last written three days ago, beside the fresh email and a file that is
    // not an email.
    std::fs::create_dir_all(&outbox).unwrap();
    let stale = outbox.join("stale.eml");
    std::fs::write(&stale, "Subject: old\r\n\r\nold\r\n").unwrap();
    let three_days_ago = SystemTime::now() - Duration::from_secs(3 * 24 * 3600);
    std::fs::File::options().write(true).open(&stale).unwrap().set_modified(three_days_ago).unwrap();
    let not_mail = outbox.join("README.txt");
    std::fs::write(&not_mail, "not an email").unwrap();
    std::fs::File::options().write(true).open(&not_mail).unwrap().set_modified(three_days_ago).unwrap();

    // A day and an hour later: the key (24 h) has expired, and the old job's history and
    // notification (a day) are past their time; the job itself (two days) is kept.
    clock.advance_ms(DAY + HOUR);
    let recent_job = place_and_settle(&app, &pool).await;
    let recent_key = key();
    let o = app.a_draft().await;
    let res = app.call("orders/star", &[("key", &recent_key), ("id", &o.id.to_string()), ("version", &o.version.to_string()), ("starred", "true")]).await;
    assert_eq!(res.status(), 200);
    eventually("the expired key, old history and old notification to be pruned", || async {
        (keys(old_key.clone()).await == 0 && kept(&pool, &old_job).await == (1, 0, 0)).then_some(())
    })
    .await;
    eventually("the stale outbox file to be pruned", || async { (!stale.exists()).then_some(()) }).await;
    assert_eq!(keys(recent_key.clone()).await, 1, "a live key is kept");
    let (jobs, events, notifications) = kept(&pool, &recent_job).await;
    assert_eq!((jobs, notifications), (1, 1), "the recent job and its notification are kept");
    assert!(events >= 8, "the recent job keeps its whole history: {events} lines");
    assert_eq!(eml_files(&outbox).len(), 2, "both real emails are recent and kept");
    assert!(not_mail.exists(), "only .eml files are pruned");

    // Two days after the old job ended it goes; the recent one (ended a day later) stays.
    clock.advance_ms(DAY);
    eventually("the old ended job to be pruned", || async { (kept(&pool, &old_job).await == (0, 0, 0)).then_some(()) }).await;
    assert_eq!(kept(&pool, &recent_job).await.0, 1);
    let detail = app.call("jobs/get", &[("id", &recent_job)]).await;
    assert_eq!(detail.status(), 200);
    assert_eq!(detail.json::<JobDetail>().await.unwrap().job.state, JobState::Succeeded);
}

#[tokio::test]
async fn an_ended_job_whose_email_is_still_waiting_is_never_pruned() {
    let outbox_dir = tempfile::tempdir().unwrap();
    let outbox = outbox_dir.path().join("outbox");
    let clock = ManualClock::starting_at(1_800_000_000_000);
    let app = spawn_app_with_clock(
        |s| {
            quick_and_short_lived(s, &outbox);
            s.faults.enabled = true;
            // No email can go out: the SMTP port is closed.
            s.email.smtp_url = "smtp://127.0.0.1:1".into();
        },
        Arc::new(clock.clone()),
    )
    .await;
    let pool = pool(&app).await;
    app.fault(serde_json::json!({"kind": "place", "action": {"outcome": "job_fail"}})).await;
    let draft = app.a_draft().await;
    let res = app.call("orders/place", &[("key", &key()), ("id", &draft.id.to_string()), ("version", &draft.version.to_string())]).await;
    let failed = res.json::<PlaceReceipt>().await.unwrap().job.id.to_string();
    eventually("the job to fail and its email to be tried", || async {
        let tried = count(&pool, "SELECT COUNT(*) FROM notifications WHERE job_id = $1 AND attempts >= 1", &failed).await;
        (tried == 1).then_some(())
    })
    .await;
    clock.advance_ms(10 * DAY);
    // Several prunes pass (one a second); the email still waiting keeps its job and history.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let (jobs, events, notifications) = kept(&pool, &failed).await;
    assert_eq!((jobs, notifications), (1, 1), "a job whose email is still waiting is kept");
    assert!(events >= 2);
}

/// A store on its own database with one ended job whose email waits in the outbox.
async fn store_with_an_unsent_email() -> (tempfile::TempDir, Db, UnsentNotification) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&common::database_url(&dir.path().join("mail.db")), 1).await.unwrap();
    db.seed_if_empty(1_000, 25, orderdesk::domain::Promotion::NONE).await.unwrap();
    let draft = db.list_orders(1).await.unwrap().into_iter().find(|o| o.status == OrderStatus::Draft).unwrap();
    let meta = WriteMeta { user: "local".into(), workspace: 1, key: uuid::Uuid::now_v7(), kind: WriteKind::Place, payload_hash: "h".into(), now: 10_000, ttl_ms: DAY };
    let job = db.place_order(&meta, draft.id, draft.version, &JobSettings::default(), Some(JobFault::Stall)).await.unwrap().into_inner().job;
    let failure = JobFailure { reason: "It took too long.".into(), next_step: "Place it again.".into() };
    let notice = JobEmail { subject: format!("{} couldn't be placed", draft.display_number()), body: "It took too long.\n".into() };
    db.fail_job(job.id, Ending::PastDeadline, &failure, &notice, job.deadline_at).await.unwrap().unwrap();
    let n = db.unsent_notifications(job.deadline_at, 10).await.unwrap().remove(0);
    (dir, db, n)
}

#[tokio::test]
async fn a_resend_after_a_crash_replaces_the_outbox_file_instead_of_adding_one() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let mailer = Mailer::from_settings(&EmailSettings { outbox_dir: outbox.clone(), ..EmailSettings::default() }).unwrap();
    let (_db_dir, db, n) = store_with_an_unsent_email().await;
    // The send happened, then the process died before marking it sent: the mailer of the
    // next process finds it unsent and sends it again.
    mailer.deliver(&n).await.unwrap();
    let first = eml_files(&outbox);
    assert_eq!(first.len(), 1);
    let later = n.clone();
    assert_eq!(db.unsent_notifications(i64::MAX, 10).await.unwrap(), vec![later], "still unsent as far as the store knows");
    assert_eq!(mailer.send_due(&db, i64::MAX).await.unwrap(), 1);
    let files = eml_files(&outbox);
    assert_eq!(files, first, "the second send replaced the first file");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains(&format!("Message-ID: <{}@orderdesk>", n.job_id)), "the same Message-ID: {text}");
    assert!(db.unsent_notifications(i64::MAX, 10).await.unwrap().is_empty(), "now marked sent");
}

#[tokio::test]
async fn failed_sends_stop_after_the_bound_and_are_recorded_as_given_up() {
    let mailer = Mailer::from_settings(&EmailSettings { smtp_url: "smtp://127.0.0.1:1".into(), ..EmailSettings::default() }).unwrap();
    let (_db_dir, db, n) = store_with_an_unsent_email().await;
    let mut now = 1_000_000_000;
    for _ in 0..MAX_EMAIL_ATTEMPTS + 3 {
        assert_eq!(mailer.send_due(&db, now).await.unwrap(), 0);
        now += HOUR; // past any retry pause
    }
    let pool = common::database(&common::database_url(&_db_dir.path().join("mail.db"))).await;
    let (attempts, gave_up_at, error): (i64, Option<i64>, Option<String>) =
        sqlx::query_as("SELECT attempts, gave_up_at, last_error FROM notifications WHERE id = $1").bind(n.id).fetch_one(&pool).await.unwrap();
    assert_eq!(attempts, MAX_EMAIL_ATTEMPTS, "tried exactly the bound");
    assert!(gave_up_at.is_some(), "given up, and the store says so");
    assert!(error.is_some_and(|e| !e.is_empty()), "with the reason");
    assert!(db.unsent_notifications(i64::MAX, 10).await.unwrap().is_empty(), "not tried again");
}

#[tokio::test]
async fn a_send_cut_off_by_a_crash_counts_as_an_attempt_and_waits_before_the_retry() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = Mailer::from_settings(&EmailSettings { outbox_dir: dir.path().join("outbox"), ..EmailSettings::default() }).unwrap();
    let (_db_dir, db, n) = store_with_an_unsent_email().await;
    let now = 1_000_000_000;
    // The claim is made, then the process dies: no mark, no failure recorded.
    assert_eq!(db.claim_notification(n.id, now, now + 1_000).await.unwrap(), Some(1));
    assert!(db.unsent_notifications(now + 999, 10).await.unwrap().is_empty(), "not resent at once");
    assert_eq!(mailer.send_due(&db, now + 1_000).await.unwrap(), 1, "resent after the pause");
}
