//! Sends one queued operation to its server function and turns the answer into the engine's
//! [`Outcome`] (the mapping from errors to outcomes is `crate::records::outcome_of_error`); deciding what an
//! outcome means is the engine's job.

#![cfg(feature = "hydrate")]

use crate::error::AppError;
use crate::records::{outcome_of_error, Op, OpKind, Outcome};

/// What became of a sent op.
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
