//! The write path over HTTP: idempotency keys, versions, validation, the undo window,
//! key expiry, and every fault-control outcome.

mod common;

use common::{key, spawn_app, spawn_app_with, spawn_app_with_clock, TestApp};
use orderdesk::clock::ManualClock;
use orderdesk::domain::{DeleteReceipt, Order, OrderId};
use serde_json::{json, Value};
use std::sync::Arc;


async fn set_qty(app: &TestApp, key: &str, o: &Order, version: i64, quantity: &str) -> reqwest::Response {
    app.call("orders/quantity", &[("key", key), ("id", &o.id.to_string()), ("version", &version.to_string()), ("quantity", quantity)]).await
}

async fn body(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn repeated_key_returns_the_stored_answer_with_one_effect() {
    let app = spawn_app().await;
    let o = app.a_draft().await;
    let k = key();
    let (s1, first) = body(set_qty(&app, &k, &o, o.version, "7").await).await;
    let (s2, second) = body(set_qty(&app, &k, &o, o.version, "7").await).await;
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(first, second, "the repeat gets the same answer");
    let now = app.order(&o.id.to_string()).await.unwrap();
    assert_eq!(now.version, o.version + 1, "one effect only");
    assert_eq!(now.quantity.get(), 7);
}

#[tokio::test]
async fn concurrent_repeats_of_one_key_have_one_effect() {
    let app = Arc::new(spawn_app().await);
    let o = app.a_draft().await;
    let k = key();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (app, k, o) = (app.clone(), k.clone(), o.clone());
        tasks.push(tokio::spawn(async move { body(set_qty(&app, &k, &o, o.version, "9").await).await }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        let (status, b) = t.await.unwrap();
        match status {
            200 => answers.push(b),
            409 => assert_eq!(b["kind"], "in_progress", "{b}"),
            other => panic!("unexpected status {other}: {b}"),
        }
    }
    assert!(!answers.is_empty());
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "every success carries the same answer");
    assert_eq!(app.order(&o.id.to_string()).await.unwrap().version, o.version + 1);
}

#[tokio::test]
async fn a_repeat_while_the_first_is_running_is_told_to_retry() {
    let app = Arc::new(spawn_app_with(|s| s.faults.enabled = true).await);
    app.fault(json!({"kind": "quantity", "action": {"outcome": "delay", "ms": 600}})).await;
    let o = app.a_draft().await;
    let k = key();
    let slow = {
        let (app, k, o) = (app.clone(), k.clone(), o.clone());
        tokio::spawn(async move { body(set_qty(&app, &k, &o, o.version, "4").await).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let (status, b) = body(set_qty(&app, &k, &o, o.version, "4").await).await;
    assert_eq!(status, 409);
    assert_eq!(b["kind"], "in_progress");
    assert!(b["message"].as_str().unwrap().contains("safe to send it again"));
    let (status, first) = slow.await.unwrap();
    assert_eq!(status, 200);
    let (status, again) = body(set_qty(&app, &k, &o, o.version, "4").await).await;
    assert_eq!((status, again), (200, first), "after the first finishes, the repeat replays it");
}

#[tokio::test]
async fn same_key_with_a_different_payload_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let o = app.a_draft().await;
    let k = key();
    assert_eq!(set_qty(&app, &k, &o, o.version, "5").await.status(), 200);
    let (status, b) = body(set_qty(&app, &k, &o, o.version + 1, "6").await).await;
    assert_eq!(status, 422);
    assert_eq!(b["kind"], "key_reused");
    assert!(b["message"].as_str().unwrap().contains("make the change again"));
    let now = app.order(&o.id.to_string()).await.unwrap();
    assert_eq!((now.quantity.get(), now.version), (5, o.version + 1));
}

#[tokio::test]
async fn stale_version_gets_a_conflict_with_the_current_record() {
    let app = spawn_app().await;
    let o = app.a_draft().await;
    assert_eq!(set_qty(&app, &key(), &o, o.version, "3").await.status(), 200);
    let (status, b) = body(set_qty(&app, &key(), &o, o.version, "8").await).await;
    assert_eq!(status, 409);
    assert_eq!(b["kind"], "conflict");
    let current: Order = serde_json::from_value(b["current"].clone()).unwrap();
    assert_eq!((current.version, current.quantity.get()), (o.version + 1, 3));
    assert_eq!(app.order(&o.id.to_string()).await.unwrap(), current, "nothing changed");
}

#[tokio::test]
async fn invalid_input_gets_a_typed_error_naming_the_field_and_changes_nothing() {
    let app = spawn_app().await;
    let o = app.a_draft().await;
    let id = o.id.to_string();
    let v = o.version.to_string();
    let long_item = "x".repeat(81);
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        ("orders/quantity", vec![("quantity", "0")], "quantity"),
        ("orders/quantity", vec![("quantity", "1000")], "quantity"),
        ("orders/rename", vec![("customer", "   "), ("item", "Tea")], "customer"),
        ("orders/rename", vec![("customer", "Ada"), ("item", long_item.as_str())], "item"),
        ("orders/note", vec![("note", "bell\u{7}")], "note"),
    ];
    for (endpoint, extra, field) in cases {
        let k = key();
        let mut form = vec![("key", k.as_str()), ("id", id.as_str()), ("version", v.as_str())];
        form.extend(extra);
        let (status, b) = body(app.call(endpoint, &form).await).await;
        assert_eq!(status, 422, "{endpoint} {b}");
        assert_eq!(b["kind"], "validation");
        assert_eq!(b["field"], field, "{b}");
        assert!(b["message"].as_str().unwrap().len() > 20);
    }
    let (status, b) = body(app.call("orders/quantity", &[("key", "not-a-key"), ("id", &id), ("version", &v), ("quantity", "2")]).await).await;
    assert_eq!((status, b["field"].as_str()), (422, Some("idempotency_key")));
    assert_eq!(app.order(&id).await.unwrap(), o, "no change from any bad request");
}

#[tokio::test]
async fn names_are_stored_in_nfc_and_disguising_characters_are_refused_at_the_field() {
    let app = spawn_app().await;
    let o = app.a_draft().await;
    let rename = |customer: &'static str, version: i64| {
        let form = [("key", key()), ("id", o.id.to_string()), ("version", version.to_string()), ("customer", customer.to_string()), ("item", "Tea".to_string())];
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(a, b)| (*a, b.as_str())).collect();
            body(app.call("orders/rename", &form).await).await
        }
    };
    let (status, b) = rename("Ada\u{202E}ecalevol", o.version).await;
    assert_eq!((status, b["kind"].as_str(), b["field"].as_str()), (422, Some("validation"), Some("customer")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("U+202E"), "{b}");
    let (status, b) = rename("Zoe\u{308} Caf\u{0065}\u{0301}", o.version).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["customer"], "Zoë Café", "stored composed");
    assert_eq!(app.order(&o.id.to_string()).await.unwrap().customer.as_str(), "Zoë Café");
}

#[tokio::test]
async fn garbage_arguments_get_a_clear_bad_request_not_a_crash() {
    let app = spawn_app().await;
    let o = app.a_draft().await;
    let (status, b) = body(app.call("orders/quantity", &[("key", &key()), ("id", &o.id.to_string()), ("version", "x"), ("quantity", "many")]).await).await;
    assert_eq!(b["kind"], "bad_request", "{status} {b}");
    let (_, b) = body(app.call("orders/star", &[("key", &key())]).await).await;
    assert_eq!(b["kind"], "bad_request");
    let (status, b) = body(app.call("orders/star", &[("key", &key()), ("id", &OrderId::new().to_string()), ("version", "1"), ("starred", "true")]).await).await;
    assert_eq!((status, b["kind"].as_str()), (404, Some("not_found")));
    assert_eq!(app.orders().await.len(), 25, "still serving");
}

#[tokio::test]
async fn only_drafts_can_be_edited_but_any_order_can_be_starred() {
    let app = spawn_app().await;
    let placed = app.orders().await.into_iter().find(|o| o.status == orderdesk::domain::OrderStatus::Placed).unwrap();
    let (status, b) = body(set_qty(&app, &key(), &placed, placed.version, "2").await).await;
    assert_eq!((status, b["kind"].as_str()), (403, Some("forbidden")));
    assert!(b["message"].as_str().unwrap().contains("Only drafts can change"));
    let (status, b) = body(app.call("orders/star", &[("key", &key()), ("id", &placed.id.to_string()), ("version", &placed.version.to_string()), ("starred", "true")]).await).await;
    assert_eq!(status, 200);
    assert_eq!(b["starred"], true);
}

#[tokio::test]
async fn quantity_answer_carries_the_servers_discounted_total() {
    let app = spawn_app().await;
    let o = app.a_draft().await;
    let (status, b) = body(set_qty(&app, &key(), &o, o.version, "10").await).await;
    assert_eq!(status, 200);
    let got: Order = serde_json::from_value(b).unwrap();
    assert_eq!(got.total.cents(), o.unit_price.cents() * 10 * 9 / 10);
}

#[tokio::test]
async fn create_keeps_the_clients_id_and_gets_a_number_at_the_top() {
    let app = spawn_app().await;
    let id = OrderId::new().to_string();
    let k = key();
    let form = [("key", k.as_str()), ("id", id.as_str()), ("customer", "Nadia Petrova"), ("item", "Desk lamp"), ("quantity", "12"), ("unit_price_cents", "2500"), ("note", "")];
    let (status, b) = body(app.call("orders/create", &form).await).await;
    assert_eq!(status, 200, "{b}");
    let created: Order = serde_json::from_value(b.clone()).unwrap();
    assert_eq!(created.id.to_string(), id);
    assert_eq!(created.display_number(), "ORD-1026");
    assert_eq!(created.total.cents(), 27_000);
    assert_eq!(app.orders().await[0].id, created.id, "new drafts go to the top");
    let (_, again) = body(app.call("orders/create", &form).await).await;
    assert_eq!(again, b, "repeat replays");
    assert_eq!(app.orders().await.len(), 26);
    // The same id under a new key: refused with the order that holds it, nothing changed.
    let taken = [("key", key()), ("id", id.clone()), ("customer", "Someone else".to_string()), ("item", "Other".to_string()), ("quantity", "1".to_string()), ("unit_price_cents", "100".to_string()), ("note", String::new())];
    let taken: Vec<(&str, &str)> = taken.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, b) = body(app.call("orders/create", &taken).await).await;
    assert_eq!((status, b["kind"].as_str()), (409, Some("conflict")), "{b}");
    assert_eq!(serde_json::from_value::<Order>(b["current"].clone()).unwrap(), created, "the refusal carries the order holding the id");
    assert_eq!(app.orders().await.len(), 26, "the refused create added nothing");
    assert_eq!(app.orders().await[0], created, "and changed nothing");
    let v4 = "67e55044-10b1-426f-9247-bb680e5fe0c8";
    let (status, b) = body(app.call("orders/create", &[("key", &key()), ("id", v4), ("customer", "A"), ("item", "B"), ("quantity", "1"), ("unit_price_cents", "100"), ("note", "")]).await).await;
    assert_eq!((status, b["field"].as_str()), (422, Some("order_id")));
}

/// Posts a move of `mover` (`before` or `after` another order, or last) and reads its answer.
async fn move_to(app: &TestApp, mover: &Order, neighbour: (&str, Option<&Order>)) -> Vec<Order> {
    let (place, other) = neighbour;
    let other = other.map(|o| o.id.to_string()).unwrap_or_default();
    let form = [("key", key()), ("id", mover.id.to_string()), ("version", mover.version.to_string()), (place, other)];
    let form: Vec<(&str, &str)> = form.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let (status, b) = body(app.call("orders/move", &form).await).await;
    assert_eq!(status, 200, "{b}");
    serde_json::from_value(b).unwrap()
}

/// Every order whose version changed between `before` and `after` is in `answer`, as it is now.
fn answer_holds_every_change(before: &[Order], after: &[Order], answer: &[Order]) {
    for now in after {
        let was = before.iter().find(|o| o.id == now.id).unwrap();
        let answered = answer.iter().find(|o| o.id == now.id);
        if was.version != now.version {
            assert_eq!(answered, Some(now), "{} changed, so the answer holds it", now.display_number());
        } else {
            assert!(answered.is_none(), "{} did not change, so the answer leaves it out", now.display_number());
        }
    }
}

#[tokio::test]
async fn a_move_answers_with_the_orders_it_placed_and_the_list_follows_their_positions() {
    let app = spawn_app().await;
    let before = app.orders().await;
    let (last, first) = (before.last().unwrap().clone(), before[0].clone());
    let answer = move_to(&app, &last, ("before", Some(&first))).await;
    assert_eq!(answer.len(), 1, "there was room: only the moved order changed");
    assert_eq!((answer[0].id, answer[0].version), (last.id, last.version + 1));
    let now = app.orders().await;
    assert_eq!((now[0].id, now[1].id), (last.id, first.id));
    answer_holds_every_change(&before, &now, &answer);

    // After an order: the first goes just behind the third.
    let (mover, anchor) = (now[0].clone(), now[2].clone());
    let answer = move_to(&app, &mover, ("after", Some(&anchor))).await;
    let after = app.orders().await;
    assert_eq!((after[1].id, after[2].id), (anchor.id, mover.id));
    answer_holds_every_change(&now, &after, &answer);

    // To the end.
    let answer = move_to(&app, &after[0], ("before", None)).await;
    let end = app.orders().await;
    assert_eq!(end.last().unwrap().id, after[0].id);
    answer_holds_every_change(&after, &end, &answer);

    // Many moves into the same gap leave no room between two orders: a short stretch behind
    // them moves up, never the whole list, and the answer says which orders it moved.
    let mut spread = 0;
    for n in 0..16 {
        let now = app.orders().await;
        let (mover, target) = (now.last().unwrap().clone(), now[1].clone());
        let answer = move_to(&app, &mover, ("before", Some(&target))).await;
        let after = app.orders().await;
        assert_eq!((after[1].id, after[2].id), (mover.id, target.id), "just before the order the person chose");
        assert_eq!(answer[0].id, mover.id, "the moved order first");
        answer_holds_every_change(&now, &after, &answer);
        // At most the orders crowded into that spot by the moves so far, not the list.
        assert!(answer.len() <= n + 1 && answer.len() < now.len(), "a short stretch, not the list: {}", answer.len());
        spread += answer.len() - 1;
    }
    assert!(spread > 0, "16 halvings of a 1,024 gap ran out of room at least once");
}

#[tokio::test]
async fn a_move_before_and_after_at_once_or_next_to_a_missing_order_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let before = app.orders().await;
    let (a, b) = (before[0].clone(), before[1].clone());
    let form = [("key", key()), ("id", a.id.to_string()), ("version", a.version.to_string()), ("before", b.id.to_string()), ("after", b.id.to_string())];
    let form: Vec<(&str, &str)> = form.iter().map(|(x, y)| (*x, y.as_str())).collect();
    let (status, body_) = body(app.call("orders/move", &form).await).await;
    assert_eq!((status, body_["field"].as_str()), (422, Some("position")), "{body_}");
    let missing = "0190f5a8-8d2e-7000-8000-000000000000";
    for place in ["before", "after"] {
        let form = [("key", key()), ("id", a.id.to_string()), ("version", a.version.to_string()), (place, missing.to_string())];
        let form: Vec<(&str, &str)> = form.iter().map(|(x, y)| (*x, y.as_str())).collect();
        let status = app.call("orders/move", &form).await.status();
        assert!(status.is_client_error(), "{place} a missing order: {status}");
    }
    assert_eq!(app.orders().await, before, "nothing changed");
}

#[tokio::test]
async fn a_repeated_move_is_answered_from_the_current_rows_without_a_stored_list() {
    let app = spawn_app().await;
    let before = app.orders().await;
    let (mover, first) = (before.last().unwrap().clone(), before[0].clone());
    let k = key();
    let form = [("key", k.clone()), ("id", mover.id.to_string()), ("version", mover.version.to_string()), ("before", first.id.to_string())];
    let form: Vec<(&str, &str)> = form.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let (status, b) = body(app.call("orders/move", &form).await).await;
    assert_eq!(status, 200, "{b}");
    let answered: Vec<Order> = serde_json::from_value(b).unwrap();

    let pool = common::database(&app.db_url).await;
    let stored: String = sqlx::query_scalar("SELECT response FROM idempotency_keys WHERE key = $1").bind(&k).fetch_one(&pool).await.unwrap();
    assert!(stored.len() < 200 && !stored.contains("customer"), "only which order moved is kept, not records: {stored}");
    assert!(stored.contains(&mover.id.to_string()), "{stored}");

    // The moved order changes after the move; the repeat answers with it as it is now.
    let moved = answered[0].clone();
    let star = [("key", key()), ("id", moved.id.to_string()), ("version", moved.version.to_string()), ("starred", "true".into())];
    let star: Vec<(&str, &str)> = star.iter().map(|(a, b)| (*a, b.as_str())).collect();
    assert_eq!(app.call("orders/star", &star).await.status(), 200);
    let (status, b) = body(app.call("orders/move", &form).await).await;
    assert_eq!(status, 200, "{b}");
    let replayed: Vec<Order> = serde_json::from_value(b).unwrap();
    assert_eq!(replayed.len(), 1);
    assert_eq!((replayed[0].id, replayed[0].version, replayed[0].starred), (mover.id, mover.version + 2, true), "moved once, not twice");
    assert_eq!(app.orders().await[0].id, mover.id);
}

#[tokio::test]
async fn delete_then_undo_inside_the_window_brings_the_order_back_unchanged() {
    let app = spawn_app().await;
    let o = app.a_draft().await;
    let id = o.id.to_string();
    let (status, b) = body(app.call("orders/delete", &[("key", &key()), ("id", &id), ("version", &o.version.to_string())]).await).await;
    assert_eq!(status, 200, "{b}");
    let receipt: DeleteReceipt = serde_json::from_value(b).unwrap();
    assert!(receipt.undo_until > receipt.order.updated_at);
    assert!(app.order(&id).await.is_none(), "gone from the list while held");
    let (status, b) = body(app.call("orders/undo_delete", &[("key", &key()), ("id", &id)]).await).await;
    assert_eq!(status, 200, "{b}");
    let back = app.order(&id).await.expect("back in the list");
    assert_eq!((back.customer.clone(), back.item.clone(), back.quantity, back.total, back.number), (o.customer, o.item, o.quantity, o.total, o.number));
    assert_eq!(back.version, o.version + 2);
}

#[tokio::test]
async fn delete_becomes_final_when_the_window_passes() {
    let clock = ManualClock::starting_at(1_800_000_000_000);
    let app = spawn_app_with_clock(|s| s.writes.undo_window_secs = 5, Arc::new(clock.clone())).await;
    let o = app.a_draft().await;
    let id = o.id.to_string();
    assert_eq!(app.call("orders/delete", &[("key", &key()), ("id", &id), ("version", &o.version.to_string())]).await.status(), 200);
    clock.advance_ms(5_001);
    let (status, b) = body(app.call("orders/undo_delete", &[("key", &key()), ("id", &id)]).await).await;
    assert_eq!(status, 404);
    assert!(b["message"].as_str().unwrap().contains("final"), "{b}");
    let number = o.display_number();
    assert_eq!(app.call("orders/get", &[("number", &number)]).await.status(), 404);
    assert_eq!(app.orders().await.len(), 24);
}

#[tokio::test]
async fn idempotency_keys_expire_after_the_configured_time() {
    let clock = ManualClock::starting_at(1_800_000_000_000);
    let app = spawn_app_with_clock(|_| {}, Arc::new(clock.clone())).await;
    let o = app.a_draft().await;
    let k = key();
    assert_eq!(set_qty(&app, &k, &o, o.version, "5").await.status(), 200);
    clock.advance_ms(23 * 3_600_000);
    let (status, b) = body(set_qty(&app, &k, &o, o.version + 1, "6").await).await;
    assert_eq!((status, b["kind"].as_str()), (422, Some("key_reused")), "still remembered at 23 h");
    clock.advance_ms(2 * 3_600_000);
    let (status, b) = body(set_qty(&app, &k, &o, o.version + 1, "6").await).await;
    assert_eq!(status, 200, "forgotten after 24 h, so the key is new again: {b}");
    assert_eq!(b["quantity"], 6);
}

#[tokio::test]
async fn fault_controls_produce_each_outcome() {
    let app = spawn_app_with(|s| s.faults.enabled = true).await;
    let o = app.a_draft().await;
    let id = o.id.to_string();

    app.fault(json!({"kind": "quantity", "action": {"outcome": "reject"}})).await;
    let (status, b) = body(set_qty(&app, &key(), &o, o.version, "2").await).await;
    assert_eq!((status, b["kind"].as_str(), b["field"].as_str()), (422, Some("validation"), Some("quantity")));
    assert_eq!(app.order(&id).await.unwrap(), o, "rejection changed nothing");

    app.fault(json!({"kind": "quantity", "action": {"outcome": "server_error"}})).await;
    let (status, b) = body(set_qty(&app, &key(), &o, o.version, "2").await).await;
    assert_eq!((status, b["kind"].as_str()), (500, Some("internal")));
    assert!(b["message"].as_str().unwrap().contains("Try again"));
    assert_eq!(app.order(&id).await.unwrap(), o, "server error changed nothing");

    app.fault(json!({"kind": "quantity", "action": {"outcome": "transient"}})).await;
    let k = key();
    let (status, b) = body(set_qty(&app, &k, &o, o.version, "2").await).await;
    assert_eq!((status, b["kind"].as_str()), (503, Some("transient")));
    let (status, b) = body(set_qty(&app, &k, &o, o.version, "2").await).await;
    assert_eq!(status, 200, "the same key succeeds on retry: {b}");
    let o = app.order(&id).await.unwrap();
    assert_eq!((o.quantity.get(), o.version), (2, 2));

    app.fault(json!({"kind": "quantity", "action": {"outcome": "conflict"}})).await;
    let (status, b) = body(set_qty(&app, &key(), &o, o.version, "3").await).await;
    assert_eq!((status, b["kind"].as_str()), (409, Some("conflict")));
    assert_eq!(b["current"]["version"], o.version + 1, "someone else's change is the current record");

    app.fault(json!({"action": {"outcome": "delay", "ms": 300}})).await;
    let o = app.order(&id).await.unwrap();
    let started = std::time::Instant::now();
    assert_eq!(set_qty(&app, &key(), &o, o.version, "4").await.status(), 200);
    assert!(started.elapsed() >= std::time::Duration::from_millis(300), "the write waited for the delay");

    app.fault(json!({"kind": "star", "action": {"outcome": "succeed"}, "count": 2})).await;
    let state: Value = app.client.get(app.url("/api/faults")).send().await.unwrap().json().await.unwrap();
    assert_eq!(state["rules"][0]["count"], 2);
    let res = app.client.post(app.url("/api/faults")).json(&json!({"action": {"outcome": "explode"}})).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let res = app.client.delete(app.url("/api/faults")).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["rules"], json!([]));
}

#[tokio::test]
async fn fault_endpoint_does_not_exist_unless_enabled() {
    let app = spawn_app().await;
    let res = app.client.post(app.url("/api/faults")).json(&json!({"action": {"outcome": "reject"}})).send().await.unwrap();
    assert!(res.status().is_client_error() && res.status() != 200, "{}", res.status());
    let o = app.a_draft().await;
    assert_eq!(set_qty(&app, &key(), &o, o.version, "2").await.status(), 200, "writes are unaffected");
}

#[tokio::test]
async fn cancelling_a_placed_order_is_final_and_drafts_cannot_be_cancelled() {
    let app = spawn_app().await;
    let placed = app.orders().await.into_iter().find(|o| o.status == orderdesk::domain::OrderStatus::Placed).unwrap();
    let id = placed.id.to_string();
    let k = key();
    let form = [("key", k.as_str()), ("id", id.as_str()), ("version", &placed.version.to_string())];
    let (status, b) = body(app.call("orders/cancel", &form).await).await;
    assert_eq!((status, b["status"].as_str()), (200, Some("cancelled")), "{b}");
    let (_, again) = body(app.call("orders/cancel", &form).await).await;
    assert_eq!(again, b, "a repeat replays the answer");
    let (status, b) = body(app.call("orders/cancel", &[("key", &key()), ("id", &id), ("version", &(placed.version + 1).to_string())]).await).await;
    assert_eq!((status, b["kind"].as_str()), (403, Some("forbidden")));
    let draft = app.a_draft().await;
    let (status, b) = body(app.call("orders/cancel", &[("key", &key()), ("id", &draft.id.to_string()), ("version", &draft.version.to_string())]).await).await;
    assert_eq!(status, 403);
    assert!(b["message"].as_str().unwrap().contains("Only placed orders can be cancelled"));
}
