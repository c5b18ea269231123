//! What a plain form post (a write made without JavaScript, or before the page's script ran)
//! leaves for the page it returns to, and how that page words it. The server keeps one notice
//! per session and the next page shows it once; with JavaScript the sync engine shows the same
//! outcomes on the row itself, so this is only the way back from a post. Pure: no IO, no markup.

use serde::{Deserialize, Serialize};

use crate::domain::{CustomerName, Field, ItemName, Note, Order, OrderId, Quantity, WriteKind};
use crate::error::AppError;

use super::copy::{cancel_failure_message, failure_message_named, lost_changes_message, place_failure_message};
use super::{outcome_of_error, OpKind, Outcome, RowError};

/// The form fields a notice keeps (what the person typed or chose, to show again); the key,
/// the token and anything else are left out.
pub const KEPT_FIELDS: [&str; 8] = ["starred", "quantity", "before", "after", "customer", "item", "note", "id"];

/// The query parameters that open a state of a page without JavaScript (a row's editor, the
/// cancel dialog): at most one at a time, and none after a write that went through.
pub const PAGE_STATES: [&str; 2] = ["edit", "cancel"];

/// One plain form post's result, for the page it returns to.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FormNotice {
    /// Which write the form made.
    pub kind: WriteKind,
    /// The order it was about, if the form named one that parses.
    pub order: Option<OrderId>,
    /// The fields the person sent (only [`KEPT_FIELDS`]).
    pub fields: Vec<(String, String)>,
    pub result: FormResult,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormResult {
    /// The write was refused; nothing changed.
    Refused(AppError),
    /// The draft was deleted and is held for the undo window (the page offers Undo).
    Deleted(Order),
}

impl FormNotice {
    /// A notice for a post of `kind` with `fields` (all of the form's; only the kept ones stay).
    pub fn new(kind: WriteKind, fields: &[(String, String)], result: FormResult) -> FormNotice {
        let fields: Vec<(String, String)> = fields.iter().filter(|(k, _)| KEPT_FIELDS.contains(&k.as_str())).cloned().collect();
        let order = fields.iter().find(|(k, _)| k == "id").and_then(|(_, v)| OrderId::parse(v).ok());
        FormNotice { kind, order, fields, result }
    }

    /// The value the person sent for `name`, if kept.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The change the form asked for, as the engine would have queued it (`None` for placing
    /// and cancelling, which are no queued changes, and for input that doesn't parse).
    pub fn op(&self) -> Option<OpKind> {
        let field = |name| self.field(name).unwrap_or_default();
        Some(match self.kind {
            WriteKind::Star => OpKind::SetStarred(field("starred") == "true"),
            WriteKind::Quantity => OpKind::SetQuantity(Quantity::parse(field("quantity").parse().ok()?).ok()?),
            WriteKind::Move => match (self.field("before").filter(|b| !b.is_empty()), self.field("after").filter(|a| !a.is_empty())) {
                (_, Some(after)) => OpKind::MoveAfter { after: OrderId::parse(after).ok()? },
                (before, None) => OpKind::Move { before: before.map(OrderId::parse).transpose().ok()? },
            },
            WriteKind::Rename => OpKind::Rename { customer: CustomerName::parse(field("customer")).ok()?, item: ItemName::parse(field("item")).ok()? },
            WriteKind::Note => OpKind::SetNote(Note::parse(field("note")).ok()?),
            WriteKind::Create => OpKind::Create(Order::new_draft(self.order?, 0)),
            WriteKind::Delete => OpKind::Delete,
            WriteKind::UndoDelete => OpKind::UndoDelete,
            WriteKind::Place | WriteKind::Cancel => return None,
        })
    }

    /// The field a refused edit names, with its message: the page shows it at that field and
    /// keeps what the person typed.
    pub fn invalid_field(&self) -> Option<(Field, String)> {
        match &self.result {
            FormResult::Refused(AppError::Validation { field, message }) => Some((*field, message.clone())),
            _ => None,
        }
    }

    /// Whether the order was changed elsewhere first (the page shows the current values).
    pub fn is_conflict(&self) -> bool {
        matches!(self.result, FormResult::Refused(AppError::Conflict { .. }))
    }

    /// What the page says, about `order` as the page shows it now (`None` when it doesn't show it).
    pub fn message(&self, order: Option<&Order>) -> String {
        let name = order.map(Order::display_number).unwrap_or_else(|| "this order".to_string());
        let error = match &self.result {
            FormResult::Deleted(deleted) => return format!("Deleted {}.", deleted.display_number()),
            FormResult::Refused(e) => e.clone(),
        };
        let op = self.op();
        let error = match outcome_of_error(error) {
            Outcome::VersionConflict(current) => {
                // What the person asked for, named as lost; the page shows the current values.
                let lost = op.map(|op| vec![op]).unwrap_or_default();
                return lost_changes_message(&lost, &current)
                    .unwrap_or_else(|| format!("{} was changed elsewhere, so nothing was saved. The row shows the latest version.", current.display_number()));
            }
            Outcome::Rejected(error) => error,
            // Nothing is known to have happened: the person may send it again.
            Outcome::Transient(message) | Outcome::Busy(message) => RowError::new(super::ErrorKind::Server, message),
            Outcome::Confirmed(_) | Outcome::ConfirmedList(_) | Outcome::DeleteHeld { .. } => return String::new(),
        };
        match (&op, self.kind) {
            (Some(op), _) => failure_message_named(op, &name, &error),
            (None, WriteKind::Place) => place_failure_message(&name, &error),
            (None, WriteKind::Cancel) => cancel_failure_message(&name, &error),
            // An edit whose input doesn't parse: the field says what is wrong.
            (None, _) => format!("Couldn't save your changes to {name}. {}", error.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_notice_keeps_what_the_person_sent_but_never_the_key_or_token() {
        let id = OrderId::new();
        let sent = fields(&[("key", "k"), ("token", "t"), ("id", &id.to_string()), ("customer", ""), ("item", "Lamp"), ("note", "n")]);
        let notice = FormNotice::new(WriteKind::Rename, &sent, FormResult::Refused(AppError::Validation { field: Field::Customer, message: "Enter a customer name.".into() }));
        assert_eq!(notice.order, Some(id));
        assert_eq!(notice.field("key"), None);
        assert_eq!(notice.field("token"), None);
        assert_eq!(notice.field("item"), Some("Lamp"));
        assert_eq!(notice.invalid_field(), Some((Field::Customer, "Enter a customer name.".into())));
        assert_eq!(notice.op(), None, "an empty customer is no rename");
        assert_eq!(notice.message(None), "Couldn't save your changes to this order. Enter a customer name.");
    }

    #[test]
    fn a_conflict_names_the_lost_change_and_a_refusal_says_what_failed() {
        let mut current = Order::new_draft(OrderId::new(), 0);
        current.number = Some(crate::domain::OrderNumber::new(1042));
        let id = current.id.to_string();
        let conflict = AppError::Conflict { message: "changed".into(), current: Box::new(current.clone()) };
        let notice = FormNotice::new(WriteKind::Quantity, &fields(&[("id", &id), ("quantity", "7")]), FormResult::Refused(conflict));
        assert!(notice.is_conflict());
        assert_eq!(notice.op(), Some(OpKind::SetQuantity(Quantity::parse(7).unwrap())));
        assert!(notice.message(Some(&current)).starts_with("ORD-1042 was changed elsewhere, so your change to the quantity wasn't saved."));

        let refused = FormNotice::new(WriteKind::Place, &fields(&[("id", &id)]), FormResult::Refused(AppError::not_found("There is no such order.")));
        assert_eq!(refused.message(Some(&current)), "Couldn't place ORD-1042. There is no such order.");
        let deleted = FormNotice::new(WriteKind::Delete, &fields(&[("id", &id)]), FormResult::Deleted(current.clone()));
        assert_eq!(deleted.message(None), "Deleted ORD-1042.");
    }
}
