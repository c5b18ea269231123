//! Person-facing text for failed and overruled writes. Every line says what failed and what to
//! do next, never "Something went wrong". Pure string building: no IO, no markup.

use crate::domain::Order;

use super::error::{ErrorKind, RowError};
use super::op::{OpField, OpKind};

/// How a row is named in a sentence: its number, or "the new order" before it has one.
fn label(order: &Order) -> String {
    order.number.map(|n| n.to_string()).unwrap_or_else(|| "the new order".to_string())
}

/// The first sentence: what failed, on the order called `name`.
fn headline(kind: &OpKind, name: &str) -> String {
    match kind {
        OpKind::SetStarred(true) => format!("Couldn't star {name}."),
        OpKind::SetStarred(false) => format!("Couldn't unstar {name}."),
        OpKind::Move { .. } | OpKind::MoveAfter { .. } => format!("Couldn't move {name}."),
        OpKind::Create(predicted) => format!("Couldn't create the order for {}.", predicted.customer),
        // Destructive: said plainly, so no one believes it is gone.
        OpKind::Delete => format!("Your delete of {name} did not complete. The order is still there."),
        OpKind::Rename { .. } => format!("Couldn't rename {name}."),
        OpKind::UndoDelete => format!("Couldn't restore {name}."),
        OpKind::SetNote(_) | OpKind::SetQuantity(_) | OpKind::StepQuantity { .. } => {
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
        ErrorKind::Unsendable => "This change can't be sent as it is. Reload the page, then make the change again.".to_string(),
        ErrorKind::NotSent => {
            "It was made too long ago to resend safely: Retry sends it now, Discard drops it.".to_string()
        }
    };
    if server.is_empty() { fallback } else { server.to_string() }
}

/// The row's status line after `kind` was rolled back with `error`, e.g.
/// "Couldn't save the quantity for ORD-1042. The quantity can be at most 999. …".
/// `order` is the row as it shows now (for its number).
pub fn failure_message(kind: &OpKind, order: &Order, error: &RowError) -> String {
    if error.kind == ErrorKind::NotSent {
        // Nothing failed: it was held back, and the person decides.
        let change = lost_change(kind.field(), 1);
        return format!("{}{} on {} wasn't sent. {}", change[..1].to_uppercase(), &change[1..], label(order), next_step(error));
    }
    failure_message_named(kind, &label(order), error)
}

/// [`failure_message`] for an order the page may not show, called `name` ("this order").
pub fn failure_message_named(kind: &OpKind, name: &str, error: &RowError) -> String {
    if is_quiet_failure(kind, error) {
        return headline(kind, name);
    }
    format!("{} {}", headline(kind, name), next_step(error))
}

/// A cosmetic change (the star) that failed in a way Retry can mend is told quietly: a mark and
/// one short line, not a paragraph. Destructive ones are loud (see `headline`).
pub fn is_quiet_failure(kind: &OpKind, error: &RowError) -> bool {
    matches!(kind, OpKind::SetStarred(_)) && matches!(error.kind, ErrorKind::Server | ErrorKind::Transport)
}

/// The status line of placing `name`, refused with `error`.
pub fn place_failure_message(name: &str, error: &RowError) -> String {
    format!("Couldn't place {name}. {}", next_step(error))
}

/// The line of cancelling `name`, refused with `error`: destructive, so it says plainly that
/// nothing was cancelled.
pub fn cancel_failure_message(name: &str, error: &RowError) -> String {
    format!("Your cancel of {name} did not complete. The order is not cancelled. {}", next_step(error))
}

/// The row's quiet note after changes made elsewhere beat the person's `lost` changes (oldest
/// first, only those the server does not hold): every lost change is named, not only the last.
/// `None` when nothing was lost.
pub fn lost_changes_message(lost: &[OpKind], order: &Order) -> Option<String> {
    if lost.is_empty() {
        return None;
    }
    let mut fields: Vec<(OpField, usize)> = Vec::new();
    for kind in lost {
        match fields.iter_mut().find(|(f, _)| *f == kind.field()) {
            Some((_, n)) => *n += 1,
            None => fields.push((kind.field(), 1)),
        }
    }
    let name = label(order);
    let changes: Vec<String> = fields.iter().map(|(field, n)| lost_change(*field, *n)).collect();
    let verb = if lost.len() == 1 { "wasn't" } else { "weren't" };
    Some(format!(
        "{name} was changed elsewhere, so {} {verb} saved. The row shows the latest version; make the change again if you still need it.",
        join(&changes)
    ))
}

/// "your star", "your 2 changes to the quantity".
fn lost_change(field: OpField, n: usize) -> String {
    let one = match field {
        OpField::Record => "your new order".to_string(),
        OpField::Existence => "your delete or undo".to_string(),
        OpField::Starred => "your star".to_string(),
        OpField::Position => "your move".to_string(),
        OpField::Name => "your rename".to_string(),
        other => format!("your change to the {}", other.label()),
    };
    if n == 1 {
        return one;
    }
    match field {
        OpField::Record | OpField::Existence | OpField::Starred | OpField::Position | OpField::Name => {
            format!("{n} of your changes to the {}", field.label())
        }
        other => format!("your {n} changes to the {}", other.label()),
    }
}

/// "a", "a and b", "a, b and c".
fn join(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CustomerName, Field, Note, OrderNumber, Quantity};

    fn order(number: Option<u32>) -> Order {
        Order {
            number: number.map(OrderNumber::new),
            customer: CustomerName::parse("Ada Lovelace").unwrap(),
            position: 0,
            ..crate::records::fixtures::draft(7, 100)
        }
    }

    #[test]
    fn a_change_held_back_as_too_old_says_it_was_not_sent_and_what_each_button_does() {
        let err = RowError::new(ErrorKind::NotSent, "");
        assert_eq!(
            failure_message(&OpKind::SetStarred(true), &order(Some(1042)), &err),
            "Your star on ORD-1042 wasn't sent. It was made too long ago to resend safely: Retry sends it now, Discard drops it."
        );
        let q = OpKind::SetQuantity(Quantity::parse(5).unwrap());
        assert!(failure_message(&q, &order(Some(7)), &err).starts_with("Your change to the quantity on ORD-7 wasn't sent."));
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
    fn a_failed_star_is_one_short_line_and_a_failed_delete_says_the_order_is_still_there() {
        let server = RowError::new(ErrorKind::Server, "The server couldn't finish the change.");
        let star = failure_message(&OpKind::SetStarred(true), &order(None), &server);
        assert_eq!(star, "Couldn't star the new order.");
        let forbidden = RowError::new(ErrorKind::Forbidden, "You can view this order but no longer change it.");
        assert!(failure_message(&OpKind::SetStarred(true), &order(None), &forbidden).ends_with("no longer change it."), "why is kept");
        let delete = failure_message(&OpKind::Delete, &order(None), &server);
        assert!(delete.starts_with("Your delete of the new order did not complete. The order is still there. "), "{delete}");
        assert!(!is_quiet_failure(&OpKind::Delete, &server));
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
            let headline = "Your delete of the new order did not complete. The order is still there. ";
            assert!(text.starts_with(headline), "{text}");
            assert!(text.len() > headline.len() + 10, "{text}");
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
        let q = |n| OpKind::SetQuantity(Quantity::parse(n).unwrap());
        let text = lost_changes_message(&[q(5)], &order(Some(1042))).unwrap();
        assert!(
            text.starts_with("ORD-1042 was changed elsewhere, so your change to the quantity wasn't saved."),
            "{text}"
        );
        assert!(text.contains("make the change again"));
    }

    #[test]
    fn several_lost_changes_are_all_named() {
        let q = |n| OpKind::SetQuantity(Quantity::parse(n).unwrap());
        let lost = [q(5), OpKind::SetNote(Note::parse("rush").unwrap()), q(6), OpKind::SetStarred(true)];
        let text = lost_changes_message(&lost, &order(Some(1042))).unwrap();
        assert!(
            text.starts_with(
                "ORD-1042 was changed elsewhere, so your 2 changes to the quantity, your change to the note and your star weren't saved."
            ),
            "{text}"
        );
        assert_eq!(lost_changes_message(&[], &order(Some(1042))), None);
    }
}
