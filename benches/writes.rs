//! Write-path load generator for Order Desk (see bench/README.md).
//!
//! Starts the real server in-process (its own 2-thread tokio runtime) against a fresh SQLite
//! file, or drives already running ones (`--external URL[,URL…]`: several instances of one
//! deployment, the connections spread over them in turn). Then:
//!
//! 1. creates one draft order per connection through `/api/orders/create`;
//! 2. runs one worker per connection, each with its own keep-alive HTTP connection, that
//!    together send N versioned, idempotent quantity writes to `/api/orders/quantity`: each
//!    worker owns its order, tracks the version from the last acknowledged answer, uses a fresh
//!    key per write, and every 10th write sends the same key and payload once more (a
//!    duplicate) and checks it gets the stored answer back (`--kind create`: new drafts instead,
//!    each with a fresh id and key);
//! 3. measures each request from send to the full body received;
//! 4. checks the final state from `/api/orders/page` (every page, on every instance): every
//!    order's version is 1 + its acknowledged writes and its quantity is the last acknowledged
//!    quantity.
//!
//! Exits non-zero when any request failed (any non-200 answer) or the final state is wrong.
//!
//! `cargo bench --features ssr --bench writes -- [--kind quantity|create] [--connections 64] [--writes 20000]
//!  [--external http://127.0.0.1:3000] [--max-secs 300]`

use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::percentile;
use uuid::Uuid;

/// Every how many first-time writes a worker replays the same key and payload once more.
const DUPLICATE_EVERY: u64 = 10;
/// Attempts (with the same key) for a write whose failure may be temporary.
const MAX_ATTEMPTS: u32 = 5;
/// A single request that takes longer than this counts as a `timeout` error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// The targets from bench/README.md, printed as met or missed (they don't change the exit code).
const TARGET_WRITES_PER_SEC: f64 = 5_000.0;
const TARGET_P99_MS: f64 = 25.0;

const USAGE: &str = "usage: cargo bench --features ssr --bench writes -- [--kind quantity|create] [--connections C] \
                     [--writes N] [--external URL] [--max-secs S]\n  \
                     --kind K         quantity: versioned quantity changes, one order per connection (default); \
                     create: new drafts\n  \
                     --connections C  concurrent keep-alive connections, one order each (default 64)\n  \
                     --writes N       first-time quantity writes in total (default 20000)\n  \
                     --external URL   drive a running server (e.g. http://127.0.0.1:3000) instead of \
                     starting one in-process; several instances of one deployment: URL,URL,…\n  \
                     --max-secs S     stop sending new writes after S seconds (default 300)";

/// Which write the workers send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Versioned quantity changes, each worker to its own order.
    Quantity,
    /// New drafts, each with its own id.
    Create,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Quantity => "quantity",
            Kind::Create => "create",
        }
    }
}

struct Config {
    kind: Kind,
    connections: usize,
    writes: u64,
    external: Option<String>,
    max_secs: u64,
}

fn parse_args() -> Result<Config, String> {
    let mut cfg = Config { kind: Kind::Quantity, connections: 64, writes: 20_000, external: None, max_secs: 300 };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        // `--name=value` or `--name value`.
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| {
            inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{name} needs {what}"))
        };
        match name.as_str() {
            // cargo passes `--bench` to harness = false benches.
            "--bench" => {}
            "--kind" => {
                cfg.kind = match value("quantity or create")?.as_str() {
                    "quantity" => Kind::Quantity,
                    "create" => Kind::Create,
                    other => return Err(format!("--kind: {other:?} is not quantity or create")),
                }
            }
            "--connections" | "-c" => {
                cfg.connections = value("a number")?.parse().map_err(|e| format!("--connections: {e}"))?;
            }
            "--writes" | "-n" => cfg.writes = value("a number")?.parse().map_err(|e| format!("--writes: {e}"))?,
            "--external" => cfg.external = Some(value("a URL")?.trim_end_matches('/').to_string()),
            "--max-secs" => cfg.max_secs = value("a number")?.parse().map_err(|e| format!("--max-secs: {e}"))?,
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if cfg.connections == 0 || cfg.connections > 1024 {
        return Err("--connections must be between 1 and 1024".into());
    }
    if cfg.max_secs == 0 {
        return Err("--max-secs must be at least 1".into());
    }
    Ok(cfg)
}

fn main() -> ExitCode {
    let cfg = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("writes bench: {e}");
            }
            eprintln!("{USAGE}");
            return if e.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) };
        }
    };

    // Server logs go to stderr; RUST_LOG overrides (default: warnings only).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .try_init();

    let (server, base, server_desc) = match &cfg.external {
        Some(urls) if urls.contains(',') => (None, urls.clone(), format!("external instances {urls}")),
        Some(url) => (None, url.clone(), format!("external server {url}")),
        None => match common::InProcess::start(|s| s.database.seed_demo_data = false) {
            Ok(s) => {
                let desc = format!(
                    "in-process server on {} (2 worker threads, 1 writer + {} reader connections), fresh SQLite {}",
                    s.base.trim_start_matches("http://"),
                    s.readers,
                    s.db_file.display()
                );
                let base = s.base.clone();
                (Some(s), base, desc)
            }
            Err(e) => {
                eprintln!("writes bench: {e}");
                return ExitCode::FAILURE;
            }
        },
    };

    let client_rt = match common::client_runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("writes bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ok = client_rt.block_on(run(&cfg, &base, &server_desc));
    if let Some(server) = &server {
        print_batches(&server.db.recent_batches());
    }
    // Don't wait for keep-alive connections to wind down.
    client_rt.shutdown_timeout(Duration::from_millis(200));
    drop(server);
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// Group commit, as the in-process server saw it: how many writes shared a commit, how long a
/// batch stayed open for company, and how long its commit (the disk flush) took.
fn print_batches(batches: &[orderdesk::store::BatchFigures]) {
    if batches.is_empty() {
        return;
    }
    let median = |mut v: Vec<u64>| {
        v.sort_unstable();
        v[v.len() / 2]
    };
    let sizes: Vec<u64> = batches.iter().map(|b| b.writes as u64).collect();
    let max = sizes.iter().copied().max().unwrap_or(0);
    let writes: u64 = sizes.iter().sum();
    println!(
        "batches (last {}): {writes} writes, median {} per commit (max {max}, bound {}), open median {} µs, commit median {} µs",
        batches.len(),
        median(sizes),
        orderdesk::store::MAX_BATCH_WRITES,
        median(batches.iter().map(|b| b.open_us).collect()),
        median(batches.iter().map(|b| b.commit_us).collect()),
    );
}

/// What one request came back with.
enum Reply {
    /// 200 with a JSON body.
    Ok(Value),
    /// Anything else: an error kind (the server's `kind`, or what went wrong on the way).
    Failed(String),
}

fn classify(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else {
        "network"
    }
}

/// POSTs a form; the latency runs from send to the full body received.
async fn post(client: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> (Duration, Reply) {
    let started = Instant::now();
    let res = match client.post(url).form(form).send().await {
        Ok(r) => r,
        Err(e) => return (started.elapsed(), Reply::Failed(classify(&e).into())),
    };
    let status = res.status().as_u16();
    let body = res.bytes().await;
    let latency = started.elapsed();
    let body = match body {
        Ok(b) => b,
        Err(e) => return (latency, Reply::Failed(classify(&e).into())),
    };
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    let reply = match (status, json) {
        (200, Some(v)) => Reply::Ok(v),
        (200, None) => Reply::Failed("bad_answer".into()),
        (s, Some(v)) => Reply::Failed(v.get("kind").and_then(Value::as_str).map_or_else(|| format!("http_{s}"), str::to_string)),
        (s, None) => Reply::Failed(format!("http_{s}")),
    };
    (latency, reply)
}

/// Errors after which the same request can't succeed: retrying with the same key is useless.
fn is_final(kind: &str) -> bool {
    matches!(kind, "conflict" | "validation" | "not_found" | "forbidden" | "key_reused" | "bad_request" | "bad_answer")
}

/// The session every client sends (`orderdesk_session=…`): the run signs up an account of its
/// own first, so writes pay for sessions and permission checks as a person's do.
static SESSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Makes a fresh account (its own, empty workspace) and keeps its session for every client.
async fn sign_up(base: &str) -> Result<(), String> {
    let email = format!("bench-{}@example.com", uuid::Uuid::now_v7().simple());
    let res = new_client()
        .post(format!("{base}/api/accounts/sign-up"))
        .header("accept", "application/json")
        .form(&[("email", email.as_str()), ("password", "benchmark password")])
        .send()
        .await
        .map_err(|e| format!("sign-up failed: {e}"))?;
    if !res.status().is_success() {
        return Err(format!("sign-up answered {}", res.status()));
    }
    let cookie = res
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("orderdesk_session="))
        .and_then(|c| c.split(';').next())
        .ok_or("sign-up set no session cookie")?;
    SESSION.set(cookie.to_string()).map_err(|_| "signed up twice".to_string())
}

fn new_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    // As the app's own pages: the edge refuses state-changing requests from other sites.
    headers.insert(reqwest::header::HeaderName::from_static("sec-fetch-site"), reqwest::header::HeaderValue::from_static("same-origin"));
    if let Some(value) = SESSION.get().and_then(|c| reqwest::header::HeaderValue::from_str(c).ok()) {
        headers.insert(reqwest::header::COOKIE, value);
    }
    reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .pool_idle_timeout(None)
        .tcp_nodelay(true)
        .timeout(REQUEST_TIMEOUT)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("a plain HTTP client builds")
}

/// One connection, one order, and what was acknowledged on it.
struct Worker {
    index: usize,
    client: reqwest::Client,
    base: String,
    order_id: String,
    /// Version of the order after the last acknowledged write.
    version: i64,
    created_version: i64,
    /// Quantity after the last acknowledged write.
    quantity: i64,
    acked: u64,
    duplicates: u64,
    /// A write that never got an answer: its quantity (it may or may not have been applied).
    unknown: Option<i64>,
    /// `--kind create`: the drafts acknowledged, by id, with their customer names.
    created: Vec<(String, String)>,
    /// `--kind create`: a draft that never got an answer (it may or may not exist).
    unknown_created: Option<String>,
    latencies_us: Vec<u32>,
    errors: BTreeMap<String, u64>,
    stopped: Option<String>,
}

impl Worker {
    fn error(&mut self, kind: &str) {
        *self.errors.entry(kind.to_string()).or_default() += 1;
    }

    fn record(&mut self, latency: Duration) {
        self.latencies_us.push(latency.as_micros().min(u32::MAX as u128) as u32);
    }

    /// Sends the request, retrying with the same key while the failure may be temporary.
    /// Returns the answer, or the last error kind.
    async fn send_with_retries(&mut self, url: &str, form: &[(&str, &str)]) -> Result<Value, String> {
        let mut last = String::new();
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(25 * u64::from(attempt))).await;
            }
            let (latency, reply) = post(&self.client, url, form).await;
            self.record(latency);
            match reply {
                Reply::Ok(v) => return Ok(v),
                Reply::Failed(kind) => {
                    self.error(&kind);
                    if is_final(&kind) {
                        return Err(kind);
                    }
                    last = kind;
                }
            }
        }
        Err(last)
    }

    /// Creates this worker's draft order.
    async fn create(&mut self) -> Result<(), String> {
        let url = format!("{}/api/orders/create", self.base);
        let key = Uuid::now_v7().to_string();
        let id = Uuid::now_v7().to_string();
        let customer = format!("Bench customer {}", self.index + 1);
        let form = [
            ("key", key.as_str()),
            ("id", id.as_str()),
            ("customer", customer.as_str()),
            ("item", "Bench widget"),
            ("quantity", "1"),
            ("unit_price_cents", "1250"),
            ("note", ""),
        ];
        let v = self.send_with_retries(&url, &form).await.map_err(|kind| format!("create failed: {kind}"))?;
        match (v.get("id").and_then(Value::as_str), v.get("version").and_then(Value::as_i64), v.get("quantity").and_then(Value::as_i64)) {
            (Some(got), Some(version), Some(quantity)) if got == id => {
                self.order_id = id;
                self.version = version;
                self.created_version = version;
                self.quantity = quantity;
                Ok(())
            }
            _ => Err(format!("create answered with an unexpected body: {v}")),
        }
    }

    /// Sends `count` first-time writes of `kind` (plus the duplicates), stopping at `deadline`.
    async fn run(self, kind: Kind, count: u64, deadline: Instant) -> Self {
        match kind {
            Kind::Quantity => self.run_quantity(count, deadline).await,
            Kind::Create => self.run_create(count, deadline).await,
        }
    }

    /// Sends `count` new drafts, each with a fresh id and key (plus the duplicates).
    async fn run_create(mut self, count: u64, deadline: Instant) -> Self {
        let url = format!("{}/api/orders/create", self.base);
        for j in 1..=count {
            if self.out_of_time(deadline, j, count) {
                break;
            }
            let (key, id) = (Uuid::now_v7().to_string(), Uuid::now_v7().to_string());
            let customer = format!("Bench {} #{j}", self.index + 1);
            let quantity = ((self.index as u64 * 37 + j) % 999 + 1).to_string();
            let form = [
                ("key", key.as_str()),
                ("id", id.as_str()),
                ("customer", customer.as_str()),
                ("item", "Bench widget"),
                ("quantity", quantity.as_str()),
                ("unit_price_cents", "1250"),
                ("note", ""),
            ];
            let answer = match self.send_with_retries(&url, &form).await {
                Ok(v) => v,
                Err(kind) => {
                    if !is_final(&kind) {
                        self.unknown_created = Some(id);
                    }
                    self.stopped = Some(format!("stopped after write {j}: {kind}"));
                    break;
                }
            };
            self.acked += 1;
            self.created.push((id.clone(), customer.clone()));
            let ok = answer.get("id").and_then(Value::as_str) == Some(id.as_str())
                && answer.get("version").and_then(Value::as_i64) == Some(1)
                && answer.get("customer").and_then(Value::as_str) == Some(customer.as_str());
            if !self.settle(ok, &url, &form, &answer, j).await {
                break;
            }
        }
        self
    }

    /// Whether the run's time is up before write `j` of `count` (counted as an error).
    fn out_of_time(&mut self, deadline: Instant, j: u64, count: u64) -> bool {
        if Instant::now() < deadline {
            return false;
        }
        self.error("not_sent_deadline");
        self.stopped = Some(format!("deadline reached with {} of {count} writes sent", j - 1));
        true
    }

    /// After write `j` was acknowledged with `answer` (`ok`: the body is the one expected): on
    /// every 10th, its duplicate. False when the worker must stop.
    async fn settle(&mut self, ok: bool, url: &str, form: &[(&str, &str)], answer: &Value, j: u64) -> bool {
        if !ok {
            self.error("wrong_answer");
            self.stopped = Some(format!("write {j} answered with an unexpected body: {answer}"));
            return false;
        }
        !j.is_multiple_of(DUPLICATE_EVERY) || self.duplicate(url, form, answer, j).await
    }

    /// Sends a write once more with the same key and payload: it must replay the stored answer,
    /// with no second effect. False when it answered something else (the worker stops).
    async fn duplicate(&mut self, url: &str, form: &[(&str, &str)], answer: &Value, j: u64) -> bool {
        let (latency, reply) = post(&self.client, url, form).await;
        self.record(latency);
        self.duplicates += 1;
        match reply {
            Reply::Ok(again) if again == *answer => true,
            Reply::Ok(again) => {
                self.error("duplicate_mismatch");
                self.stopped = Some(format!("duplicate of write {j} answered {again}, first answer was {answer}"));
                false
            }
            Reply::Failed(kind) => {
                self.error(&format!("duplicate_{kind}"));
                true
            }
        }
    }

    /// Sends `count` first-time quantity writes (plus the duplicates), stopping at `deadline`.
    async fn run_quantity(mut self, count: u64, deadline: Instant) -> Self {
        let url = format!("{}/api/orders/quantity", self.base);
        for j in 1..=count {
            if self.out_of_time(deadline, j, count) {
                break;
            }
            // A different quantity every write, so a stale value is visible in the final check.
            let quantity = ((self.index as u64 * 37 + j) % 999 + 1) as i64;
            let key = Uuid::now_v7().to_string();
            let version = self.version.to_string();
            let quantity_s = quantity.to_string();
            let id = self.order_id.clone();
            let form = [("key", key.as_str()), ("id", id.as_str()), ("version", version.as_str()), ("quantity", quantity_s.as_str())];
            let answer = match self.send_with_retries(&url, &form).await {
                Ok(v) => v,
                Err(kind) => {
                    if !is_final(&kind) {
                        // No answer: it may or may not have been applied.
                        self.unknown = Some(quantity);
                    }
                    // Final errors changed nothing, but the tracked version is no longer trusted
                    // (or the server keeps failing): this worker stops.
                    self.stopped = Some(format!("stopped after write {j}: {kind}"));
                    break;
                }
            };
            let ok = answer.get("id").and_then(Value::as_str) == Some(id.as_str())
                && answer.get("version").and_then(Value::as_i64) == Some(self.version + 1)
                && answer.get("quantity").and_then(Value::as_i64) == Some(quantity);
            // 200 means acknowledged, whatever the body says.
            self.acked += 1;
            self.version += 1;
            self.quantity = quantity;
            if !self.settle(ok, &url, &form, &answer, j).await {
                break;
            }
        }
        self
    }
}

/// Server-side TCP connections in ESTABLISHED state on `port`, from /proc (Linux only).
/// Counts sockets whose local port is `port` (in-process) or, for an external server on
/// another host, whose remote port is `port`.
fn established_connections(port: u16, local: bool) -> Option<usize> {
    let mut count = 0;
    let mut any = false;
    for file in ["/proc/self/net/tcp", "/proc/self/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        any = true;
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.len() < 4 || cols[3] != "01" {
                continue;
            }
            let addr = if local { cols[1] } else { cols[2] };
            if addr.rsplit(':').next().and_then(|p| u16::from_str_radix(p, 16).ok()) == Some(port) {
                count += 1;
            }
        }
    }
    any.then_some(count)
}


/// `bases`: the server's address, or several instances' addresses separated by commas (the
/// first signs up and is read before the run).
async fn run(cfg: &Config, bases: &str, server_desc: &str) -> bool {
    let c = cfg.connections;
    println!("Order Desk write benchmark: {} writes, {c} connections, {} writes, {server_desc}", cfg.kind.name(), cfg.writes);
    let bases: Vec<&str> = bases.split(',').map(|b| b.trim().trim_end_matches('/')).filter(|b| !b.is_empty()).collect();
    let base = bases[0];
    let ports: Vec<u16> = bases.iter().filter_map(|b| b.rsplit(':').next().and_then(|p| p.parse::<u16>().ok())).collect();

    // 0. A person of its own, signed in: every write carries the session and is checked.
    if let Err(e) = sign_up(base).await {
        println!("setup: FAIL ({e})");
        return false;
    }
    // 1. One client (one keep-alive connection) and one draft order per worker.
    let setup_started = Instant::now();
    let mut creating = Vec::with_capacity(c);
    for index in 0..c {
        let mut w = Worker {
            index,
            client: new_client(),
            base: bases[index % bases.len()].to_string(),
            order_id: String::new(),
            version: 0,
            created_version: 0,
            quantity: 0,
            acked: 0,
            duplicates: 0,
            unknown: None,
            created: Vec::new(),
            unknown_created: None,
            latencies_us: Vec::new(),
            errors: BTreeMap::new(),
            stopped: None,
        };
        creating.push(tokio::spawn(async move {
            let result = w.create().await;
            (w, result)
        }));
    }
    let mut workers = Vec::with_capacity(c);
    let mut setup_failed = false;
    for task in creating {
        match task.await {
            Ok((w, Ok(()))) => workers.push(w),
            Ok((w, Err(e))) => {
                eprintln!("writes bench: worker {}: {e}", w.index + 1);
                setup_failed = true;
            }
            Err(e) => {
                eprintln!("writes bench: a create task failed: {e}");
                setup_failed = true;
            }
        }
    }
    if setup_failed {
        println!("setup: FAIL (could not create the {c} draft orders; see above)");
        return false;
    }
    println!("setup: {c} draft orders created in {:.2} s", setup_started.elapsed().as_secs_f64());
    // Setup requests are not part of the measurement.
    for w in &mut workers {
        w.latencies_us.clear();
    }

    // What the list held before the measured run (an external server may hold other orders).
    let before = match list_orders(base).await {
        Ok(list) => list.len(),
        Err(e) => {
            println!("setup: FAIL ({e})");
            return false;
        }
    };

    // 2. The measured run: every worker starts at once and writes to its own order.
    let per_worker = cfg.writes / c as u64;
    let extra = cfg.writes % c as u64;
    // Every worker waits for the same start instant, so the clock starts with all of them.
    let start_at = tokio::time::Instant::now() + Duration::from_millis(50);
    let deadline = start_at.into_std() + Duration::from_secs(cfg.max_secs);
    let kind = cfg.kind;
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|w| {
            let count = per_worker + u64::from((w.index as u64) < extra);
            tokio::spawn(async move {
                tokio::time::sleep_until(start_at).await;
                w.run(kind, count, deadline).await
            })
        })
        .collect();
    tokio::time::sleep_until(start_at).await;
    let started = Instant::now();
    // Sample the open connections while the run is going (after everyone has started).
    let sampler = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        ports
            .iter()
            .map(|&p| established_connections(p, true).filter(|&n| n > 0).or_else(|| established_connections(p, false)))
            .sum::<Option<usize>>()
    });
    let mut workers = Vec::with_capacity(c);
    let mut crashed = 0;
    for t in tasks {
        match t.await {
            Ok(w) => workers.push(w),
            Err(e) => {
                eprintln!("writes bench: a worker task failed: {e}");
                crashed += 1;
            }
        }
    }
    let elapsed = started.elapsed();
    let connections_seen = sampler.await.ok().flatten();

    // 3. Numbers.
    let acked: u64 = workers.iter().map(|w| w.acked).sum();
    let duplicates: u64 = workers.iter().map(|w| w.duplicates).sum();
    let mut latencies: Vec<u32> = workers.iter().flat_map(|w| w.latencies_us.iter().copied()).collect();
    latencies.sort_unstable();
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    for w in &workers {
        for (k, n) in &w.errors {
            *errors.entry(k.clone()).or_default() += n;
        }
    }
    if crashed > 0 {
        errors.insert("worker_crashed".into(), crashed);
    }
    let error_total: u64 = errors.values().sum();
    let secs = elapsed.as_secs_f64().max(1e-9);
    let throughput = acked as f64 / secs;
    let p99 = percentile(&latencies, 99.0);

    println!("writes: {acked} acknowledged (+{duplicates} duplicates replayed) over {c} connections in {secs:.2} s");
    println!(
        "throughput: {throughput:.0} writes/s ({:.0} requests/s including duplicates and retries)",
        latencies.len() as f64 / secs
    );
    println!(
        "latency ms: p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}  (all {} {} requests)",
        percentile(&latencies, 50.0),
        percentile(&latencies, 90.0),
        p99,
        latencies.last().copied().unwrap_or(0) as f64 / 1000.0,
        latencies.len(),
        cfg.kind.name()
    );
    match connections_seen {
        Some(n) if n == c => println!("connections: {n} TCP connections open to the server during the run"),
        Some(n) => println!("connections: {n} TCP connections seen to the server during the run (expected {c})"),
        None => println!("connections: not measured (no /proc/self/net/tcp)"),
    }
    if error_total == 0 {
        println!("errors: 0");
    } else {
        let list: Vec<String> = errors.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!("errors: {error_total} ({})", list.join(", "));
        for w in workers.iter().filter(|w| w.stopped.is_some()).take(5) {
            println!("  worker {}: {}", w.index + 1, w.stopped.as_deref().unwrap_or_default());
        }
    }

    // 4. The final state must equal the acknowledged effects, as every instance reads it.
    let mut check = Ok(String::new());
    for base in &bases {
        check = final_state(cfg.kind, &workers, base, before).await;
        if check.is_err() {
            break;
        }
    }
    let state_ok = match &check {
        Ok(note) => {
            println!("final state: PASS ({note})");
            true
        }
        Err(problems) => {
            println!("final state: FAIL ({} problems)", problems.len());
            for p in problems.iter().take(10) {
                println!("  {p}");
            }
            false
        }
    };
    let met = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "targets: >= {TARGET_WRITES_PER_SEC:.0} writes/s {}, p99 <= {TARGET_P99_MS:.0} ms {}, zero errors {}, final state {}",
        met(throughput >= TARGET_WRITES_PER_SEC),
        met(p99 <= TARGET_P99_MS),
        met(error_total == 0),
        met(state_ok)
    );
    error_total == 0 && state_ok && workers.len() == c
}

/// Every order, read page by page from `/api/orders/page` as the app reads them.
async fn list_orders(base: &str) -> Result<Vec<Value>, String> {
    let client = new_client();
    let mut all = Vec::new();
    let mut after = String::new();
    loop {
        let (_, reply) = post(&client, &format!("{base}/api/orders/page"), &[("after", after.as_str())]).await;
        let mut page = match reply {
            Reply::Ok(page) => page,
            Reply::Failed(kind) => return Err(format!("a page request failed: {kind}")),
        };
        match page.get_mut("orders").map(Value::take) {
            Some(Value::Array(orders)) => all.extend(orders),
            _ => return Err(format!("a page answered without orders: {page}")),
        }
        match page.get("next") {
            Some(Value::Null) | None => return Ok(all),
            Some(next) => after = format!("{}.{}", next["position"], next["number"]),
        }
    }
}

/// Compares every order (`/api/orders/page`, page by page) with what each worker had acknowledged.
async fn final_state(kind: Kind, workers: &[Worker], base: &str, before: usize) -> Result<String, Vec<String>> {
    let list = list_orders(base).await.map_err(|e| vec![e])?;
    let by_id: HashMap<&str, &Value> =
        list.iter().filter_map(|o| o.get("id").and_then(Value::as_str).map(|id| (id, o))).collect();
    if kind == Kind::Create {
        return created_state(workers, &list, &by_id, before);
    }
    let mut problems = Vec::new();
    let mut uncertain = 0;
    for w in workers {
        let Some(order) = by_id.get(w.order_id.as_str()) else {
            problems.push(format!("order {} (worker {}) is missing from the list", w.order_id, w.index + 1));
            continue;
        };
        let got = (order.get("version").and_then(Value::as_i64), order.get("quantity").and_then(Value::as_i64));
        let expected = (Some(w.created_version + w.acked as i64), Some(w.quantity));
        // A write that never got an answer may have been applied or not; both are honest.
        let alternative = w.unknown.map(|q| (Some(w.created_version + w.acked as i64 + 1), Some(q)));
        if got == expected {
            continue;
        }
        if Some(got) == alternative {
            uncertain += 1;
            continue;
        }
        problems.push(format!(
            "order {} (worker {}): version {:?} quantity {:?}, expected version {} quantity {} ({} acknowledged writes)",
            w.order_id,
            w.index + 1,
            got.0,
            got.1,
            w.created_version + w.acked as i64,
            w.quantity,
            w.acked
        ));
    }
    if problems.is_empty() {
        let mut note = format!("{} orders, versions and quantities equal the acknowledged effects", workers.len());
        if uncertain > 0 {
            note.push_str(&format!("; {uncertain} include one unanswered write that was applied"));
        }
        Ok(note)
    } else {
        Err(problems)
    }
}

/// `--kind create`: every acknowledged draft is in the list once, as sent, and nothing else was
/// added (but, at most, each worker's one unanswered create).
fn created_state(workers: &[Worker], list: &[Value], by_id: &HashMap<&str, &Value>, before: usize) -> Result<String, Vec<String>> {
    let mut problems = Vec::new();
    if by_id.len() != list.len() {
        problems.push(format!("the list has {} rows for {} ids: an order appears twice", list.len(), by_id.len()));
    }
    let mut expected = before;
    for w in workers {
        for (id, customer) in &w.created {
            expected += 1;
            match by_id.get(id.as_str()) {
                Some(o) if o.get("customer").and_then(Value::as_str) == Some(customer.as_str()) => {}
                Some(o) => problems.push(format!("draft {id} (worker {}) reads {o}, expected customer {customer:?}", w.index + 1)),
                None => problems.push(format!("acknowledged draft {id} (worker {}) is missing", w.index + 1)),
            }
        }
    }
    let landed_unanswered = workers.iter().filter_map(|w| w.unknown_created.as_deref()).filter(|id| by_id.contains_key(id)).count();
    if list.len() != expected + landed_unanswered {
        problems.push(format!("the list has {} orders; the acknowledged effects make {expected} (+{landed_unanswered} unanswered that landed)", list.len()));
    }
    if problems.is_empty() {
        Ok(format!("{} orders: every acknowledged draft once, as sent, and no other", list.len()))
    } else {
        Err(problems)
    }
}
