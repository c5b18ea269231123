//! When the app itself stops in the browser (a panic aborts the WASM module): a plain notice
//! at the top of the page instead of a page that silently ignores every click. Most likely by
//! far, a page's own code (a lazily loaded chunk) couldn't be fetched. Plain DOM, no Leptos:
//! nothing reactive runs any more. Its Reload is a plain link, which works without the app.

/// What wasm-split's loader panics with when a chunk couldn't be fetched or compiled.
const CHUNK_FAILED: &str = "load callback should succeed";

/// The notice's words: a chunk that didn't load, or anything else that stopped the app.
pub fn headline(panic: &str) -> &'static str {
    if panic.contains(CHUNK_FAILED) { "Couldn't load this page." } else { "This page stopped working." }
}

/// Puts the notice at the top of the page (once).
#[cfg(feature = "hydrate")]
pub fn show(panic: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(body) = document.body() else { return };
    if document.get_element_by_id("app-failure").is_some() {
        return;
    }
    let build = || -> Result<web_sys::Element, wasm_bindgen::JsValue> {
        let notice = document.create_element("div")?;
        notice.set_id("app-failure");
        notice.set_class_name("app-failure");
        notice.set_attribute("role", "alert")?;
        notice.set_attribute("data-testid", "app-failure")?;
        let text = document.create_element("p")?;
        text.set_text_content(Some(&format!("{} Reload to carry on.", headline(panic))));
        // The page again, loaded by the browser: `external`, so the stopped app's router
        // (whose state the panic left half-changed) leaves the click alone.
        let reload = document.create_element("a")?;
        reload.set_class_name("button button-primary");
        reload.set_attribute("href", &web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default())?;
        reload.set_attribute("rel", "external")?;
        reload.set_text_content(Some("Reload"));
        notice.append_with_node_2(&text, &reload)?;
        Ok(notice)
    };
    if let Ok(notice) = build() {
        let _ = body.prepend_with_node_1(&notice);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_that_did_not_load_is_named_as_such() {
        assert_eq!(headline("panicked at src/lib.rs:1:1:\nload callback should succeed: SplitLoaderError"), "Couldn't load this page.");
        assert_eq!(headline("panicked at src/x.rs: index out of bounds"), "This page stopped working.");
    }
}
