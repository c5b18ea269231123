//! The server push channel (`GET /api/events`): open pages hear every change, and a server
//! shutting down ends the streams instead of waiting on them forever.

mod common;

use common::{eventually, next_event, spawn_app, ServerProcess};
use orderdesk::domain::{Order, OrderStatus, ServerEvent};
use std::time::Duration;

#[tokio::test]
async fn a_change_made_elsewhere_reaches_an_open_event_stream() {
    let app = spawn_app().await;
    let mut stream = app.client.get(app.url("/api/events")).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    assert!(stream.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut buffer = String::new();
    next_event(&mut stream, &mut buffer, |event, _| event == "ready").await;

    // Another tab stars a draft.
    let draft = app.a_draft().await;
    let key = uuid::Uuid::now_v7().to_string();
    let (id, version) = (draft.id.to_string(), draft.version.to_string());
    let res = app.call("orders/star", &[("key", &key), ("id", &id), ("version", &version), ("starred", &(!draft.starred).to_string())]).await;
    assert_eq!(res.status(), 200);

    let (_, data) = next_event(&mut stream, &mut buffer, |event, data| event == "message" && data.contains(&id)).await;
    let ServerEvent::Order(order) = serde_json::from_str::<ServerEvent>(&data).unwrap() else { panic!("an order change: {data}") };
    assert_eq!((order.id, order.starred, order.version), (draft.id, !draft.starred, draft.version + 1));
}

#[tokio::test]
async fn placing_an_order_pushes_the_order_and_its_job_as_they_change() {
    let app = spawn_app().await;
    let mut stream = app.client.get(app.url("/api/events")).send().await.unwrap();
    let mut buffer = String::new();
    next_event(&mut stream, &mut buffer, |event, _| event == "ready").await;

    let draft: Order = app.a_draft().await;
    let (key, id, version) = (uuid::Uuid::now_v7().to_string(), draft.id.to_string(), draft.version.to_string());
    let res = app.call("orders/place", &[("key", &key), ("id", &id), ("version", &version)]).await;
    assert_eq!(res.status(), 200);

    let mut saw_placing = false;
    let mut saw_job = false;
    next_event(&mut stream, &mut buffer, |_, data| {
        match serde_json::from_str::<ServerEvent>(data) {
            Ok(ServerEvent::Order(o)) if o.id == draft.id && o.status == OrderStatus::Placing => saw_placing = true,
            Ok(ServerEvent::Job(j)) if j.order_id == draft.id => saw_job = true,
            _ => {}
        }
        saw_placing && saw_job
    })
    .await;
}

#[tokio::test]
async fn stopping_the_server_ends_open_event_streams_so_shutdown_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let client = common::cookie_client();
    let mut server = ServerProcess::start(dir.path(), &client, &[]).await;
    let mut stream = client.get(format!("{}/api/events", server.base)).send().await.unwrap();
    let mut buffer = String::new();
    next_event(&mut stream, &mut buffer, |event, _| event == "ready").await;

    let status = std::process::Command::new("kill").arg("-TERM").arg(server.child.id().to_string()).status().unwrap();
    assert!(status.success());
    let exit = eventually("the server to stop after SIGTERM with a stream open", || {
        let exited = server.child.try_wait().unwrap();
        async move { exited }
    })
    .await;
    assert!(exit.success(), "a graceful stop exits 0: {exit:?}");
    // The open stream ended rather than hanging.
    let rest = tokio::time::timeout(Duration::from_secs(10), stream.chunk()).await.expect("the stream ended");
    assert!(matches!(rest, Ok(None) | Err(_)), "no more events after shutdown: {rest:?}");
}

#[tokio::test]
async fn a_delete_resent_after_its_undo_is_answered_from_memory_and_publishes_nothing_stale() {
    let app = spawn_app().await;
    let mut stream = app.client.get(app.url("/api/events")).send().await.unwrap();
    let mut buffer = String::new();
    next_event(&mut stream, &mut buffer, |event, _| event == "ready").await;

    let drafts: Vec<Order> = app.orders().await.into_iter().filter(|o| o.status == OrderStatus::Draft).take(2).collect();
    let (draft, other) = (&drafts[0], &drafts[1]);
    let (id, version) = (draft.id.to_string(), draft.version.to_string());
    let delete_key = uuid::Uuid::now_v7().to_string();
    let delete = [("key", delete_key.as_str()), ("id", id.as_str()), ("version", version.as_str())];
    assert_eq!(app.call("orders/delete", &delete).await.status(), 200);
    let undo_key = uuid::Uuid::now_v7().to_string();
    assert_eq!(app.call("orders/undo_delete", &[("key", &undo_key), ("id", &id)]).await.status(), 200);
    // The delete's request is sent again (its answer was lost on the way): the stored answer
    // comes back, and nothing happens again.
    assert_eq!(app.call("orders/delete", &delete).await.status(), 200);
    // A later change elsewhere marks the end of what those three published.
    let sentinel = [("key", uuid::Uuid::now_v7().to_string()), ("id", other.id.to_string()), ("version", other.version.to_string()), ("starred", (!other.starred).to_string())];
    let sentinel: Vec<(&str, &str)> = sentinel.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.call("orders/star", &sentinel).await.status(), 200);

    let mut about_draft = Vec::new();
    next_event(&mut stream, &mut buffer, |_, data| match serde_json::from_str::<ServerEvent>(data) {
        Ok(ServerEvent::Order(o)) if o.id == other.id => true,
        Ok(ServerEvent::OrderRemoved(removed)) if removed == draft.id => {
            about_draft.push("removed");
            false
        }
        Ok(ServerEvent::Order(o)) if o.id == draft.id => {
            about_draft.push("restored");
            false
        }
        _ => false,
    })
    .await;
    assert_eq!(about_draft, ["removed", "restored"], "the resent delete published nothing");
    assert!(app.order(&id).await.is_some(), "the order is still in the list");
}

#[tokio::test]
async fn repeats_that_arrive_among_a_batch_of_fresh_writes_return_their_stored_answers_and_publish_nothing() {
    let app = spawn_app().await;
    let app = &app;
    let drafts: Vec<Order> = app.orders().await.into_iter().filter(|o| o.status == OrderStatus::Draft).collect();
    let (repeated, fresh) = drafts.split_at(drafts.len() / 2);
    let form = |o: &Order, key: &str| {
        vec![("key".to_string(), key.to_string()), ("id".into(), o.id.to_string()), ("version".into(), o.version.to_string()), ("quantity".into(), "7".into())]
    };
    let send = |f: Vec<(String, String)>| async move {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let res = app.call("orders/quantity", &pairs).await;
        (res.status().as_u16(), res.text().await.unwrap())
    };
    // First: one write per order of the first half, answered and stored.
    let mut first = Vec::new();
    for o in repeated {
        let f = form(o, &uuid::Uuid::now_v7().to_string());
        let (status, body) = send(f.clone()).await;
        assert_eq!(status, 200, "{body}");
        first.push((f, body));
    }
    let mut stream = app.client.get(app.url("/api/events")).send().await.unwrap();
    let mut buffer = String::new();
    next_event(&mut stream, &mut buffer, |event, _| event == "ready").await;

    // Then, all at once: their repeats among fresh writes to the other half, which batch.
    let repeats = futures::future::join_all(first.iter().map(|(f, _)| send(f.clone())));
    let fresh_writes = futures::future::join_all(fresh.iter().map(|o| send(form(o, &uuid::Uuid::now_v7().to_string()))));
    let (repeats, fresh_answers) = futures::join!(repeats, fresh_writes);
    for ((_, body), (status, again)) in first.iter().zip(&repeats) {
        assert_eq!((*status, again), (200, body), "a repeat answers what the first request was told");
    }
    assert!(fresh_answers.iter().all(|(s, _)| *s == 200));

    // Every fresh write is announced; no repeat is.
    let mut announced = std::collections::HashSet::new();
    let fresh_ids: std::collections::HashSet<_> = fresh.iter().map(|o| o.id).collect();
    let repeated_ids: std::collections::HashSet<_> = repeated.iter().map(|o| o.id).collect();
    next_event(&mut stream, &mut buffer, |_, data| {
        if let Ok(ServerEvent::Order(o)) = serde_json::from_str::<ServerEvent>(data) {
            assert!(!repeated_ids.contains(&o.id), "a repeat announced {o:?}");
            if fresh_ids.contains(&o.id) {
                announced.insert(o.id);
            }
        }
        announced.len() == fresh_ids.len()
    })
    .await;
    // A change after them marks the end of what they published.
    let marker = &fresh[0];
    let key = uuid::Uuid::now_v7().to_string();
    let (id, version) = (marker.id.to_string(), (marker.version + 1).to_string());
    assert_eq!(app.call("orders/star", &[("key", &key), ("id", &id), ("version", &version), ("starred", &(!marker.starred).to_string())]).await.status(), 200);
    next_event(&mut stream, &mut buffer, |_, data| match serde_json::from_str::<ServerEvent>(data) {
        Ok(ServerEvent::Order(o)) => {
            assert!(!repeated_ids.contains(&o.id), "a repeat announced {o:?}");
            o.id == marker.id && o.starred != marker.starred
        }
        _ => false,
    })
    .await;
}
