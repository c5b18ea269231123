//! The one place where the store's errors (and the domain's refusals) become HTTP answers.
//! The store and the domain know nothing of status codes; the person-facing message of a
//! refusal is the domain's own.

use crate::domain::{Field, RuleError};
use crate::error::AppError;
use crate::store::StoreError;

impl From<RuleError> for AppError {
    fn from(e: RuleError) -> Self {
        let message = e.to_string();
        match e {
            RuleError::Missing | RuleError::Deleted { .. } | RuleError::UndoExpired { .. } => AppError::NotFound { message },
            RuleError::Stale { current } | RuleError::AlreadyExists { current } => AppError::Conflict { message, current },
            RuleError::NotEditable { .. } | RuleError::NotCancellable { .. } | RuleError::NotPlaceable { .. } => {
                AppError::Forbidden { message }
            }
            RuleError::NeighbourMissing => AppError::Validation { field: Field::Position, message },
            RuleError::IdTaken => AppError::Validation { field: Field::OrderId, message },
        }
    }
}

impl From<StoreError> for AppError {
    /// The detail of busy, corrupt and database failures was logged where it happened; the
    /// client gets the safe message.
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Rule(rule) => rule.into(),
            StoreError::KeyReused => AppError::KeyReused {
                message: "This request key was already used for a different change, so nothing was saved. \
                          Reload the page and make the change again."
                    .into(),
            },
            StoreError::Busy(_) => AppError::Transient {
                message: "The server is busy right now, so nothing was saved. It will be retried in a moment.".into(),
            },
            StoreError::Corrupt { .. } | StoreError::Db(_) => AppError::internal(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Order, OrderId, OrderStatus};

    #[test]
    fn each_refusal_gets_its_status_and_keeps_the_domains_message() {
        let order = Order::new_draft(OrderId::new(), 0);
        let cases: [(RuleError, u16); 10] = [
            (RuleError::Missing, 404),
            (RuleError::Deleted { number: "ORD-1".into() }, 404),
            (RuleError::UndoExpired { number: None }, 404),
            (RuleError::Stale { current: Box::new(order.clone()) }, 409),
            (RuleError::AlreadyExists { current: Box::new(order.clone()) }, 409),
            (RuleError::NotEditable { number: "ORD-1".into(), status: OrderStatus::Placed }, 403),
            (RuleError::NotCancellable { number: "ORD-1".into(), status: OrderStatus::Draft }, 403),
            (RuleError::NotPlaceable { number: "ORD-1".into(), status: OrderStatus::Placed }, 403),
            (RuleError::NeighbourMissing, 422),
            (RuleError::IdTaken, 422),
        ];
        for (rule, status) in cases {
            let message = rule.to_string();
            let e = AppError::from(StoreError::Rule(rule));
            assert_eq!((e.status(), e.to_string()), (status, message));
        }
    }

    #[test]
    fn store_failures_become_retryable_or_safe_answers() {
        assert_eq!(AppError::from(StoreError::KeyReused).status(), 422);
        let busy = AppError::from(StoreError::Busy(sqlx::Error::PoolTimedOut));
        assert!(busy.is_retryable() && busy.status() == 503);
        let corrupt = AppError::from(StoreError::Corrupt { what: "order row", id: "x".into(), reason: "bad".into() });
        assert_eq!(corrupt, AppError::internal(), "no detail leaves the server");
    }
}
