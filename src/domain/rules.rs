//! The business rules of changing an order: which order may take which change, from which
//! version. Pure: the store finds the order, these decide, and the api edge turns a refusal
//! into an HTTP answer. Messages are written for the person and say what to do next.

use super::{Order, OrderStatus, Timestamp};

/// Why a write may not change an order. Nothing changed when one of these is returned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// There is no such order (never created, or its delete is final).
    #[error("This order no longer exists; it may have been deleted. Reload the list to see the current orders.")]
    Missing,
    /// The order is deleted and waiting out its undo window.
    #[error("{number} was deleted. Undo the delete to change it.")]
    Deleted { number: String },
    /// The client saw an older version: `current` is what the server holds now.
    #[error("{} was changed elsewhere, so your change was not saved. The latest version is shown; make your change again if it's still needed.", current.display_number())]
    Stale { current: Box<Order> },
    /// Only drafts can be edited (and deleted).
    #[error("{number} is {}, so it can't be edited. Only drafts can change.", status.label().to_lowercase())]
    NotEditable { number: String, status: OrderStatus },
    /// Only placed orders can be cancelled.
    #[error("{number} is {}, so it can't be cancelled. Only placed orders can be cancelled.", status.label().to_lowercase())]
    NotCancellable { number: String, status: OrderStatus },
    /// Only drafts and failed orders can be placed.
    #[error("{}", not_placeable_message(number, *status))]
    NotPlaceable { number: String, status: OrderStatus },
    /// A create with an id that is already taken: `current` is the order that has it.
    #[error("An order with this id already exists ({}). The list now shows it.", current.display_number())]
    AlreadyExists { current: Box<Order> },
    /// The undo window has passed (`number` when the order was still found).
    #[error("{}", undo_expired_message(number.as_deref()))]
    UndoExpired { number: Option<String> },
    /// A create with an id another workspace's order has: nothing of that order is told.
    #[error("This order's id can't be used. Discard it and create the order again.")]
    IdTaken,
    /// A move next to an order that is not in the list.
    #[error("The order to move next to no longer exists. Reload the list and move the order again.")]
    NeighbourMissing,
}

fn not_placeable_message(number: &str, status: OrderStatus) -> String {
    match status {
        OrderStatus::Placing => format!("{number} is already being placed. Follow it on its status page; it can be placed again only if it fails."),
        OrderStatus::Placed => format!("{number} is already placed, so it can't be placed again. Cancel it if it's no longer wanted."),
        OrderStatus::Cancelled => format!("{number} was cancelled, so it can't be placed. Create a new order instead."),
        // Not a refusal `check_placeable` makes; worded for completeness.
        OrderStatus::Draft | OrderStatus::Failed => format!("{number} can't be placed right now. Reload the list and try again."),
    }
}

fn undo_expired_message(number: Option<&str>) -> String {
    match number {
        Some(n) => format!("The delete of {n} is final: the undo window has passed. Create the order again if you still need it."),
        None => "The delete is final: the undo window has passed. Create the order again if you still need it.".into(),
    }
}

/// An order as the store found it: the record and, when it is deleted, until when the delete
/// can be undone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub order: Order,
    pub undo_until: Option<Timestamp>,
}

/// What undoing a delete does to an order found in the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Undo {
    /// Not deleted (already undone, or never deleted): answer with it as it is.
    AlreadyLive(Order),
    /// Inside the window: bring it back.
    Restore,
    /// The window has passed: the delete is final (the order can be purged now).
    Final(RuleError),
}

/// The order a write on an existing order targets: refused when missing or deleted.
pub fn live(found: Option<Stored>) -> Result<Order, RuleError> {
    let stored = found.ok_or(RuleError::Missing)?;
    if stored.undo_until.is_some() {
        return Err(RuleError::Deleted { number: stored.order.display_number() });
    }
    Ok(stored.order)
}

/// What undoing the delete of `found` does at `now`.
pub fn undo_delete(found: Option<Stored>, now: Timestamp) -> Result<Undo, RuleError> {
    let stored = found.ok_or(RuleError::UndoExpired { number: None })?;
    Ok(match stored.undo_until {
        None => Undo::AlreadyLive(stored.order),
        Some(until) if until <= now => Undo::Final(RuleError::UndoExpired { number: Some(stored.order.display_number()) }),
        Some(_) => Undo::Restore,
    })
}

/// Until when a delete made at `now` can be undone.
pub fn undo_until(now: Timestamp, window_ms: i64) -> Timestamp {
    now.saturating_add(window_ms)
}

/// A create may not reuse the id of an order that exists (even one waiting out a delete).
pub fn check_new_id(existing: Option<Stored>) -> Result<(), RuleError> {
    match existing {
        Some(s) => Err(RuleError::AlreadyExists { current: Box::new(s.order) }),
        None => Ok(()),
    }
}

impl Order {
    /// The order as a change made at `now` leaves it: the next version (what else changes is
    /// the caller's). Every change to an order goes to its next version.
    pub fn next_version(&self, now: Timestamp) -> Order {
        Order { version: self.version + 1, updated_at: now, ..self.clone() }
    }

    /// The client saw `version`: it must still be the current one.
    pub fn check_version(&self, version: i64) -> Result<(), RuleError> {
        if self.version != version {
            return Err(RuleError::Stale { current: Box::new(self.clone()) });
        }
        Ok(())
    }

    /// Rename, note, quantity and delete: the version the client saw, and a draft.
    pub fn check_editable(&self, version: i64) -> Result<(), RuleError> {
        self.check_version(version)?;
        if !self.status.is_editable() {
            return Err(RuleError::NotEditable { number: self.display_number(), status: self.status });
        }
        Ok(())
    }

    /// Cancel: the version the client saw, and a placed order.
    pub fn check_cancellable(&self, version: i64) -> Result<(), RuleError> {
        self.check_version(version)?;
        if self.status != OrderStatus::Placed {
            return Err(RuleError::NotCancellable { number: self.display_number(), status: self.status });
        }
        Ok(())
    }

    /// Place: the version the client saw, and a draft or a failed order (placed again).
    pub fn check_placeable(&self, version: i64) -> Result<(), RuleError> {
        self.check_version(version)?;
        match self.status {
            OrderStatus::Draft | OrderStatus::Failed => Ok(()),
            status => Err(RuleError::NotPlaceable { number: self.display_number(), status }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrderId, OrderNumber};

    fn order(status: OrderStatus, version: i64) -> Order {
        let mut o = Order::new_draft(OrderId::new(), 0);
        o.number = Some(OrderNumber::new(1042));
        o.status = status;
        o.version = version;
        o
    }

    fn stored(o: &Order, undo_until: Option<Timestamp>) -> Option<Stored> {
        Some(Stored { order: o.clone(), undo_until })
    }

    #[test]
    fn a_write_needs_a_live_order() {
        let o = order(OrderStatus::Draft, 3);
        assert_eq!(live(None), Err(RuleError::Missing));
        assert_eq!(live(stored(&o, Some(10))), Err(RuleError::Deleted { number: "ORD-1042".into() }));
        assert_eq!(live(stored(&o, None)), Ok(o));
        assert_eq!(RuleError::Deleted { number: "ORD-1042".into() }.to_string(), "ORD-1042 was deleted. Undo the delete to change it.");
    }

    #[test]
    fn a_stale_version_is_refused_with_the_current_record_before_any_status_rule() {
        let o = order(OrderStatus::Cancelled, 3);
        for check in [Order::check_version, Order::check_editable, Order::check_cancellable, Order::check_placeable] {
            let err = check(&o, 2).unwrap_err();
            assert_eq!(err, RuleError::Stale { current: Box::new(o.clone()) });
            assert!(err.to_string().starts_with("ORD-1042 was changed elsewhere"), "{err}");
        }
    }

    #[test]
    fn only_drafts_can_be_edited() {
        assert_eq!(order(OrderStatus::Draft, 1).check_editable(1), Ok(()));
        for status in [OrderStatus::Placing, OrderStatus::Placed, OrderStatus::Failed, OrderStatus::Cancelled] {
            let err = order(status, 1).check_editable(1).unwrap_err();
            assert!(err.to_string().ends_with("Only drafts can change."), "{err}");
        }
        assert_eq!(
            order(OrderStatus::Placed, 1).check_editable(1).unwrap_err().to_string(),
            "ORD-1042 is placed, so it can't be edited. Only drafts can change."
        );
    }

    #[test]
    fn only_placed_orders_can_be_cancelled() {
        assert_eq!(order(OrderStatus::Placed, 1).check_cancellable(1), Ok(()));
        for status in [OrderStatus::Draft, OrderStatus::Placing, OrderStatus::Failed, OrderStatus::Cancelled] {
            let err = order(status, 1).check_cancellable(1).unwrap_err();
            assert!(err.to_string().contains("Only placed orders can be cancelled"), "{err}");
        }
    }

    #[test]
    fn only_drafts_and_failed_orders_can_be_placed_and_the_refusal_says_what_to_do() {
        assert_eq!(order(OrderStatus::Draft, 1).check_placeable(1), Ok(()));
        assert_eq!(order(OrderStatus::Failed, 1).check_placeable(1), Ok(()));
        for (status, hint) in [(OrderStatus::Placing, "status page"), (OrderStatus::Placed, "Cancel"), (OrderStatus::Cancelled, "new order")] {
            let msg = order(status, 1).check_placeable(1).unwrap_err().to_string();
            assert!(msg.starts_with("ORD-1042 ") && msg.contains(hint), "{msg}");
        }
    }

    #[test]
    fn undo_restores_inside_the_window_and_is_final_after_it() {
        let o = order(OrderStatus::Draft, 2);
        assert_eq!(undo_delete(stored(&o, Some(100)), 99), Ok(Undo::Restore));
        let Ok(Undo::Final(err)) = undo_delete(stored(&o, Some(100)), 100) else { panic!("final at the end of the window") };
        assert!(err.to_string().starts_with("The delete of ORD-1042 is final"), "{err}");
        assert_eq!(undo_delete(stored(&o, None), 500), Ok(Undo::AlreadyLive(o)));
        let err = undo_delete(None, 0).unwrap_err();
        assert!(err.to_string().starts_with("The delete is final"), "{err}");
        assert_eq!(undo_until(1_000, 10_000), 11_000);
    }

    #[test]
    fn a_create_cannot_take_an_existing_id() {
        let o = order(OrderStatus::Draft, 1);
        assert_eq!(check_new_id(None), Ok(()));
        let err = check_new_id(stored(&o, Some(5))).unwrap_err();
        assert_eq!(err, RuleError::AlreadyExists { current: Box::new(o) });
        assert!(err.to_string().contains("(ORD-1042)"), "{err}");
    }
}
