//! What the account pages read: the members of a workspace. Changing them is a form post
//! (`crate::accounts`), decided on the server before the page shows it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::{Membership, Role};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use super::context;

/// One member, as the members page lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user: i64,
    pub email: String,
    pub role: Role,
    /// This is the person looking.
    pub you: bool,
}

/// A workspace's members, and the looking person's own membership.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Members {
    pub workspace: Membership,
    pub members: Vec<MemberView>,
}

/// Who is signed in (their id): a page holding changes for a sign-in asks before sending them.
#[server(endpoint = "accounts/me", output = crate::wire::Wire)]
pub async fn who_am_i() -> Result<i64, AppError> {
    context::reply(async { Ok(context::person()?.user) }).await
}

/// The members of `workspace` (the person's current one without it). Members only.
#[server(endpoint = "workspace/members", output = crate::wire::Wire)]
pub async fn list_members(workspace: Option<i64>) -> Result<Members, AppError> {
    context::reply(async {
        let person = context::person()?;
        let (workspace, _) = context::role_in(&person, workspace)?;
        let membership = person.membership(workspace).cloned().ok_or_else(AppError::internal)?;
        let members = context::db()?.members(workspace).await?;
        let members = members.into_iter().map(|m| MemberView { you: m.user == person.user, user: m.user, email: m.email, role: m.role }).collect();
        Ok(Members { workspace: membership, members })
    })
    .await
}
