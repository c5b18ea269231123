//! Human order numbers (ORD-1001), assigned by the server only.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{Field, ValidationError};

/// The number people quote on the phone. The server assigns it; clients never invent one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderNumber(u32);

impl OrderNumber {
    /// The first number a fresh database hands out.
    pub const FIRST: OrderNumber = OrderNumber(1001);

    pub const fn new(n: u32) -> Self {
        OrderNumber(n)
    }

    pub const fn get(self) -> u32 {
        self.0
    }

    /// Parses `ORD-1042` (case-insensitive prefix, surrounding spaces ignored).
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let bad = || {
            ValidationError::new(
                Field::OrderNumber,
                format!("\"{}\" is not an order number. Order numbers look like ORD-1042.", super::excerpt(s)),
            )
        };
        let s = s.trim();
        let digits = s
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("ORD-"))
            .map(|_| &s[4..])
            .ok_or_else(bad)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        digits.parse::<u32>().map(OrderNumber).map_err(|_| bad())
    }
}

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ORD-{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_number_is_quoted_only_by_a_short_prefix() {
        let err = OrderNumber::parse(&format!("ORD-{}", "9".repeat(50_000))).unwrap_err();
        assert!(err.message.len() < 120, "{}", err.message);
    }

    #[test]
    fn displays_and_parses_round_trip() {
        let n = OrderNumber::new(1042);
        assert_eq!(n.to_string(), "ORD-1042");
        assert_eq!(OrderNumber::parse("ORD-1042").unwrap(), n);
        assert_eq!(OrderNumber::parse(" ord-1042 ").unwrap(), n);
    }

    #[test]
    fn rejects_anything_that_is_not_an_order_number() {
        for bad in ["", "ORD-", "1042", "ORD-10a2", "ORD--1", "ORD-99999999999", "ÖRD-1", "ORD-+1"] {
            let err = OrderNumber::parse(bad).unwrap_err();
            assert_eq!(err.field, Field::OrderNumber, "{bad}");
            assert!(err.message.contains("ORD-1042"), "{bad}: {}", err.message);
        }
    }
}
