//! The signed-in person as this page knows them, and what their role lets it show. The server
//! reads them from the request (`crate::accounts`) and writes them into the page
//! (`<meta name="person">`); the client reads them from there, so both render the same.
//! The role changes live (an owner changed it) and the page loses its workspace when its
//! person is removed from it (`crate::ui::live` hears of both).

use leptos::prelude::*;

use crate::domain::{Person, Role, WorkspaceId};

/// The page's person, their role in the page's workspace, and whether they lost it.
#[derive(Clone, Copy)]
pub struct Account {
    person: StoredValue<Option<Person>>,
    role: RwSignal<Option<Role>>,
    pub(crate) revoked: RwSignal<bool>,
}

/// Reads the page's person and provides the [`Account`] to every component.
pub fn provide_account() -> Account {
    let person = read_person();
    #[cfg(feature = "hydrate")]
    PAGE_SCOPE.with(|s| s.set(person.as_ref().map(|p| (p.user, p.current))));
    let role = person.as_ref().and_then(|p| p.current()).map(|m| m.role);
    let account = Account { person: StoredValue::new(person), role: RwSignal::new(role), revoked: RwSignal::new(false) };
    provide_context(account);
    account
}

/// An account fixed in `role` for the calling component and what it renders (the state
/// gallery shows rows as an editor or a viewer sees them, whoever looks).
pub fn provide_fixed_account(role: Role) {
    provide_context(Account { person: StoredValue::new(None), role: RwSignal::new(Some(role)), revoked: RwSignal::new(false) });
}

pub fn use_account() -> Account {
    use_context::<Account>().unwrap_or_else(|| Account { person: StoredValue::new(None), role: RwSignal::new(None), revoked: RwSignal::new(false) })
}

impl Account {
    pub fn person(self) -> Option<Person> {
        self.person.get_value()
    }

    /// Someone is signed in.
    pub fn signed_in(self) -> bool {
        self.person.with_value(Option::is_some)
    }

    /// Their role in the page's workspace. Reactive.
    pub fn role(self) -> Option<Role> {
        if self.revoked.get() { None } else { self.role.get() }
    }

    /// Whether this page may offer changes to orders. Reactive.
    pub fn can_edit(self) -> bool {
        self.role().is_some_and(Role::can_edit)
    }

    /// An owner changed their role while the page was open.
    pub fn set_role(self, role: Role) {
        self.role.set(Some(role));
    }

    /// They were removed from the page's workspace.
    pub fn revoke(self) {
        self.revoked.set(true);
    }

    /// Whether they were removed from the page's workspace while it was open. Reactive.
    pub fn revoked(self) -> bool {
        self.revoked.get()
    }
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// The page's person and workspace, for requests made outside any component.
    static PAGE_SCOPE: std::cell::Cell<Option<(i64, Option<WorkspaceId>)>> = const { std::cell::Cell::new(None) };
}

/// The workspace the page shows, sent with its reads and new orders (the server checks it).
/// On the server, `None`: a server function called while rendering reads the person's own.
pub fn page_workspace() -> Option<WorkspaceId> {
    #[cfg(feature = "hydrate")]
    return PAGE_SCOPE.with(|s| s.get()).and_then(|(_, w)| w);
    #[cfg(not(feature = "hydrate"))]
    None
}

/// The id of the person the page was made for (client only; `None` on the server or signed out).
pub fn page_person() -> Option<i64> {
    #[cfg(feature = "hydrate")]
    return PAGE_SCOPE.with(|s| s.get()).map(|(user, _)| user);
    #[cfg(not(feature = "hydrate"))]
    None
}

/// What this browser's stored changes are kept under: the person and the workspace they were
/// made in, so another person (or workspace) in the same browser never sends them.
pub fn page_scope() -> String {
    #[cfg(feature = "hydrate")]
    if let Some((user, workspace)) = PAGE_SCOPE.with(|s| s.get()) {
        return format!("{user}-{}", workspace.unwrap_or_default());
    }
    "anonymous".to_string()
}

/// The demo accounts (email, password, role) when the server runs with demo data, else none:
/// the sign-in page shows them in that mode only. The server writes `<meta name="demo">`.
pub fn demo_accounts() -> Vec<(&'static str, &'static str, &'static str)> {
    if !demo_mode() {
        return Vec::new();
    }
    crate::domain::DEMO_ACCOUNTS.iter().map(|(email, password, role)| (*email, *password, role.as_str())).collect()
}

/// Whether the server runs with demo data.
pub fn demo_mode() -> bool {
    #[cfg(feature = "ssr")]
    return use_context::<crate::state::AppState>().is_some_and(|s| s.settings.database.seed_demo_data);
    #[cfg(feature = "hydrate")]
    return super::page_meta("demo").is_some();
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    false
}

/// The person as JSON for the page's `<meta name="person">` (server), `None` when nobody is
/// signed in.
pub fn person_json() -> Option<String> {
    read_person().and_then(|p| serde_json::to_string(&p).ok())
}

#[cfg(feature = "ssr")]
fn read_person() -> Option<Person> {
    use_context::<axum::http::request::Parts>().and_then(|p| p.extensions.get::<Person>().cloned())
}

#[cfg(feature = "hydrate")]
fn read_person() -> Option<Person> {
    let content = super::page_meta("person")?;
    crate::wire::from_slice::<Person>(content.as_bytes()).ok()
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn read_person() -> Option<Person> {
    None
}
