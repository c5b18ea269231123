//! The one test order of the records tests: a draft of one widget for Ada, ORD-{1000+n}, at
//! position `n`, version 1, at the given unit price. Tests change what they need with
//! `Order { field, ..draft(n, price) }`.

use uuid::Uuid;

use crate::domain::{CustomerName, ItemName, Money, Note, Order, OrderId, OrderNumber, OrderStatus, Quantity, line_total};

pub fn draft(n: u128, unit_price_cents: i64) -> Order {
    let (quantity, unit_price) = (Quantity::parse(1).unwrap(), Money::from_cents(unit_price_cents));
    Order {
        id: OrderId::from_uuid(Uuid::from_u128(n)),
        number: Some(OrderNumber::new(1000 + n as u32)),
        customer: CustomerName::parse("Ada").unwrap(),
        item: ItemName::parse("Widget").unwrap(),
        note: Note::parse("").unwrap(),
        quantity,
        unit_price,
        total: line_total(quantity, unit_price),
        status: OrderStatus::Draft,
        starred: false,
        position: n as i64,
        version: 1,
        created_at: 0,
        updated_at: 0,
    }
}
