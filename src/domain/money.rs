//! Money as integer cents: never floats, so totals are exact on both sides of the wire.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{Field, ValidationError};

/// An amount in US cents. Negative amounts are not representable through [`Money::parse_cents`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(i64);

/// Largest unit price we accept: $100,000.00.
const MAX_CENTS: i64 = 10_000_000;

impl Money {
    pub const ZERO: Money = Money(0);

    /// A unit price in cents, between 1 cent and $100,000.
    pub fn parse_cents(cents: i64) -> Result<Self, ValidationError> {
        if cents <= 0 {
            return Err(ValidationError::new(
                Field::UnitPrice,
                "The unit price must be more than $0.00. Enter a positive price.",
            ));
        }
        if cents > MAX_CENTS {
            return Err(ValidationError::new(
                Field::UnitPrice,
                "The unit price can be at most $100,000.00. Enter a smaller price.",
            ));
        }
        Ok(Money(cents))
    }

    /// Wraps cents computed by trusted code (pricing, the database).
    pub const fn from_cents(cents: i64) -> Self {
        Money(cents)
    }

    pub const fn cents(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Money {
    /// `$1,234.56`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let dollars = (abs / 100).to_string();
        let mut grouped = String::with_capacity(dollars.len() + dollars.len() / 3);
        for (i, ch) in dollars.chars().enumerate() {
            if i > 0 && (dollars.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        write!(f, "{sign}${grouped}.{:02}", abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_thousands_separators_and_cents() {
        assert_eq!(Money::from_cents(0).to_string(), "$0.00");
        assert_eq!(Money::from_cents(5).to_string(), "$0.05");
        assert_eq!(Money::from_cents(123_456).to_string(), "$1,234.56");
        assert_eq!(Money::from_cents(100_000_000).to_string(), "$1,000,000.00");
        assert_eq!(Money::from_cents(-250).to_string(), "-$2.50");
    }

    #[test]
    fn unit_price_must_be_positive_and_bounded() {
        assert_eq!(Money::parse_cents(1).unwrap().cents(), 1);
        assert_eq!(Money::parse_cents(0).unwrap_err().field, Field::UnitPrice);
        assert!(Money::parse_cents(-1).is_err());
        assert!(Money::parse_cents(MAX_CENTS).is_ok());
        assert!(Money::parse_cents(MAX_CENTS + 1).is_err());
    }
}
