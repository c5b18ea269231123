//! The order outbox as it is kept in browser storage between page loads and handed between
//! tabs: JSON with a format version, the tab that holds it and when it was saved. Pure: the
//! browser side (which storage, when to save, who may adopt) lives in `crate::ui::sync`.

use serde::{Deserialize, Serialize};

use super::Outbox;

/// The format written now. A stored outbox of another format is not guessed at: its ops are
/// counted and reported, never sent.
pub const FORMAT: u32 = 1;

#[derive(Serialize)]
struct SavedRef<'a> {
    format: u32,
    tab: &'a str,
    saved_at: i64,
    #[serde(flatten)]
    outbox: &'a Outbox,
}

#[derive(Deserialize)]
struct Header {
    format: u32,
    #[serde(default)]
    queue: Vec<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Saved {
    #[serde(flatten)]
    outbox: Outbox,
}

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

/// `outbox` as stored by tab `tab` at `saved_at`.
pub fn encode(tab: &str, saved_at: i64, outbox: &Outbox) -> String {
    serde_json::to_string(&SavedRef { format: FORMAT, tab, saved_at, outbox }).unwrap_or_default()
}

/// Reads a stored outbox.
pub fn decode(text: &str) -> Decoded {
    match serde_json::from_str::<Header>(text) {
        Ok(header) if header.format == FORMAT => match serde_json::from_str::<Saved>(text) {
            Ok(saved) => Decoded::Outbox(saved.outbox),
            Err(_) => Decoded::Unusable { ops: header.queue.len() },
        },
        Ok(header) => Decoded::Unusable { ops: header.queue.len() },
        Err(_) => Decoded::Unusable { ops: 0 },
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
        let text = encode("tab", 5, &outbox);
        assert!(text.contains(r#""format":1"#) && text.contains(r#""tab":"tab""#));
        assert!(matches!(decode(&text), Decoded::Outbox(o) if o == outbox));
    }
}
