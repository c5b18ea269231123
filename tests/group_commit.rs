//! Group commit against the real server: writes that arrive together share a commit, yet each
//! keeps its own outcome; a crash loses no acknowledged write and leaves none half-applied.

mod common;

use common::{key, spawn_app, ServerProcess};
use orderdesk::domain::{Order, OrderStatus};
use std::collections::HashMap;
use std::time::Duration;


#[tokio::test]
async fn concurrent_writes_with_refusals_among_them_each_get_their_own_outcome() {
    let app = spawn_app().await;
    let app = &app;
    let orders = app.orders().await;
    // For every draft, two writes from the version the client saw: one lands, the other meets
    // the first's new version (a conflict). For every placed order, one write the rules refuse.
    let mut sent = Vec::new();
    for o in &orders {
        let tries = if o.status == OrderStatus::Draft { 2 } else { 1 };
        for t in 0..tries {
            let quantity = (o.quantity.get() % 900 + 2 + t).to_string();
            sent.push((o.clone(), key(), quantity));
        }
    }
    let answers = futures::future::join_all(sent.iter().map(|(o, k, q)| {
        let (id, version) = (o.id.to_string(), o.version.to_string());
        async move {
            let res = app.call("orders/quantity", &[("key", k), ("id", &id), ("version", &version), ("quantity", q)]).await;
            let status = res.status().as_u16();
            (status, res.text().await.unwrap())
        }
    }))
    .await;

    let mut landed: HashMap<String, (String, String)> = HashMap::new();
    for ((o, k, q), (status, body)) in sent.iter().zip(&answers) {
        match (o.status, *status) {
            (OrderStatus::Draft, 200) => {
                let order: Order = serde_json::from_str(body).unwrap();
                assert_eq!((order.quantity.get().to_string(), order.version), (q.clone(), o.version + 1), "the answer is this write's own");
                assert!(landed.insert(o.id.to_string(), (k.clone(), body.clone())).is_none(), "{}: two writes from one version both landed", o.number.map(|n| n.to_string()).unwrap_or_default());
            }
            (OrderStatus::Draft, 409) => assert!(body.contains("\"conflict\""), "{body}"),
            (OrderStatus::Draft, s) => panic!("{}: {s} {body}", o.number.map(|n| n.to_string()).unwrap_or_default()),
            (_, s) => assert_eq!(s, 403, "{}: a placed order's quantity is refused: {body}", o.number.map(|n| n.to_string()).unwrap_or_default()),
        }
    }
    let drafts = orders.iter().filter(|o| o.status == OrderStatus::Draft).count();
    assert_eq!(landed.len(), drafts, "exactly one write per draft landed");

    // The server holds exactly the landed writes.
    let now = app.orders().await;
    for o in &now {
        let before = orders.iter().find(|b| b.id == o.id).unwrap();
        match landed.get(&o.id.to_string()) {
            Some((_, body)) => assert_eq!(serde_json::from_str::<Order>(body).unwrap(), *o),
            None => assert_eq!(o, before, "a refused write changed nothing"),
        }
    }

    // Repeats of the landed writes, all at once: each gets its stored answer, nothing moves.
    let repeats = futures::future::join_all(sent.iter().filter(|(o, k, _)| landed.get(&o.id.to_string()).is_some_and(|(lk, _)| lk == k)).map(|(o, k, q)| {
        let (id, version) = (o.id.to_string(), o.version.to_string());
        async move {
            let res = app.call("orders/quantity", &[("key", k), ("id", &id), ("version", &version), ("quantity", q)]).await;
            (id, res.status().as_u16(), res.text().await.unwrap())
        }
    }))
    .await;
    for (id, status, body) in repeats {
        assert_eq!((status, &body), (200, &landed[&id].1), "a repeat answers what the first request was told");
    }
    assert_eq!(app.orders().await, now, "repeats changed nothing");
}

#[tokio::test]
async fn a_crash_in_a_stream_of_writes_loses_no_acknowledged_write_and_half_applies_none() {
    let dir = tempfile::tempdir().unwrap();
    let client = common::cookie_client();
    let mut server = ServerProcess::start(dir.path(), &client, &[]).await;
    let orders: Vec<Order> = server.orders(&client).await;
    let drafts: Vec<Order> = orders.into_iter().filter(|o| o.status == OrderStatus::Draft).collect();

    // One chain of writes per draft, each from the version the last answer gave, until the
    // server dies under them.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let chains: Vec<_> = drafts
        .iter()
        .cloned()
        .map(|o| {
            let (client, base, stop) = (client.clone(), server.base.clone(), stop.clone());
            tokio::spawn(async move {
                let mut acked = o.clone();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let quantity = (acked.quantity.get() % 900 + 1).to_string();
                    let res = client
                        .post(format!("{base}/api/orders/quantity"))
                        .header("sec-fetch-site", "same-origin")
                        .form(&[("key", key().as_str()), ("id", &o.id.to_string()), ("version", &acked.version.to_string()), ("quantity", &quantity)])
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status() == 200 => match r.json::<Order>().await {
                            Ok(order) => acked = order,
                            Err(_) => break,
                        },
                        _ => break,
                    }
                }
                acked
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    server.kill();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut acked = Vec::new();
    for chain in chains {
        acked.push(chain.await.unwrap());
    }
    assert!(acked.iter().zip(&drafts).any(|(a, d)| a.version > d.version + 5), "the stream was running when the server died");

    let server = ServerProcess::start(dir.path(), &client, &[]).await;
    let after: Vec<Order> = server.orders(&client).await;
    for a in &acked {
        let now = after.iter().find(|o| o.id == a.id).expect("the order is still there");
        // The write in flight at the crash either committed whole or not at all.
        let next_quantity = a.quantity.get() % 900 + 1;
        assert!(
            *now == *a || (now.version == a.version + 1 && now.quantity.get() == next_quantity),
            "{}: acknowledged v{} q{}, found v{} q{}",
            a.number.map(|n| n.to_string()).unwrap_or_default(),
            a.version,
            a.quantity.get(),
            now.version,
            now.quantity.get()
        );
    }
}
