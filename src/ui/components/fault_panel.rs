//! The fault panel: in development (fault controls enabled), choose what the next writes do
//! so every row state can be produced live. Hidden when fault controls are off.

use leptos::prelude::*;
use leptos::lazy;

use crate::api::{add_fault, clear_faults, get_fault_state, set_fault_latency};
use crate::domain::WriteKind;
use crate::faults::{FaultAction, FaultState};

const OUTCOMES: [(&str, &str); 9] = [
    ("reject", "Reject (422)"),
    ("server_error", "Server error (500)"),
    ("conflict", "Conflict (409)"),
    ("transient", "Transient (503)"),
    ("delay", "Delay"),
    ("hang", "Hang past the write deadline"),
    ("succeed", "Succeed"),
    ("job_fail", "Place: accept, then fail the job"),
    ("job_stall", "Place: accept, then stall the job"),
];

fn describe(state: &FaultState) -> Vec<String> {
    let mut lines: Vec<String> = state
        .rules
        .iter()
        .map(|r| {
            let what = match r.action {
                FaultAction::Succeed => "succeed".to_string(),
                FaultAction::Reject => "reject".to_string(),
                FaultAction::ServerError => "server error".to_string(),
                FaultAction::Conflict => "conflict".to_string(),
                FaultAction::Transient => "fail transiently".to_string(),
                FaultAction::Delay { ms } => format!("wait {ms} ms"),
                FaultAction::Hang { .. } => "hang past the deadline".to_string(),
                FaultAction::JobFail => "accept, then fail the job".to_string(),
                FaultAction::JobStall => "accept, then stall the job".to_string(),
            };
            format!("Next {} {} write(s): {what}", r.count, r.kind.map_or("", |k| k.as_str()))
        })
        .collect();
    if state.latency_ms > 0 {
        lines.push(format!("Every write: +{} ms", state.latency_ms));
    }
    lines
}

/// Whether the server has fault controls on (it says so in the page's head).
pub fn fault_controls_on() -> bool {
    #[cfg(feature = "ssr")]
    return use_context::<crate::state::AppState>().is_some_and(|s| s.settings.faults.enabled);
    #[cfg(feature = "hydrate")]
    return crate::ui::page_meta("fault-controls").is_some();
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    false
}

/// The panel when the server has fault controls on, drawn by the browser once the page is
/// hydrated (a tool for people with the app running, not part of the server's page). All of its
/// code, its reads and writes included, is a chunk of its own (`#[lazy]`, with `cargo leptos
/// build --split`), asked for only when the page says fault controls are on: a server without
/// them (production) never sends it, and the list's first load doesn't wait for it.
#[component]
pub fn FaultPanel() -> impl IntoView {
    let shown = RwSignal::new(false);
    // After hydration, so the page's own work comes first; offline, once the network is back.
    if fault_controls_on() {
        crate::ui::hydration::soon_after_hydration(move || crate::ui::hydration::when_online(move || shown.set(true)));
    }
    move || shown.get().then(|| Suspend::new(fault_panel()))
}

#[lazy]
fn fault_panel() -> AnyView {
    let state = LocalResource::new(get_fault_state);
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match state.await {
                    Ok(Some(initial)) => fault_controls(initial),
                    _ => ().into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

fn fault_controls(initial: FaultState) -> AnyView {
    let current: RwSignal<Option<FaultState>> = RwSignal::new(Some(initial));
    let kind = RwSignal::new("any".to_string());
    let outcome = RwSignal::new("reject".to_string());
    let ms = RwSignal::new(1500u64);
    let count = RwSignal::new(1u32);
    let latency = RwSignal::new(0u64);
    let apply = move |r: Result<FaultState, crate::error::AppError>| match r {
        Ok(s) => current.set(Some(s)),
        Err(e) => leptos::logging::warn!("fault controls: {e}"),
    };
    let add = Action::new(move |_: &()| async move {
        let outcome = outcome.get_untracked();
        // A hang lasts past the client's write deadline (the server knows it): no delay to pick.
        let ms = if outcome == "hang" { 0 } else { ms.get_untracked() };
        apply(add_fault(kind.get_untracked(), outcome, ms, count.get_untracked()).await)
    });
    let clear = Action::new(move |_: &()| async move { apply(clear_faults().await) });
    let set_latency = Action::new(move |_: &()| async move { apply(set_fault_latency(latency.get_untracked()).await) });
    let num = |ev: leptos::ev::Event| event_target_value(&ev).parse::<u64>().unwrap_or(0);

    view! {
        <details class="fault-panel" data-testid="fault-panel">
            <summary>"Fault controls"</summary>
            <p class="fault-hint">"Make the next writes fail or slow down, to see each row state live."</p>
            <div class="fault-grid">
                <label class="field">
                    <span class="field-label">"Write"</span>
                    <select on:change=move |ev| kind.set(event_target_value(&ev)) data-testid="fault-kind">
                        <option value="any">"Any write"</option>
                        {WriteKind::ALL.map(|k| view! { <option value=k.as_str()>{k.as_str()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">"Outcome"</span>
                    <select on:change=move |ev| outcome.set(event_target_value(&ev)) data-testid="fault-outcome">
                        {OUTCOMES.map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">"Delay (ms)"</span>
                    <input type="number" min="0" max="60000" prop:value=move || ms.get() on:change=move |ev| ms.set(num(ev))/>
                </label>
                <label class="field">
                    <span class="field-label">"How many"</span>
                    <input type="number" min="1" max="100" prop:value=move || count.get() on:change=move |ev| count.set(num(ev).max(1) as u32)/>
                </label>
            </div>
            <div class="fault-actions">
                <button type="button" class="button button-small button-primary" on:click=move |_| { add.dispatch(()); } data-testid="fault-add">"Add rule"</button>
                <button type="button" class="button button-small" on:click=move |_| { clear.dispatch(()); } data-testid="fault-clear">"Clear all"</button>
            </div>
            <div class="fault-latency">
                <label class="field">
                    <span class="field-label">"Latency on every write (ms)"</span>
                    <input type="number" min="0" max="60000" prop:value=move || latency.get() on:change=move |ev| latency.set(num(ev))/>
                </label>
                <button type="button" class="button button-small" on:click=move |_| { set_latency.dispatch(()); }>"Set"</button>
            </div>
            <ul class="fault-rules" data-testid="fault-rules">
                {move || current.with(|s| s.as_ref().map(describe).unwrap_or_default()).into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
            </ul>
        </details>
    }
    .into_any()
}
