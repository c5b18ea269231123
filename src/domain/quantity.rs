//! Order line quantity, bounded so totals stay within range and typos are caught.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{Field, ValidationError};

/// A quantity between [`Quantity::MIN`] and [`Quantity::MAX`] units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Quantity(u32);

impl Quantity {
    pub const MIN: u32 = 1;
    pub const MAX: u32 = 999;

    pub fn parse(n: i64) -> Result<Self, ValidationError> {
        if n < i64::from(Self::MIN) {
            return Err(ValidationError::new(
                Field::Quantity,
                format!("The quantity must be at least {}. To drop the order, delete it instead.", Self::MIN),
            ));
        }
        if n > i64::from(Self::MAX) {
            return Err(ValidationError::new(
                Field::Quantity,
                format!("The quantity can be at most {}. For larger orders, split them or contact sales.", Self::MAX),
            ));
        }
        Ok(Quantity(n as u32))
    }

    pub const fn get(self) -> u32 {
        self.0
    }

    /// The next quantity up, or `None` at the bound (the + button is disabled then).
    pub fn increment(self) -> Option<Self> {
        (self.0 < Self::MAX).then_some(Quantity(self.0 + 1))
    }

    /// The next quantity down, or `None` at the bound (the − button is disabled then).
    pub fn decrement(self) -> Option<Self> {
        (self.0 > Self::MIN).then_some(Quantity(self.0 - 1))
    }

    /// This quantity moved by `by`, or `None` if that leaves the valid range.
    pub fn step(self, by: i32) -> Option<Self> {
        Quantity::parse(i64::from(self.0) + i64::from(by)).ok()
    }
}

impl TryFrom<i64> for Quantity {
    type Error = ValidationError;
    fn try_from(n: i64) -> Result<Self, Self::Error> {
        Quantity::parse(n)
    }
}

impl From<Quantity> for i64 {
    fn from(q: Quantity) -> i64 {
        i64::from(q.0)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_stays_in_range() {
        let q = Quantity::parse(5).unwrap();
        assert_eq!(q.step(2).map(Quantity::get), Some(7));
        assert_eq!(q.step(-4).map(Quantity::get), Some(1));
        assert_eq!(q.step(-5), None);
        assert_eq!(Quantity::parse(i64::from(Quantity::MAX)).unwrap().step(1), None);
    }

    #[test]
    fn accepts_the_bounds_and_rejects_outside() {
        assert_eq!(Quantity::parse(1).unwrap().get(), 1);
        assert_eq!(Quantity::parse(999).unwrap().get(), 999);
        let low = Quantity::parse(0).unwrap_err();
        assert_eq!(low.field, Field::Quantity);
        assert!(low.message.contains("at least 1"));
        assert!(Quantity::parse(1000).unwrap_err().message.contains("at most 999"));
        assert!(Quantity::parse(i64::MIN).is_err());
    }

    #[test]
    fn steps_stop_at_the_bounds() {
        assert_eq!(Quantity::parse(1).unwrap().decrement(), None);
        assert_eq!(Quantity::parse(999).unwrap().increment(), None);
        assert_eq!(Quantity::parse(5).unwrap().increment().unwrap().get(), 6);
    }

    #[test]
    fn deserializing_validates() {
        assert!(serde_json::from_str::<Quantity>("12").is_ok());
        assert!(serde_json::from_str::<Quantity>("0").is_err());
    }
}
