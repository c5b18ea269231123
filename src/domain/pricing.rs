//! Pricing rules. The server's answer is authoritative. The client predicts a total with
//! [`line_total`] alone; the server also applies a [`Promotion`] configured only on the server
//! ([`server_line_total`]), so its answer can differ from the guess: a soft conflict.

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

/// A promotion the server applies on top of the bulk discount: `percent` off the discounted
/// line from `from_quantity` units. The client does not know it, so it cannot predict it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Promotion {
    /// Percent off (0 turns the promotion off).
    pub percent: u8,
    /// Quantity from which it applies.
    pub from_quantity: u32,
}

impl Promotion {
    /// No promotion: the server prices exactly as the client predicts.
    pub const NONE: Promotion = Promotion { percent: 0, from_quantity: u32::MAX };
}

/// The total the server charges: [`line_total`] (bulk discount included), less the
/// promotion's percent from its quantity on. Rounded down to the cent like the bulk discount.
///
/// ```
/// use orderdesk::domain::{line_total, server_line_total, Money, Promotion, Quantity};
/// let promo = Promotion { percent: 5, from_quantity: 20 };
/// let (q19, q20, price) = (Quantity::parse(19).unwrap(), Quantity::parse(20).unwrap(), Money::from_cents(2_500));
/// assert_eq!(server_line_total(q19, price, &promo), line_total(q19, price));
/// assert_eq!(server_line_total(q20, price, &promo), Money::from_cents(42_750)); // 50,000 − 10% − 5%
/// ```
pub fn server_line_total(quantity: Quantity, unit_price: Money, promotion: &Promotion) -> Money {
    let total = line_total(quantity, unit_price).cents();
    let off = if quantity.get() >= promotion.from_quantity { total * i64::from(promotion.percent) / 100 } else { 0 };
    Money::from_cents(total - off)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROMO: Promotion = Promotion { percent: 5, from_quantity: 20 };

    #[test]
    fn the_promotion_applies_from_its_quantity_on_top_of_the_bulk_discount() {
        let price = Money::from_cents(2_500);
        assert_eq!(server_line_total(q(19), price, &PROMO), line_total(q(19), price), "below it the client's guess is right");
        assert_eq!(server_line_total(q(20), price, &PROMO), Money::from_cents(42_750));
        assert_ne!(server_line_total(q(20), price, &PROMO), line_total(q(20), price), "from it the server's answer differs");
        assert_eq!(server_line_total(q(3), price, &PROMO), Money::from_cents(7_500), "below both thresholds");
    }

    #[test]
    fn the_promotion_rounds_down_in_the_customers_favour() {
        // 21 × 999 = 20,979; −10% (2,097) = 18,882; −5% (944.1 → 944) = 17,938.
        assert_eq!(server_line_total(q(21), Money::from_cents(999), &PROMO), Money::from_cents(17_938));
    }

    #[test]
    fn no_promotion_prices_like_the_client() {
        for n in [1, 10, 20, 999] {
            let price = Money::from_cents(1_234);
            assert_eq!(server_line_total(q(n), price, &Promotion::NONE), line_total(q(n), price));
            assert_eq!(server_line_total(q(n), price, &Promotion { percent: 0, from_quantity: 1 }), line_total(q(n), price));
        }
    }

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
