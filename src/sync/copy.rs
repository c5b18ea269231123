//! Person-facing text for failed and overruled writes. Every line says what failed and what to
//! do next, never "Something went wrong". Pure string building: no IO, no markup.

use crate::domain::Order;

use super::op::{OpField, OpKind};
use super::outcome::{ErrorKind, RowError};

/// How a row is named in a sentence: its number, or "the new order" before it has one.
fn label(order: &Order) -> String {
    order.number.map(|n| n.to_string()).unwrap_or_else(|| "the new order".to_string())
}

/// The first sentence: what failed, on which order.
fn headline(kind: &OpKind, order: &Order) -> String {
    let name = label(order);
    match kind {
        OpKind::SetStarred(true) => format!("Couldn't star {name}."),
        OpKind::SetStarred(false) => format!("Couldn't unstar {name}."),
        OpKind::Move { .. } => format!("Couldn't move {name}."),
        OpKind::Create(predicted) => format!("Couldn't create the order for {}.", predicted.customer),
        OpKind::Delete => format!("Couldn't delete {name}."),
        OpKind::Rename { .. } => format!("Couldn't rename {name}."),
        OpKind::UndoDelete => format!("Couldn't restore {name}."),
        OpKind::SetNote(_) | OpKind::SetQuantity(_) => {
            format!("Couldn't save the {} for {name}.", kind.field().label())
        }
    }
}

/// The second sentence: what to do next. The server's message is used where the contract
/// makes it person-facing; the transport's reason never is.
fn next_step(error: &RowError) -> String {
    let server = error.message.trim();
    let fallback = match error.kind {
        ErrorKind::Validation { field } => format!("Check the {} and try again.", field.label()),
        ErrorKind::NotFound => "This order no longer exists. Reload the list to see the current orders.".to_string(),
        ErrorKind::Forbidden => "You don't have permission to change this order. Ask an admin for access.".to_string(),
        ErrorKind::Server => "The server couldn't finish the change. Retry in a moment.".to_string(),
        ErrorKind::Transport => return "Check your connection and retry.".to_string(),
    };
    if server.is_empty() { fallback } else { server.to_string() }
}

/// The row's status line after `kind` was rolled back with `error`, e.g.
/// "Couldn't save the quantity for ORD-1042. The quantity can be at most 999. …".
/// `order` is the row as it shows now (for its number).
pub fn failure_message(kind: &OpKind, order: &Order, error: &RowError) -> String {
    format!("{} {}", headline(kind, order), next_step(error))
}

/// The row's quiet note after a version conflict dropped the user's change to `field`.
pub fn updated_elsewhere_message(field: OpField, order: &Order) -> String {
    let name = label(order);
    let change = match field {
        OpField::Record => "your new order".to_string(),
        OpField::Existence => "your delete or undo".to_string(),
        OpField::Starred => "your star".to_string(),
        OpField::Position => "your move".to_string(),
        OpField::Name => "your rename".to_string(),
        other => format!("your change to the {}", other.label()),
    };
    format!(
        "{name} was changed elsewhere, so {change} wasn't saved. The row shows the latest version; make the change again if you still need it."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CustomerName, Field, ItemName, Money, Note, OrderId, OrderNumber, OrderStatus, Quantity};

    fn order(number: Option<u32>) -> Order {
        Order {
            id: OrderId::from_uuid(uuid::Uuid::from_u128(7)),
            number: number.map(OrderNumber::new),
            customer: CustomerName::parse("Ada Lovelace").unwrap(),
            item: ItemName::parse("Widget").unwrap(),
            note: Note::parse("").unwrap(),
            quantity: Quantity::parse(1).unwrap(),
            unit_price: Money::from_cents(100),
            total: Money::from_cents(100),
            status: OrderStatus::Draft,
            starred: false,
            position: 0,
            version: 1,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn quantity_failure_names_the_field_the_order_and_the_next_step() {
        let q = OpKind::SetQuantity(Quantity::parse(5).unwrap());
        let err = RowError::transport("timeout after 10s");
        assert_eq!(
            failure_message(&q, &order(Some(1042)), &err),
            "Couldn't save the quantity for ORD-1042. Check your connection and retry."
        );
        let err = RowError::validation(Field::Quantity, "The quantity can be at most 999. Split the order.");
        assert_eq!(
            failure_message(&q, &order(Some(1042)), &err),
            "Couldn't save the quantity for ORD-1042. The quantity can be at most 999. Split the order."
        );
    }

    #[test]
    fn every_failure_has_a_next_step_even_without_a_server_message() {
        let kinds = [
            ErrorKind::Validation { field: Field::Note },
            ErrorKind::NotFound,
            ErrorKind::Forbidden,
            ErrorKind::Server,
            ErrorKind::Transport,
        ];
        for kind in kinds {
            let text = failure_message(&OpKind::Delete, &order(None), &RowError::new(kind, "  "));
            assert!(text.starts_with("Couldn't delete the new order. "), "{text}");
            assert!(text.len() > "Couldn't delete the new order. ".len() + 10, "{text}");
            assert!(!text.to_lowercase().contains("something went wrong"));
        }
    }

    #[test]
    fn create_failure_names_the_customer() {
        let o = order(None);
        let text = failure_message(&OpKind::Create(o.clone()), &o, &RowError::new(ErrorKind::Server, ""));
        assert_eq!(
            text,
            "Couldn't create the order for Ada Lovelace. The server couldn't finish the change. Retry in a moment."
        );
    }

    #[test]
    fn updated_elsewhere_says_what_was_lost_and_what_to_do() {
        let text = updated_elsewhere_message(OpField::Quantity, &order(Some(1042)));
        assert!(
            text.starts_with("ORD-1042 was changed elsewhere, so your change to the quantity wasn't saved."),
            "{text}"
        );
        assert!(text.contains("make the change again"));
    }
}
