//! The list read a page at a time (`orders/page`): pages follow the list order by key, hold at
//! most the page size, count every order, and cover every order exactly once even while other
//! writes land between page reads.

mod common;

use common::{key, spawn_app_with, TestApp};
use orderdesk::domain::{Order, OrderPage};
use std::collections::HashMap;

async fn page(app: &TestApp, after: Option<&str>) -> OrderPage {
    search(app, after, "").await
}

async fn search(app: &TestApp, after: Option<&str>, q: &str) -> OrderPage {
    let res = app.call("orders/page", &[("after", after.unwrap_or_default()), ("q", q)]).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn create(app: &TestApp, customer: &str) -> Order {
    let id = orderdesk::domain::OrderId::new().to_string();
    let form = [("key", key()), ("id", id), ("customer", customer.to_string()), ("item", "Paged".into()), ("quantity", "1".into()), ("unit_price_cents", "100".into()), ("note", String::new())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.call("orders/create", &form).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn pages_cover_every_order_once_in_list_order_while_writes_land_between_them() {
    let app = spawn_app_with(|s| s.list.page_size = 7).await;
    for n in 0..30 {
        create(&app, &format!("Customer {n}")).await;
    }
    let before = app.orders().await;
    assert_eq!(before.len(), 55, "25 demo orders and 30 new ones");

    let mut seen: Vec<Order> = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    let mut created_meanwhile = Vec::new();
    loop {
        let p = page(&app, after.as_deref()).await;
        pages += 1;
        assert!(p.orders.len() <= 7, "a page holds at most the page size: {}", p.orders.len());
        assert!(p.next.is_none() || p.orders.len() == 7, "only the last page is short");
        assert_eq!(p.total as usize, 55 + created_meanwhile.len(), "the count is of every live order");
        seen.extend(p.orders);
        let Some(next) = p.next else { break };
        after = Some(next.to_string());
        // Between page reads: a new draft at the top, and a change to an order not read yet.
        created_meanwhile.push(create(&app, &format!("Meanwhile {pages}")).await);
        let unread = before.iter().rev().find(|o| !seen.iter().any(|s| s.id == o.id) && o.status == orderdesk::domain::OrderStatus::Draft);
        if let Some(o) = unread {
            let current = app.order(&o.id.to_string()).await.unwrap();
            let res = app.call("orders/star", &[("key", &key()), ("id", &o.id.to_string()), ("version", &current.version.to_string()), ("starred", &(!current.starred).to_string())]).await;
            assert_eq!(res.status(), 200);
        }
        assert!(pages < 20, "paging must end");
    }
    let mut counts: HashMap<_, usize> = HashMap::new();
    for o in &seen {
        *counts.entry(o.id).or_default() += 1;
    }
    assert!(counts.values().all(|&n| n == 1), "no order twice");
    for o in &before {
        assert_eq!(counts.get(&o.id), Some(&1), "{} was skipped", o.display_number());
    }
    for o in &created_meanwhile {
        assert!(!counts.contains_key(&o.id), "a draft created at the top after the first page is not on a later page");
    }
    let keys: Vec<_> = seen.iter().map(|o| (o.position, o.number)).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "pages follow the list order");
    assert_eq!(pages, 55_usize.div_ceil(7));
}

#[tokio::test]
async fn a_bad_key_is_refused_at_the_position_field_and_a_key_past_the_end_an_empty_last_page() {
    let app = spawn_app_with(|_| {}).await;
    for bad in ["nonsense", "1.x", "-.5", "1.2.3", "99999999999999999999.1"] {
        let res = app.call("orders/page", &[("after", bad)]).await;
        let status = res.status().as_u16();
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!((status, body["kind"].as_str(), body["field"].as_str()), (422, Some("validation"), Some("position")), "{bad}: {body}");
    }
    let end = page(&app, Some(&format!("{}.{}", i64::MAX, u32::MAX))).await;
    assert_eq!((end.orders.len(), end.next, end.total), (0, None, 25));
    let first = page(&app, None).await;
    assert_eq!((first.orders.len(), first.next, first.total), (25, None, 25), "25 orders fit the default page of 50");
    assert_eq!(first.orders, app.orders().await, "the first page is the list's top, in order");
}

#[tokio::test]
async fn a_search_runs_over_every_order_and_pages_the_same_way() {
    let app = spawn_app_with(|s| s.list.page_size = 4).await;
    for n in 0..9 {
        create(&app, &format!("Zoë Brightwater {n}")).await;
    }
    let all = app.orders().await;
    let expected: Vec<Order> = all.iter().filter(|o| o.matches("ZOË")).cloned().collect();
    assert_eq!(expected.len(), 9, "the rule is Unicode case-insensitive");
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let p = search(&app, after.as_deref(), "ZOË").await;
        assert_eq!(p.total, 9, "the count is of every matching order");
        assert!(p.orders.len() <= 4);
        seen.extend(p.orders);
        let Some(next) = p.next else { break };
        after = Some(next.to_string());
    }
    assert_eq!(seen, expected, "every match once, in list order");
    let number = all.last().unwrap().display_number();
    let by_number = search(&app, None, &number.to_lowercase()).await;
    assert_eq!(by_number.orders.iter().map(Order::display_number).collect::<Vec<_>>(), std::slice::from_ref(&number));
    let none = search(&app, None, "no such customer").await;
    assert_eq!((none.orders.len(), none.total, none.next), (0, 0, None));
    let res = app.call("orders/page", &[("q", &"x".repeat(201))]).await;
    let status = res.status().as_u16();
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!((status, body["field"].as_str()), (422, Some("search")), "{body}");
}

#[tokio::test]
async fn the_search_index_follows_renames_and_deletes_and_a_short_search_still_finds_every_match() {
    let app = spawn_app_with(|_| {}).await;
    let o = create(&app, "Quillon Vantage").await;
    let found = |p: &OrderPage| p.orders.iter().map(|x| x.id).collect::<Vec<_>>();
    assert_eq!(found(&search(&app, None, "illon van").await), vec![o.id], "any part of a name, across the space");
    let form = [("key", key()), ("id", o.id.to_string()), ("version", o.version.to_string()), ("customer", "Marrow Fields".into()), ("item", "Paged".into())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.call("orders/rename", &form).await.status(), 200);
    assert_eq!(search(&app, None, "quillon").await.total, 0, "the old name is gone from the index");
    assert_eq!(found(&search(&app, None, "MARROW").await), vec![o.id], "the new name is in it");
    // A quantity change leaves the index alone and the order still found.
    let form = [("key", key()), ("id", o.id.to_string()), ("version", (o.version + 1).to_string()), ("quantity", "3".into())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.call("orders/quantity", &form).await.status(), 200);
    assert_eq!(found(&search(&app, None, "marrow f").await), vec![o.id]);
    // A held delete is not listed; found again after Undo.
    let form = [("key", key()), ("id", o.id.to_string()), ("version", (o.version + 2).to_string())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.call("orders/delete", &form).await.status(), 200);
    assert_eq!(search(&app, None, "marrow").await.total, 0);
    assert_eq!(app.call("orders/undo_delete", &[("key", &key()), ("id", &o.id.to_string())]).await.status(), 200);
    assert_eq!(found(&search(&app, None, "marrow").await), vec![o.id]);
    // One or two characters can't be looked up by trigram; every match is still found.
    let all = app.orders().await;
    for q in ["é", "ar", "7"] {
        let expected: Vec<_> = all.iter().filter(|x| x.matches(q)).map(|x| x.id).collect();
        let p = search(&app, None, q).await;
        assert_eq!((p.total as usize, found(&p)), (expected.len(), expected.iter().take(50).copied().collect()), "{q:?}");
    }
    // Quotes in a search are text, not query syntax.
    assert_eq!(search(&app, None, "\"marrow\" OR x").await.total, 0);
}
