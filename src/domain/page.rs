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
    /// After every order: a page from here holds none, only the count.
    pub const PAST_THE_END: ListKey = ListKey { position: i64::MAX, number: OrderNumber::new(u32::MAX) };

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

/// The part of the list a page has loaded: the orders after `start` (from the top when `None`)
/// up to and including `end` (to the bottom when `None`) that match `search`. Pages are read by
/// key, so the window is a stretch of keys, not a count of rows: whatever is written meanwhile,
/// an order is in it or not by its own key, and the next page starts right after `end`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListWindow {
    pub start: Option<ListKey>,
    pub end: Option<ListKey>,
    pub search: String,
}

impl ListWindow {
    /// Whether `order` belongs in the window. A predicted order without a number (a create not
    /// confirmed yet) goes on top, so it is in a window that starts at the top.
    pub fn contains(&self, order: &Order) -> bool {
        let placed = match ListKey::of(order) {
            Some(key) => self.start.is_none_or(|s| key > s) && self.end.is_none_or(|e| key <= e),
            None => self.start.is_none(),
        };
        placed && order.matches(&self.search)
    }

    /// Whether `order` lies in the stretch a page read from `from` to `to` (the page's `next`;
    /// `None`: to the bottom), whatever it matches.
    pub fn between(order: &Order, from: Option<ListKey>, to: Option<ListKey>) -> bool {
        ListKey::of(order).is_some_and(|k| from.is_none_or(|f| k > f) && to.is_none_or(|t| k <= t))
    }

    /// Whether every order the window could hold is loaded (no further page).
    pub fn is_complete(&self) -> bool {
        self.start.is_none() && self.end.is_none()
    }
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
