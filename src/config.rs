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
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// `ORDERDESK_ADDRESS`
    pub address: SocketAddr,
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
}

impl Default for WriteSettings {
    fn default() -> Self {
        Self { undo_window_secs: default_undo_window(), idempotency_ttl_hours: default_ttl() }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSettings {
    /// `ORDERDESK_FAULTS`: expose the fault-control endpoint. Never on in production.
    #[serde(default)]
    pub enabled: bool,
}

fn default_readers() -> u32 {
    8
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

/// Why the settings could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("can't read the settings file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("the settings file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("the environment variable {var}={value:?} is not valid: {message}")]
    Env { var: &'static str, value: String, message: String },
}

impl Settings {
    /// Reads the settings file named by `ORDERDESK_CONFIG` (default `Leptos.toml`), then applies
    /// environment overrides.
    pub fn load() -> Result<Self, ConfigError> {
        let path = std::env::var_os("ORDERDESK_CONFIG").map(PathBuf::from).unwrap_or_else(|| "Leptos.toml".into());
        let mut settings = Self::from_file(&path)?;
        settings.apply_env(|k| std::env::var(k).ok())?;
        Ok(settings)
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
        if let Some(v) = lookup("DATABASE_URL") {
            self.database.url = v;
        }
        if let Some(v) = lookup("ORDERDESK_DB_READERS") {
            self.database.readers = parse("ORDERDESK_DB_READERS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_SEED") {
            self.database.seed_demo_data = parse("ORDERDESK_SEED", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_UNDO_WINDOW_SECS") {
            self.writes.undo_window_secs = parse("ORDERDESK_UNDO_WINDOW_SECS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_IDEMPOTENCY_TTL_HOURS") {
            self.writes.idempotency_ttl_hours = parse("ORDERDESK_IDEMPOTENCY_TTL_HOURS", v)?;
        }
        if let Some(v) = lookup("ORDERDESK_FAULTS") {
            self.faults.enabled = parse("ORDERDESK_FAULTS", v)?;
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
        assert_eq!(s.writes.undo_window_secs, 10);
        assert_eq!(s.writes.idempotency_ttl_hours, 24);
        assert_eq!(s.database.readers, 8);
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
}
