//! Accounts and workspaces against the real server: each person sees and changes only what
//! their workspaces let them, sessions behave (rotated at sign-in, ended on the server at
//! sign-out), failed sign-ins slow down, and no password is kept or logged in clear.

mod common;

use common::{eventually, key, next_event, quick_jobs, same_origin_client, sign_in, sign_up, spawn_app_with, TestApp, DEMO, DEMO_EDITOR, PASSWORD};
use orderdesk::domain::{Job, Order, OrderPage, OrderStatus, PlaceReceipt};
use std::path::PathBuf;

/// A second person: their own signed-in client on the same server.
async fn person(app: &TestApp, email: &str) -> reqwest::Client {
    let client = same_origin_client(&app.base);
    sign_up(&client, &app.base, email).await;
    client
}

async fn call(app: &TestApp, client: &reqwest::Client, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client.post(app.url(&format!("/api/{endpoint}"))).form(form).send().await.expect("request failed")
}

/// Status and error kind of an answer.
async fn refusal(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let body: serde_json::Value = res.json().await.unwrap_or_default();
    (status, body["kind"].as_str().unwrap_or_default().to_string())
}

/// Everything in workspace 1 that a refused request might have changed: every order (with its
/// version) and the jobs of its feed.
async fn snapshot(app: &TestApp) -> (Vec<Order>, Vec<Job>) {
    let jobs: Vec<Job> = app.call("jobs/list", &[]).await.json().await.unwrap();
    (app.orders().await, jobs)
}

/// The owner's workspace with a draft, an order placed (its job), a deleted draft held for
/// undo, and a write whose key is the owner's.
struct Setup {
    app: TestApp,
    draft: Order,
    other: Order,
    held: Order,
    placed: Order,
    job: Job,
    owner_key: String,
    _outbox: tempfile::TempDir,
    outbox: PathBuf,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let app = spawn_app_with(|s| quick_jobs(s, &outbox)).await;
    let drafts: Vec<Order> = app.orders().await.into_iter().filter(|o| o.status == OrderStatus::Draft).collect();
    let (draft, other, held, to_place) = (drafts[0].clone(), drafts[1].clone(), drafts[2].clone(), drafts[3].clone());
    let res = app.call("orders/place", &[("key", &key()), ("id", &to_place.id.to_string()), ("version", &to_place.version.to_string())]).await;
    assert_eq!(res.status(), 200);
    let receipt: PlaceReceipt = res.json().await.unwrap();
    let res = app.call("orders/delete", &[("key", &key()), ("id", &held.id.to_string()), ("version", &held.version.to_string())]).await;
    assert_eq!(res.status(), 200);
    let owner_key = key();
    let res = app.call("orders/star", &[("key", &owner_key), ("id", &draft.id.to_string()), ("version", &draft.version.to_string()), ("starred", "true")]).await;
    assert_eq!(res.status(), 200);
    let draft: Order = res.json().await.unwrap();
    // Let the job end, so nothing changes by itself while the matrix runs.
    let job = eventually("the placed order's job to end", || async {
        let jobs: Vec<Job> = app.call("jobs/list", &[]).await.json().await.ok()?;
        jobs.into_iter().find(|j| j.id == receipt.job.id && j.state != orderdesk::domain::JobState::Running)
    })
    .await;
    let placed = app.order(&to_place.id.to_string()).await.unwrap();
    Setup { app, draft, other, held, placed, job, owner_key, _outbox: dir, outbox }
}

/// Every write, as `client` would send it against the setup's orders (a fresh key each).
fn writes(s: &Setup) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let (d, v) = (s.draft.id.to_string(), s.draft.version.to_string());
    vec![
        ("orders/star", vec![("id", d.clone()), ("version", v.clone()), ("starred", "false".into())]),
        ("orders/rename", vec![("id", d.clone()), ("version", v.clone()), ("customer", "Mallory".into()), ("item", "Loot".into())]),
        ("orders/note", vec![("id", d.clone()), ("version", v.clone()), ("note", "mine now".into())]),
        ("orders/quantity", vec![("id", d.clone()), ("version", v.clone()), ("quantity", "999".into())]),
        ("orders/move", vec![("id", d.clone()), ("version", v.clone()), ("after", s.other.id.to_string())]),
        ("orders/delete", vec![("id", d.clone()), ("version", v.clone())]),
        ("orders/undo_delete", vec![("id", s.held.id.to_string())]),
        ("orders/cancel", vec![("id", s.placed.id.to_string()), ("version", s.placed.version.to_string())]),
        ("orders/place", vec![("id", d.clone()), ("version", v.clone())]),
        (
            "orders/create",
            vec![
                ("id", uuid::Uuid::now_v7().to_string()),
                ("customer", "Mallory".into()),
                ("item", "Loot".into()),
                ("quantity", "1".into()),
                ("unit_price_cents", "100".into()),
                ("note", String::new()),
                ("workspace", "1".into()),
            ],
        ),
    ]
}

async fn send(s: &Setup, client: &reqwest::Client, endpoint: &str, form: &[(&'static str, String)], key: &str) -> (u16, String) {
    let mut form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    form.push(("key", key));
    refusal(call(&s.app, client, endpoint, &form).await).await
}

#[tokio::test]
async fn someone_outside_a_workspace_gets_not_found_for_every_read_write_key_and_stream_of_it_and_changes_nothing() {
    let s = setup().await;
    let before = snapshot(&s.app).await;
    let mallory = person(&s.app, "mallory@example.com").await;

    for (endpoint, form) in writes(&s) {
        assert_eq!(send(&s, &mallory, endpoint, &form, &key()).await, (404, "not_found".into()), "{endpoint} with another workspace's ids");
    }
    // The owner's own key, replayed by someone else, never returns the owner's answer.
    let star = [("id", s.draft.id.to_string()), ("version", (s.draft.version - 1).to_string()), ("starred", "true".to_string())];
    assert_eq!(send(&s, &mallory, "orders/star", &star, &s.owner_key).await, (404, "not_found".into()), "another person's key");

    // Reads: the workspace, its orders by number, its jobs, its members, its stream.
    let number = s.draft.number.unwrap().to_string();
    let job = s.job.id.to_string();
    for (endpoint, form) in [
        ("orders/page", vec![("workspace", "1")]),
        ("orders/get", vec![("number", number.as_str())]),
        ("jobs/get", vec![("id", job.as_str())]),
        ("jobs/list", vec![("workspace", "1")]),
        ("workspace/members", vec![("workspace", "1")]),
    ] {
        assert_eq!(refusal(call(&s.app, &mallory, endpoint, &form).await).await, (404, "not_found".into()), "{endpoint}");
    }
    let stream = mallory.get(s.app.url("/api/events?workspace=1")).send().await.unwrap();
    assert_eq!(stream.status(), 404, "the event stream of another workspace");
    // Their own workspace shows none of it.
    let own: OrderPage = call(&s.app, &mallory, "orders/page", &[]).await.json().await.unwrap();
    assert_eq!((own.orders.len(), own.total), (0, 0));
    let own_jobs: Vec<Job> = call(&s.app, &mallory, "jobs/list", &[]).await.json().await.unwrap();
    assert!(own_jobs.is_empty());
    // A new order with an id another workspace's order has is refused, telling nothing of it.
    let taken = [
        ("id", s.draft.id.to_string()),
        ("customer", "Mallory".to_string()),
        ("item", "Loot".into()),
        ("quantity", "1".into()),
        ("unit_price_cents", "100".into()),
        ("note", String::new()),
    ];
    let mut form: Vec<(&str, &str)> = taken.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let k = key();
    form.push(("key", &k));
    let res = call(&s.app, &mallory, "orders/create", &form).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(!body.contains(s.draft.customer.as_str()) && !body.contains(&number), "{body}");

    assert_eq!(snapshot(&s.app).await, before, "nothing in the workspace changed");
}

#[tokio::test]
async fn a_viewer_reads_the_workspace_and_every_write_is_forbidden() {
    let s = setup().await;
    let viewer = person(&s.app, "viola@example.com").await;
    let res = s.app.call("accounts/members", &[("workspace", "1"), ("email", "viola@example.com"), ("role", "viewer")]).await;
    assert_eq!(res.status(), 303, "shared");
    // Her session follows the change at once (no new sign-in).
    let page: OrderPage = call(&s.app, &viewer, "orders/page", &[("workspace", "1")]).await.json().await.unwrap();
    assert_eq!(page.total, s.app.orders().await.len() as u64, "a viewer reads every order");
    let before = snapshot(&s.app).await;
    for (endpoint, form) in writes(&s) {
        assert_eq!(send(&s, &viewer, endpoint, &form, &key()).await, (403, "forbidden".into()), "a viewer's {endpoint}");
    }
    let (status, _) = refusal(call(&s.app, &viewer, "orders/get", &[("number", &s.draft.number.unwrap().to_string())]).await).await;
    assert_eq!(status, 200);
    assert_eq!(snapshot(&s.app).await, before, "nothing changed");
    // Nor can she share the workspace or change roles.
    let res = call(&s.app, &viewer, "accounts/members", &[("workspace", "1"), ("email", "mallory@example.com"), ("role", "owner")]).await;
    assert!(res.headers()["location"].to_str().unwrap().contains("error=forbidden"));
}

#[tokio::test]
async fn removing_a_member_ends_their_open_stream_and_a_new_role_reaches_it() {
    let s = setup().await;
    let sam = same_origin_client(&s.app.base);
    assert_eq!(sign_in(&sam, &s.app.base, DEMO_EDITOR.0, DEMO_EDITOR.1).await.status(), 200);
    let sam_id: i64 = {
        let members: serde_json::Value = s.app.call("workspace/members", &[]).await.json().await.unwrap();
        members["members"].as_array().unwrap().iter().find(|m| m["email"] == DEMO_EDITOR.0).unwrap()["user"].as_i64().unwrap()
    };
    let mut stream = sam.get(s.app.url("/api/events?workspace=1")).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    let mut buffer = String::new();
    next_event(&mut stream, &mut buffer, |event, _| event == "ready").await;

    let role = |r: &str| [("workspace", "1".to_string()), ("user", sam_id.to_string()), ("role", r.to_string())];
    let res = call(&s.app, &s.app.client, "accounts/role", &role("viewer").iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await;
    assert_eq!(res.status(), 303);
    let (_, data) = next_event(&mut stream, &mut buffer, |event, _| event == "access").await;
    assert_eq!(data, "viewer");
    let (status, kind) = send(&s, &sam, "orders/star", &writes(&s)[0].1, &key()).await;
    assert_eq!((status, kind.as_str()), (403, "forbidden"), "demoted: at once");

    let res = call(&s.app, &s.app.client, "accounts/role", &role("remove").iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await;
    assert_eq!(res.status(), 303);
    next_event(&mut stream, &mut buffer, |event, _| event == "revoked").await;
    let rest = tokio::time::timeout(std::time::Duration::from_secs(10), stream.chunk()).await.expect("the stream ended at once");
    assert!(matches!(rest, Ok(None) | Err(_)), "nothing after revoked: {rest:?}");
    let (status, _) = refusal(call(&s.app, &sam, "orders/page", &[("workspace", "1")]).await).await;
    assert_eq!(status, 404, "removed: the workspace is gone for them");
    // A workspace keeps its owner.
    let me: serde_json::Value = s.app.call("workspace/members", &[]).await.json().await.unwrap();
    let owner = me["members"][0]["user"].as_i64().unwrap().to_string();
    let res = call(&s.app, &s.app.client, "accounts/role", &[("workspace", "1"), ("user", &owner), ("role", "viewer")]).await;
    assert!(res.headers()["location"].to_str().unwrap().contains("error=last_owner"));
}

#[tokio::test]
async fn failed_sign_ins_are_slowed_per_account_and_per_client() {
    let s = spawn_app_with(|_| {}).await;
    let fresh = || reqwest::Client::new();
    for _ in 0..6 {
        assert_eq!(sign_in(&fresh(), &s.base, DEMO.0, "wrong password").await.status(), 401);
    }
    let (status, kind) = refusal(sign_in(&fresh(), &s.base, DEMO.0, DEMO.1).await).await;
    assert_eq!((status, kind.as_str()), (429, "too_many"), "even the right password waits now");
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(sign_in(&fresh(), &s.base, DEMO.0, DEMO.1).await.status(), 200, "after the wait, the right password signs in");

    // From one client, guesses spread over many accounts slow down too.
    for i in 0..7 {
        let _ = sign_in(&fresh(), &s.base, &format!("nobody{i}@example.com"), "guess").await;
    }
    assert_eq!(sign_in(&fresh(), &s.base, DEMO_EDITOR.0, DEMO_EDITOR.1).await.status(), 429, "this client waits");
}

#[tokio::test]
async fn signing_in_gives_a_new_session_id_and_signing_out_ends_it_on_the_server() {
    let s = spawn_app_with(|_| {}).await;
    let session = |res: &reqwest::Response| {
        res.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find(|c| c.starts_with("orderdesk_session=")).map(|c| c.split(';').next().unwrap().to_string())
    };
    let raw = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let post = |path: &str, cookie: Option<&str>, form: &[(&str, &str)]| {
        let mut req = raw.post(s.url(path)).header("sec-fetch-site", "same-origin").header("accept", "application/json").form(form);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req
    };
    // A session id planted before sign-in (fixation) is never the one signed in.
    let first = post("/api/accounts/sign-in", None, &[("email", DEMO.0), ("password", DEMO.1)]).send().await.unwrap();
    let planted = session(&first).unwrap();
    let cookie_attrs = first.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find(|c| c.starts_with("orderdesk_session=")).unwrap().to_string();
    assert!(cookie_attrs.contains("HttpOnly") && cookie_attrs.contains("SameSite=Lax") && !cookie_attrs.contains("Secure"), "{cookie_attrs}");
    let again = post("/api/accounts/sign-in", Some(&planted), &[("email", DEMO_EDITOR.0), ("password", DEMO_EDITOR.1)]).send().await.unwrap();
    let rotated = session(&again).expect("a new cookie at sign-in");
    assert_ne!(rotated, planted, "the id changes at sign-in");
    let read = |cookie: String| {
        let raw = raw.clone();
        let url = s.url("/api/orders/page");
        async move { raw.post(url).header("sec-fetch-site", "same-origin").header("cookie", cookie).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(read(planted.clone()).await, 401, "the id from before sign-in is worth nothing");
    assert_eq!(read(rotated.clone()).await, 200);

    // Sign out, then send the old cookie anyway: the server ended that session.
    let out = post("/api/accounts/sign-out", Some(&rotated), &[]).send().await.unwrap();
    assert_eq!(out.status(), 200);
    assert_eq!(read(rotated).await, 401, "a signed-out session id is refused");
    // Without a session, pages go to sign-in and come back after.
    let page = raw.get(s.url("/orders?q=tea")).send().await.unwrap();
    assert_eq!(page.status(), 303);
    assert_eq!(page.headers()["location"], "/sign-in?next=%2Forders%3Fq%3Dtea");
}

#[tokio::test]
async fn a_new_account_starts_with_an_empty_workspace_of_its_own_and_a_placed_order_emails_whoever_placed_it() {
    let s = setup().await;
    let newcomer = person(&s.app, "newcomer@example.com").await;
    let page: OrderPage = call(&s.app, &newcomer, "orders/page", &[]).await.json().await.unwrap();
    assert_eq!(page.total, 0, "an empty list");
    assert_eq!(call(&s.app, &newcomer, "accounts/sign-up", &[("email", "NEWCOMER@example.com"), ("password", PASSWORD)]).await.headers()["location"]
        .to_str()
        .unwrap(), "/sign-up?error=taken&email=newcomer%40example.com", "one account per email, whatever its case");

    // Sam (an editor of the demo workspace) places an order: the email goes to Sam.
    let sam = same_origin_client(&s.app.base);
    assert_eq!(sign_in(&sam, &s.app.base, DEMO_EDITOR.0, DEMO_EDITOR.1).await.status(), 200);
    let other = s.app.order(&s.other.id.to_string()).await.unwrap();
    let res = call(&s.app, &sam, "orders/place", &[("key", &key()), ("id", &other.id.to_string()), ("version", &other.version.to_string())]).await;
    assert_eq!(res.status(), 200);
    let number = other.display_number();
    let email = eventually("the email of Sam's order", || async {
        std::fs::read_dir(&s.outbox).ok()?.filter_map(|e| e.ok()).map(|e| std::fs::read_to_string(e.path()).unwrap_or_default()).find(|t| t.contains(&number))
    })
    .await;
    assert!(email.contains("To: sam@orderdesk.test"), "{email}");
}

#[tokio::test]
async fn passwords_are_kept_only_as_argon2id_hashes_and_never_logged() {
    let dir = tempfile::tempdir().unwrap();
    let client = common::cookie_client();
    let server = common::ServerProcess::start(dir.path(), &client, &[("RUST_LOG", "debug")]).await;
    let secret = "correct-horse-battery-staple-42";
    let fresh = reqwest::Client::new();
    let res = fresh
        .post(format!("{}/api/accounts/sign-up", server.base))
        .header("sec-fetch-site", "same-origin")
        .header("accept", "application/json")
        .form(&[("email", "careful@example.com"), ("password", secret)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(sign_in(&fresh, &server.base, "careful@example.com", secret).await.status(), 200);
    assert_eq!(sign_in(&fresh, &server.base, "careful@example.com", "wrong-horse").await.status(), 401);
    drop(server);
    let mut everything = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
        if entry.path().is_file() {
            everything.extend(std::fs::read(entry.path()).unwrap());
        }
    }
    let text = String::from_utf8_lossy(&everything);
    assert!(text.contains("$argon2id$"), "hashes are argon2id");
    for clear in [secret, "wrong-horse", "demo-password"] {
        assert!(!text.contains(clear), "{clear:?} appears in the database or the log");
    }
}
