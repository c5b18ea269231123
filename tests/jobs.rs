//! Placing an order runs as a durable job: over HTTP against the real server, and against the
//! real binary killed with SIGKILL mid-job and started again on the same database.

mod common;

use common::{eventually, quick_jobs, spawn_app_with, ServerProcess, TestApp};
use orderdesk::config::Settings;
use orderdesk::domain::{Job, JobDetail, JobEventKind, JobState, JobStep, Order, OrderStatus, PlaceReceipt};
use serde_json::json;
use std::path::{Path, PathBuf};


struct JobsApp {
    app: TestApp,
    outbox: PathBuf,
    _outbox_dir: tempfile::TempDir,
}

async fn spawn_jobs_app(adjust: impl FnOnce(&mut Settings)) -> JobsApp {
    let outbox_dir = tempfile::tempdir().unwrap();
    let outbox = outbox_dir.path().join("outbox");
    let app = spawn_app_with(|s| {
        quick_jobs(s, &outbox);
        adjust(s);
    })
    .await;
    JobsApp { app, outbox, _outbox_dir: outbox_dir }
}

fn new_key() -> String {
    uuid::Uuid::now_v7().to_string()
}

async fn place(app: &TestApp, key: &str, order: &Order) -> reqwest::Response {
    app.call("orders/place", &[("key", key), ("id", &order.id.to_string()), ("version", &order.version.to_string())]).await
}

async fn place_ok(app: &TestApp, order: &Order) -> PlaceReceipt {
    let res = place(app, &new_key(), order).await;
    assert_eq!(res.status(), 200, "placing {} is accepted", order.display_number());
    res.json().await.unwrap()
}

async fn detail(app: &TestApp, job: &Job) -> JobDetail {
    let res = app.call("jobs/get", &[("id", &job.id.to_string())]).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn until_ended(app: &TestApp, job: &Job) -> JobDetail {
    eventually(&format!("{} to end", job.id.reference()), || async {
        let d = detail(app, job).await;
        d.job.state.is_terminal().then_some(d)
    })
    .await
}

fn kinds(d: &JobDetail) -> Vec<(JobEventKind, Option<JobStep>)> {
    d.events.iter().map(|e| (e.kind, e.step)).collect()
}

/// The text of the first `.eml` file in `outbox` whose subject is `subject`, once there is one.
async fn email_with_subject(outbox: &Path, subject: &str) -> String {
    let header = format!("Subject: {subject}\r\n");
    eventually(&format!("an email \"{subject}\" in the outbox"), || async {
        let entries = std::fs::read_dir(outbox).ok()?;
        entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .find(|text| text.contains(&header))
            .map(|text| readable(&text))
    })
    .await
}

/// An email body as a person reads it: quoted-printable soft breaks joined and `=XX` decoded.
fn readable(eml: &str) -> String {
    let joined = eml.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn the_whole_run() -> Vec<(JobEventKind, Option<JobStep>)> {
    use JobEventKind::*;
    let mut all = vec![(Submitted, None)];
    for s in JobStep::ALL {
        all.push((StepStarted, Some(s)));
        all.push((StepDone, Some(s)));
    }
    all.push((Completed, None));
    all
}

#[tokio::test]
async fn a_placed_order_is_accepted_at_once_and_its_job_runs_to_completion_in_order() {
    let JobsApp { app, outbox, .. } = spawn_jobs_app(|_| {}).await;
    let draft = app.a_draft().await;
    let receipt = place_ok(&app, &draft).await;
    assert_eq!(receipt.order.status, OrderStatus::Placing, "accepted, not done");
    assert_eq!(receipt.order.version, draft.version + 1);
    assert_eq!(receipt.job.state, JobState::Running);
    assert_eq!(receipt.job.order_id, draft.id);
    assert_eq!(Some(receipt.job.order_number), draft.number);
    assert_eq!(receipt.job.usual_duration(), "about 2 seconds");
    assert_eq!(receipt.job.deadline_at - receipt.job.submitted_at, 30_000);

    let done = until_ended(&app, &receipt.job).await;
    assert_eq!(done.job.state, JobState::Succeeded);
    assert_eq!((done.job.steps_done, done.job.progress), (3, 100));
    assert!(done.job.failure.is_none());
    assert!(done.job.finished_at.is_some());
    assert!(done.job.version > receipt.job.version);
    assert_eq!(kinds(&done), the_whole_run());
    assert!(done.events.windows(2).all(|w| w[0].seq + 1 == w[1].seq && w[0].at <= w[1].at), "history is in order");
    assert_eq!(done.events[0].message, "Order submitted");
    assert_eq!(done.order.status, OrderStatus::Placed);
    assert_eq!(app.order(&draft.id.to_string()).await.unwrap().status, OrderStatus::Placed);

    let res = app.call("jobs/list", &[]).await;
    assert_eq!(res.status(), 200);
    let listed: Vec<Job> = res.json().await.unwrap();
    assert_eq!(listed, vec![done.job.clone()], "the list has the newest job of each order");

    let number = draft.display_number();
    let email = email_with_subject(&outbox, &format!("{number} is placed")).await;
    assert!(email.contains(&format!("http://127.0.0.1:3000/jobs/{}", receipt.job.id)), "the email links to the status page:\n{email}");
    assert!(email.contains(&format!("{} × {}", draft.quantity, draft.item)), "{email}");
}

#[tokio::test]
async fn a_forced_failure_fails_the_job_with_a_reason_and_the_order_can_be_placed_again() {
    let JobsApp { app, outbox, .. } = spawn_jobs_app(|_| {}).await;
    app.fault(json!({"kind": "place", "action": {"outcome": "job_fail"}})).await;
    let draft = app.a_draft().await;
    let receipt = place_ok(&app, &draft).await;

    let failed = until_ended(&app, &receipt.job).await;
    assert_eq!(failed.job.state, JobState::Failed);
    let failure = failed.job.failure.clone().expect("a failed job says why");
    assert_eq!(failure.reason, "The card issuer declined the payment.");
    assert_eq!(failure.next_step, "Check the payment details with the customer, then place the order again.");
    use JobEventKind::*;
    assert_eq!(
        kinds(&failed),
        vec![(Submitted, None), (StepStarted, Some(JobStep::Payment)), (Failed, Some(JobStep::Payment))]
    );
    assert_eq!(failed.events.last().unwrap().message, failure.reason);
    assert_eq!(failed.order.status, OrderStatus::Failed);

    let number = draft.display_number();
    let email = email_with_subject(&outbox, &format!("{number} couldn't be placed")).await;
    assert!(email.contains("What happened: The card issuer declined the payment."), "{email}");
    assert!(email.contains("What to do next: Check the payment details"), "{email}");

    // The fault was used up: placing again runs normally and succeeds.
    let again = place_ok(&app, &failed.order).await;
    assert_ne!(again.job.id, receipt.job.id, "a new attempt is a new job");
    let done = until_ended(&app, &again.job).await;
    assert_eq!(done.job.state, JobState::Succeeded);
    assert_eq!(done.order.status, OrderStatus::Placed);
    let listed: Vec<Job> = app.call("jobs/list", &[]).await.json().await.unwrap();
    assert_eq!(listed.iter().map(|j| j.id).collect::<Vec<_>>(), vec![again.job.id], "only the newest job of the order is listed");
    // The first attempt keeps its history.
    assert_eq!(detail(&app, &receipt.job).await.job.state, JobState::Failed);
}

#[tokio::test]
async fn a_stalled_job_fails_at_its_deadline_with_an_explanation() {
    let JobsApp { app, outbox, .. } = spawn_jobs_app(|s| {
        s.jobs.eta_ms = 300;
        s.jobs.deadline_ms = 1_200;
    })
    .await;
    app.fault(json!({"kind": "place", "action": {"outcome": "job_stall"}})).await;
    let draft = app.a_draft().await;
    let receipt = place_ok(&app, &draft).await;

    let failed = until_ended(&app, &receipt.job).await;
    assert_eq!(failed.job.state, JobState::Failed);
    assert!(failed.job.finished_at.unwrap() >= failed.job.deadline_at, "not before its deadline");
    let failure = failed.job.failure.clone().unwrap();
    let number = draft.display_number();
    assert_eq!(failure.reason, format!("Placing {number} took longer than 1 second, so it was stopped. Nothing was charged."));
    assert!(failure.next_step.contains(&receipt.job.id.reference()), "{}", failure.next_step);
    use JobEventKind::*;
    assert_eq!(kinds(&failed), vec![(Submitted, None), (Failed, None)], "no progress after submission");
    assert_eq!(failed.job.progress, 0);
    assert_eq!(failed.order.status, OrderStatus::Failed);
    email_with_subject(&outbox, &format!("{number} couldn't be placed")).await;
}

#[tokio::test]
async fn the_same_key_places_the_order_once_and_answers_with_the_same_job() {
    let JobsApp { app, .. } = spawn_jobs_app(|_| {}).await;
    let draft = app.a_draft().await;
    let key = new_key();
    let first: PlaceReceipt = place(&app, &key, &draft).await.json().await.unwrap();
    let second = place(&app, &key, &draft).await;
    assert_eq!(second.status(), 200, "a repeat is answered, not refused");
    let second: PlaceReceipt = second.json().await.unwrap();
    assert_eq!(second, first, "the same receipt");
    let done = until_ended(&app, &first.job).await;
    assert_eq!(kinds(&done), the_whole_run(), "the repeat did not run the job a second time");
    // And again after the job has ended: still the same receipt, still no new job.
    let third: PlaceReceipt = place(&app, &key, &draft).await.json().await.unwrap();
    assert_eq!(third.job.id, first.job.id);

    let pool = common::database(&app.db_url).await;
    let (jobs,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE order_id = $1")
        .bind(draft.id.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(jobs, 1, "one job for one key");
    let (completions,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM job_events WHERE job_id = $1 AND kind = 'completed'")
        .bind(first.job.id.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(completions, 1);
}

#[tokio::test]
async fn placing_refuses_bad_input_with_a_typed_error_and_changes_nothing() {
    let JobsApp { app, .. } = spawn_jobs_app(|_| {}).await;
    let before = app.orders().await;
    let draft = app.a_draft().await;
    let placed = before.iter().find(|o| o.status == OrderStatus::Placed).unwrap().clone();

    let res = app.call("orders/place", &[("key", &new_key()), ("id", "not-an-id"), ("version", "1")]).await;
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!((body["kind"].as_str(), body["field"].as_str()), (Some("validation"), Some("order_id")), "{body}");

    let mut stale = draft.clone();
    stale.version -= 1;
    let res = place(&app, &new_key(), &stale).await;
    assert_eq!(res.status(), 409);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["kind"], "conflict");
    assert_eq!(body["current"]["version"], draft.version, "the conflict carries the current order");

    let res = place(&app, &new_key(), &placed).await;
    assert_eq!(res.status(), 403);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["kind"], "forbidden");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(&placed.display_number()) && message.contains("already placed"), "{message}");

    let res = place(&app, "not-a-key", &draft).await;
    assert_eq!(res.status(), 422);

    assert_eq!(app.orders().await, before, "no order changed");
    let listed: Vec<Job> = app.call("jobs/list", &[]).await.json().await.unwrap();
    assert!(listed.is_empty(), "no job was started");

    let res = app.call("jobs/get", &[("id", "JOB-1234")]).await;
    assert_eq!(res.status(), 422);
    let res = app.call("jobs/get", &[("id", &uuid::Uuid::now_v7().to_string())]).await;
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("orders list"), "{body}");
}

#[tokio::test]
async fn a_job_whose_deadline_passed_while_the_server_was_down_fails_with_the_reason_at_start_up() {
    use orderdesk::clock::ManualClock;
    use std::sync::Arc;
    // The first server accepts the order but its job never moves (a stall), as if the process
    // had died right after accepting it.
    let JobsApp { app, outbox, .. } = spawn_jobs_app(|_| {}).await;
    app.fault(json!({"kind": "place", "action": {"outcome": "job_stall"}})).await;
    let draft = app.a_draft().await;
    let receipt = place_ok(&app, &draft).await;

    // A second server on the same database starts after the job's deadline.
    let later = ManualClock::starting_at(receipt.job.deadline_at + 1);
    let db_path = app.db_path.clone();
    let outbox2 = outbox.clone();
    let second = common::spawn_app_on(&db_path, move |s| quick_jobs(s, &outbox2), Arc::new(later)).await;
    let failed = detail(&second, &receipt.job).await;
    assert_eq!(failed.job.state, JobState::Failed, "failed before the server answered its first request");
    let reason = failed.job.failure.unwrap().reason;
    assert!(reason.starts_with(&format!("The server restarted while placing {}", draft.display_number())), "{reason}");
    assert_eq!(failed.order.status, OrderStatus::Failed);
}

#[tokio::test]
async fn a_job_whose_task_never_started_is_picked_up_by_the_watchdog_not_failed_at_its_deadline() {
    use orderdesk::domain::WriteKind;
    use orderdesk::store::{Db, WriteMeta};
    let JobsApp { app, .. } = spawn_jobs_app(|s| s.jobs.deadline_ms = 120_000).await;
    let draft = app.a_draft().await;
    // The job is committed as a request would commit it, but nothing starts its task: the
    // request ended between the commit and the start.
    let db = Db::open(&app.db_url, 1).await.unwrap();
    let meta = WriteMeta {
        user: "local".into(),
        workspace: 1,
        key: uuid::Uuid::now_v7(),
        kind: WriteKind::Place,
        payload_hash: "h".into(),
        now: orderdesk::store::now_ms(),
        ttl_ms: 3_600_000,
    };
    let settings = orderdesk::config::JobSettings { failure_rate: 0.0, eta_ms: 2_000, deadline_ms: 120_000, ..Default::default() };
    let receipt = db.place_order(&meta, draft.id, draft.version, &settings, None).await.unwrap().into_inner();

    let done = until_ended(&app, &receipt.job).await;
    assert_eq!(done.job.state, JobState::Succeeded, "{:?}", done.job.failure);
    assert!(done.job.finished_at.unwrap() < done.job.deadline_at, "long before its deadline");
    assert_eq!(kinds(&done), the_whole_run(), "run once, from the start");
    assert_eq!(done.order.status, OrderStatus::Placed);
}

/// Job timings for the real binary: a long stock step, so it can be killed in the middle.
const CRASH_TEST_ENV: [(&str, &str); 8] = [
    ("ORDERDESK_JOB_PAYMENT_MS", "600"),
    ("ORDERDESK_JOB_STOCK_MS", "5000"),
    ("ORDERDESK_JOB_FULFILMENT_MS", "600"),
    ("ORDERDESK_JOB_FAILURE_RATE", "0"),
    ("ORDERDESK_JOB_ETA_MS", "5000"),
    ("ORDERDESK_JOB_DEADLINE_MS", "120000"),
    ("ORDERDESK_FAULTS", "false"),
    // The restarted server listens on another port, so under another name: it takes the jobs
    // over once the dead one's leases have run out.
    ("ORDERDESK_JOB_LEASE_MS", "1500"),
];

#[tokio::test]
async fn a_killed_server_resumes_its_jobs_and_each_ends_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let client = common::cookie_client();
    let mut server = ServerProcess::start(dir.path(), &client, &CRASH_TEST_ENV).await;

    let orders: Vec<Order> = server.orders(&client).await;
    let drafts: Vec<Order> = orders.into_iter().filter(|o| o.status == OrderStatus::Draft).take(3).collect();
    let mut jobs = Vec::new();
    for d in &drafts {
        let form = [("key", new_key()), ("id", d.id.to_string()), ("version", d.version.to_string())];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = server.call(&client, "orders/place", &form).await;
        assert_eq!(res.status(), 200);
        jobs.push(res.json::<PlaceReceipt>().await.unwrap().job);
    }
    // Kill it while the first job is in the middle of its (long) stock step.
    let first = &jobs[0];
    eventually("the first job to finish its payment step", || async {
        let d = server.job(&client, first).await;
        (d.job.steps_done >= 1).then_some(())
    })
    .await;
    server.kill();

    let server = ServerProcess::start(dir.path(), &client, &CRASH_TEST_ENV).await;
    for job in &jobs {
        let d = eventually(&format!("{} to end after the restart", job.id.reference()), || async {
            let d = server.job(&client, job).await;
            d.job.state.is_terminal().then_some(d)
        })
        .await;
        let history = kinds(&d);
        let endings = history.iter().filter(|(k, _)| matches!(k, JobEventKind::Completed | JobEventKind::Failed)).count();
        assert_eq!(endings, 1, "{} ends exactly once: {history:?}", job.id.reference());
        assert_eq!(d.events.last().unwrap().kind, JobEventKind::Completed, "and it is the last line: {history:?}");
        let done: Vec<JobStep> = history.iter().filter(|(k, _)| *k == JobEventKind::StepDone).filter_map(|(_, s)| *s).collect();
        assert_eq!(done, JobStep::ALL.to_vec(), "each step done once, in order: {history:?}");
        assert_eq!(d.job.state, JobState::Succeeded);
        assert_eq!(d.order.status, OrderStatus::Placed);
        assert!(d.events.windows(2).all(|w| w[0].seq + 1 == w[1].seq));
    }
    let d = server.job(&client, first).await;
    let history = kinds(&d);
    let resumed_at = history.iter().position(|(k, _)| *k == JobEventKind::Resumed).expect("the first job says it was resumed");
    let payment_done = history.iter().position(|e| *e == (JobEventKind::StepDone, Some(JobStep::Payment))).unwrap();
    assert!(payment_done < resumed_at, "payment was done before the crash and not repeated: {history:?}");
    assert_eq!(d.events[resumed_at].message, "The server restarted; picking up at Reserving stock");
    assert_eq!(
        history[resumed_at + 1],
        (JobEventKind::StepStarted, Some(JobStep::Stock)),
        "the step in progress starts again: {history:?}"
    );
}
