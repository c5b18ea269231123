//! The order outbox as it is kept in browser storage between page loads and handed between
//! tabs: JSON with a format version, the tab that holds it and when it was saved. Pure: the
//! browser side (which storage, when to save, who may adopt) lives in `crate::ui::sync`.

use serde::Deserialize;

use super::Outbox;
use crate::wire::{self, Json};

/// The format written now. A stored outbox of another format is not guessed at: its ops are
/// counted and reported, never sent.
pub const FORMAT: u32 = 1;

/// What a stored outbox turned out to be.
#[derive(Debug)]
pub enum Decoded {
    /// Ours, readable.
    Outbox(Outbox),
    /// Written by another version of the app (or damaged): `ops` operations that will not be
    /// sent, so the person must be told.
    Unusable {
        /// How many queued operations it held, as far as can be told.
        ops: usize,
    },
}

/// The outbox's own JSON, `{"queue":[…],"marks":[…],"records":[…]}`: what is compared to
/// tell whether anything changed since the last save.
pub fn body(outbox: &Outbox) -> String {
    serde_json::to_string(outbox).unwrap_or_default()
}

/// The stored text: `body` (from [`body`]) with the format, the tab that holds it and when it
/// was saved in front, `{"format":1,"tab":"…","saved_at":…,"queue":[…],…}`. Spliced rather
/// than serialised through a wrapper: a flattened wrapper would bring serde's buffering code
/// into the WASM client for nothing.
pub fn encode(tab: &str, saved_at: i64, body: &str) -> String {
    let rest = body.strip_prefix('{').unwrap_or("}");
    let tab = serde_json::to_string(tab).unwrap_or_default();
    let sep = if rest.starts_with('}') { "" } else { "," };
    format!(r#"{{"format":{FORMAT},"tab":{tab},"saved_at":{saved_at}{sep}{rest}"#)
}

/// Reads a stored outbox with the client's one JSON reader ([`crate::wire`]).
pub fn decode(text: &str) -> Decoded {
    let Ok(Json::Object(fields)) = wire::parse(text.as_bytes()) else { return Decoded::Unusable { ops: 0 } };
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    let ops = match field("queue") {
        Some(Json::Array(queue)) => queue.len(),
        _ => 0,
    };
    if field("format") != Some(&Json::UInt(u64::from(FORMAT))) {
        return Decoded::Unusable { ops };
    }
    // The extra fields (format, tab, saved_at) are ignored by the outbox's own fields.
    match Outbox::deserialize(Json::Object(fields)) {
        Ok(outbox) => Decoded::Outbox(outbox),
        Err(_) => Decoded::Unusable { ops },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_format_is_counted_never_read() {
        let text = r#"{"format":0,"tab":"t","saved_at":1,"queue":[{"op":{}},{"op":{}}],"marks":[],"records":[]}"#;
        assert!(matches!(decode(text), Decoded::Unusable { ops: 2 }));
        assert!(matches!(decode("not json"), Decoded::Unusable { ops: 0 }));
        let damaged = r#"{"format":1,"tab":"t","saved_at":1,"queue":[{"op":"?"}],"marks":[],"records":[]}"#;
        assert!(matches!(decode(damaged), Decoded::Unusable { ops: 1 }));
    }

    #[test]
    fn our_format_round_trips() {
        let outbox = Outbox::default();
        let text = encode("tab", 5, &body(&outbox));
        assert!(text.starts_with(r#"{"format":1,"tab":"tab","saved_at":5,"queue":[]"#), "{text}");
        assert!(matches!(decode(&text), Decoded::Outbox(o) if o == outbox));
    }
}
