//! Starts the real server on a free port against a fresh SQLite file, as production does.

#![allow(dead_code)]

use orderdesk::clock::{SharedClock, SystemClock};
use orderdesk::config::Settings;
use orderdesk::domain::Order;
use orderdesk::server::start_with_clock;
use std::sync::Arc;
use std::path::Path;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db_path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Every order the list shows now.
    pub async fn orders(&self) -> Vec<Order> {
        let res = self.call("orders/list", &[]).await;
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }

    /// The order with this id as the list shows it now, if it is there.
    pub async fn order(&self, id: &str) -> Option<Order> {
        self.orders().await.into_iter().find(|o| o.id.to_string() == id)
    }

    /// The first draft in the list.
    pub async fn a_draft(&self) -> Order {
        self.orders().await.into_iter().find(|o| o.status == orderdesk::domain::OrderStatus::Draft).expect("a seeded draft")
    }

    /// Adds a fault-control rule (the server must run with faults enabled).
    pub async fn fault(&self, rule: serde_json::Value) {
        let res = self.client.post(self.url("/api/faults")).json(&rule).send().await.unwrap();
        assert_eq!(res.status(), 200, "fault rule accepted");
    }

    /// POSTs form-encoded arguments to a server function, as the browser's client does.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client.post(self.url(&format!("/api/{endpoint}"))).form(form).send().await.expect("request failed")
    }
}

/// Settings from the committed Leptos.toml, pointed at a fresh database and port 0.
pub fn test_settings(db_file: &Path) -> Settings {
    let mut settings = Settings::from_file(Path::new("Leptos.toml")).expect("Leptos.toml parses");
    settings.server.address = "127.0.0.1:0".parse().unwrap();
    settings.database.url = format!("sqlite://{}", db_file.display());
    settings
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_with_clock(adjust, Arc::new(SystemClock)).await
}

pub async fn spawn_app_with_clock(adjust: impl FnOnce(&mut Settings), clock: SharedClock) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("orderdesk-test.db");
    let mut settings = test_settings(&db_path);
    adjust(&mut settings);
    let running = start_with_clock(settings, clock).await.expect("server starts");
    let base = format!("http://{}", running.addr);
    tokio::spawn(running.serve());
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    TestApp { base, client, db_path, _dir: dir }
}

/// Another server on an existing database file (as a restart would find it), with `clock`.
pub async fn spawn_app_on(db_path: &Path, adjust: impl FnOnce(&mut Settings), clock: SharedClock) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = test_settings(db_path);
    adjust(&mut settings);
    let running = start_with_clock(settings, clock).await.expect("server starts");
    let base = format!("http://{}", running.addr);
    tokio::spawn(running.serve());
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    TestApp { base, client, db_path: db_path.to_path_buf(), _dir: dir }
}
