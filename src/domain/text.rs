//! Free-text fields: names and notes, NFC-normalised (on the server), trimmed and checked for
//! length and characters. Also [`excerpt`]: how an error message may quote what was typed.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{Field, ValidationError};

/// The most characters of someone's input an error message quotes.
pub const EXCERPT_CHARS: usize = 24;

/// Characters that change how the text around them is shown without showing themselves:
/// bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) can make a
/// name read differently from what it is, and zero-width ones (U+200B–U+200D, U+2060, U+FEFF)
/// make two names that look the same differ.
pub fn is_invisible_formatting(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// What an error message may quote of `raw`: at most [`EXCERPT_CHARS`] characters of it,
/// trimmed, with control and invisible formatting characters shown as U+FFFD, and "…" when
/// cut. Messages must never echo unbounded or disguising input back.
pub fn excerpt(raw: &str) -> String {
    excerpt_chars(raw, EXCERPT_CHARS)
}

/// [`excerpt`] with another bound, for text that may contain input (a parser's error detail).
pub fn excerpt_chars(raw: &str, max: usize) -> String {
    let s = raw.trim();
    let mut out: String = s
        .chars()
        .take(max)
        .map(|c| if c.is_control() || is_invisible_formatting(c) { '\u{FFFD}' } else { c })
        .collect();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// `s` in Unicode Normalization Form C, so text typed as "e + combining accent" and as "é" is
/// stored, compared and counted the same.
///
/// Server only: the composition tables of `unicode-normalization` (~600 KB of source) would
/// ship in the WASM client for a guess the server replaces anyway. The client checks the text
/// as typed; the server's record, normalised, is what everyone then sees.
#[cfg(feature = "ssr")]
fn nfc(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfc().collect()
}

/// See the server build's `nfc`: the client leaves the text as typed.
#[cfg(not(feature = "ssr"))]
fn nfc(s: &str) -> String {
    s.to_string()
}

/// Normalises and trims `raw` and checks it: no control or invisible formatting characters,
/// between `min` and `max` characters.
fn clean(field: Field, raw: &str, min: usize, max: usize) -> Result<String, ValidationError> {
    let normalised = nfc(raw);
    let s = normalised.trim();
    let len = s.chars().count();
    let label = field.label();
    if len < min {
        // Labels are ASCII (`Field::label`), so ASCII capitalisation is exact and spares the
        // WASM client the Unicode case tables.
        let mut capitalised = label.to_string();
        if let Some(first) = capitalised.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        return Err(ValidationError::new(field, format!("{capitalised} can't be empty. Type a {label}.")));
    }
    if len > max {
        return Err(ValidationError::new(
            field,
            format!("The {label} is {len} characters long; the limit is {max}. Shorten it."),
        ));
    }
    // Tabs and newlines are allowed in notes only; other control characters never.
    let multiline = field == Field::Note;
    if let Some(bad) = s.chars().find(|c| c.is_control() && !(multiline && (*c == '\n' || *c == '\t'))) {
        return Err(ValidationError::new(
            field,
            format!("The {label} contains an invisible control character (U+{:04X}). Retype it without that character.", bad as u32),
        ));
    }
    if let Some(bad) = s.chars().find(|c| is_invisible_formatting(*c)) {
        return Err(ValidationError::new(
            field,
            format!(
                "The {label} contains an invisible formatting character (U+{:04X}) that can change how text reads. Retype it without that character.",
                bad as u32
            ),
        ));
    }
    Ok(s.to_string())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $field:expr, $min:expr, $max:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, ValidationError> {
                clean($field, raw, $min, $max).map($name)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValidationError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_type!(
    /// Who the order is for: 1 to 80 characters.
    CustomerName, Field::Customer, 1, 80
);
text_type!(
    /// What is ordered: 1 to 80 characters.
    ItemName, Field::Item, 1, 80
);
text_type!(
    /// A free note on the order: up to 500 characters, may be empty.
    Note, Field::Note, 0, 500
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_accepts_ordinary_names() {
        assert_eq!(CustomerName::parse("  Ada Lovelace ").unwrap().as_str(), "Ada Lovelace");
        assert_eq!(ItemName::parse("Café crème — 1 kg").unwrap().as_str(), "Café crème — 1 kg");
    }

    #[test]
    fn empty_name_names_the_field_and_what_to_do() {
        let err = CustomerName::parse("   ").unwrap_err();
        assert_eq!(err.field, Field::Customer);
        assert_eq!(err.message, "Customer name can't be empty. Type a customer name.");
    }

    #[test]
    fn too_long_counts_characters_not_bytes() {
        assert!(ItemName::parse(&"é".repeat(80)).is_ok());
        let err = ItemName::parse(&"é".repeat(81)).unwrap_err();
        assert_eq!(err.field, Field::Item);
        assert!(err.message.contains("81 characters"), "{}", err.message);
        assert!(err.message.contains("Shorten it"));
    }

    #[test]
    fn control_characters_are_rejected_except_newlines_in_notes() {
        assert!(CustomerName::parse("Ada\u{0}").is_err());
        assert!(CustomerName::parse("Ada\nLovelace").is_err());
        assert!(Note::parse("line one\nline two").is_ok());
        assert!(Note::parse("bell\u{7}").is_err());
        assert!(Note::parse("").is_ok());
    }

    #[test]
    fn bidi_controls_and_zero_width_characters_are_refused_naming_the_field() {
        for bad in ['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'] {
            let err = CustomerName::parse(&format!("Ada{bad}Lovelace")).unwrap_err();
            assert_eq!(err.field, Field::Customer);
            assert!(err.message.contains(&format!("U+{:04X}", bad as u32)), "{}", err.message);
            assert!(err.message.contains("Retype it"), "{}", err.message);
            assert_eq!(ItemName::parse(&format!("{bad}tea")).unwrap_err().field, Field::Item);
            assert_eq!(Note::parse(&format!("note{bad}")).unwrap_err().field, Field::Note);
        }
        assert!(CustomerName::parse("Zoë \u{2014} مرحبا").is_ok(), "right-to-left letters themselves are fine");
    }

    #[test]
    fn text_is_stored_in_nfc_so_one_name_has_one_spelling() {
        let decomposed = "Cafe\u{301} cre\u{300}me";
        let name = ItemName::parse(decomposed).unwrap();
        assert_eq!(name.as_str(), "Café crème");
        assert_eq!(name, ItemName::parse("Café crème").unwrap());
        // 80 composed characters fit even when typed as 160 code points.
        assert!(ItemName::parse(&"e\u{301}".repeat(80)).is_ok());
    }

    #[test]
    fn an_excerpt_quotes_a_short_prefix_only_and_hides_invisible_characters() {
        assert_eq!(excerpt("  ORD-12  "), "ORD-12");
        let long = "x".repeat(10_000);
        let quoted = excerpt(&long);
        assert_eq!(quoted.chars().count(), EXCERPT_CHARS + 1);
        assert!(quoted.ends_with('…'));
        assert_eq!(excerpt("a\u{202E}b\u{0}c"), "a\u{FFFD}b\u{FFFD}c");
    }

    #[test]
    fn deserializing_validates() {
        assert!(serde_json::from_str::<CustomerName>("\"\"").is_err());
        assert_eq!(serde_json::from_str::<Note>("\" hi \"").unwrap().as_str(), "hi");
    }
}
