//! The HTTP edge against the real server: requests from other sites, other hosts, bad
//! content types, malformed and oversized bodies, slow clients and too many event streams are
//! refused with a 4xx (or 503), change nothing, and never reach a 5xx.

mod common;

use common::{spawn_app, spawn_app_with, TestApp};
use orderdesk::domain::Order;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A client that says nothing about where it comes from (no Origin, no Sec-Fetch-Site).
fn bare_client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// A valid create form for a new draft.
fn create_form() -> Vec<(&'static str, String)> {
    vec![
        ("key", uuid::Uuid::now_v7().to_string()),
        ("id", uuid::Uuid::now_v7().to_string()),
        ("customer", "Mallory".into()),
        ("item", "Free gift".into()),
        ("quantity", "1".into()),
        ("unit_price_cents", "100".into()),
        ("note", String::new()),
    ]
}

fn encode(form: &[(&str, String)]) -> String {
    form.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&")
}

fn urlencode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Every order with its version: equal snapshots mean nothing changed.
async fn snapshot(app: &TestApp) -> Vec<(String, i64)> {
    let mut rows: Vec<(String, i64)> = app.orders().await.iter().map(|o: &Order| (o.id.to_string(), o.version)).collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let before = snapshot(&app).await;
    let client = bare_client();
    let url = app.url("/api/orders/create");
    let form = encode(&create_form());
    let cases: [(&str, Vec<(&str, &str)>); 6] = [
        ("a hostile page's form post", vec![("origin", "https://evil.example"), ("content-type", "application/x-www-form-urlencoded")]),
        ("a hostile page's text/plain post", vec![("origin", "https://evil.example"), ("content-type", "text/plain")]),
        ("a sandboxed page (Origin: null)", vec![("origin", "null"), ("content-type", "application/x-www-form-urlencoded")]),
        ("a cross-site fetch", vec![("sec-fetch-site", "cross-site"), ("content-type", "application/x-www-form-urlencoded")]),
        ("a sibling subdomain", vec![("sec-fetch-site", "same-site"), ("content-type", "application/x-www-form-urlencoded")]),
        ("a client that says nothing", vec![("content-type", "application/x-www-form-urlencoded")]),
    ];
    for (what, headers) in cases {
        let mut req = client.post(&url).body(form.clone()).header("accept", "text/html").header("referer", "https://evil.example/page");
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 403, "{what}");
        assert!(res.headers().get("location").is_none(), "{what}: a refusal is never a redirect");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["kind"], "forbidden", "{what}: {body}");
    }
    // The fault controls follow the same rule.
    let res = client.delete(app.url("/api/faults")).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(snapshot(&app).await, before, "no refused request changed anything");

    // The app's own pages get through: by Sec-Fetch-Site, and by Origin.
    for (k, v) in [("sec-fetch-site", "same-origin".to_string()), ("origin", app.base.clone())] {
        let res = app.client.post(&url).header(k, v).header("content-type", "application/x-www-form-urlencoded").body(encode(&create_form())).send().await.unwrap();
        assert_eq!(res.status(), 200, "{k}: {}", res.text().await.unwrap());
    }
    assert_eq!(snapshot(&app).await.len(), before.len() + 2);
}

#[tokio::test]
async fn without_origin_headers_only_the_sessions_own_token_passes() {
    let app = spawn_app().await;
    let client = bare_client();
    let page = client.get(app.url("/sign-in")).send().await.unwrap();
    let cookie = page.headers().get("set-cookie").expect("the page sets the token cookie").to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_string();
    let token = pair.split_once('=').unwrap().1.to_string();
    // Signing in is a form post like any other: it too needs the token.
    let sign_in = |token: &str| {
        client
            .post(app.url("/api/accounts/sign-in"))
            .header("cookie", &pair)
            .header("x-orderdesk-token", token)
            .header("accept", "application/json")
            .form(&[("email", common::DEMO.0), ("password", common::DEMO.1)])
    };
    assert_eq!(sign_in(&"0".repeat(64)).send().await.unwrap().status(), 403, "a sign-in with another token");
    let signed_in = sign_in(&token).send().await.unwrap();
    assert_eq!(signed_in.status(), 200);
    let session = signed_in.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find(|c| c.starts_with("orderdesk_session=")).unwrap();
    let cookies = format!("{pair}; {}", session.split(';').next().unwrap());
    let post = |token: &str| {
        client
            .post(app.url("/api/orders/create"))
            .header("cookie", &cookies)
            .header("x-orderdesk-token", token)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(&create_form()))
    };
    assert_eq!(post(&"0".repeat(64)).send().await.unwrap().status(), 403, "another token");
    assert_eq!(post(&token).send().await.unwrap().status(), 200, "the session's own token");
}

#[tokio::test]
async fn only_the_content_types_the_client_sends_are_accepted() {
    let app = spawn_app().await;
    let before = snapshot(&app).await;
    let form = encode(&create_form());
    for ct in ["text/plain", "multipart/form-data; boundary=x", "application/json", "application/xml"] {
        let res = app.client.post(app.url("/api/orders/create")).header("content-type", ct).body(form.clone()).send().await.unwrap();
        assert_eq!(res.status(), 415, "{ct}");
    }
    let res = app.client.post(app.url("/api/faults")).header("content-type", "application/x-www-form-urlencoded").body("a=b").send().await.unwrap();
    assert_eq!(res.status(), 415, "fault controls take JSON");
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn a_foreign_host_is_refused() {
    let app = spawn_app().await;
    for host in ["evil.example", "evil.example:80", "127.0.0.1.evil.example"] {
        let res = app.client.get(app.url("/orders")).header("host", host).send().await.unwrap();
        assert_eq!(res.status(), 421, "{host}");
    }
    let port = app.base.rsplit(':').next().unwrap();
    let res = app.client.get(app.url("/orders")).header("host", format!("localhost:{port}")).send().await.unwrap();
    assert_eq!(res.status(), 200, "localhost names the same loopback server");
}

#[tokio::test]
async fn pages_carry_the_security_headers_and_a_nonce_policy_their_scripts_satisfy() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/orders")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let header = |name: &str| res.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let csp = header("content-security-policy");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(!header("referrer-policy").is_empty());
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'") && !csp.contains("'unsafe-eval'"), "{csp}");
    let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("a nonce in the policy").to_string();
    let html = res.text().await.unwrap();
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "every script carries this page's nonce");

    let other = app.client.get(app.url("/orders")).send().await.unwrap();
    assert_ne!(other.headers()["content-security-policy"].to_str().unwrap(), csp, "a fresh nonce per page");
    let api = app.call("orders/page", &[]).await;
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn an_oversized_body_is_refused_at_once() {
    let app = spawn_app().await;
    let before = snapshot(&app).await;
    let body = format!("{}&note={}", encode(&create_form()), "x".repeat(5 * 1024 * 1024));
    let started = Instant::now();
    let res = app.client.post(app.url("/api/orders/create")).header("content-type", "application/x-www-form-urlencoded").body(body).send().await.unwrap();
    assert_eq!(res.status(), 413);
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    assert_eq!(snapshot(&app).await, before);
}

/// Values no field of that type accepts.
fn invalid_for(field: &str) -> &'static [&'static str] {
    match field {
        "key" | "id" => &["", "not-a-uuid", "1", "00000000-0000-0000-0000-00000000000g", "%FF%FE", "{}", "0190aaaa-bbbb-7ccc-8ddd-eeeeffff000"],
        "before" => &["not-a-uuid", "1", "%C3%28", "[]"],
        "version" => &["", "abc", "1.5", "99999999999999999999", "-", "%FF", "0x10", "NaN", "1e3"],
        "quantity" => &["0", "-5", "1000", "abc", "", "1.5", "99999999999999999999", "%00"],
        "unit_price_cents" => &["-1", "abc", "", "99999999999999999999", "100000000000"],
        "starred" => &["maybe", "2", "%FF", "TRUE!"],
        "customer" | "item" => &["", "   ", "%00", "a%07b", "%FF%FE", "%E2%80%AE"],
        "note" => &["%FF%FE", "a%00b"],
        _ => &["%FF"],
    }
}

/// Noise that may or may not be valid.
const NOISE: &[&str] = &["", "0", "-1", "true", "x", "%FF", "%00", "a%26b%3Dc", "%E2%80%8B", "ORD-1", "[", "null", "😀"];

#[tokio::test]
async fn a_thousand_malformed_bodies_get_4xx_and_change_nothing() {
    let app = spawn_app().await;
    let before = snapshot(&app).await;
    let draft = app.a_draft().await;
    let (id, version) = (draft.id.to_string(), draft.version.to_string());
    let endpoints: [(&str, Vec<(&str, String)>); 10] = [
        ("orders/star", vec![("id", id.clone()), ("version", version.clone()), ("starred", "true".into())]),
        ("orders/rename", vec![("id", id.clone()), ("version", version.clone()), ("customer", "A".into()), ("item", "B".into())]),
        ("orders/note", vec![("id", id.clone()), ("version", version.clone()), ("note", "n".into())]),
        ("orders/quantity", vec![("id", id.clone()), ("version", version.clone()), ("quantity", "3".into())]),
        ("orders/move", vec![("id", id.clone()), ("version", version.clone()), ("before", before[0].0.clone())]),
        ("orders/create", create_form().into_iter().filter(|(k, _)| *k != "key").collect()),
        ("orders/delete", vec![("id", id.clone()), ("version", version.clone())]),
        ("orders/undo_delete", vec![("id", id.clone())]),
        ("orders/cancel", vec![("id", id.clone()), ("version", version.clone())]),
        ("orders/place", vec![("id", id.clone()), ("version", version.clone())]),
    ];
    let mut rng = fastrand::Rng::with_seed(0x0ede_5eed);
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    let tries = 1_200;
    for n in 0..tries {
        let (endpoint, fields) = &endpoints[n % endpoints.len()];
        let mut form: Vec<(String, String)> = std::iter::once(("key".to_string(), uuid::Uuid::now_v7().to_string()))
            .chain(fields.iter().map(|(k, v)| (k.to_string(), urlencode(v))))
            .collect();
        // Any field may be noise; then one is certainly wrong (a wrong value, or missing).
        let broken = rng.usize(..form.len());
        // (`before` is optional: without it a move goes to the end, so it is never left out.)
        for (k, v) in form.iter_mut() {
            if rng.u8(..5) == 0 && k != "key" && rng.bool() {
                let pool = invalid_for(k);
                *v = pool[rng.usize(..pool.len())].to_string();
            } else if rng.u8(..10) == 0 {
                *v = NOISE[rng.usize(..NOISE.len())].to_string();
            }
        }
        if rng.u8(..4) == 0 && form[broken].0 != "before" {
            form.remove(broken);
        } else {
            let pool = invalid_for(&form[broken].0);
            form[broken].1 = pool[rng.usize(..pool.len())].to_string();
        }
        let mut body = form.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        match rng.u8(..12) {
            0 => body = format!("{body}&{body}"),
            1 => body.push_str("&%FF=%FE"),
            2 => {
                let len = rng.usize(1..200);
                body = String::from_utf8_lossy(&(0..len).map(|_| rng.u8(..)).collect::<Vec<u8>>()).into_owned();
            }
            3 => body = format!("{body}&customer[x]=1&id[]=2"),
            _ => {}
        }
        let res = app
            .client
            .post(app.url(&format!("/api/{endpoint}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        *statuses.entry(status).or_default() += 1;
        assert!((400..500).contains(&status), "{endpoint} answered {status} to {body:?}: {}", res.text().await.unwrap());
    }
    eprintln!("{tries} malformed bodies: statuses {statuses:?}");
    assert_eq!(snapshot(&app).await, before, "no malformed request changed anything");
}

#[tokio::test]
async fn a_client_that_trickles_its_headers_is_disconnected() {
    let app = spawn_app_with(|s| s.server.header_read_timeout_ms = 500).await;
    let mut socket = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
    socket.write_all(b"GET /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").await.unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server kept a slow-header connection open for 10 s");
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(400) && took < Duration::from_secs(5), "disconnected after {took:?}");
}

/// Reads one HTTP/1.1 answer with a `Content-Length` from a raw socket; its status.
async fn read_answer(socket: &mut tokio::net::TcpStream) -> u16 {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0, "the server closed the connection instead of answering: {:?}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got);
        let Some(end) = text.find("\r\n\r\n") else { continue };
        let length: usize = text[..end]
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
            .expect("a content length");
        if got.len() >= end + 4 + length {
            return text[9..12].parse().unwrap();
        }
    }
}

/// Whether the server closed `socket` within `wait` (it sends nothing unasked).
async fn closed_within(socket: &mut tokio::net::TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 64];
    matches!(tokio::time::timeout(wait, socket.read(&mut buf)).await, Ok(Ok(0) | Err(_)))
}

#[tokio::test]
async fn a_kept_alive_connection_waits_past_the_header_timeout_and_closes_only_when_idle_for_the_idle_timeout() {
    let app = spawn_app_with(|s| {
        s.server.header_read_timeout_ms = 300;
        s.server.idle_timeout_ms = 1_500;
    })
    .await;
    let mut socket = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
    let get = format!("GET / HTTP/1.1\r\nHost: {}\r\n\r\n", app.base.trim_start_matches("http://"));
    let get = get.as_bytes();
    socket.write_all(get).await.unwrap();
    assert_eq!(read_answer(&mut socket).await, 303);
    // Idle for three header timeouts: a client reusing the connection now must get an answer,
    // not a reset (hyper's own header timeout closed idle connections here).
    assert!(!closed_within(&mut socket, Duration::from_millis(900)).await, "an idle connection was closed at the header timeout");
    socket.write_all(get).await.unwrap();
    assert_eq!(read_answer(&mut socket).await, 303, "the kept-alive connection answers its next request");
    // Then left idle: closed after the idle timeout.
    let started = Instant::now();
    assert!(closed_within(&mut socket, Duration::from_secs(10)).await, "an idle connection was never closed");
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(1_300) && took < Duration::from_secs(5), "closed after {took:?}");
}

#[tokio::test]
async fn an_open_event_stream_outlives_both_timeouts() {
    let app = spawn_app_with(|s| {
        s.server.header_read_timeout_ms = 200;
        s.server.idle_timeout_ms = 1_000;
    })
    .await;
    let mut socket = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
    let host = app.base.trim_start_matches("http://");
    let cookie = common::session_cookie(&app.base).await;
    socket.write_all(format!("GET /api/events HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\nCookie: {cookie}\r\n\r\n").as_bytes()).await.unwrap();
    let mut buf = [0u8; 4096];
    let n = socket.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"), "{:?}", String::from_utf8_lossy(&buf[..n]));
    // Nothing is published: the stream is quiet, but it is an answer still being sent.
    let deadline = Instant::now() + Duration::from_millis(2_500);
    while Instant::now() < deadline {
        match tokio::time::timeout(deadline - Instant::now(), socket.read(&mut buf)).await {
            Err(_) => break,
            Ok(Ok(n)) => assert!(n > 0, "the event stream was closed by a connection timeout"),
            Ok(Err(e)) => panic!("the event stream failed: {e}"),
        }
    }
}

#[tokio::test]
async fn event_streams_are_capped_per_client_and_a_closed_one_frees_its_place() {
    let app = spawn_app_with(|s| {
        s.server.event_streams_per_client = 2;
        s.server.event_streams_total = 3;
    })
    .await;
    let open = || app.client.get(app.url("/api/events")).send();
    let first = open().await.unwrap();
    let second = open().await.unwrap();
    assert_eq!((first.status().as_u16(), second.status().as_u16()), (200, 200));
    let third = open().await.unwrap();
    assert_eq!(third.status(), 503, "a third stream from one client");
    assert!(third.headers().contains_key("retry-after"));
    drop(first);
    common::eventually("a closed stream to free its place", || async {
        let res = open().await.ok()?;
        (res.status() == 200).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_request_still_unanswered_at_the_timeout_gets_408_and_the_event_stream_is_not_cut() {
    let app = spawn_app_with(|s| {
        s.faults.enabled = true;
        s.writes.request_deadline_ms = 1_000;
        s.server.request_timeout_ms = 2_000;
    })
    .await;
    let mut stream = app.client.get(app.url("/api/events")).send().await.unwrap();
    app.fault(serde_json::json!({"kind": "star", "action": {"outcome": "delay", "ms": 4000}, "count": 1})).await;
    let draft = app.a_draft().await;
    let key = uuid::Uuid::now_v7().to_string();
    let started = Instant::now();
    let res = app.call("orders/star", &[("key", &key), ("id", &draft.id.to_string()), ("version", &draft.version.to_string()), ("starred", "true")]).await;
    assert_eq!(res.status(), 408);
    assert!(started.elapsed() < Duration::from_millis(3_500), "took {:?}", started.elapsed());
    // The stream, open for longer than the timeout, still delivers: the write finishes on
    // its own and is published.
    let id = draft.id.to_string();
    let mut seen = String::new();
    let deadline = Instant::now() + common::PATIENCE;
    while !seen.contains(&id) {
        assert!(Instant::now() < deadline, "the write's event never came");
        let chunk = tokio::time::timeout(common::PATIENCE, stream.chunk()).await.unwrap().unwrap().expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn fault_controls_refuse_to_start_on_an_address_other_machines_reach() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = common::test_settings(&dir.path().join("db.sqlite"));
    settings.server.address = "0.0.0.0:0".parse().unwrap();
    settings.faults.enabled = true;
    let err = orderdesk::server::start(settings.clone()).await.err().expect("refused").to_string();
    assert!(err.contains("on_any_address") && err.contains("0.0.0.0"), "{err}");
    settings.faults.on_any_address = true;
    assert!(orderdesk::server::start(settings).await.is_ok(), "forced explicitly, it starts");
}

#[tokio::test]
async fn a_stop_signal_ends_the_server_within_the_shutdown_grace_even_with_a_request_held() {
    let dir = tempfile::tempdir().unwrap();
    let client = common::cookie_client();
    let mut server = common::ServerProcess::start(
        dir.path(),
        &client,
        &[("ORDERDESK_FAULTS", "true"), ("ORDERDESK_SHUTDOWN_GRACE_MS", "1000"), ("ORDERDESK_REQUEST_TIMEOUT_MS", "600000")],
    )
    .await;
    let hang = client
        .post(format!("{}/api/faults", server.base))
        .header("sec-fetch-site", "same-origin")
        .json(&serde_json::json!({"action": {"outcome": "hang", "ms": 60000}, "count": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(hang.status(), 200);
    let orders: Vec<Order> = server.orders(&client).await;
    let draft = orders.iter().find(|o| o.status == orderdesk::domain::OrderStatus::Draft).unwrap();
    let (key, id, version) = (uuid::Uuid::now_v7().to_string(), draft.id.to_string(), draft.version.to_string());
    let held = tokio::spawn({
        let (client, base) = (client.clone(), server.base.clone());
        async move {
            client
                .post(format!("{base}/api/orders/star"))
                .header("sec-fetch-site", "same-origin")
                .form(&[("key", key.as_str()), ("id", &id), ("version", &version), ("starred", "true")])
                .send()
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stopped = Instant::now();
    assert!(std::process::Command::new("kill").arg("-TERM").arg(server.child.id().to_string()).status().unwrap().success());
    let exit = common::eventually("the server to stop", || {
        let exited = server.child.try_wait().unwrap();
        async move { exited }
    })
    .await;
    assert!(exit.success(), "{exit:?}");
    assert!(stopped.elapsed() < Duration::from_secs(5), "stopped after {:?} with a write held for 60 s", stopped.elapsed());
    assert!(held.await.unwrap().is_err(), "the held request was cut off, not answered");
}

#[tokio::test]
async fn a_refused_form_post_goes_back_to_its_page_and_never_carries_the_error_in_the_url() {
    let app = spawn_app().await;
    let before = snapshot(&app).await;
    let draft = app.a_draft().await;
    let cases = [
        format!("key={}&id={}&version={}&quantity=0", uuid::Uuid::now_v7(), draft.id, draft.version),
        format!("key={}&id={}&version=x&quantity=2", uuid::Uuid::now_v7(), draft.id),
        format!("key=nope&id={}&version={}&quantity=2", draft.id, draft.version),
    ];
    for body in cases {
        let res = app
            .client
            .post(app.url("/api/orders/quantity"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", app.url("/orders?q=a"))
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303, "{body}");
        let location = res.headers().get("location").unwrap().to_str().unwrap().to_string();
        assert!(location.starts_with("/orders?q=a"), "{body}: back to the page it came from, got {location}");
        assert!(!location.contains("error") && !location.contains("message"), "{body}: the reason stays in the session, got {location}");
    }
    assert_eq!(snapshot(&app).await, before);
}
