//! Sends one queued operation to its server function and turns the answer into the engine's
//! [`Outcome`]. The mapping from errors to outcomes is pure and tested here; deciding what an
//! outcome means is the engine's job.

use crate::error::AppError;
use crate::records::{ErrorKind, Outcome, RowError};
#[cfg(feature = "hydrate")]
use crate::records::{Op, OpKind};

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

/// What became of a sent op.
#[cfg(feature = "hydrate")]
pub enum Sent {
    /// The server answered (or the deadline passed with the request out: it may have landed).
    Answered(Outcome),
    /// The request never reached the server (no network, or the server is down): nothing
    /// happened, and it is no attempt.
    Unreached(String),
    /// The server refused it because nobody is signed in (the session ended): nothing
    /// happened, it is no attempt, and it waits for a sign-in.
    SignedOut,
}

/// Sends `op` with its id as the idempotency key and the version it was based on. A request
/// not answered within `deadline_ms` is abandoned: nothing is known, so it is transient and
/// the engine resends it with the same key.
#[cfg(feature = "hydrate")]
pub async fn send(op: Op, deadline_ms: i64) -> Sent {
    match within(deadline_ms, request(op)).await {
        Some(Ok(outcome)) => Sent::Answered(outcome),
        Some(Err(AppError::Network { message })) => Sent::Unreached(message),
        Some(Err(AppError::Unauthorized { .. })) => Sent::SignedOut,
        Some(Err(e)) => Sent::Answered(outcome_of_error(e)),
        None => Sent::Answered(Outcome::Transient(format!("no answer within {deadline_ms} ms"))),
    }
}

/// `fut`'s output, or `None` if `ms` pass first (the future is then dropped).
#[cfg(feature = "hydrate")]
pub(super) async fn within<T>(ms: i64, fut: impl Future<Output = T>) -> Option<T> {
    use std::task::Poll;
    let timer = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let ms = i32::try_from(ms).unwrap_or(i32::MAX);
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let mut timer = std::pin::pin!(wasm_bindgen_futures::JsFuture::from(timer));
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(out) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        if timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await
}

#[cfg(feature = "hydrate")]
async fn request(op: Op) -> Result<Outcome, AppError> {
    use crate::api;
    let key = op.id.to_string();
    let id = op.target.to_string();
    let version = op.base_version.unwrap_or_default();
    match op.kind {
        OpKind::SetStarred(starred) => api::set_starred(key, id, version, starred).await.map(Outcome::Confirmed),
        OpKind::Rename { customer, item } => api::rename(key, id, version, customer.into(), item.into()).await.map(Outcome::Confirmed),
        OpKind::SetNote(note) => api::set_note(key, id, version, note.into()).await.map(Outcome::Confirmed),
        OpKind::SetQuantity(q) | OpKind::StepQuantity { to: q, .. } => {
            api::set_quantity(key, id, version, i64::from(q.get())).await.map(Outcome::Confirmed)
        }
        OpKind::Move { before } => {
            api::move_order(key, id, version, before.map(|b| b.to_string()), None).await.map(Outcome::ConfirmedList)
        }
        OpKind::MoveAfter { after } => api::move_order(key, id, version, None, Some(after.to_string())).await.map(Outcome::ConfirmedList),
        OpKind::Create(o) => api::create_order(
            key,
            id,
            o.customer.into(),
            o.item.into(),
            i64::from(o.quantity.get()),
            o.unit_price.cents(),
            o.note.into(),
            crate::ui::account::page_workspace(),
        )
        .await
        .map(Outcome::Confirmed),
        OpKind::Delete => api::delete_order(key, id, version)
            .await
            .map(|r| Outcome::DeleteHeld { record: r.order, undo_until: r.undo_until }),
        OpKind::UndoDelete => api::undo_delete(key, id).await.map(Outcome::Confirmed),
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
