//! Starts the real server on a free port against a fresh database, as production does: a
//! SQLite file, or, when `ORDERDESK_TEST_POSTGRES` names a PostgreSQL server (`./dev.sh test`
//! runs the suite a second time on a throwaway one), a database of its own there.

#![allow(dead_code)]

use orderdesk::clock::{SharedClock, SystemClock};
use orderdesk::config::Settings;
use orderdesk::domain::{Order, OrderPage};
use orderdesk::server::start_with_clock;
use std::sync::Arc;
use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};
use orderdesk::domain::{Job, JobDetail};

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// The SQLite file the server's database is named after (on PostgreSQL, the database
    /// [`database_url`] makes of it).
    pub db_path: std::path::PathBuf,
    /// The server's `DATABASE_URL`.
    pub db_url: String,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Every order the list shows now, read page by page as the app reads it.
    pub async fn orders(&self) -> Vec<Order> {
        every_order(|after| async move { self.call("orders/page", &[("after", after.as_str())]).await }).await
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

/// Every live order, read page by page through `orders/page` (`page` posts one, after a key).
pub async fn every_order<F, Fut>(page: F) -> Vec<Order>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = reqwest::Response>,
{
    let mut all = Vec::new();
    let mut after = String::new();
    loop {
        let res = page(after).await;
        assert_eq!(res.status(), 200);
        let p: OrderPage = res.json().await.unwrap();
        all.extend(p.orders);
        match p.next {
            Some(next) => after = next.to_string(),
            None => return all,
        }
    }
}

/// Settings from the committed Leptos.toml, pointed at the database for `db_file`
/// ([`database_url`]) and port 0.
pub fn test_settings(db_file: &Path) -> Settings {
    let mut settings = Settings::from_file(Path::new("Leptos.toml")).expect("Leptos.toml parses");
    settings.server.address = "127.0.0.1:0".parse().unwrap();
    settings.database.url = database_url(db_file);
    settings
}

/// Whether the suite runs on PostgreSQL (`ORDERDESK_TEST_POSTGRES` is set).
pub fn on_postgres() -> bool {
    std::env::var_os("ORDERDESK_TEST_POSTGRES").is_some()
}

/// The database URL of a test server whose database is `file`: that SQLite file, or on
/// PostgreSQL a database named after it, made on first use (so servers given the same file
/// share one database, as they would share the file).
pub fn database_url(file: &Path) -> String {
    let Ok(admin) = std::env::var("ORDERDESK_TEST_POSTGRES") else {
        return format!("sqlite://{}", file.display());
    };
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    file.hash(&mut hasher);
    let name = format!("test_{:016x}", hasher.finish());
    let (server, _) = admin.rsplit_once('/').expect("ORDERDESK_TEST_POSTGRES ends with /<database>");
    let url = format!("{server}/{name}");
    // Made on a thread of its own: callers may be inside a runtime, or not.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&admin).await.expect("the test PostgreSQL server answers");
            let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1").bind(&name).fetch_optional(&mut conn).await.unwrap();
            if exists.is_none() {
                sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("a test database");
            }
        })
    })
    .join()
    .expect("the test database is made");
    url
}

/// A pool on a test server's database (either engine), to count what it stored.
pub async fn database(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url).await.expect("the test database opens")
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
    let db_url = settings.database.url.clone();
    let seeded = settings.database.seed_demo_data;
    let running = start_with_clock(settings, clock).await.expect("server starts");
    let base = format!("http://{}", running.addr);
    tokio::spawn(running.serve());
    let client = same_origin_client(&base);
    if seeded {
        sign_in_demo(&client, &base).await;
    } else {
        sign_up(&client, &base, "tester@example.com").await;
    }
    TestApp { base, client, db_path, db_url, _dir: dir }
}

/// Another server on an existing database file (as a restart would find it), with `clock`.
pub async fn spawn_app_on(db_path: &Path, adjust: impl FnOnce(&mut Settings), clock: SharedClock) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = test_settings(db_path);
    adjust(&mut settings);
    let db_url = settings.database.url.clone();
    let running = start_with_clock(settings, clock).await.expect("server starts");
    let base = format!("http://{}", running.addr);
    tokio::spawn(running.serve());
    let client = same_origin_client(&base);
    sign_in_demo(&client, &base).await;
    TestApp { base, client, db_path: db_path.to_path_buf(), db_url, _dir: dir }
}

/// The demo owner's sign-in (the seed makes it).
pub const DEMO: (&str, &str) = ("demo@orderdesk.test", "demo-password");
/// The demo editor, who shares the demo owner's workspace.
pub const DEMO_EDITOR: (&str, &str) = ("sam@orderdesk.test", "demo-password");
/// The password every account a test makes has.
pub const PASSWORD: &str = "a long test password";

/// Posts an account form (`sign-in`, `sign-up`) as the app's page would, asking for JSON.
async fn account_form(client: &reqwest::Client, base: &str, form: &str, email: &str, password: &str) -> reqwest::Response {
    client
        .post(format!("{base}/api/accounts/{form}"))
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .expect("request failed")
}

/// Signs `client` in (JSON answers); the response says how it went.
pub async fn sign_in(client: &reqwest::Client, base: &str, email: &str, password: &str) -> reqwest::Response {
    account_form(client, base, "sign-in", email, password).await
}

/// Signs `client` in as the demo owner, and checks that it worked.
pub async fn sign_in_demo(client: &reqwest::Client, base: &str) {
    let res = sign_in(client, base, DEMO.0, DEMO.1).await;
    assert_eq!(res.status(), 200, "the demo account signs in: {}", res.text().await.unwrap_or_default());
}

/// Makes an account for `email` (password [`PASSWORD`]) and signs `client` in as it.
pub async fn sign_up(client: &reqwest::Client, base: &str, email: &str) {
    let res = account_form(client, base, "sign-up", email, PASSWORD).await;
    assert_eq!(res.status(), 200, "sign-up of {email}: {}", res.text().await.unwrap_or_default());
}

/// A fresh demo session's cookie (`orderdesk_session=…`), for requests written by hand.
pub async fn session_cookie(base: &str) -> String {
    let res = sign_in(&reqwest::Client::new(), base, DEMO.0, DEMO.1).await;
    assert_eq!(res.status(), 200);
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("orderdesk_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string()
}

/// A client that keeps cookies (a session), for a server in its own process.
pub fn cookie_client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// A client that says it comes from the app's own pages (`Origin: base`), as the browser
/// client does; the edge refuses state-changing requests without it.
pub fn same_origin_client(base: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ORIGIN, base.parse().unwrap());
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).default_headers(headers).build().unwrap()
}

/// A fresh idempotency key, as the client makes one per intent.
pub fn key() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Short job steps, no random failures, fault controls on, and emails written to `outbox`.
pub fn quick_jobs(s: &mut Settings, outbox: &Path) {
    s.jobs.payment_ms = 150;
    s.jobs.stock_ms = 150;
    s.jobs.fulfilment_ms = 150;
    s.jobs.failure_rate = 0.0;
    s.jobs.eta_ms = 2_000;
    s.jobs.deadline_ms = 30_000;
    s.faults.enabled = true;
    s.email.outbox_dir = outbox.to_path_buf();
}

/// Long enough for a slow CI machine; every wait polls and ends as soon as its condition holds.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// Polls `check` until it gives a value, or fails the test naming `what` after [`PATIENCE`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(start.elapsed() < PATIENCE, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The real server binary in its own process, on a free port, with its database in `dir`.
pub struct ServerProcess {
    pub child: std::process::Child,
    pub base: String,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl ServerProcess {
    /// Starts it with `env` on top of the defaults, and waits until it answers.
    pub async fn start(dir: &Path, client: &reqwest::Client, env: &[(&str, &str)]) -> ServerProcess {
        let port = free_port();
        let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("server.log")).unwrap();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_orderdesk"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("ORDERDESK_ADDRESS", format!("127.0.0.1:{port}"))
            .env("DATABASE_URL", database_url(&dir.join("orderdesk.db")))
            .env("ORDERDESK_OUTBOX_DIR", dir.join("outbox"))
            .env("RUST_LOG", "orderdesk=info,warn")
            .envs(env.iter().copied())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("the server binary starts");
        let base = format!("http://127.0.0.1:{port}");
        let server = ServerProcess { child, base };
        eventually("the server to answer", || async { client.get(format!("{}/sign-in", server.base)).send().await.ok().filter(|r| r.status() == 200) }).await;
        // Signed in as the demo owner (a restart finds the session in the database).
        if sign_in(client, &server.base, DEMO.0, DEMO.1).await.status() != 200 {
            panic!("the demo account signs in");
        }
        server
    }

    pub async fn call(&self, client: &reqwest::Client, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        // As the app's own page would send it (the edge refuses other sites).
        client.post(format!("{}/api/{endpoint}", self.base)).header("sec-fetch-site", "same-origin").form(form).send().await.expect("request failed")
    }

    /// Every order the list shows now, read page by page as the app reads it.
    pub async fn orders(&self, client: &reqwest::Client) -> Vec<Order> {
        every_order(|after| async move { self.call(client, "orders/page", &[("after", after.as_str())]).await }).await
    }

    pub async fn job(&self, client: &reqwest::Client, job: &Job) -> JobDetail {
        let res = self.call(client, "jobs/get", &[("id", &job.id.to_string())]).await;
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }

    /// SIGKILL on unix: no shutdown code runs.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}


/// Reads an event stream until an event (name, `data`) satisfies `want`, or fails after a while.
pub async fn next_event(stream: &mut reqwest::Response, buffer: &mut String, mut want: impl FnMut(&str, &str) -> bool) -> (String, String) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let field = |name: &str| {
                block.lines().filter_map(|l| l.strip_prefix(name)).map(str::trim_start).collect::<Vec<_>>().join("\n")
            };
            let (event, data) = (field("event:"), field("data:"));
            let event = if event.is_empty() { "message".to_string() } else { event };
            if want(&event, &data) {
                return (event, data);
            }
        }
        let chunk = tokio::time::timeout_at(deadline, stream.chunk()).await.expect("an event in time").expect("the stream stays open");
        buffer.push_str(&String::from_utf8_lossy(&chunk.expect("the stream did not end")));
    }
}

