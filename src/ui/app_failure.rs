//! When the app itself stops in the browser (a panic aborts the WASM module): a plain notice
//! at the top of the page instead of a page that silently ignores every click. Most likely by
//! far, a page's own code (a lazily loaded chunk) couldn't be fetched. Plain DOM, no Leptos:
//! nothing reactive runs any more. Its Reload is a plain link, which works without the app.

/// What wasm-split's loader panics with when a chunk couldn't be fetched or compiled.
pub const CHUNK_FAILED: &str = "load callback should succeed";

/// The notice's words: a chunk that didn't load, or anything else that stopped the app.
pub fn headline(panic: &str) -> &'static str {
    if panic.contains(CHUNK_FAILED) { "Couldn't load this page." } else { "This page stopped working." }
}

/// The notice itself, as HTML: what `show` puts in the page, and what the state gallery shows.
/// `reload` is the address Reload loads (the page itself). Its Reload is `rel=external`, so the
/// stopped app's router (whose state the panic left half-changed) leaves the click alone.
pub fn notice_html(headline: &str, reload: &str) -> String {
    format!(
        r#"<div class="app-failure" role="alert" data-testid="app-failure"><p>{} Reload to carry on.</p><a class="button button-primary" href="{}" rel="external">Reload</a></div>"#,
        escape(headline),
        escape(reload)
    )
}

/// `text` safe inside HTML text and quoted attributes.
fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Puts the notice at the top of the page (once).
#[cfg(feature = "hydrate")]
pub fn show(panic: &str) {
    let Some(window) = web_sys::window() else { return };
    let Some(document) = window.document() else { return };
    let Some(body) = document.body() else { return };
    if document.query_selector("body > .app-failure").ok().flatten().is_some() {
        return;
    }
    let here = window.location().href().unwrap_or_default();
    let _ = body.insert_adjacent_html("afterbegin", &notice_html(headline(panic), &here));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_escapes_the_address_it_reloads() {
        let html = notice_html("Couldn't load this page.", "https://desk.example.com/orders?q=\"><script>alert(1)</script>");
        assert!(html.contains("href=\"https://desk.example.com/orders?q=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""), "{html}");
        assert!(html.contains("<p>Couldn&#39;t load this page. Reload to carry on.</p>"), "{html}");
    }

    #[test]
    fn a_chunk_that_did_not_load_is_named_as_such() {
        assert_eq!(headline("panicked at src/lib.rs:1:1:\nload callback should succeed: SplitLoaderError"), "Couldn't load this page.");
        assert_eq!(headline("panicked at src/x.rs: index out of bounds"), "This page stopped working.");
    }
}
