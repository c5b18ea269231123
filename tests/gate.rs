//! The one write gate over HTTP: for every kind of write, the key is parsed and claimed before
//! any fault rule applies, a rejection changes and publishes nothing, a fresh effect is
//! published once, and a replay answers the stored body with no effect and no event. Also the
//! `hang` fault and the server-only pricing rule.

mod common;

use common::{key, spawn_app, spawn_app_with, TestApp};
use orderdesk::domain::{line_total, server_line_total, Job, JobId, Order, OrderId, OrderStatus, Promotion, ServerEvent};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};


async fn body(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

async fn call(app: &TestApp, endpoint: &str, key: &str, form: &[(&'static str, String)]) -> (u16, Value) {
    let mut all: Vec<(&str, &str)> = vec![("key", key)];
    all.extend(form.iter().map(|(k, v)| (*k, v.as_str())));
    body(app.call(endpoint, &all).await).await
}

/// An open `/api/events` stream, and an order starred on demand as a marker: everything read
/// before the marker's own event was published between two points of the test.
struct Stream {
    res: reqwest::Response,
    buffer: String,
    marker: OrderId,
}

impl Stream {
    async fn open(app: &TestApp, marker: OrderId) -> Stream {
        let res = app.client.get(app.url("/api/events")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let mut s = Stream { res, buffer: String::new(), marker };
        assert_eq!(s.next_block().await.0, "ready");
        s
    }

    /// The next SSE block: (event name, data).
    async fn next_block(&mut self) -> (String, String) {
        let deadline = tokio::time::Instant::now() + common::PATIENCE;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| block.lines().filter_map(|l| l.strip_prefix(name)).map(str::trim_start).collect::<Vec<_>>().join("\n");
                let (event, data) = (field("event:"), field("data:"));
                if event.is_empty() && data.is_empty() {
                    continue; // a keep-alive comment
                }
                return (if event.is_empty() { "message".into() } else { event }, data);
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk()).await.expect("an event in time").unwrap().expect("the stream stays open");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Stars (or unstars) the marker with a fresh key and returns every order event published
    /// before the marker's: what the writes since the last marker announced. Job events come
    /// from the job runner, not from writes, and are left out.
    async fn since_last_marker(&mut self, app: &TestApp) -> Vec<ServerEvent> {
        let m = app.order(&self.marker.to_string()).await.expect("the marker order");
        let form = [("id", m.id.to_string()), ("version", m.version.to_string()), ("starred", (!m.starred).to_string())];
        let (status, b) = call(app, "orders/star", &key(), &form).await;
        assert_eq!(status, 200, "marker star: {b}");
        let marked: Order = serde_json::from_value(b).unwrap();
        let mut seen = Vec::new();
        loop {
            let (event, data) = self.next_block().await;
            assert_eq!(event, "message", "no resync expected: {data}");
            match serde_json::from_str::<ServerEvent>(&data).unwrap() {
                ServerEvent::Order(o) if o == marked => return seen,
                ServerEvent::Job(_) => {}
                other => seen.push(other),
            }
        }
    }
}

/// How many of `events` are about `id`.
fn about(events: &[ServerEvent], id: OrderId) -> usize {
    events
        .iter()
        .filter(|e| match e {
            ServerEvent::Order(o) => o.id == id,
            ServerEvent::OrderRemoved(removed) => *removed == id,
            ServerEvent::Job(j) => j.order_id == id,
        })
        .count()
}

/// What the server holds: every live order, and the newest job of each order that has one.
async fn snapshot(app: &TestApp) -> (Vec<Order>, Vec<(OrderId, JobId)>) {
    let res = app.call("jobs/list", &[]).await;
    assert_eq!(res.status(), 200);
    let jobs: Vec<Job> = res.json().await.unwrap();
    let mut jobs: Vec<(OrderId, JobId)> = jobs.into_iter().map(|j| (j.order_id, j.id)).collect();
    jobs.sort();
    (app.orders().await, jobs)
}

async fn fault_rules(app: &TestApp) -> Vec<Value> {
    let state: Value = app.client.get(app.url("/api/faults")).send().await.unwrap().json().await.unwrap();
    state["rules"].as_array().unwrap().clone()
}

/// The endpoint, target and arguments (without the key) of a valid write of `kind`, on an
/// order no earlier case used. Setting up `undo_delete` deletes a draft first.
async fn valid_write(app: &TestApp, kind: &str, used: &mut HashSet<OrderId>) -> (String, OrderId, Vec<(&'static str, String)>) {
    let orders = app.orders().await;
    let mut pick = |status: OrderStatus| {
        let o = orders.iter().find(|o| o.status == status && !used.contains(&o.id) && !o.starred).expect("an unused order").clone();
        used.insert(o.id);
        o
    };
    let target = |o: &Order| vec![("id", o.id.to_string()), ("version", o.version.to_string())];
    let (target_id, form) = match kind {
        "star" => {
            let o = pick(OrderStatus::Draft);
            (o.id, [target(&o), vec![("starred", "true".into())]].concat())
        }
        "rename" => {
            let o = pick(OrderStatus::Draft);
            (o.id, [target(&o), vec![("customer", "Renamed Customer".into()), ("item", "Renamed item".into())]].concat())
        }
        "note" => {
            let o = pick(OrderStatus::Draft);
            (o.id, [target(&o), vec![("note", "Ring twice".into())]].concat())
        }
        "quantity" => {
            let o = pick(OrderStatus::Draft);
            (o.id, [target(&o), vec![("quantity", (o.quantity.get() % 900 + 3).to_string())]].concat())
        }
        "move" => {
            let o = pick(OrderStatus::Draft);
            let first = orders.iter().find(|x| x.id != o.id).unwrap();
            (o.id, [target(&o), vec![("before", first.id.to_string())]].concat())
        }
        "create" => {
            let id = OrderId::new();
            let form = vec![
                ("id", id.to_string()),
                ("customer", "Gate Tester".into()),
                ("item", "Turnstile".into()),
                ("quantity", "2".into()),
                ("unit_price_cents", "1999".into()),
                ("note", String::new()),
            ];
            (id, form)
        }
        "delete" | "place" => {
            let o = pick(OrderStatus::Draft);
            (o.id, target(&o))
        }
        "undo_delete" => {
            let o = pick(OrderStatus::Draft);
            let (status, b) = call(app, "orders/delete", &key(), &target(&o)).await;
            assert_eq!(status, 200, "set-up delete: {b}");
            (o.id, vec![("id", o.id.to_string())])
        }
        "cancel" => {
            let o = pick(OrderStatus::Placed);
            (o.id, target(&o))
        }
        other => panic!("no case for {other}"),
    };
    (format!("orders/{kind}"), target_id, form)
}

#[tokio::test]
async fn every_write_kind_goes_through_the_gate_in_order_key_claim_faults_effect_publish() {
    let app = spawn_app_with(|s| s.faults.enabled = true).await;
    let marker = app.orders().await.into_iter().find(|o| o.status == OrderStatus::Cancelled).expect("a cancelled order").id;
    let mut stream = Stream::open(&app, marker).await;
    let mut used = HashSet::from([marker]);
    let kinds = ["star", "rename", "note", "quantity", "move", "create", "delete", "undo_delete", "cancel", "place"];
    for kind in kinds {
        let (endpoint, target, form) = valid_write(&app, kind, &mut used).await;
        stream.since_last_marker(&app).await; // whatever the set-up published

        app.fault(json!({"kind": kind, "action": {"outcome": "reject"}})).await;
        let (status, b) = call(&app, &endpoint, "not-a-key", &form).await;
        assert_eq!((status, b["field"].as_str()), (422, Some("idempotency_key")), "{kind}: a bad key is refused first: {b}");
        assert_eq!(fault_rules(&app).await.len(), 1, "{kind}: the key is parsed before any fault rule is consumed");

        let before = snapshot(&app).await;
        let (status, b) = call(&app, &endpoint, &key(), &form).await;
        assert_eq!((status, b["kind"].as_str()), (422, Some("validation")), "{kind}: the reject fault: {b}");
        assert!(fault_rules(&app).await.is_empty(), "{kind}: the rule was used up");
        assert_eq!(snapshot(&app).await, before, "{kind}: a rejection changes nothing");
        assert_eq!(stream.since_last_marker(&app).await, vec![], "{kind}: a rejection publishes nothing");

        let before = snapshot(&app).await;
        let k = key();
        let (status, first) = call(&app, &endpoint, &k, &form).await;
        assert_eq!(status, 200, "{kind}: {first}");
        let published = stream.since_last_marker(&app).await;
        assert_eq!(about(&published, target), 1, "{kind}: the effect is published once: {published:?}");
        let after = snapshot(&app).await;
        assert_ne!(after, before, "{kind}: the effect ran");

        let (status, again) = call(&app, &endpoint, &k, &form).await;
        if kind == "move" {
            // A move keeps only which orders it placed: its replay is those orders as they are
            // now (the stream's marker order has changed since the first answer).
            assert_eq!(status, 200, "{kind}: {again}");
            let placed: Vec<Order> = serde_json::from_value(first.clone()).unwrap();
            let now: Vec<Order> = placed.iter().map(|p| after.0.iter().find(|o| o.id == p.id).unwrap().clone()).collect();
            assert_eq!(serde_json::from_value::<Vec<Order>>(again).unwrap(), now, "{kind}: a replay answers the orders it placed, as they are now");
        } else {
            assert_eq!((status, &again), (200, &first), "{kind}: a replay answers the stored body");
        }
        assert_eq!(snapshot(&app).await, after, "{kind}: a replay has no second effect");
        assert_eq!(stream.since_last_marker(&app).await, vec![], "{kind}: a replay publishes nothing");
    }
}

#[tokio::test]
async fn a_replayed_delete_after_undo_tells_no_page_the_live_order_was_removed() {
    let app = spawn_app().await;
    let draft = app.a_draft().await;
    let marker = app.orders().await.into_iter().find(|o| o.status == OrderStatus::Cancelled).unwrap().id;
    let mut stream = Stream::open(&app, marker).await;
    let id = draft.id;
    let form = [("id", id.to_string()), ("version", draft.version.to_string())];

    let k = key();
    let (status, deleted) = call(&app, "orders/delete", &k, &form).await;
    assert_eq!(status, 200, "{deleted}");
    assert_eq!(stream.since_last_marker(&app).await, vec![ServerEvent::OrderRemoved(id)]);

    let (status, b) = call(&app, "orders/undo_delete", &key(), &[("id", id.to_string())]).await;
    assert_eq!(status, 200, "{b}");
    let back: Order = serde_json::from_value(b).unwrap();
    assert_eq!(stream.since_last_marker(&app).await, vec![ServerEvent::Order(back.clone())]);

    let (status, replayed) = call(&app, "orders/delete", &k, &form).await;
    assert_eq!((status, &replayed), (200, &deleted), "the resend gets the stored answer");
    assert_eq!(stream.since_last_marker(&app).await, vec![], "no page is told the live order was removed");
    assert_eq!(app.order(&id.to_string()).await, Some(back), "the order is still live and unchanged");
}

#[tokio::test]
async fn a_replayed_star_publishes_nothing() {
    let app = spawn_app().await;
    let draft = app.a_draft().await;
    let marker = app.orders().await.into_iter().find(|o| o.status == OrderStatus::Cancelled).unwrap().id;
    let mut stream = Stream::open(&app, marker).await;
    let form = [("id", draft.id.to_string()), ("version", draft.version.to_string()), ("starred", (!draft.starred).to_string())];
    let k = key();
    let (status, first) = call(&app, "orders/star", &k, &form).await;
    assert_eq!(status, 200);
    assert_eq!(about(&stream.since_last_marker(&app).await, draft.id), 1);
    let (status, again) = call(&app, "orders/star", &k, &form).await;
    assert_eq!((status, again), (200, first));
    assert_eq!(stream.since_last_marker(&app).await, vec![]);
}

async fn set_qty(app: &TestApp, key: &str, o: &Order, quantity: u32) -> reqwest::RequestBuilder {
    let form = [("key", key.to_string()), ("id", o.id.to_string()), ("version", o.version.to_string()), ("quantity", quantity.to_string())];
    app.client.post(app.url("/api/orders/quantity")).form(&form)
}

#[tokio::test]
async fn a_hang_holds_the_write_past_the_deadline_then_applies_it_once() {
    let app = Arc::new(spawn_app_with(|s| {
        s.faults.enabled = true;
        s.writes.request_deadline_ms = 1_000;
    })
    .await);
    app.fault(json!({"kind": "quantity", "action": {"outcome": "hang"}})).await;
    let o = app.a_draft().await;
    let k = key();
    let started = Instant::now();
    let first = {
        let (app, k, o) = (app.clone(), k.clone(), o.clone());
        tokio::spawn(async move { body(set_qty(&app, &k, &o, 6).await.send().await.unwrap()).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, b) = body(set_qty(&app, &k, &o, 6).await.send().await.unwrap()).await;
    assert_eq!((status, b["kind"].as_str()), (409, Some("in_progress")), "a resend while held: {b}");
    assert_eq!(app.order(&o.id.to_string()).await.unwrap().version, o.version, "nothing applied while held");

    let (status, answer) = first.await.unwrap();
    assert_eq!(status, 200, "{answer}");
    assert!(started.elapsed() >= Duration::from_millis(2_000), "held for the deadline plus a second: {:?}", started.elapsed());
    let (status, again) = body(set_qty(&app, &k, &o, 6).await.send().await.unwrap()).await;
    assert_eq!((status, again), (200, answer), "a later resend gets the stored answer");
    let now = app.order(&o.id.to_string()).await.unwrap();
    assert_eq!((now.version, now.quantity.get()), (o.version + 1, 6), "one effect");
}

#[tokio::test]
async fn a_hang_the_client_gave_up_on_still_applies_once_and_resends_get_its_answer() {
    let app = spawn_app_with(|s| s.faults.enabled = true).await;
    app.fault(json!({"kind": "quantity", "action": {"outcome": "hang", "ms": 1500}})).await;
    let o = app.a_draft().await;
    let k = key();
    let gave_up = set_qty(&app, &k, &o, 8).await.timeout(Duration::from_millis(400)).send().await;
    assert!(gave_up.is_err_and(|e| e.is_timeout()), "the client stops waiting");
    let (status, b) = body(set_qty(&app, &k, &o, 8).await.send().await.unwrap()).await;
    assert_eq!((status, b["kind"].as_str()), (409, Some("in_progress")), "{b}");
    let answer = common::eventually("the held write to finish", || async {
        let (status, b) = body(set_qty(&app, &k, &o, 8).await.send().await.unwrap()).await;
        (status == 200).then_some(b)
    })
    .await;
    assert_eq!(answer["quantity"], 8);
    let now = app.order(&o.id.to_string()).await.unwrap();
    assert_eq!((now.version, now.quantity.get()), (o.version + 1, 8), "applied once, though nobody waited for it");
}

#[tokio::test]
async fn the_server_prices_a_promotion_the_client_cannot_predict() {
    let app = spawn_app().await;
    let promotion = Promotion { percent: 5, from_quantity: 20 };
    let o = app.a_draft().await;
    let (status, b) = body(set_qty(&app, &key(), &o, 19).await.send().await.unwrap()).await;
    assert_eq!(status, 200, "{b}");
    let below: Order = serde_json::from_value(b).unwrap();
    assert_eq!(below.total, line_total(below.quantity, o.unit_price), "below the promotion the client's guess is right");

    let (status, b) = body(set_qty(&app, &key(), &below, 20).await.send().await.unwrap()).await;
    assert_eq!(status, 200, "{b}");
    let at: Order = serde_json::from_value(b).unwrap();
    let guess = line_total(at.quantity, o.unit_price);
    assert_ne!(at.total, guess, "at 20 units the server's total differs from the client's prediction: a soft conflict");
    assert_eq!(at.total, server_line_total(at.quantity, o.unit_price, &promotion));
    assert!(at.total < guess);

    let id = OrderId::new().to_string();
    let form = [("key", key()), ("id", id), ("customer", "Bulk Buyer".into()), ("item", "Pallets".into()), ("quantity", "20".into()), ("unit_price_cents", "2500".into()), ("note", String::new())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, b) = body(app.call("orders/create", &form).await).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["total"], 42_750, "50,000 less 10% bulk, less 5% promotion");
}

#[tokio::test]
async fn with_the_promotion_off_the_server_prices_like_the_client() {
    let app = spawn_app_with(|s| s.pricing.promotion_percent = 0).await;
    let o = app.a_draft().await;
    let (status, b) = body(set_qty(&app, &key(), &o, 25).await.send().await.unwrap()).await;
    assert_eq!(status, 200, "{b}");
    let got: Order = serde_json::from_value(b).unwrap();
    assert_eq!(got.total, line_total(got.quantity, got.unit_price));
}
