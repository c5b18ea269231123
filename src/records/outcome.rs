//! The server's answers to an order write, as the engine's outcomes: which failures roll a row
//! back (and with Retry or not), which are resent with the same key. Pure mapping, shared by
//! the transport and the pages that show a plain form's result.

use crate::error::AppError;

use super::{ErrorKind, Outcome, RowError};

/// What a change held for a sign-in says.
pub const SIGNED_OUT: &str = "You're signed out. Sign in to send this change.";

/// How the engine must treat a server error (PRODUCT.md, "Server answers the client must tell apart").
pub fn outcome_of_error(e: AppError) -> Outcome {
    match e {
        AppError::Validation { field, message } => Outcome::Rejected(RowError::validation(field, message)),
        AppError::Conflict { current, .. } => Outcome::VersionConflict(*current),
        AppError::NotFound { message } => Outcome::Rejected(RowError::new(ErrorKind::NotFound, message)),
        AppError::Forbidden { message } => Outcome::Rejected(RowError::new(ErrorKind::Forbidden, message)),
        // Resending the same request can only fail the same way: no Retry.
        AppError::KeyReused { message } | AppError::BadRequest { message } => {
            Outcome::Rejected(RowError::new(ErrorKind::Unsendable, message))
        }
        AppError::Internal { message } => Outcome::Rejected(RowError::new(ErrorKind::Server, message)),
        // Still running under this key: ask again soon, it is no failure.
        AppError::InProgress { message } => Outcome::Busy(message),
        // Nothing is known to have happened: resend later with the same key.
        AppError::Transient { message } | AppError::Network { message } | AppError::TooMany { message } => Outcome::Transient(message),
        // Signed out: nothing happened (`send` holds such a change for a sign-in instead).
        AppError::Unauthorized { .. } => Outcome::Transient(SIGNED_OUT.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Field;

    #[test]
    fn validation_is_a_rejection_at_the_field() {
        let o = outcome_of_error(AppError::Validation { field: Field::Quantity, message: "too many".into() });
        assert_eq!(o, Outcome::Rejected(RowError::validation(Field::Quantity, "too many")));
    }

    #[test]
    fn retryable_answers_are_transient_so_the_same_key_is_resent() {
        assert!(matches!(outcome_of_error(AppError::InProgress { message: "running".into() }), Outcome::Busy(_)));
        for e in [
            AppError::Transient { message: "busy".into() },
            AppError::Network { message: "offline".into() },
        ] {
            assert!(matches!(outcome_of_error(e), Outcome::Transient(_)));
        }
    }

    #[test]
    fn requests_that_would_fail_the_same_way_again_roll_back_without_retry() {
        for e in [AppError::KeyReused { message: "used".into() }, AppError::BadRequest { message: "malformed".into() }] {
            let Outcome::Rejected(error) = outcome_of_error(e) else { panic!() };
            assert_eq!(error.kind, ErrorKind::Unsendable);
            assert!(!error.is_retryable());
        }
    }

    #[test]
    fn server_failures_are_retryable_rejections_and_refusals_are_not() {
        let Outcome::Rejected(server) = outcome_of_error(AppError::internal()) else { panic!() };
        assert!(server.is_retryable());
        let Outcome::Rejected(gone) = outcome_of_error(AppError::not_found("gone")) else { panic!() };
        assert!(!gone.is_retryable());
        let Outcome::Rejected(no) = outcome_of_error(AppError::Forbidden { message: "no".into() }) else { panic!() };
        assert!(!no.is_retryable());
    }
}
