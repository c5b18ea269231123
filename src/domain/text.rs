//! Free-text fields: names and notes, trimmed and checked for length and characters.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{Field, ValidationError};

/// Trims `raw` and checks it: no control characters, between `min` and `max` characters.
fn clean(field: Field, raw: &str, min: usize, max: usize) -> Result<String, ValidationError> {
    let s = raw.trim();
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
    fn deserializing_validates() {
        assert!(serde_json::from_str::<CustomerName>("\"\"").is_err());
        assert_eq!(serde_json::from_str::<Note>("\" hi \"").unwrap().as_str(), "hi");
    }
}
