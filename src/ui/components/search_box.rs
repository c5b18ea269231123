//! Filters the list by customer, item or number. A plain GET form without JavaScript;
//! with it, the list filters as you type (the query string stays the source of truth).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::domain::ListKey;

#[component]
pub fn SearchBox(
    /// The search text, read reactively.
    value: impl Fn() -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let navigate = use_navigate();
    let on_input = move |ev: leptos::ev::Event| {
        let q = event_target_value(&ev);
        navigate(&orders_href(&q, None), NavigateOptions { replace: true, scroll: false, ..Default::default() });
    };
    view! {
        <form class="search" method="get" action="/orders" role="search">
            <label class="visually-hidden" for="order-search">"Search orders"</label>
            <input
                id="order-search"
                name="q"
                type="search"
                placeholder="Search customer, item, ORD-…"
                autocomplete="off"
                prop:value=value
                on:input=on_input
                data-testid="order-search"
            />
        </form>
    }
    .into_any()
}

/// The orders page's address for a search (empty: none) from after `after` (`None`: the top).
pub fn orders_href(search: &str, after: Option<ListKey>) -> String {
    let mut query = Vec::new();
    if !search.is_empty() {
        query.push(format!("q={}", encode_query(search)));
    }
    if let Some(after) = after {
        query.push(format!("after={}", encode_query(&after.to_string())));
    }
    if query.is_empty() { "/orders".to_string() } else { format!("/orders?{}", query.join("&")) }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass through).
pub fn encode_query(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode_query;

    #[test]
    fn an_address_carries_the_search_and_where_the_page_starts() {
        use super::{orders_href, ListKey};
        let key = ListKey::parse("-2048.1042").unwrap();
        assert_eq!(orders_href("", None), "/orders");
        assert_eq!(orders_href("café", None), "/orders?q=caf%C3%A9");
        assert_eq!(orders_href("", Some(key)), "/orders?after=-2048.1042");
        assert_eq!(orders_href("a b", Some(key)), "/orders?q=a+b&after=-2048.1042");
    }

    #[test]
    fn encodes_spaces_and_reserved_characters() {
        assert_eq!(encode_query("ORD-1042"), "ORD-1042");
        assert_eq!(encode_query("café & co"), "caf%C3%A9+%26+co");
    }
}
