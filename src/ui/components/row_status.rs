//! The row's status line: the one place a row says what happened (rolled back with Retry,
//! updated elsewhere, deleted with Undo). Always present so screen readers hear changes.

use leptos::prelude::*;

use crate::records::{ErrorKind, OpKind, RowState, RowView};
use crate::domain::OrderId;
use crate::ui::components::focus_row;
use crate::ui::form::{hidden, PageStateForm, WriteForm};
use crate::ui::live::use_live_feed;
use crate::ui::sync::{is_slow, Net, OrderSync, PendingKind};

#[component]
pub fn RowStatus(row: Memo<RowView>, sync: OrderSync, on_retry: Callback<()>, place_error: RwSignal<Option<String>>) -> impl IntoView {
    let id = row.with_untracked(|r| r.order.id);
    let feed = use_live_feed();
    // A request out for a while: say so honestly (the feed's clock ticks each second).
    let slow = Memo::new(move |_| row.with(|r| r.pending.as_ref().is_some_and(|p| p.in_flight && is_slow(p.sent_at, sync.now(feed)))));
    let kind = move || row.with(|r| r.pending.as_ref().map(|p| PendingKind::of(p, sync.net())));
    let content = move || {
        row.with(|r| match &r.state {
            RowState::Deleted { held, .. } => {
                let held = *held;
                view! {
                    <span class="status-icon" aria-hidden="true">"✕"</span>
                    <span class="status-text" data-testid="status-message">{if held { "Deleted ·" } else { "Deleting… ·" }}</span>
                    <UndoForm
                        id
                        on_submit=Callback::new(move |()| {
                            sync.act(id, OpKind::UndoDelete);
                            // Undo is gone with the note; focus stays on the row.
                            focus_row(id);
                        })
                    />
                }
                .into_any()
            }
            RowState::RolledBack { retryable, error } => {
                let retryable = *retryable;
                let message = r.message.clone().unwrap_or_default();
                // Not sent: dropping it drops the person's change, so the button says so.
                let dismiss = if error.kind == ErrorKind::NotSent {
                    view! { <button type="button" class="link-button subtle" data-testid="discard" on:click=move |_| sync.dismiss(id)>"Discard"</button> }
                        .into_any()
                } else {
                    view! { <button type="button" class="link-button subtle" data-testid="dismiss" on:click=move |_| sync.dismiss(id)>"Dismiss"</button> }
                        .into_any()
                };
                view! {
                    <span class="status-icon" aria-hidden="true">"!"</span>
                    <span class="status-text" data-testid="status-message">{message}</span>
                    {retryable.then(|| view! {
                        <button type="button" class="link-button" data-testid="retry" on:click=move |_| on_retry.run(())>"Retry"</button>
                    })}
                    {dismiss}
                }
                .into_any()
            }
            RowState::UpdatedElsewhere => {
                let message = r.message.clone().unwrap_or_default();
                view! {
                    <span class="status-icon" aria-hidden="true">"↻"</span>
                    <span class="status-text" data-testid="status-message">{message}</span>
                    <button type="button" class="link-button subtle" data-testid="dismiss" on:click=move |_| sync.dismiss(id)>"OK"</button>
                }
                .into_any()
            }
            RowState::Pending if kind() == Some(PendingKind::Waiting) => view! {
                <span class="status-icon" aria-hidden="true">"…"</span>
                <span class="status-text" data-testid="status-message">
                    {if sync.net() == Net::Offline {
                        "Waiting for connection · will be sent when you're back"
                    } else {
                        "Waiting for connection to the server · will be sent when it's back"
                    }}
                </span>
            }
            .into_any(),
            RowState::Pending if r.pending.as_ref().is_some_and(|p| p.attempts > 0) => view! {
                <span class="status-icon" aria-hidden="true">"↻"</span>
                <span class="status-text" data-testid="status-message">"Couldn't reach the server yet. Retrying…"</span>
            }
            .into_any(),
            RowState::Pending if slow.get() => view! {
                <span class="status-icon" aria-hidden="true">"…"</span>
                <span class="status-text" data-testid="status-message">"Still saving…"</span>
            }
            .into_any(),
            RowState::Pending if kind() == Some(PendingKind::Restored) => view! {
                <span class="status-icon" aria-hidden="true">"↺"</span>
                <span class="status-text" data-testid="status-message">"Restored from before the reload · saving…"</span>
            }
            .into_any(),
            RowState::Pending if kind() == Some(PendingKind::OtherTab) => view! {
                <span class="status-icon" aria-hidden="true">"…"</span>
                <span class="status-text" data-testid="status-message">"Being saved from another tab…"</span>
            }
            .into_any(),
            RowState::Pending | RowState::Idle => match place_error.get() {
                Some(message) => view! {
                    <span class="status-icon" aria-hidden="true">"!"</span>
                    <span class="status-text" data-testid="status-message">{message}</span>
                    // Without JavaScript the notice was the post's, shown once: the page again drops it.
                    <PageStateForm on_submit=Callback::new(move |()| place_error.set(None))>
                        <button type="submit" class="link-button subtle" data-testid="dismiss">"Dismiss"</button>
                    </PageStateForm>
                }
                .into_any(),
                None => ().into_any(),
            },
        })
    };
    // A row holds only cells: the status line is one (the whole width), with the live region in it.
    view! {
        <div class="row-status" role="cell">
            <div
                class="row-status-line"
                class:has-place-error=move || place_error.with(Option::is_some)
                role="status"
                aria-live="polite"
                data-testid="row-status"
            >
                {content}
            </div>
        </div>
    }
    .into_any()
}

/// Undo for a held delete: the row's, or (without JavaScript, where the row is gone after the
/// post) the page's notice's.
#[component]
pub fn UndoForm(id: OrderId, #[prop(optional)] on_submit: Option<Callback<()>>) -> impl IntoView {
    let fields = move || {
        view! {
            {hidden("id", id.to_string())}
            <button type="submit" class="link-button" data-testid="undo">"Undo"</button>
        }
    };
    match on_submit {
        Some(on_submit) => view! { <WriteForm action="undo_delete" on_submit>{fields()}</WriteForm> }.into_any(),
        None => view! { <WriteForm action="undo_delete">{fields()}</WriteForm> }.into_any(),
    }
}
