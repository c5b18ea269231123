//! Several instances on one database: two real server processes sharing one database, as a load
//! balancer puts them in front of it. What one instance does must reach the other's pages, a key
//! has one effect whichever instances it is sent to, and a job is run by one instance at a time
//! and finished by another when its instance dies. Every effect is counted on the server.

mod common;

use common::{eventually, key, next_event, ServerProcess};
use orderdesk::domain::{JobEventKind, JobStep, Order, OrderStatus, PlaceReceipt, ServerEvent};
use std::path::Path;
use std::time::Duration;

/// Short jobs with a long middle step (to kill an instance in it), no random failures, and a
/// short lease, so a dead instance's job is taken over quickly (renewed every second, so a
/// live instance loses it only if a renewal is two seconds late).
const ENV: [(&str, &str); 8] = [
    ("ORDERDESK_JOB_PAYMENT_MS", "400"),
    ("ORDERDESK_JOB_STOCK_MS", "4000"),
    ("ORDERDESK_JOB_FULFILMENT_MS", "400"),
    ("ORDERDESK_JOB_FAILURE_RATE", "0"),
    ("ORDERDESK_JOB_ETA_MS", "5000"),
    ("ORDERDESK_JOB_DEADLINE_MS", "120000"),
    ("ORDERDESK_FAULTS", "false"),
    ("ORDERDESK_JOB_LEASE_MS", "3000"),
];

/// Two instances on the database in `dir` (the first one seeds it), signed in as the demo
/// owner with `client` (sessions live in the database, so one sign-in serves both).
async fn two_instances(dir: &Path, client: &reqwest::Client) -> (ServerProcess, ServerProcess) {
    let a = ServerProcess::start(dir, client, &ENV).await;
    let b = ServerProcess::start(dir, client, &ENV).await;
    (a, b)
}

fn emails(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("outbox")).map(|d| d.filter_map(Result::ok).filter(|f| f.path().extension().is_some_and(|e| e == "eml")).count()).unwrap_or(0)
}

/// Waits until `server` says the job has ended, then until its one email is written and a while
/// longer (every instance's mailer looks for unsent email several times a second): exactly one.
async fn ended_with_one_email(server: &ServerProcess, client: &reqwest::Client, job: &orderdesk::domain::Job, dir: &Path) -> orderdesk::domain::JobDetail {
    let done = eventually("the job to end", || async {
        let d = server.job(client, job).await;
        d.job.state.is_terminal().then_some(d)
    })
    .await;
    eventually("the job's email", || async { (emails(dir) >= 1).then_some(()) }).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(emails(dir), 1, "one email, though every instance runs a mailer");
    done
}

async fn place(server: &ServerProcess, client: &reqwest::Client, order: &Order) -> PlaceReceipt {
    let (k, id, version) = (key(), order.id.to_string(), order.version.to_string());
    let res = server.call(client, "orders/place", &[("key", &k), ("id", &id), ("version", &version)]).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn a_write_on_one_instance_reaches_the_event_streams_of_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let client = common::cookie_client();
    let (a, b) = two_instances(dir.path(), &client).await;
    let mut stream = client.get(format!("{}/api/events", b.base)).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    let mut buffer = String::new();
    next_event(&mut stream, &mut buffer, |event, _| event == "ready").await;

    let draft = a.orders(&client).await.into_iter().find(|o| o.status == OrderStatus::Draft).unwrap();
    let (k, id, version) = (key(), draft.id.to_string(), draft.version.to_string());
    let starred = (!draft.starred).to_string();
    let res = a.call(&client, "orders/star", &[("key", &k), ("id", &id), ("version", &version), ("starred", &starred)]).await;
    assert_eq!(res.status(), 200);

    let (_, data) = next_event(&mut stream, &mut buffer, |event, data| event == "message" && data.contains(&id)).await;
    let ServerEvent::Order(order) = serde_json::from_str::<ServerEvent>(&data).unwrap() else { panic!("an order change: {data}") };
    assert_eq!((order.id, order.starred, order.version), (draft.id, !draft.starred, draft.version + 1), "B's page hears A's write");
}

#[tokio::test]
async fn one_key_sent_to_both_instances_at_once_has_one_effect() {
    let dir = tempfile::tempdir().unwrap();
    let client = common::cookie_client();
    let (a, b) = two_instances(dir.path(), &client).await;
    let before = a.orders(&client).await.len();
    let mut ids = Vec::new();
    for round in 0..10 {
        let sends = (0..10).map(|n| {
            let (k, id) = (key(), orderdesk::domain::OrderId::new().to_string());
            let customer = format!("Customer {round}-{n}");
            let (a, b, client) = (&a, &b, &client);
            async move {
                let form = [("key", k.as_str()), ("id", id.as_str()), ("customer", customer.as_str()), ("item", "Desk lamp"), ("quantity", "2"), ("unit_price_cents", "2500"), ("note", "")];
                let (on_a, on_b) = tokio::join!(a.call(client, "orders/create", &form), b.call(client, "orders/create", &form));
                let (sa, sb) = (on_a.status(), on_b.status());
                let (ta, tb) = (on_a.text().await.unwrap(), on_b.text().await.unwrap());
                // Each answer is the created order (the first, or the replay of its answer), or
                // "in progress" (safe to send again): never a second order, never an error.
                let created: Vec<Order> = [(sa, &ta), (sb, &tb)]
                    .into_iter()
                    .filter_map(|(status, text)| {
                        assert!(status == 200 || status == 409 && text.contains("in_progress"), "{status}: {text}");
                        (status == 200).then(|| serde_json::from_str(text).unwrap())
                    })
                    .collect();
                assert!(!created.is_empty(), "at least one instance answered with the order: {ta} / {tb}");
                assert!(created.windows(2).all(|w| w[0] == w[1]), "both answers are the same order: {ta} / {tb}");
                id
            }
        });
        ids.extend(futures::future::join_all(sends).await);
    }
    // Counted on the server, on both instances: each key made exactly one order.
    for server in [&a, &b] {
        let orders = server.orders(&client).await;
        assert_eq!(orders.len(), before + 100, "one order per key");
        for id in &ids {
            assert_eq!(orders.iter().filter(|o| o.id.to_string() == *id).count(), 1);
        }
    }
}

#[tokio::test]
async fn a_job_is_run_by_one_instance_and_emailed_once_while_both_run() {
    let dir = tempfile::tempdir().unwrap();
    let client = common::cookie_client();
    let (a, b) = two_instances(dir.path(), &client).await;
    let draft = a.orders(&client).await.into_iter().find(|o| o.status == OrderStatus::Draft).unwrap();
    let job = place(&a, &client, &draft).await.job;
    let done = ended_with_one_email(&b, &client, &job, dir.path()).await;
    let kinds: Vec<_> = done.events.iter().map(|e| (e.kind, e.step)).collect();
    assert!(!kinds.iter().any(|(k, _)| *k == JobEventKind::Resumed), "nobody took it over: {kinds:?}");
    assert_eq!(kinds.iter().filter(|(k, _)| *k == JobEventKind::StepStarted).count(), 3, "each step started once: {kinds:?}");
}

#[tokio::test]
async fn when_the_instance_running_a_job_is_killed_the_other_finishes_it_each_step_once() {
    let dir = tempfile::tempdir().unwrap();
    let client = common::cookie_client();
    let (mut a, b) = two_instances(dir.path(), &client).await;
    let draft = a.orders(&client).await.into_iter().find(|o| o.status == OrderStatus::Draft).unwrap();
    let job = place(&a, &client, &draft).await.job;
    eventually("the payment step to be done (on A)", || async {
        let d = b.job(&client, &job).await;
        (d.job.steps_done >= 1).then_some(())
    })
    .await;
    a.kill();

    let done = ended_with_one_email(&b, &client, &job, dir.path()).await;
    let kinds: Vec<_> = done.events.iter().map(|e| (e.kind, e.step)).collect();
    let endings = kinds.iter().filter(|(k, _)| matches!(k, JobEventKind::Completed | JobEventKind::Failed)).count();
    assert_eq!(endings, 1, "one ending: {kinds:?}");
    assert_eq!(done.events.last().unwrap().kind, JobEventKind::Completed);
    let steps_done: Vec<JobStep> = kinds.iter().filter(|(k, _)| *k == JobEventKind::StepDone).filter_map(|(_, s)| *s).collect();
    assert_eq!(steps_done, JobStep::ALL.to_vec(), "each step done once, in order: {kinds:?}");
    let resumed = kinds.iter().position(|(k, _)| *k == JobEventKind::Resumed).expect("B says it picked the job up");
    assert!(kinds.iter().position(|e| *e == (JobEventKind::StepDone, Some(JobStep::Payment))).unwrap() < resumed, "payment was not done again: {kinds:?}");
    assert_eq!(kinds[resumed + 1], (JobEventKind::StepStarted, Some(JobStep::Stock)), "the step A was in starts again on B: {kinds:?}");
    assert_eq!(done.order.status, OrderStatus::Placed);
}

#[tokio::test]
async fn a_sign_out_on_one_instance_ends_the_session_on_the_other_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let client = common::cookie_client();
    let (a, b) = two_instances(dir.path(), &client).await;
    // A session used by hand on both instances (as a browser behind a load balancer would).
    let cookie = common::session_cookie(&a.base).await;
    let plain = reqwest::Client::new();
    let read = |server: &ServerProcess| {
        plain.post(format!("{}/api/orders/page", server.base)).header("cookie", &cookie).header("sec-fetch-site", "same-origin").form(&[("after", "")]).send()
    };
    assert_eq!(read(&b).await.unwrap().status(), 200, "B knows the session (and keeps a copy now)");
    let res = plain
        .post(format!("{}/api/accounts/sign-out", a.base))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success() || res.status().is_redirection(), "signed out on A: {}", res.status());
    assert_eq!(read(&a).await.unwrap().status(), 401, "A forgot it");
    // B hears of it within moments, not when its copy would have expired (in two weeks).
    let signed_out = std::time::Instant::now();
    eventually("B to forget the session", || async { (read(&b).await.unwrap().status() == 401).then_some(()) }).await;
    assert!(signed_out.elapsed() < Duration::from_secs(2), "took {:?}", signed_out.elapsed());
}

#[tokio::test]
async fn instances_started_together_on_an_empty_database_both_come_up_and_seed_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (common::cookie_client(), common::cookie_client());
    let (a, b) = tokio::join!(ServerProcess::start(dir.path(), &one, &ENV), ServerProcess::start(dir.path(), &two, &ENV));
    let (on_a, on_b) = (a.orders(&one).await, b.orders(&two).await);
    assert_eq!(on_a.len(), 25, "the demo orders, once");
    assert_eq!(on_a, on_b);
}

#[tokio::test]
async fn a_held_delete_is_purged_once_when_its_undo_window_closes_though_every_instance_prunes() {
    let dir = tempfile::tempdir().unwrap();
    let client = common::cookie_client();
    let env: Vec<(&str, &str)> = ENV.iter().copied().chain([("ORDERDESK_UNDO_WINDOW_SECS", "1"), ("ORDERDESK_PRUNE_EVERY_SECS", "1")]).collect();
    let (a, b) = (ServerProcess::start(dir.path(), &client, &env).await, ServerProcess::start(dir.path(), &client, &env).await);
    let draft = a.orders(&client).await.into_iter().find(|o| o.status == OrderStatus::Draft).expect("a seeded draft");
    let (id, version) = (draft.id.to_string(), draft.version.to_string());
    let res = a.call(&client, "orders/delete", &[("key", &key()), ("id", &id), ("version", &version)]).await;
    assert_eq!(res.status(), 200);
    let db = common::database(&common::database_url(&dir.path().join("orderdesk.db"))).await;
    eventually("the held delete to be purged", || async {
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE id = $1").bind(&id).fetch_one(&db).await.unwrap();
        (left == 0).then_some(())
    })
    .await;
    // Both instances pass again (every second) after the purge.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    // The log's colours out: `\x1b[…m`.
    let log = log.split('\x1b').enumerate().map(|(i, part)| if i == 0 { part } else { part.split_once('m').map_or("", |(_, rest)| rest) }).collect::<String>();
    let purged: Vec<&str> = log.lines().filter(|l| l.contains("pruned what is past its time") && !l.contains("orders=0")).collect();
    assert_eq!(purged.len(), 1, "one pass of one instance purged it: {purged:?}");
    assert!(purged[0].contains("orders=1"), "{purged:?}");
    let res = b.call(&client, "orders/undo_delete", &[("key", &key()), ("id", &id)]).await;
    assert_ne!(res.status(), 200, "its undo window closed, on every instance");
    assert!(b.orders(&client).await.iter().all(|o| o.id != draft.id));
}
