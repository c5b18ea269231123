//! Writes without JavaScript: the forms the server renders, posted by a browser as they are.
//! A post lands once however often it is sent (its key was made with the page), comes back to
//! the page at its row (post/redirect/get), and a refusal leaves its notice for that page only.
//! The edge's rules hold for forms too: another origin, or no origin and no token, is refused.

mod common;

use common::{quick_jobs, spawn_app, spawn_app_with, TestApp, DEMO};
use orderdesk::domain::Order;

/// One `<form method="post">` of a page: where it posts, and its fields as rendered.
#[derive(Clone, Debug)]
struct Form {
    action: String,
    fields: Vec<(String, String)>,
}

impl Form {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn with(mut self, name: &str, value: &str) -> Form {
        self.fields.retain(|(k, _)| k != name);
        self.fields.push((name.to_string(), value.to_string()));
        self
    }
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&#x27;", "'").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// Every post form of `html`, with its hidden and named fields (their rendered values).
fn post_forms(html: &str) -> Vec<Form> {
    html.split("<form").skip(1).filter_map(|chunk| {
        let body = chunk.split("</form>").next()?;
        let head = &body[..body.find('>')?];
        if attr(head, "method").as_deref() != Some("post") {
            return None;
        }
        let fields = body.split("<input").skip(1).filter_map(|i| {
            let tag = &i[..i.find('>')?];
            Some((attr(tag, "name")?, attr(tag, "value").unwrap_or_default()))
        });
        Some(Form { action: attr(head, "action")?, fields: fields.collect() })
    })
    .collect()
}

/// The post form for `action` in the row of order `id` on `html`.
fn row_form(html: &str, id: &str, action: &str) -> Form {
    let row = &html[html.find(&format!("id=\"order-{id}\"")).expect("the row is on the page")..];
    post_forms(row).into_iter().find(|f| f.action == format!("/api/orders/{action}")).unwrap_or_else(|| panic!("a {action} form in the row"))
}

/// A page as a browser without JavaScript gets it.
async fn page(app: &TestApp, path: &str) -> String {
    let res = app.client.get(app.url(path)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

/// Posts `form` as a browser does: a form body, `Accept: text/html`, from `from` (a path).
async fn submit(app: &TestApp, form: &Form, from: &str) -> reqwest::Response {
    app.client
        .post(app.url(&form.action))
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .header("referer", app.url(from))
        .form(&form.fields)
        .send()
        .await
        .unwrap()
}

fn location(res: &reqwest::Response) -> String {
    assert_eq!(res.status(), 303, "a form post is answered with a redirect (see other)");
    res.headers().get("location").unwrap().to_str().unwrap().to_string()
}

async fn current(app: &TestApp, id: &str) -> Order {
    app.order(id).await.expect("the order is listed")
}

#[tokio::test]
async fn a_rendered_form_lands_once_however_often_it_is_posted_and_comes_back_to_its_row() {
    let app = spawn_app().await;
    let draft = app.a_draft().await;
    let id = draft.id.to_string();
    let html = page(&app, "/orders?q=").await;
    let plus = row_form(&html, &id, "quantity");
    assert!(plus.field("key").is_some_and(|k| k.len() == 36), "the page made the form's key: {plus:?}");
    // The + form (the second quantity form of the row) sets one more.
    let row = &html[html.find(&format!("id=\"order-{id}\"")).unwrap()..];
    let forms: Vec<Form> = post_forms(row).into_iter().filter(|f| f.action == "/api/orders/quantity").take(2).collect();
    let plus = forms[1].clone();
    assert_eq!(plus.field("quantity"), Some((draft.quantity.get() + 1).to_string().as_str()));

    for attempt in 0..3 {
        let res = submit(&app, &plus, "/orders?q=").await;
        assert_eq!(location(&res), format!("/orders?q=#order-{id}"), "attempt {attempt}: back to the page, at the row");
    }
    let after = current(&app, &id).await;
    assert_eq!((after.quantity.get(), after.version), (draft.quantity.get() + 1, draft.version + 1), "three posts of one form are one write");

    // The star form, and a second page render's forms carry other keys.
    let again = page(&app, "/orders").await;
    let star = row_form(&again, &id, "star");
    assert_ne!(star.field("key"), row_form(&html, &id, "star").field("key"), "every render makes new keys");
    assert_eq!(star.field("version"), Some(after.version.to_string().as_str()), "the form carries the version the page showed");
    location(&submit(&app, &star, "/orders").await);
    assert_eq!(current(&app, &id).await.starred, !draft.starred);
}

#[tokio::test]
async fn a_refused_post_says_why_on_the_next_page_once_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let draft = app.a_draft().await;
    let id = draft.id.to_string();
    let html = page(&app, "/orders").await;

    // Changed elsewhere after the page was rendered: the post is refused, nothing changes, and
    // the page it comes back to says so, with the current values.
    let star = row_form(&html, &id, "star");
    let res = app.call("orders/quantity", &[("key", &common::key()), ("id", &id), ("version", &draft.version.to_string()), ("quantity", "7")]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(location(&submit(&app, &star, "/orders").await), format!("/orders#order-{id}"));
    assert_eq!(current(&app, &id).await.starred, draft.starred, "the refused star changed nothing");
    let back = page(&app, "/orders").await;
    assert!(back.contains("name=\"form-notice\""), "the page got the notice");
    assert!(back.contains("was changed elsewhere, so your star wasn") , "the row says what was lost");
    assert!(!page(&app, "/orders").await.contains("name=\"form-notice\""), "shown once");

    // An edit that doesn't validate: back to the editor, open, with what was typed and why.
    let html = page(&app, &format!("/orders?edit={id}")).await;
    let edit = row_form(&html, &id, "edit");
    assert_eq!(edit.field("customer"), Some(draft.customer.as_str()), "the editor shows the order's values");
    let typed = edit.with("customer", "").with("item", "A lamp typed by hand");
    let to = location(&submit(&app, &typed, "/orders").await);
    assert_eq!(to, format!("/orders?edit={id}#order-{id}"));
    let back = page(&app, &to.replace(&format!("#order-{id}"), "")).await;
    let editor = row_form(&back, &id, "edit");
    assert_eq!(editor.field("item"), Some("A lamp typed by hand"), "what was typed is kept");
    assert!(back.contains("aria-invalid=\"true\""), "the field is marked");
    let now = current(&app, &id).await;
    assert_eq!((now.customer.as_str(), now.item.as_str()), (draft.customer.as_str(), draft.item.as_str()), "nothing was saved");

    // Then a valid one saves names and note, once, even posted twice.
    let fixed = editor.with("customer", "Lantern & Co.").with("note", "Leave at the back door");
    for _ in 0..2 {
        assert_eq!(location(&submit(&app, &fixed, "/orders").await), format!("/orders#order-{id}"));
    }
    let saved = current(&app, &id).await;
    assert_eq!((saved.customer.as_str(), saved.item.as_str(), saved.note.as_str()), ("Lantern & Co.", "A lamp typed by hand", "Leave at the back door"));
    assert_eq!(saved.version, now.version + 2, "a rename and a note, each once");
}

#[tokio::test]
async fn delete_undo_create_and_place_go_where_the_person_expects() {
    let app = spawn_app().await;
    let draft = app.a_draft().await;
    let id = draft.id.to_string();
    let html = page(&app, "/orders").await;

    // Delete: back to the page, which offers Undo (the row is gone from the list).
    assert_eq!(location(&submit(&app, &row_form(&html, &id, "delete"), "/orders").await), "/orders#form-notice");
    assert!(app.order(&id).await.is_none());
    let back = page(&app, "/orders").await;
    let undo = post_forms(&back).into_iter().find(|f| f.action == "/api/orders/undo_delete" && f.field("id") == Some(id.as_str())).expect("Undo on the page");
    location(&submit(&app, &undo, "/orders").await);
    assert_eq!(current(&app, &id).await.customer, draft.customer, "Undo brought it back");

    // New order: a draft with the id the page made, and its editor open.
    let create = post_forms(&back).into_iter().find(|f| f.action == "/api/orders/create").expect("New order");
    let new_id = create.field("id").unwrap().to_string();
    for _ in 0..2 {
        assert_eq!(location(&submit(&app, &create, "/orders").await), format!("/orders?edit={new_id}#order-{new_id}"));
    }
    assert_eq!(app.orders().await.iter().filter(|o| o.id.to_string() == new_id).count(), 1, "one draft, however often posted");

    // Place: the accepted screen.
    let html = page(&app, "/orders").await;
    let place = row_form(&html, &id, "place");
    let to = location(&submit(&app, &place, "/orders").await);
    assert!(to.starts_with("/jobs/") && to.ends_with("/accepted"), "{to}");
    assert_eq!(location(&submit(&app, &place, "/orders").await), to, "posted again: the same job");
}

#[tokio::test]
async fn a_failed_jobs_place_again_refused_says_why_on_its_status_page() {
    let outbox = tempfile::tempdir().unwrap();
    let app = spawn_app_with(|s| quick_jobs(s, outbox.path())).await;
    let draft = app.a_draft().await;
    let id = draft.id.to_string();
    app.fault(serde_json::json!({"kind": "place", "action": {"outcome": "job_fail"}})).await;
    let accepted = location(&submit(&app, &row_form(&page(&app, "/orders").await, &id, "place"), "/orders").await);
    let status = accepted.trim_end_matches("/accepted").to_string();
    let mut html = String::new();
    for _ in 0..100 {
        html = page(&app, &status).await;
        if html.contains("data-testid=\"place-again\"") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let again = post_forms(&html).into_iter().find(|f| f.action == "/api/orders/place").expect("the failed job's page offers Place order again");
    let failed = current(&app, &id).await;

    app.fault(serde_json::json!({"kind": "place", "action": {"outcome": "reject"}})).await;
    assert!(location(&submit(&app, &again, &status).await).starts_with(&status), "back to the status page");
    let back = page(&app, &status).await;
    assert!(back.contains("data-testid=\"place-again-error\""), "the page says why");
    assert!(!page(&app, &status).await.contains("data-testid=\"place-again-error\""), "once");
    assert_eq!(current(&app, &id).await.version, failed.version, "nothing changed");
}

#[tokio::test]
async fn a_form_without_origin_headers_needs_the_pages_token_field() {
    let app = spawn_app().await;
    // A browser that sends neither Origin nor Sec-Fetch-Site: only its cookies.
    let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let first = client.get(app.url("/sign-in")).send().await.unwrap();
    let token_cookie = first.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    let token = token_cookie.split_once('=').unwrap().1.to_string();
    let signed_in = client
        .post(app.url("/api/accounts/sign-in"))
        .header("x-orderdesk-token", &token)
        .header("accept", "application/json")
        .form(&[("email", DEMO.0), ("password", DEMO.1)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);

    let draft = app.a_draft().await;
    let id = draft.id.to_string();
    let html = client.get(app.url("/orders")).send().await.unwrap().text().await.unwrap();
    let star = row_form(&html, &id, "star");
    assert_eq!(star.field("token"), Some(token.as_str()), "the page's forms carry the session's token");
    let post = |form: &Form, origin: Option<&str>| {
        let mut req = client.post(app.url(&form.action)).header("accept", "text/html").form(&form.fields);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    for (what, form, origin) in [
        ("no token", star.clone().with("token", ""), None),
        ("another token", star.clone().with("token", &"0".repeat(64)), None),
        ("the right token from another site", star.clone(), Some("https://evil.example")),
    ] {
        let res = post(&form, origin).await.unwrap();
        assert_eq!(res.status(), 403, "{what}");
        assert!(res.headers().get("location").is_none(), "{what}: a refusal is never a redirect");
    }
    assert_eq!(current(&app, &id).await.version, draft.version, "no refused form changed anything");
    let res = post(&star, None).await.unwrap();
    assert_eq!(location(&res), format!("/orders#order-{id}"), "no Referer: back to the list, at the row");
    assert_eq!(current(&app, &id).await.starred, !draft.starred, "the page's own form, with its token, lands");
}
