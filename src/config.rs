//! Runtime settings: read from `Leptos.toml` (or the file named by `ORDERDESK_CONFIG`), each
//! key overridable by an environment variable. Build settings live in Cargo.toml, not here.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Everything the server needs to start.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    #[serde(default)]
    pub writes: WriteSettings,
    #[serde(default)]
    pub faults: FaultSettings,
    #[serde(default)]
    pub jobs: JobSettings,
    #[serde(default)]
    pub email: EmailSettings,
    #[serde(default)]
    pub pricing: PricingSettings,
    #[serde(default)]
    pub retention: RetentionSettings,
    #[serde(default)]
    pub list: ListSettings,
    #[serde(default)]
    pub accounts: AccountSettings,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSettings {
    /// `ORDERDESK_SESSION_HOURS`: how long a sign-in lasts (from signing in).
    #[serde(default = "default_session_hours")]
    pub session_hours: u32,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self { session_hours: default_session_hours() }
    }
}

/// Bounds of `accounts.session_hours`: at least an hour, at most a year.
pub const SESSION_HOURS: std::ops::RangeInclusive<u32> = 1..=8_760;

fn default_session_hours() -> u32 {
    336
}

impl AccountSettings {
    pub fn validate(&self) -> Result<(), String> {
        within("accounts.session_hours", self.session_hours, &SESSION_HOURS, "hours")
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// `ORDERDESK_ADDRESS`
    pub address: SocketAddr,
    /// `ORDERDESK_ALLOWED_HOSTS` (comma-separated): the `Host` names the server answers for.
    /// Empty: the listening address (and `localhost` when it is a loopback or any-address) and
    /// `email.base_url`'s host.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// `ORDERDESK_MAX_BODY_BYTES`: larger request bodies are refused with 413.
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    /// `ORDERDESK_HEADER_TIMEOUT_MS`: a client that hasn't sent a request's headers by then is
    /// disconnected (slow-header clients can't hold connections).
    #[serde(default = "default_header_timeout")]
    pub header_read_timeout_ms: u64,
    /// `ORDERDESK_IDLE_TIMEOUT_MS`: a kept-alive connection with no request for this long is
    /// closed. Long on purpose: a client that reuses a connection just as the server closes it
    /// gets a reset, and browsers retry but many HTTP clients (Node's agents) don't.
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout_ms: u64,
    /// `ORDERDESK_REQUEST_TIMEOUT_MS`: a request still unanswered after this gets 408 (the
    /// event stream excepted). Longer than `writes.request_deadline_ms`.
    #[serde(default = "default_request_timeout")]
    pub request_timeout_ms: u64,
    /// `ORDERDESK_MAX_CONNECTIONS`: open connections at once; more wait to be accepted.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// `ORDERDESK_EVENT_STREAMS_PER_CLIENT`: open event streams per client address; beyond it
    /// the stream answers 503 and the page polls instead.
    #[serde(default = "default_streams_per_client")]
    pub event_streams_per_client: usize,
    /// `ORDERDESK_EVENT_STREAMS`: open event streams in total (503 beyond).
    #[serde(default = "default_streams_total")]
    pub event_streams_total: usize,
    /// `ORDERDESK_SHUTDOWN_GRACE_MS`: on Ctrl-C/SIGTERM, how long open requests may finish.
    #[serde(default = "default_shutdown_grace")]
    pub shutdown_grace_ms: u64,
    /// `ORDERDESK_INSTANCE`: this server's name among the instances that share the database
    /// (who runs which job, who published which change). Empty: the machine's host name and the
    /// port it listens on, which no other live instance can have. Two live instances must never
    /// share a name; a restarted one keeps its name, and so takes its jobs back at once.
    #[serde(default)]
    pub instance: String,
}

/// Bounds of the edge's limits: below them the app can't work, above them they protect nothing.
const MAX_BODY_BYTES: std::ops::RangeInclusive<usize> = 4_096..=16 * 1024 * 1024;
const HEADER_TIMEOUT_MS: std::ops::RangeInclusive<u64> = 100..=120_000;
const IDLE_TIMEOUT_MS: std::ops::RangeInclusive<u64> = 1_000..=3_600_000;
const SHUTDOWN_GRACE_MS: std::ops::RangeInclusive<u64> = 0..=300_000;
/// Bounds of `jobs.lease_ms`: renewed every third of it, so not so short that a busy moment
/// loses it, nor so long that a dead instance's jobs wait long for another.
pub const JOB_LEASE_MS: std::ops::RangeInclusive<u64> = 1_000..=600_000;

impl ServerSettings {
    /// This instance's name ([`ServerSettings::instance`]), now that it listens on `addr`.
    pub fn instance_name(&self, addr: SocketAddr) -> String {
        if !self.instance.is_empty() {
            return self.instance.clone();
        }
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".into());
        format!("{host}:{}", addr.port())
    }

    pub fn validate(&self, writes: &WriteSettings) -> Result<(), String> {
        if self.instance.chars().count() > 100 || self.instance.chars().any(char::is_control) {
            return Err("server.instance is too long or holds control characters: name this instance in up to 100 plain characters, or leave it empty.".into());
        }
        within("server.max_body_bytes", self.max_body_bytes, &MAX_BODY_BYTES, "bytes (65536 is plenty for every form the app sends)")?;
        within("server.header_read_timeout_ms", self.header_read_timeout_ms, &HEADER_TIMEOUT_MS, "milliseconds")?;
        within("server.idle_timeout_ms", self.idle_timeout_ms, &IDLE_TIMEOUT_MS, "milliseconds")?;
        // A write may be held until just past the client's deadline (the `hang` fault, a slow
        // disk): the server must not cut it off before the client has given up on it.
        let min_request = writes.request_deadline_ms.saturating_add(1_000);
        if !(min_request..=600_000).contains(&self.request_timeout_ms) {
            return Err(format!(
                "server.request_timeout_ms is {}: set it between {min_request} (writes.request_deadline_ms + 1 s) and 600000 milliseconds.",
                self.request_timeout_ms
            ));
        }
        if self.max_connections == 0 || self.max_connections > 1_000_000 {
            return Err(format!("server.max_connections is {}: set it between 1 and 1000000.", self.max_connections));
        }
        if self.event_streams_per_client == 0 || self.event_streams_per_client > self.event_streams_total {
            return Err(format!(
                "server.event_streams_per_client is {}: set it between 1 and server.event_streams_total ({}).",
                self.event_streams_per_client, self.event_streams_total
            ));
        }
        if self.event_streams_total > self.max_connections {
            return Err(format!(
                "server.event_streams_total ({}) is more than server.max_connections ({}): streams would take every connection.",
                self.event_streams_total, self.max_connections
            ));
        }
        if !SHUTDOWN_GRACE_MS.contains(&self.shutdown_grace_ms) {
            return Err(format!("server.shutdown_grace_ms is {}: set it between 0 and {} milliseconds.", self.shutdown_grace_ms, SHUTDOWN_GRACE_MS.end()));
        }
        for host in &self.allowed_hosts {
            if host.is_empty() || host.contains(['/', ' ', '@']) {
                return Err(format!("server.allowed_hosts has {host:?}: list host names with an optional port, e.g. \"desk.example.com\" or \"10.0.0.5:3000\"."));
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `DATABASE_URL`, e.g. `sqlite://data/orderdesk.db` (relative to the working directory).
    pub url: String,
    /// `ORDERDESK_DB_READERS`: pooled read connections (writes go through one writer).
    #[serde(default = "default_readers")]
    pub readers: u32,
    /// `ORDERDESK_SEED`: fill an empty database with demo orders at start-up.
    #[serde(default = "default_true")]
    pub seed_demo_data: bool,
    /// `ORDERDESK_DEMO_ORDERS`: how many demo orders the seed makes (the first 25 hand-written,
    /// the rest variations of them), e.g. thousands to try the list at size.
    #[serde(default = "default_demo_orders")]
    pub demo_orders: u32,
}

/// Bounds of `database.demo_orders`.
pub const DEMO_ORDERS: std::ops::RangeInclusive<u32> = 1..=1_000_000;

/// `value` of setting `name` must lie in `range`; otherwise says so, with the unit (and any
/// hint) in `unit`.
fn within<T: PartialOrd + std::fmt::Display>(name: &str, value: T, range: &std::ops::RangeInclusive<T>, unit: &str) -> Result<(), String> {
    if range.contains(&value) {
        return Ok(());
    }
    Err(format!("{name} is {value}: set it between {} and {} {unit}.", range.start(), range.end()))
}

/// Bounds of `database.readers`: at least one reader, and no more than SQLite usefully serves.
pub const READERS: std::ops::RangeInclusive<u32> = 1..=64;

impl DatabaseSettings {
    /// A file database with at least one reader. An in-memory database is refused: the writer
    /// and every reader are separate connections, so each would see its own empty database,
    /// and nothing would survive a restart.
    pub fn validate(&self) -> Result<(), String> {
        let url = self.url.trim();
        let lower = url.to_ascii_lowercase();
        if url.is_empty() {
            return Err("database.url is empty: name a SQLite file, e.g. sqlite://data/orderdesk.db.".into());
        }
        if crate::store::Dialect::of_url(url).is_none() {
            return Err(format!(
                "database.url is {url:?}, which names neither a SQLite file (sqlite://data/orderdesk.db) nor a PostgreSQL database (postgres://user:password@host/database)."
            ));
        }
        if lower.contains(":memory:") || lower.contains("mode=memory") {
            return Err(format!(
                "database.url is {url:?}, an in-memory database: its orders would vanish at every restart and each connection would see a different one. Name a SQLite file, e.g. sqlite://data/orderdesk.db."
            ));
        }
        within("database.demo_orders", self.demo_orders, &DEMO_ORDERS, "orders")?;
        within("database.readers", self.readers, &READERS, "pooled read connections (8 suits most machines)")?;
        Ok(())
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteSettings {
    /// `ORDERDESK_UNDO_WINDOW_SECS`: how long a deleted draft can be brought back.
    #[serde(default = "default_undo_window")]
    pub undo_window_secs: u64,
    /// `ORDERDESK_IDEMPOTENCY_TTL_HOURS`: how long a write's answer is kept for repeats.
    #[serde(default = "default_ttl")]
    pub idempotency_ttl_hours: u64,
    /// `ORDERDESK_WRITE_DEADLINE_MS`: how long the client waits for a write's answer before it
    /// treats the request as lost and re-sends it with the same key. The `hang` fault holds a
    /// write past it.
    #[serde(default = "default_write_deadline")]
    pub request_deadline_ms: u64,
}

impl Default for WriteSettings {
    fn default() -> Self {
        Self { undo_window_secs: default_undo_window(), idempotency_ttl_hours: default_ttl(), request_deadline_ms: default_write_deadline() }
    }
}

/// Bounds of `writes.request_deadline_ms`: long enough for a slow network, short enough that a
/// lost request is noticed.
pub const WRITE_DEADLINE_MS: std::ops::RangeInclusive<u64> = 1_000..=120_000;
/// Bounds of `writes.undo_window_secs`: long enough to reach Undo, short enough that a delete
/// becomes final within the hour.
pub const UNDO_WINDOW_SECS: std::ops::RangeInclusive<u64> = 1..=3_600;
/// Bounds of `writes.idempotency_ttl_hours`: a repeat must find its answer for at least an hour
/// (a client retries for minutes, a closed laptop for longer); a month bounds the table.
pub const IDEMPOTENCY_TTL_HOURS: std::ops::RangeInclusive<u64> = 1..=720;

impl WriteSettings {
    pub fn validate(&self) -> Result<(), String> {
        within("writes.undo_window_secs", self.undo_window_secs, &UNDO_WINDOW_SECS, "seconds (10 gives people time to press Undo)")?;
        within("writes.idempotency_ttl_hours", self.idempotency_ttl_hours, &IDEMPOTENCY_TTL_HOURS, "hours (24 keeps a write's answer for a day)")?;
        within("writes.request_deadline_ms", self.request_deadline_ms, &WRITE_DEADLINE_MS, "milliseconds (10000 waits ten seconds for an answer)")?;
        Ok(())
    }
}

/// Pricing the server applies and the client does not know, so the server's total can differ
/// from the client's prediction (a soft conflict).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PricingSettings {
    /// `ORDERDESK_PROMOTION_PERCENT`: percent off a line, on top of the bulk discount (0 = off).
    pub promotion_percent: u8,
    /// `ORDERDESK_PROMOTION_FROM_QUANTITY`: the quantity from which the promotion applies.
    pub promotion_from_quantity: u32,
}

impl Default for PricingSettings {
    fn default() -> Self {
        Self { promotion_percent: 5, promotion_from_quantity: 20 }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSettings {
    /// `ORDERDESK_PAGE_SIZE`: orders per page of the list.
    #[serde(default = "default_page_size")]
    pub page_size: u32,
}

impl Default for ListSettings {
    fn default() -> Self {
        Self { page_size: default_page_size() }
    }
}

/// Bounds of `list.page_size`: a page must show something and stay small on the wire.
pub const PAGE_SIZE: std::ops::RangeInclusive<u32> = 1..=500;

fn default_page_size() -> u32 {
    50
}

impl ListSettings {
    pub fn validate(&self) -> Result<(), String> {
        within("list.page_size", self.page_size, &PAGE_SIZE, "orders per page")?;
        Ok(())
    }
}

impl PricingSettings {
    /// The promotion as the domain's pricing takes it.
    pub fn promotion(&self) -> crate::domain::Promotion {
        crate::domain::Promotion { percent: self.promotion_percent, from_quantity: self.promotion_from_quantity }
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.promotion_percent > 50 {
            return Err(format!(
                "pricing.promotion_percent is {}: set it between 0 (off) and 50 percent.",
                self.promotion_percent
            ));
        }
        let max = crate::domain::Quantity::MAX;
        if !(1..=max).contains(&self.promotion_from_quantity) {
            return Err(format!(
                "pricing.promotion_from_quantity is {}: set the quantity the promotion starts at, between 1 and {max}.",
                self.promotion_from_quantity
            ));
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSettings {
    /// `ORDERDESK_FAULTS`: expose the fault-control endpoint. Never on in production.
    #[serde(default)]
    pub enabled: bool,
    /// `ORDERDESK_FAULTS_ON_ANY_ADDRESS`: allow fault controls on an address other machines can
    /// reach. Without it, fault controls on a non-loopback address refuse to start.
    #[serde(default)]
    pub on_any_address: bool,
}

impl FaultSettings {
    pub fn validate(&self, address: SocketAddr) -> Result<(), String> {
        if self.enabled && !address.ip().is_loopback() && !self.on_any_address {
            return Err(format!(
                "fault controls are on (faults.enabled) and the server listens on {address}, which other machines can reach: \
                 anyone could make writes fail. Listen on 127.0.0.1, turn fault controls off, or set faults.on_any_address = true \
                 (ORDERDESK_FAULTS_ON_ANY_ADDRESS=true) if you really mean it."
            ));
        }
        Ok(())
    }
}

/// Placing an order runs as a job of three steps; how long each takes and how often one fails.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobSettings {
    /// `ORDERDESK_JOB_PAYMENT_MS`: how long authorising the payment takes.
    pub payment_ms: u64,
    /// `ORDERDESK_JOB_STOCK_MS`: how long reserving the stock takes.
    pub stock_ms: u64,
    /// `ORDERDESK_JOB_FULFILMENT_MS`: how long arranging fulfilment takes.
    pub fulfilment_ms: u64,
    /// `ORDERDESK_JOB_FAILURE_RATE`: the chance (0 to 1) that a job fails at one of its steps.
    pub failure_rate: f64,
    /// `ORDERDESK_JOB_ETA_MS`: how long placing usually takes, as the UI promises it; past it
    /// the UI says it is taking longer than usual.
    pub eta_ms: u64,
    /// `ORDERDESK_JOB_DEADLINE_MS`: a job still running this long after it was submitted fails.
    pub deadline_ms: u64,
    /// `ORDERDESK_JOB_LEASE_MS`: a running job is run by one server instance at a time, which
    /// renews its hold on it (its lease) every third of this; when an instance stops renewing (it
    /// died), another takes the job over this long after the last renewal.
    pub lease_ms: u64,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self { payment_ms: 25_000, stock_ms: 35_000, fulfilment_ms: 40_000, failure_rate: 0.05, eta_ms: 120_000, deadline_ms: 300_000, lease_ms: 10_000 }
    }
}

impl JobSettings {
    /// How long `step` takes, in milliseconds.
    pub fn step_ms(&self, step: crate::domain::JobStep) -> u64 {
        match step {
            crate::domain::JobStep::Payment => self.payment_ms,
            crate::domain::JobStep::Stock => self.stock_ms,
            crate::domain::JobStep::Fulfilment => self.fulfilment_ms,
        }
    }

    /// The rules a working job runner needs: a rate that is a chance, a deadline after the ETA
    /// and within [`JOB_DEADLINE_MS_MAX`] (so submission time plus deadline can't overflow), and
    /// steps that fit in the deadline together (else every job would fail at it).
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.failure_rate) {
            return Err(format!("jobs.failure_rate is {}, but it is a chance: set it between 0 and 1 (0.05 fails one job in twenty).", self.failure_rate));
        }
        within("jobs.lease_ms", self.lease_ms, &JOB_LEASE_MS, "milliseconds (10000: a job whose server died is taken over within ten seconds)")?;
        if self.eta_ms == 0 {
            return Err("jobs.eta_ms is 0: set how long placing an order usually takes, in milliseconds.".into());
        }
        if self.deadline_ms > JOB_DEADLINE_MS_MAX {
            return Err(format!(
                "jobs.deadline_ms is {}: set it to at most {JOB_DEADLINE_MS_MAX} milliseconds (a week); nobody waits longer for an order to be placed.",
                self.deadline_ms
            ));
        }
        if self.deadline_ms <= self.eta_ms {
            return Err(format!(
                "jobs.deadline_ms ({}) must be longer than jobs.eta_ms ({}): a job must be allowed to run past its usual time before it fails.",
                self.deadline_ms, self.eta_ms
            ));
        }
        let steps = [self.payment_ms, self.stock_ms, self.fulfilment_ms];
        let total = steps.iter().try_fold(0u64, |sum, ms| sum.checked_add(*ms));
        if total.is_none_or(|t| t >= self.deadline_ms) {
            return Err(format!(
                "jobs.payment_ms + stock_ms + fulfilment_ms ({} + {} + {}) must be shorter than jobs.deadline_ms ({}): otherwise every job fails at its deadline.",
                self.payment_ms, self.stock_ms, self.fulfilment_ms, self.deadline_ms
            ));
        }
        Ok(())
    }
}

/// The longest `jobs.deadline_ms`: a week.
pub const JOB_DEADLINE_MS_MAX: u64 = 7 * 24 * 3_600_000;

/// How long what the server no longer needs is kept, and how often it is pruned. Live data
/// (running jobs, unsent notifications, orders) is never pruned.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionSettings {
    /// `ORDERDESK_RETAIN_JOBS_DAYS`: days an ended job (and with it its history and
    /// notification) is kept after it ended.
    pub ended_jobs_days: u64,
    /// `ORDERDESK_RETAIN_JOB_EVENTS_DAYS`: days the history lines of an ended job are kept.
    pub job_events_days: u64,
    /// `ORDERDESK_RETAIN_NOTIFICATIONS_DAYS`: days a notification that was sent (or given up
    /// on) is kept.
    pub notifications_days: u64,
    /// `ORDERDESK_RETAIN_OUTBOX_DAYS`: days an `.eml` file stays in `email.outbox_dir`.
    pub outbox_files_days: u64,
    /// `ORDERDESK_PRUNE_EVERY_SECS`: how often expired idempotency keys, final deletes and the
    /// above are pruned.
    pub prune_every_secs: u64,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self { ended_jobs_days: 90, job_events_days: 90, notifications_days: 30, outbox_files_days: 30, prune_every_secs: 60 }
    }
}

/// Bounds of each `retention.*_days`: at least a day, at most ten years.
pub const RETENTION_DAYS: std::ops::RangeInclusive<u64> = 1..=3_650;
/// Bounds of `retention.prune_every_secs`: every second to every hour.
pub const PRUNE_EVERY_SECS: std::ops::RangeInclusive<u64> = 1..=3_600;

impl RetentionSettings {
    pub fn validate(&self) -> Result<(), String> {
        let days = [
            ("ended_jobs_days", self.ended_jobs_days),
            ("job_events_days", self.job_events_days),
            ("notifications_days", self.notifications_days),
            ("outbox_files_days", self.outbox_files_days),
        ];
        for (key, value) in days {
            if !RETENTION_DAYS.contains(&value) {
                return Err(format!(
                    "retention.{key} is {value}: set it between {} and {} days.",
                    RETENTION_DAYS.start(),
                    RETENTION_DAYS.end()
                ));
            }
        }
        within("retention.prune_every_secs", self.prune_every_secs, &PRUNE_EVERY_SECS, "seconds (60 prunes once a minute)")?;
        Ok(())
    }

    /// `days` in milliseconds.
    pub fn days_ms(days: u64) -> i64 {
        i64::try_from(days).unwrap_or(i64::MAX).saturating_mul(86_400_000)
    }
}

/// The email fallback for job notifications: written to a folder unless an SMTP server is set.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailSettings {
    /// `ORDERDESK_OUTBOX_DIR`: where emails are written as `.eml` files when SMTP is off.
    pub outbox_dir: PathBuf,
    /// `ORDERDESK_SMTP_URL`: e.g. `smtps://user:pass@smtp.example.com`; empty writes to the outbox folder.
    pub smtp_url: String,
    /// `ORDERDESK_EMAIL_FROM`
    pub from: String,
    /// `ORDERDESK_EMAIL_TO`: who is told when a job placed before accounts ends (the others tell
    /// whoever placed the order).
    pub to: String,
    /// `ORDERDESK_BASE_URL`: the app's address as people open it, for links in emails.
    pub base_url: String,
}

impl Default for EmailSettings {
    fn default() -> Self {
        Self {
            outbox_dir: "data/outbox".into(),
            smtp_url: String::new(),
            from: "Order Desk <orderdesk@localhost>".into(),
            to: "Order Desk user <user@localhost>".into(),
            base_url: "http://127.0.0.1:3000".into(),
        }
    }
}

impl EmailSettings {
    /// Whether mail goes to an SMTP server (else to the outbox folder).
    pub fn uses_smtp(&self) -> bool {
        !self.smtp_url.trim().is_empty()
    }

    pub fn validate(&self) -> Result<(), String> {
        for (key, value) in [("email.from", &self.from), ("email.to", &self.to)] {
            if value.parse::<lettre::message::Mailbox>().is_err() {
                return Err(format!("{key} is {value:?}, which is not an email address. Use \"Name <name@example.com>\" or \"name@example.com\"."));
            }
        }
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://")) {
            return Err(format!("email.base_url is {:?}: set the address people open the app at, starting with http:// or https://.", self.base_url));
        }
        if !self.uses_smtp() && self.outbox_dir.as_os_str().is_empty() {
            return Err("email.outbox_dir is empty and no SMTP server is set: name a folder for the outbox, or set email.smtp_url.".into());
        }
        Ok(())
    }
}

fn default_max_body() -> usize {
    64 * 1024
}
fn default_header_timeout() -> u64 {
    10_000
}
fn default_idle_timeout() -> u64 {
    300_000
}
fn default_request_timeout() -> u64 {
    60_000
}
fn default_max_connections() -> usize {
    10_000
}
fn default_streams_per_client() -> usize {
    32
}
fn default_streams_total() -> usize {
    1_000
}
fn default_shutdown_grace() -> u64 {
    10_000
}
fn default_readers() -> u32 {
    8
}
fn default_demo_orders() -> u32 {
    25
}
fn default_true() -> bool {
    true
}
fn default_undo_window() -> u64 {
    10
}
fn default_ttl() -> u64 {
    24
}
fn default_write_deadline() -> u64 {
    10_000
}

/// Why the settings could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("can't read the settings file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("the settings file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("the environment variable {var}={value:?} is not valid: {message}")]
    Env { var: &'static str, value: String, message: String },
    #[error("the settings are not usable: {0}")]
    Invalid(String),
}

impl Settings {
    /// Reads the settings file named by `ORDERDESK_CONFIG` (default `Leptos.toml`), then applies
    /// environment overrides.
    pub fn load() -> Result<Self, ConfigError> {
        let path = std::env::var_os("ORDERDESK_CONFIG").map(PathBuf::from).unwrap_or_else(|| "Leptos.toml".into());
        let mut settings = Self::from_file(&path)?;
        settings.apply_env(|k| std::env::var(k).ok())?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks the rules between values that parsing alone can't (a rate is a chance, the
    /// deadline comes after the ETA, addresses are addresses).
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.database.validate().map_err(ConfigError::Invalid)?;
        self.writes.validate().map_err(ConfigError::Invalid)?;
        self.retention.validate().map_err(ConfigError::Invalid)?;
        self.pricing.validate().map_err(ConfigError::Invalid)?;
        self.list.validate().map_err(ConfigError::Invalid)?;
        self.accounts.validate().map_err(ConfigError::Invalid)?;
        self.jobs.validate().map_err(ConfigError::Invalid)?;
        self.email.validate().map_err(ConfigError::Invalid)?;
        self.server.validate(&self.writes).map_err(ConfigError::Invalid)?;
        self.faults.validate(self.server.address).map_err(ConfigError::Invalid)
    }

    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.into(), source })?;
        Self::from_toml(&text).map_err(|message| ConfigError::Parse { path: path.into(), message })
    }

    pub fn from_toml(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.message().to_string())
    }

    /// Applies overrides from `lookup` (the process environment in production).
    pub fn apply_env(&mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn parse<T: std::str::FromStr>(var: &'static str, value: String) -> Result<T, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            value.parse().map_err(|e: T::Err| ConfigError::Env { var, value, message: e.to_string() })
        }
        if let Some(v) = lookup("ORDERDESK_ADDRESS") {
            self.server.address = parse("ORDERDESK_ADDRESS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_ALLOWED_HOSTS") {
            self.server.allowed_hosts = v.split(',').map(str::trim).filter(|h| !h.is_empty()).map(str::to_string).collect();
        }
        if let Some(v) = lookup("ORDERDESK_MAX_BODY_BYTES") {
            self.server.max_body_bytes = parse("ORDERDESK_MAX_BODY_BYTES", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_HEADER_TIMEOUT_MS") {
            self.server.header_read_timeout_ms = parse("ORDERDESK_HEADER_TIMEOUT_MS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_IDLE_TIMEOUT_MS") {
            self.server.idle_timeout_ms = parse("ORDERDESK_IDLE_TIMEOUT_MS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_REQUEST_TIMEOUT_MS") {
            self.server.request_timeout_ms = parse("ORDERDESK_REQUEST_TIMEOUT_MS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_MAX_CONNECTIONS") {
            self.server.max_connections = parse("ORDERDESK_MAX_CONNECTIONS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_EVENT_STREAMS_PER_CLIENT") {
            self.server.event_streams_per_client = parse("ORDERDESK_EVENT_STREAMS_PER_CLIENT", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_EVENT_STREAMS") {
            self.server.event_streams_total = parse("ORDERDESK_EVENT_STREAMS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_SHUTDOWN_GRACE_MS") {
            self.server.shutdown_grace_ms = parse("ORDERDESK_SHUTDOWN_GRACE_MS", v)?;
        }
        if let Some(v) = lookup("DATABASE_URL") {
            self.database.url = v;
        }
        if let Some(v) = lookup("ORDERDESK_DB_READERS") {
            self.database.readers = parse("ORDERDESK_DB_READERS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_SEED") {
            self.database.seed_demo_data = parse("ORDERDESK_SEED", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_DEMO_ORDERS") {
            self.database.demo_orders = parse("ORDERDESK_DEMO_ORDERS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_UNDO_WINDOW_SECS") {
            self.writes.undo_window_secs = parse("ORDERDESK_UNDO_WINDOW_SECS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_IDEMPOTENCY_TTL_HOURS") {
            self.writes.idempotency_ttl_hours = parse("ORDERDESK_IDEMPOTENCY_TTL_HOURS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_WRITE_DEADLINE_MS") {
            self.writes.request_deadline_ms = parse("ORDERDESK_WRITE_DEADLINE_MS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_SESSION_HOURS") {
            self.accounts.session_hours = parse("ORDERDESK_SESSION_HOURS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_PAGE_SIZE") {
            self.list.page_size = parse("ORDERDESK_PAGE_SIZE", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_PROMOTION_PERCENT") {
            self.pricing.promotion_percent = parse("ORDERDESK_PROMOTION_PERCENT", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_PROMOTION_FROM_QUANTITY") {
            self.pricing.promotion_from_quantity = parse("ORDERDESK_PROMOTION_FROM_QUANTITY", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_FAULTS") {
            self.faults.enabled = parse("ORDERDESK_FAULTS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_FAULTS_ON_ANY_ADDRESS") {
            self.faults.on_any_address = parse("ORDERDESK_FAULTS_ON_ANY_ADDRESS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_JOB_PAYMENT_MS") {
            self.jobs.payment_ms = parse("ORDERDESK_JOB_PAYMENT_MS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_JOB_STOCK_MS") {
            self.jobs.stock_ms = parse("ORDERDESK_JOB_STOCK_MS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_JOB_FULFILMENT_MS") {
            self.jobs.fulfilment_ms = parse("ORDERDESK_JOB_FULFILMENT_MS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_JOB_FAILURE_RATE") {
            self.jobs.failure_rate = parse("ORDERDESK_JOB_FAILURE_RATE", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_JOB_ETA_MS") {
            self.jobs.eta_ms = parse("ORDERDESK_JOB_ETA_MS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_JOB_DEADLINE_MS") {
            self.jobs.deadline_ms = parse("ORDERDESK_JOB_DEADLINE_MS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_JOB_LEASE_MS") {
            self.jobs.lease_ms = parse("ORDERDESK_JOB_LEASE_MS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_INSTANCE") {
            self.server.instance = v.trim().to_string();
        }
        if let Some(v) = lookup("ORDERDESK_OUTBOX_DIR") {
            self.email.outbox_dir = v.into();
        }
        if let Some(v) = lookup("ORDERDESK_SMTP_URL") {
            self.email.smtp_url = v;
        }
        if let Some(v) = lookup("ORDERDESK_EMAIL_FROM") {
            self.email.from = v;
        }
        if let Some(v) = lookup("ORDERDESK_EMAIL_TO") {
            self.email.to = v;
        }
        if let Some(v) = lookup("ORDERDESK_BASE_URL") {
            self.email.base_url = v;
        }
        if let Some(v) = lookup("ORDERDESK_RETAIN_JOBS_DAYS") {
            self.retention.ended_jobs_days = parse("ORDERDESK_RETAIN_JOBS_DAYS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_RETAIN_JOB_EVENTS_DAYS") {
            self.retention.job_events_days = parse("ORDERDESK_RETAIN_JOB_EVENTS_DAYS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_RETAIN_NOTIFICATIONS_DAYS") {
            self.retention.notifications_days = parse("ORDERDESK_RETAIN_NOTIFICATIONS_DAYS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_RETAIN_OUTBOX_DAYS") {
            self.retention.outbox_files_days = parse("ORDERDESK_RETAIN_OUTBOX_DAYS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_PRUNE_EVERY_SECS") {
            self.retention.prune_every_secs = parse("ORDERDESK_PRUNE_EVERY_SECS", v)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
        [server]
        address = "127.0.0.1:3000"
        [database]
        url = "sqlite://data/orderdesk.db"
    "#;

    #[test]
    fn the_committed_leptos_toml_parses() {
        let text = include_str!("../Leptos.toml");
        let s = Settings::from_toml(text).expect("Leptos.toml must parse");
        assert!(!s.faults.enabled, "fault controls must be off by default");
    }

    #[test]
    fn defaults_fill_optional_sections() {
        let s = Settings::from_toml(SAMPLE).unwrap();
        assert_eq!(s.jobs.payment_ms + s.jobs.stock_ms + s.jobs.fulfilment_ms, 100_000);
        assert_eq!(s.jobs.failure_rate, 0.05);
        assert_eq!(crate::domain::about(s.jobs.eta_ms as i64), "about 2 minutes");
        assert_eq!(s.jobs.deadline_ms, 300_000);
        assert_eq!(s.email.outbox_dir, PathBuf::from("data/outbox"));
        assert!(!s.email.uses_smtp());
        s.validate().expect("the defaults are valid");
        assert_eq!(s.writes.undo_window_secs, 10);
        assert_eq!(s.writes.idempotency_ttl_hours, 24);
        assert_eq!(s.writes.request_deadline_ms, 10_000);
        assert_eq!((s.pricing.promotion_percent, s.pricing.promotion_from_quantity), (5, 20), "the promotion is on by default");
        assert_eq!(s.database.readers, 8);
    }

    #[test]
    fn the_committed_leptos_toml_prices_and_times_writes_like_the_defaults() {
        let s = Settings::from_toml(include_str!("../Leptos.toml")).unwrap();
        let d = PricingSettings::default();
        assert_eq!((s.pricing.promotion_percent, s.pricing.promotion_from_quantity), (d.promotion_percent, d.promotion_from_quantity));
        assert_eq!(s.writes.request_deadline_ms, WriteSettings::default().request_deadline_ms);
    }

    #[test]
    fn write_deadline_and_promotion_follow_the_environment_and_are_bounded() {
        let mut s = Settings::from_toml(SAMPLE).unwrap();
        s.apply_env(|k| {
            Some(match k {
                "ORDERDESK_WRITE_DEADLINE_MS" => "2500",
                "ORDERDESK_PROMOTION_PERCENT" => "0",
                "ORDERDESK_PROMOTION_FROM_QUANTITY" => "50",
                _ => return None,
            }.to_string())
        })
        .unwrap();
        assert_eq!(s.writes.request_deadline_ms, 2_500);
        assert_eq!(s.pricing.promotion(), crate::domain::Promotion { percent: 0, from_quantity: 50 });
        s.validate().unwrap();
        let err = s.apply_env(|k| (k == "ORDERDESK_PROMOTION_PERCENT").then(|| "lots".to_string())).unwrap_err();
        assert!(err.to_string().contains("ORDERDESK_PROMOTION_PERCENT"), "{err}");

        s.writes.request_deadline_ms = 999;
        let err = s.validate().unwrap_err().to_string();
        assert!(err.contains("request_deadline_ms") && err.contains("between 1000 and 120000"), "{err}");
        s.writes.request_deadline_ms = 120_001;
        assert!(s.validate().is_err());
        s.writes.request_deadline_ms = 120_000;
        s.pricing.promotion_percent = 51;
        assert!(s.validate().unwrap_err().to_string().contains("promotion_percent"));
        s.pricing.promotion_percent = 5;
        s.pricing.promotion_from_quantity = 0;
        assert!(s.validate().unwrap_err().to_string().contains("promotion_from_quantity"));
        assert!(Settings::from_toml(&format!("{SAMPLE}\n[pricing]\nbogus = 1")).is_err(), "unknown keys are refused");
    }

    #[test]
    fn environment_overrides_the_file() {
        let mut s = Settings::from_toml(SAMPLE).unwrap();
        s.apply_env(|k| match k {
            "ORDERDESK_ADDRESS" => Some("0.0.0.0:8080".into()),
            "DATABASE_URL" => Some("sqlite://other.db".into()),
            "ORDERDESK_FAULTS" => Some("true".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(s.server.address.port(), 8080);
        assert_eq!(s.database.url, "sqlite://other.db");
        assert!(s.faults.enabled);
    }

    #[test]
    fn bad_values_name_the_variable_or_key() {
        let mut s = Settings::from_toml(SAMPLE).unwrap();
        let err = s.apply_env(|k| (k == "ORDERDESK_ADDRESS").then(|| "nowhere".to_string())).unwrap_err();
        assert!(err.to_string().contains("ORDERDESK_ADDRESS"), "{err}");
        let err = Settings::from_toml("[server]\naddress = 3\n[database]\nurl='x'").unwrap_err();
        assert!(err.contains("address") || err.contains("invalid type"), "{err}");
        assert!(Settings::from_toml("[server]\naddress='127.0.0.1:1'\n[database]\nurl='x'\nbogus=1").is_err());
    }

    #[test]
    fn the_committed_leptos_toml_is_valid_and_matches_the_defaults() {
        let s = Settings::from_toml(include_str!("../Leptos.toml")).unwrap();
        s.validate().expect("Leptos.toml's values are valid");
        let d = JobSettings::default();
        assert_eq!((s.jobs.payment_ms, s.jobs.stock_ms, s.jobs.fulfilment_ms), (d.payment_ms, d.stock_ms, d.fulfilment_ms));
        assert_eq!((s.jobs.eta_ms, s.jobs.deadline_ms, s.jobs.failure_rate, s.jobs.lease_ms), (d.eta_ms, d.deadline_ms, d.failure_rate, d.lease_ms));
        assert_eq!(s.email.smtp_url, "", "email goes to the outbox folder unless SMTP is set");
    }

    #[test]
    fn job_and_email_settings_follow_the_environment() {
        let mut s = Settings::from_toml(SAMPLE).unwrap();
        s.apply_env(|k| {
            Some(match k {
                "ORDERDESK_JOB_PAYMENT_MS" => "100",
                "ORDERDESK_JOB_STOCK_MS" => "200",
                "ORDERDESK_JOB_FULFILMENT_MS" => "300",
                "ORDERDESK_JOB_FAILURE_RATE" => "0.5",
                "ORDERDESK_JOB_ETA_MS" => "1000",
                "ORDERDESK_JOB_DEADLINE_MS" => "2000",
                "ORDERDESK_JOB_LEASE_MS" => "3000",
                "ORDERDESK_INSTANCE" => " desk-2 ",
                "ORDERDESK_OUTBOX_DIR" => "/tmp/out",
                "ORDERDESK_SMTP_URL" => "smtp://localhost:2525",
                "ORDERDESK_EMAIL_FROM" => "desk@example.com",
                "ORDERDESK_EMAIL_TO" => "Sam <sam@example.com>",
                "ORDERDESK_BASE_URL" => "https://desk.example.com",
                _ => return None,
            }.to_string())
        })
        .unwrap();
        assert_eq!((s.jobs.payment_ms, s.jobs.stock_ms, s.jobs.fulfilment_ms), (100, 200, 300));
        assert_eq!(s.jobs.failure_rate, 0.5);
        assert_eq!((s.jobs.eta_ms, s.jobs.deadline_ms, s.jobs.lease_ms), (1000, 2000, 3000));
        assert_eq!(s.server.instance, "desk-2");
        assert_eq!(s.email.outbox_dir, PathBuf::from("/tmp/out"));
        assert!(s.email.uses_smtp());
        assert_eq!(s.email.from, "desk@example.com");
        assert_eq!(s.email.to, "Sam <sam@example.com>");
        assert_eq!(s.email.base_url, "https://desk.example.com");
        s.validate().unwrap();
        let err = s.apply_env(|k| (k == "ORDERDESK_JOB_FAILURE_RATE").then(|| "often".to_string())).unwrap_err();
        assert!(err.to_string().contains("ORDERDESK_JOB_FAILURE_RATE"), "{err}");
    }

    #[test]
    fn job_settings_that_cannot_work_are_refused_with_the_reason() {
        let mut s = Settings::from_toml(SAMPLE).unwrap();
        s.jobs.failure_rate = 1.5;
        let err = s.validate().unwrap_err().to_string();
        assert!(err.contains("failure_rate") && err.contains("between 0 and 1"), "{err}");
        s.jobs.failure_rate = 0.0;
        s.jobs.deadline_ms = s.jobs.eta_ms;
        let err = s.validate().unwrap_err().to_string();
        assert!(err.contains("deadline_ms") && err.contains("longer than"), "{err}");
        s.jobs.deadline_ms = s.jobs.eta_ms + 1;
        s.email.to = "not an address".into();
        let err = s.validate().unwrap_err().to_string();
        assert!(err.contains("email.to"), "{err}");
        s.email.to = "a@example.com".into();
        s.email.base_url = "desk.example.com".into();
        assert!(s.validate().unwrap_err().to_string().contains("base_url"));
        assert!(Settings::from_toml(&format!("{SAMPLE}\n[jobs]\nbogus = 1")).is_err(), "unknown keys are refused");
    }

    /// The first problem `validate` finds after `change`, starting from valid defaults.
    fn refusal(change: impl FnOnce(&mut Settings)) -> String {
        let mut s = Settings::from_toml(SAMPLE).unwrap();
        s.validate().expect("the sample is valid");
        change(&mut s);
        s.validate().expect_err("the change must be refused").to_string()
    }

    /// What the message must say, and the change that makes the settings unusable.
    type Case = (&'static str, fn(&mut Settings));

    #[test]
    fn settings_out_of_range_are_refused_at_start_up_naming_the_key() {
        let cases: [Case; 16] = [
            ("writes.idempotency_ttl_hours is 0", |s| s.writes.idempotency_ttl_hours = 0),
            ("writes.idempotency_ttl_hours is 100000", |s| s.writes.idempotency_ttl_hours = 100_000),
            ("writes.undo_window_secs is 0", |s| s.writes.undo_window_secs = 0),
            ("writes.undo_window_secs is 86400", |s| s.writes.undo_window_secs = 86_400),
            ("database.readers is 0", |s| s.database.readers = 0),
            ("in-memory database", |s| s.database.url = "sqlite::memory:".into()),
            ("in-memory database", |s| s.database.url = "sqlite://orders?mode=memory&cache=shared".into()),
            ("database.url is empty", |s| s.database.url = " ".into()),
            ("names neither a SQLite file", |s| s.database.url = "mysql://desk@db.example.com/orders".into()),
            ("names neither a SQLite file", |s| s.database.url = "data/orderdesk.db".into()),
            ("jobs.deadline_ms is 18446744073709551615", |s| s.jobs.deadline_ms = u64::MAX),
            ("must be longer than jobs.eta_ms", |s| s.jobs.eta_ms = u64::MAX),
            ("must be shorter than jobs.deadline_ms", |s| s.jobs.stock_ms = 300_000),
            ("must be shorter than jobs.deadline_ms", |s| s.jobs.payment_ms = u64::MAX),
            ("retention.outbox_files_days is 0", |s| s.retention.outbox_files_days = 0),
            ("retention.prune_every_secs is 0", |s| s.retention.prune_every_secs = 0),
        ];
        let mut postgres = Settings::from_toml(SAMPLE).unwrap();
        postgres.database.url = "PostgreSQL://desk@db.example.com/orders".into();
        postgres.validate().expect("a PostgreSQL database is usable");
        for (expected, change) in cases {
            let err = refusal(change);
            assert!(err.contains(expected), "expected {expected:?} in {err:?}");
            assert!(err.starts_with("the settings are not usable: "), "one clear message: {err}");
        }
    }

    #[test]
    fn retention_defaults_follow_the_environment_and_leptos_toml_matches_them() {
        let s = Settings::from_toml(include_str!("../Leptos.toml")).unwrap();
        let d = RetentionSettings::default();
        let days = |r: &RetentionSettings| (r.ended_jobs_days, r.job_events_days, r.notifications_days, r.outbox_files_days, r.prune_every_secs);
        assert_eq!(days(&s.retention), days(&d));
        let mut s = Settings::from_toml(SAMPLE).unwrap();
        assert_eq!(days(&s.retention), days(&d), "an absent section takes the defaults");
        s.apply_env(|k| {
            Some(match k {
                "ORDERDESK_RETAIN_JOBS_DAYS" => "7",
                "ORDERDESK_RETAIN_JOB_EVENTS_DAYS" => "3",
                "ORDERDESK_RETAIN_NOTIFICATIONS_DAYS" => "2",
                "ORDERDESK_RETAIN_OUTBOX_DAYS" => "1",
                "ORDERDESK_PRUNE_EVERY_SECS" => "5",
                _ => return None,
            }.to_string())
        })
        .unwrap();
        assert_eq!(days(&s.retention), (7, 3, 2, 1, 5));
        s.validate().unwrap();
        let err = s.apply_env(|k| (k == "ORDERDESK_RETAIN_OUTBOX_DAYS").then(|| "-1".to_string())).unwrap_err();
        assert!(err.to_string().contains("ORDERDESK_RETAIN_OUTBOX_DAYS"), "{err}");
        assert_eq!(RetentionSettings::days_ms(2), 172_800_000);
        assert!(Settings::from_toml(&format!("{SAMPLE}\n[retention]\nbogus = 1")).is_err(), "unknown keys are refused");
    }
}
