//! Pages of the orders list: where a page starts, and what it holds. The list is read a page at
//! a time by its sort key (position, then number: every order has its own), never by counting
//! rows from the top, so a page costs the same at the end of 100,000 orders as at the start.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{excerpt, Field, Order, OrderNumber, ValidationError};

/// An order's place in the list order; a page starts just after one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ListKey {
    pub position: i64,
    pub number: OrderNumber,
}

impl ListKey {
    /// The order's place in the list (`None` for a client prediction that has no number yet).
    pub fn of(order: &Order) -> Option<ListKey> {
        order.number.map(|number| ListKey { position: order.position, number })
    }

    /// Parses the form a link carries (`<position>.<number>`, e.g. `-2048.1042`).
    pub fn parse(s: &str) -> Result<ListKey, ValidationError> {
        let bad = || {
            ValidationError::new(Field::Position, format!("\"{}\" is not a place in the list. Open the list from its first page.", excerpt(s)))
        };
        let (position, number) = s.trim().split_once('.').ok_or_else(bad)?;
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        let unsigned = position.strip_prefix('-').unwrap_or(position);
        if !digits(unsigned) || !digits(number) {
            return Err(bad());
        }
        Ok(ListKey { position: position.parse().map_err(|_| bad())?, number: OrderNumber::new(number.parse().map_err(|_| bad())?) })
    }
}

impl fmt::Display for ListKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.position, self.number.get())
    }
}

/// One page of the list: its orders in list order, how many orders the list holds in all, and
/// where the next page starts (`None`: this is the last).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPage {
    pub orders: Vec<Order>,
    pub total: u64,
    pub next: Option<ListKey>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_reads_back_as_written_and_anything_else_is_refused_at_the_position_field() {
        for key in [ListKey { position: -2048, number: OrderNumber::new(1042) }, ListKey { position: i64::MAX, number: OrderNumber::new(u32::MAX) }] {
            assert_eq!(ListKey::parse(&key.to_string()), Ok(key));
        }
        for bad in ["", ".", "12", "1.2.3", "x.1001", "1.-5", "+1.1001", "1.1001x", "99999999999999999999.1", "1.99999999999", " . "] {
            assert_eq!(ListKey::parse(bad).map_err(|e| e.field), Err(Field::Position), "{bad:?}");
        }
    }
}
