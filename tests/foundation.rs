//! The foundation over HTTP: server-rendered list, redirects, not-found, typed errors,
//! and start-up failures that explain themselves.

mod common;

use common::{spawn_app, test_settings};
use orderdesk::domain::{server_line_total, Order};
use orderdesk::server::{start, StartupError};

#[tokio::test]
async fn orders_page_server_renders_every_seeded_order() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/orders")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert_eq!(html.matches("data-testid=\"order-row\"").count(), 25, "one row per seeded order");
    for needle in ["ORD-1001", "ORD-1025", "Harbor Street Café", "Espresso beans, 1 kg", "$264.60", "Aster &amp; Co. Architects"] {
        assert!(html.contains(needle), "the page should contain {needle}");
    }
    assert!(html.contains("/pkg/orderdesk.js"), "the page loads the client for hydration");
}

#[tokio::test]
async fn root_redirects_to_the_orders_list() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/")).send().await.unwrap();
    assert!(res.status().is_redirection(), "got {}", res.status());
    assert_eq!(res.headers()["location"], "/orders");
}

#[tokio::test]
async fn unknown_page_is_a_404_with_a_way_back() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let html = res.text().await.unwrap();
    assert!(html.contains("This page doesn't exist"));
    assert!(html.contains("href=\"/orders\""));
}

#[tokio::test]
async fn list_api_returns_orders_in_position_order_with_server_totals() {
    let app = spawn_app().await;
    let orders: Vec<Order> = app.orders().await;
    assert_eq!(orders.len(), 25);
    let promotion = test_settings(std::path::Path::new("unused.db")).pricing.promotion();
    assert!(orders.windows(2).all(|w| w[0].position < w[1].position));
    for o in &orders {
        assert_eq!(o.total, server_line_total(o.quantity, o.unit_price, &promotion), "{}", o.display_number());
        assert_eq!(o.id.as_uuid().get_version_num(), 7);
        assert_eq!(o.version, 1);
    }
}

#[tokio::test]
async fn malformed_order_number_gets_a_typed_error_naming_the_field() {
    let app = spawn_app().await;
    let res = app.call("orders/get", &[("number", "ORD-12ab")]).await;
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["kind"], "validation");
    assert_eq!(body["field"], "order_number");
    assert_eq!(body["message"], "\"ORD-12ab\" is not an order number. Order numbers look like ORD-1042.");
}

#[tokio::test]
async fn unknown_order_is_not_found_with_a_next_step() {
    let app = spawn_app().await;
    let res = app.call("orders/get", &[("number", "ORD-9999")]).await;
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["kind"], "not_found");
    assert!(body["message"].as_str().unwrap().contains("find it in the orders list"));
}

#[tokio::test]
async fn missing_argument_is_a_clear_bad_request() {
    let app = spawn_app().await;
    let res = app.call("orders/get", &[]).await;
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["kind"], "bad_request", "{body}");
    assert!(body["message"].as_str().unwrap().contains("Reload the page"));
}

#[tokio::test]
async fn existing_order_is_found_by_number() {
    let app = spawn_app().await;
    let res = app.call("orders/get", &[("number", "ord-1025")]).await;
    assert_eq!(res.status(), 200);
    let order: Order = res.json().await.unwrap();
    assert_eq!(order.display_number(), "ORD-1025");
    assert_eq!(order.customer.as_str(), "Harbor Street Café");
}

#[tokio::test]
async fn restarting_on_the_same_database_does_not_seed_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("again.db");
    for _ in 0..2 {
        let running = start(test_settings(&path)).await.expect("starts");
        assert_eq!(running.db.list_orders(1).await.unwrap().len(), 25);
    }
}

#[tokio::test]
async fn port_in_use_is_a_clear_startup_error() {
    let dir = tempfile::tempdir().unwrap();
    let first = start(test_settings(&dir.path().join("a.db"))).await.unwrap();
    let mut settings = test_settings(&dir.path().join("b.db"));
    settings.server.address = first.addr;
    let err = start(settings).await.err().expect("second bind must fail");
    assert!(matches!(err, StartupError::Bind { .. }));
    assert!(err.to_string().contains("ORDERDESK_ADDRESS"), "{err}");
}

#[tokio::test]
async fn unusable_database_path_is_a_clear_startup_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "a file where a folder should be").unwrap();
    let mut settings = test_settings(&blocker.join("orders.db"));
    settings.database.url = format!("sqlite://{}", blocker.join("orders.db").display());
    let err = start(settings).await.err().expect("must fail");
    assert!(matches!(err, StartupError::Database(_)), "{err:?}");
    assert!(err.to_string().contains("not-a-dir"), "{err}");
}

#[tokio::test]
async fn database_uses_wal_mode() {
    if common::on_postgres() {
        return; // A SQLite file's journal mode.
    }
    let app = spawn_app().await;
    let wal = app.db_path.with_extension("db-wal");
    assert!(wal.exists(), "expected {} to exist in WAL mode", wal.display());
}

#[test]
fn settings_out_of_range_stop_the_binary_with_one_clear_message_and_a_non_zero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("DATABASE_URL", "sqlite::memory:", "in-memory database"),
        ("ORDERDESK_IDEMPOTENCY_TTL_HOURS", "0", "writes.idempotency_ttl_hours is 0"),
        ("ORDERDESK_DB_READERS", "0", "database.readers is 0"),
        ("ORDERDESK_JOB_STOCK_MS", "400000", "must be shorter than jobs.deadline_ms"),
    ];
    for (var, value, expected) in cases {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_orderdesk"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("DATABASE_URL", format!("sqlite://{}", dir.path().join("never.db").display()))
            .env("ORDERDESK_ADDRESS", "127.0.0.1:0")
            .env(var, value)
            .output()
            .expect("the server binary runs");
        assert!(!out.status.success(), "{var}={value} must stop start-up");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("orderdesk: ")).collect();
        assert_eq!(lines.len(), 1, "one message: {stderr}");
        assert!(lines[0].contains(expected), "{var}={value}: {stderr}");
    }
    assert!(!dir.path().join("never.db").exists(), "nothing was created");
}
