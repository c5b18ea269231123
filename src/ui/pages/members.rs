//! `/members`: who belongs to the page's workspace and in which role. An owner shares it with
//! an existing account, changes roles and removes members: each a form the server decides
//! before the page shows the result (permission changes are never optimistic).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{list_members, MemberView, Members};
use crate::domain::Role;
use crate::ui::account::page_workspace;
use crate::ui::codec::Json;
use crate::ui::components::LoadError;
use crate::ui::pages::sign_in::error_copy;

#[component]
pub fn MembersPage() -> impl IntoView {
    let members = OnceResource::<_, Json>::new_with_options(list_members(page_workspace()), false);
    let query = use_query_map().read_untracked();
    let error = query.get("error").map(|code| error_copy(&code, None));
    let done = query.get("done").and_then(|d| match d.as_str() {
        "added" => Some("Shared. They see this workspace the next time they open Order Desk."),
        "changed" => Some("Role changed. Their open pages follow at once."),
        "removed" => Some("Removed. Their open pages no longer show this workspace."),
        _ => None,
    });
    view! {
        <Title text="Members"/>
        <section class="page members-page">
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading members…"</p> }>
                {move || {
                    let (error, done) = (error.clone(), done);
                    crate::ui::hydration::suspend(async move {
                        match members.await {
                            Ok(m) => view! { <MemberList members=m error done/> }.into_any(),
                            Err(error) => view! {
                                <header class="page-header"><h1>"Members"</h1></header>
                                <LoadError what="the members" error/>
                            }
                            .into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
    .into_any()
}

/// The members and, for an owner, the forms that change them.
#[component]
pub fn MemberList(members: Members, error: Option<String>, done: Option<&'static str>) -> impl IntoView {
    let Members { workspace, members } = members;
    let owner = workspace.role.can_manage();
    let ws = workspace.workspace.to_string();
    let rows = members
        .into_iter()
        .map(|m| view! { <MemberRow member=m workspace=ws.clone() owner/> })
        .collect_view();
    view! {
        <header class="page-header">
            <div>
                <h1>"Members"</h1>
                <p class="page-subtitle">{format!("Who can see and change {}. You are {}.", workspace.name, workspace.role.label().to_lowercase())}</p>
            </div>
        </header>
        {error.map(|e| view! { <p class="form-error" role="alert" data-testid="members-error">{e}</p> })}
        {done.map(|d| view! { <p class="form-notice" role="status" data-testid="members-done">{d}</p> })}
        <table class="members-table" data-testid="members">
            <thead><tr><th scope="col">"Email"</th><th scope="col">"Role"</th>{owner.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}</tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {owner.then(|| view! {
            <form class="share-form" method="post" action="/api/accounts/members" data-testid="share-form">
                <h2>"Share this workspace"</h2>
                <input type="hidden" name="workspace" value=ws.clone()/>
                <label class="field">
                    <span class="field-label">"Email of an Order Desk account"</span>
                    <input type="email" name="email" required autocomplete="off" data-testid="share-email"/>
                </label>
                <label class="field">
                    <span class="field-label">"Role"</span>
                    <RoleSelect selected=Role::Editor testid="share-role"/>
                </label>
                <button type="submit" class="button button-primary" data-testid="share">"Share"</button>
            </form>
        })}
    }
    .into_any()
}

#[component]
fn MemberRow(member: MemberView, workspace: String, owner: bool) -> impl IntoView {
    let label = format!("Role of {}", member.email);
    view! {
        <tr data-testid="member" data-email=member.email.clone() data-role=member.role.as_str()>
            <td>{member.email.clone()}{member.you.then(|| view! { <span class="you">" (you)"</span> })}</td>
            <td>{member.role.label()}</td>
            {owner.then(|| view! {
                <td class="member-actions">
                    <form method="post" action="/api/accounts/role" class="inline-form">
                        <input type="hidden" name="workspace" value=workspace.clone()/>
                        <input type="hidden" name="user" value=member.user.to_string()/>
                        <RoleSelect selected=member.role testid="role" label=label.clone()/>
                        <button type="submit" class="button button-small" data-testid="change-role">"Change role"</button>
                    </form>
                    <form method="post" action="/api/accounts/role" class="inline-form">
                        <input type="hidden" name="workspace" value=workspace.clone()/>
                        <input type="hidden" name="user" value=member.user.to_string()/>
                        <input type="hidden" name="role" value="remove"/>
                        <button type="submit" class="button button-small button-danger" data-testid="remove-member">"Remove"</button>
                    </form>
                </td>
            })}
        </tr>
    }
    .into_any()
}

#[component]
fn RoleSelect(selected: Role, testid: &'static str, #[prop(optional, into)] label: Option<String>) -> impl IntoView {
    view! {
        <select name="role" data-testid=testid aria-label=label>
            {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=r == selected>{r.label()}</option> }).collect_view()}
        </select>
    }
    .into_any()
}
