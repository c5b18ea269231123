//! Pricing rules. The server's answer is authoritative; the client uses the same rule only to
//! predict, and a later rule change on the server shows up as a soft conflict.

use super::{Money, Quantity};

/// Quantity from which the bulk discount applies.
pub const BULK_DISCOUNT_FROM: u32 = 10;
/// Bulk discount, in percent of the line subtotal.
pub const BULK_DISCOUNT_PERCENT: i64 = 10;

/// `quantity × unit price`, less [`BULK_DISCOUNT_PERCENT`]% from [`BULK_DISCOUNT_FROM`] units.
/// The discount is rounded down to the cent, so the customer never pays a fraction more.
pub fn line_total(quantity: Quantity, unit_price: Money) -> Money {
    let subtotal = i64::from(quantity.get()) * unit_price.cents();
    let discount = if quantity.get() >= BULK_DISCOUNT_FROM { subtotal * BULK_DISCOUNT_PERCENT / 100 } else { 0 };
    Money::from_cents(subtotal - discount)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64) -> Quantity {
        Quantity::parse(n).unwrap()
    }

    #[test]
    fn below_the_threshold_is_plain_multiplication() {
        assert_eq!(line_total(q(9), Money::from_cents(1_250)), Money::from_cents(11_250));
    }

    #[test]
    fn from_ten_units_takes_ten_percent_off() {
        assert_eq!(line_total(q(10), Money::from_cents(1_250)), Money::from_cents(11_250));
        assert_eq!(line_total(q(12), Money::from_cents(999)), Money::from_cents(10_790));
    }

    #[test]
    fn largest_order_fits_in_cents() {
        let top = line_total(q(i64::from(Quantity::MAX)), Money::parse_cents(10_000_000).unwrap());
        assert_eq!(top.cents(), 999 * 10_000_000 * 9 / 10);
    }
}
