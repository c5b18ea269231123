//! Who is signed in and what they may do: emails, passwords, roles and workspaces. Shared by
//! the server (which decides) and the client (which hides what a role can't use); no IO.

use serde::{Deserialize, Serialize};

use super::{Field, ValidationError};

/// The fewest characters a password may have.
pub const PASSWORD_MIN_CHARS: usize = 10;
/// The most: hashing is costly by design, so an attacker can't make it costlier with a huge one.
const PASSWORD_MAX_CHARS: usize = 256;
/// RFC 5321's limit on an address.
const EMAIL_MAX_CHARS: usize = 254;

/// An email address as an account is known by: trimmed and lower-cased.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    /// `name@host.tld`, no spaces, at most 254 characters. Case is folded, so one address is
    /// one account however it is typed.
    pub fn parse(raw: &str) -> Result<Email, ValidationError> {
        let email = raw.trim().to_lowercase();
        let bad = |message: &str| Err(ValidationError::new(Field::Email, message));
        if email.is_empty() {
            return bad("Enter your email address.");
        }
        if email.chars().count() > EMAIL_MAX_CHARS {
            return bad("This email address is too long. Check it and try again.");
        }
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && !email.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'))
            }
            None => false,
        };
        if !valid {
            return bad("This doesn't look like an email address. Use the form name@example.com.");
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A name for the person's own workspace: the part before `@`.
    pub fn workspace_name(&self) -> String {
        let local = self.0.split('@').next().unwrap_or_default();
        format!("{local}'s orders")
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed, for hashing or checking only. Not `Serialize`, not `Display`, and its
/// `Debug` hides it, so it can't reach a log or an answer by accident.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

impl Password {
    /// A new password: at least [`PASSWORD_MIN_CHARS`] characters, at most 256.
    pub fn parse_new(raw: &str) -> Result<Password, ValidationError> {
        let n = raw.chars().count();
        if n < PASSWORD_MIN_CHARS {
            return Err(ValidationError::new(Field::Password, format!("Use a password of at least {PASSWORD_MIN_CHARS} characters.")));
        }
        Password::parse_given(raw)
    }

    /// A password typed to sign in: any length up to the limit (a wrong one is told apart later,
    /// without saying which of email and password was wrong).
    pub fn parse_given(raw: &str) -> Result<Password, ValidationError> {
        if raw.chars().count() > PASSWORD_MAX_CHARS {
            return Err(ValidationError::new(Field::Password, format!("A password can be at most {PASSWORD_MAX_CHARS} characters.")));
        }
        Ok(Password(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// What a member may do in a workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything an editor can, and shares the workspace and changes roles.
    Owner,
    /// Reads and changes orders, places them.
    Editor,
    /// Reads only.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Editor, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(raw: &str) -> Result<Role, ValidationError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| ValidationError::new(Field::Role, "Choose a role: owner, editor or viewer."))
    }

    /// The role's name as a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Editor => "Editor",
            Role::Viewer => "Viewer",
        }
    }

    /// Whether this role changes orders (and places them).
    pub fn can_edit(self) -> bool {
        matches!(self, Role::Owner | Role::Editor)
    }

    /// Whether this role shares the workspace and changes roles.
    pub fn can_manage(self) -> bool {
        self == Role::Owner
    }
}

/// The demo accounts (email, password, role) a server with demo data makes and its sign-in
/// page shows: the first owns the demo workspace and shares it with the second.
pub const DEMO_ACCOUNTS: [(&str, &str, Role); 2] =
    [("demo@orderdesk.test", "demo-password", Role::Owner), ("sam@orderdesk.test", "demo-password", Role::Editor)];

/// What a refused account form says, by the code its answer carries (`?error=` on the page it
/// comes back to; the server's typed answer says the same). The page writes the copy, never
/// text from the URL. `wait_secs`: for `throttled`.
pub fn form_refusal(code: &str, wait_secs: Option<i64>) -> String {
    match code {
        "credentials" => "That email and password don't match an account. Check them and try again.".into(),
        "throttled" => format!("Too many failed sign-ins. Wait {} seconds, then try again.", wait_secs.unwrap_or(60)),
        "email" => "This doesn't look like an email address. Use the form name@example.com.".into(),
        "password" => format!("Use a password of at least {PASSWORD_MIN_CHARS} characters."),
        "taken" => "There is already an account with this email. Sign in instead.".into(),
        "no_account" => "There is no account with this email. Ask them to sign up first, then share again.".into(),
        "already_member" => "This person is already a member.".into(),
        "last_owner" => "A workspace needs an owner. Make someone else an owner first.".into(),
        "forbidden" => "Only an owner of this workspace can share it or change roles.".into(),
        "not_member" => "That person is no longer a member.".into(),
        "role" => "Choose a role: owner, editor or viewer.".into(),
        _ => "That didn't work. Reload the page and try again.".into(),
    }
}

/// A workspace's id.
pub type WorkspaceId = i64;

/// One workspace a person belongs to, and their role there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub workspace: WorkspaceId,
    pub name: String,
    pub role: Role,
}

/// The signed-in person as a page knows them: who, the workspace the page shows, and every
/// workspace they belong to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub user: i64,
    pub email: Email,
    pub memberships: Vec<Membership>,
    /// The workspace pages show (one of `memberships`), if they belong to any.
    pub current: Option<WorkspaceId>,
}

impl Person {
    /// Their membership of `workspace`, if any.
    pub fn membership(&self, workspace: WorkspaceId) -> Option<&Membership> {
        self.memberships.iter().find(|m| m.workspace == workspace)
    }

    /// The workspace pages show.
    pub fn current(&self) -> Option<&Membership> {
        self.current.and_then(|w| self.membership(w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_folded_and_checked() {
        assert_eq!(Email::parse("  Ana@Example.COM ").unwrap().as_str(), "ana@example.com");
        for bad in ["", "ana", "ana@", "@example.com", "ana@example", "a na@example.com", "ana@ex@ample.com", "ana@.com", "<a>@b.co"] {
            assert_eq!(Email::parse(bad).unwrap_err().field, Field::Email, "{bad:?}");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
        assert_eq!(Email::parse("ana@example.com").unwrap().workspace_name(), "ana's orders");
    }

    #[test]
    fn a_new_password_has_a_floor_and_a_ceiling_and_never_prints() {
        assert_eq!(Password::parse_new("short").unwrap_err().field, Field::Password);
        assert!(Password::parse_new("long enough!").is_ok());
        assert!(Password::parse_given(&"x".repeat(257)).is_err());
        assert!(Password::parse_given("").is_ok(), "a sign-in is refused later, without saying why");
        assert_eq!(format!("{:?}", Password::parse_new("secret-words").unwrap()), "Password(…)");
    }

    #[test]
    fn roles_say_what_they_may_do() {
        assert!(Role::Owner.can_manage() && Role::Owner.can_edit());
        assert!(!Role::Editor.can_manage() && Role::Editor.can_edit());
        assert!(!Role::Viewer.can_edit());
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()).unwrap(), r);
        }
        assert!(Role::parse("admin").is_err());
    }
}
