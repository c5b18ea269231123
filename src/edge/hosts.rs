//! The `Host` allowlist: the names the server answers for. Anything else is a request meant
//! for another site that reached us (a rebound DNS name, a misrouted proxy) and is refused.

use axum::extract::Request;
use axum::http::header::HOST;
use std::net::SocketAddr;

/// Host names with their port, lower-case, as a request's `Host` header spells them.
#[derive(Debug)]
pub struct Allowed(Vec<String>);

impl Allowed {
    /// `configured` when the settings name hosts; else the address listened on (and the
    /// `localhost` names when that is a loopback or any-address) and the base URL's host.
    pub fn new(configured: &[String], bound: SocketAddr, base_url: &str) -> Allowed {
        let mut hosts: Vec<String> = Vec::new();
        if configured.is_empty() {
            let port = bound.port();
            hosts.push(authority(&bound.ip().to_string(), port));
            if bound.ip().is_loopback() || bound.ip().is_unspecified() {
                for name in ["localhost", "127.0.0.1", "::1"] {
                    hosts.push(authority(name, port));
                }
            }
            if let Some(base) = base_url.split_once("://").map(|(_, rest)| rest) {
                let base = base.split('/').next().unwrap_or_default();
                hosts.push(base.to_string());
                // A URL's default port may or may not be spelled out in `Host`.
                if !base.contains(':') || base.ends_with(']') {
                    let port = if base_url.starts_with("https://") { 443 } else { 80 };
                    hosts.push(format!("{base}:{port}"));
                }
            }
        } else {
            hosts.extend(configured.iter().cloned());
        }
        let mut hosts: Vec<String> = hosts.into_iter().map(|h| h.to_ascii_lowercase()).collect();
        hosts.sort();
        hosts.dedup();
        Allowed(hosts)
    }

    /// Whether the request names one of the allowed hosts (HTTP/2 sends it in the URI).
    pub fn allows(&self, req: &Request) -> bool {
        let host = req
            .headers()
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| req.uri().authority().map(|a| a.as_str()));
        host.is_some_and(|h| self.0.iter().any(|allowed| allowed.eq_ignore_ascii_case(h)))
    }
}

/// `host:port`, with an IPv6 address in brackets.
fn authority(host: &str, port: u16) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(host: &str) -> Request {
        Request::builder().uri("/orders").header(HOST, host).body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn by_default_the_listening_address_localhost_and_the_base_url_are_allowed() {
        let allowed = Allowed::new(&[], "127.0.0.1:3000".parse().unwrap(), "https://desk.example.com");
        for ok in ["127.0.0.1:3000", "localhost:3000", "LOCALHOST:3000", "[::1]:3000", "desk.example.com", "desk.example.com:443"] {
            assert!(allowed.allows(&req(ok)), "{ok}");
        }
        for refused in ["evil.example:3000", "127.0.0.1:3001", "localhost", "desk.example.com.evil.example", ""] {
            assert!(!allowed.allows(&req(refused)), "{refused}");
        }
        let no_host = Request::builder().uri("/orders").body(axum::body::Body::empty()).unwrap();
        assert!(!allowed.allows(&no_host));
    }

    #[test]
    fn configured_hosts_replace_the_defaults() {
        let allowed = Allowed::new(&["Desk.Example.com".into()], "0.0.0.0:3000".parse().unwrap(), "http://127.0.0.1:3000");
        assert!(allowed.allows(&req("desk.example.com")));
        assert!(!allowed.allows(&req("127.0.0.1:3000")));
    }
}
