//! Accounts, workspaces, members and failed sign-ins (server only). Holds the SQL; the rules
//! of who may do what are `crate::domain::Role`'s, and hashing is `crate::accounts`'.
//! Passwords reach this module only as argon2id hashes.

use sqlx::AnyConnection;

use super::{db_err, Db, StoreError};
use crate::domain::{Email, Membership, OrderId, Person, Role, WorkspaceId};

/// A member of a workspace, for its members page.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Member {
    pub user: i64,
    pub email: String,
    pub role: Role,
}

/// Why a change to a workspace's members was refused.
#[derive(Debug, thiserror::Error)]
pub enum MemberError {
    #[error("there is no account with that email")]
    NoAccount,
    #[error("that person is already a member")]
    AlreadyMember,
    #[error("that person is not a member")]
    NotMember,
    #[error("a workspace keeps at least one owner")]
    LastOwner,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for MemberError {
    fn from(e: sqlx::Error) -> Self {
        MemberError::Store(db_err(e))
    }
}

/// People and order→workspace, kept in memory. A person's entry is dropped whenever this
/// server changes their memberships, and lives at most [`PEOPLE_TTL`] anyway (another server
/// may change them); an order never changes workspace, so that entry only ages out by size.
#[derive(Clone, Debug)]
pub(super) struct Cache {
    people: moka::future::Cache<i64, Option<(Email, Vec<Membership>)>>,
    order_workspaces: moka::future::Cache<OrderId, WorkspaceId>,
}

/// How long a person's memberships are trusted without reading them again.
const PEOPLE_TTL: std::time::Duration = std::time::Duration::from_secs(2);

impl Default for Cache {
    fn default() -> Self {
        Cache {
            people: moka::future::Cache::builder().max_capacity(10_000).time_to_live(PEOPLE_TTL).build(),
            order_workspaces: moka::future::Cache::builder().max_capacity(200_000).build(),
        }
    }
}

fn role_of(raw: &str) -> Result<Role, StoreError> {
    Role::parse(raw).map_err(|_| StoreError::corrupt("member role", raw, "unknown role"))
}

impl Db {
    /// Makes an account with its own workspace, which it owns. `None` when the email is taken.
    pub async fn create_account(&self, email: &Email, password_hash: &str, now: i64) -> Result<Option<i64>, StoreError> {
        let mut tx = self.write_tx().await.map_err(db_err)?;
        let user = match insert_user(&mut tx, email, password_hash, now).await? {
            Some(user) => user,
            None => return Ok(None),
        };
        let workspace: i64 = sqlx::query_scalar("INSERT INTO workspaces (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(email.workspace_name())
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        add(&mut tx, workspace, user, Role::Owner, now).await?;
        tx.commit().await.map_err(db_err)?;
        self.forget_person(user).await;
        Ok(Some(user))
    }

    /// The account's id and password hash, by email.
    pub async fn credentials(&self, email: &Email) -> Result<Option<(i64, String)>, StoreError> {
        sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1").bind(email.as_str()).fetch_optional(self.reader()).await.map_err(db_err)
    }

    /// The person with this id: their email and memberships; `current` is `preferred` when
    /// they belong to it, else their first workspace. `None` when the account is gone.
    pub async fn person(&self, user: i64, preferred: Option<WorkspaceId>) -> Result<Option<Person>, StoreError> {
        let found = match self.cache.people.get(&user).await {
            Some(found) => found,
            None => {
                let found = self.read_person(user).await?;
                self.cache.people.insert(user, found.clone()).await;
                found
            }
        };
        Ok(found.map(|(email, memberships)| {
            let current = preferred.filter(|p| memberships.iter().any(|m| m.workspace == *p)).or_else(|| memberships.first().map(|m| m.workspace));
            Person { user, email, memberships, current }
        }))
    }

    /// Forgets what is kept of `user` (their memberships changed, here or on another instance).
    pub(crate) async fn forget_person(&self, user: i64) {
        self.cache.people.invalidate(&user).await;
    }

    async fn read_person(&self, user: i64) -> Result<Option<(Email, Vec<Membership>)>, StoreError> {
        let mut conn = self.reader().acquire().await.map_err(db_err)?;
        let Some(email): Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1").bind(user).fetch_optional(&mut *conn).await.map_err(db_err)? else {
            return Ok(None);
        };
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT m.workspace_id, w.name, m.role FROM members m JOIN workspaces w ON w.id = m.workspace_id \
             WHERE m.user_id = $1 ORDER BY m.added_at, m.workspace_id",
        )
        .bind(user)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        let memberships = rows.into_iter().map(|(workspace, name, role)| Ok(Membership { workspace, name, role: role_of(&role)? })).collect::<Result<Vec<_>, StoreError>>()?;
        let email = Email::parse(&email).map_err(|e| StoreError::corrupt("account email", user.to_string(), e.message))?;
        Ok(Some((email, memberships)))
    }

    /// The workspace an order belongs to (live, held for undo, or ended alike).
    pub async fn workspace_of_order(&self, id: OrderId) -> Result<Option<WorkspaceId>, StoreError> {
        if let Some(w) = self.cache.order_workspaces.get(&id).await {
            return Ok(Some(w));
        }
        let found: Option<WorkspaceId> =
            sqlx::query_scalar("SELECT workspace_id FROM orders WHERE id = $1").bind(id.to_string()).fetch_optional(self.reader()).await.map_err(db_err)?;
        if let Some(w) = found {
            self.cache.order_workspaces.insert(id, w).await;
        }
        Ok(found)
    }

    /// The workspace's members, owners first, then by email.
    pub async fn members(&self, workspace: WorkspaceId) -> Result<Vec<Member>, StoreError> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT u.id, u.email, m.role FROM members m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 \
             ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'editor' THEN 1 ELSE 2 END, u.email",
        )
        .bind(workspace)
        .fetch_all(self.reader())
        .await
        .map_err(db_err)?;
        rows.into_iter().map(|(user, email, role)| Ok(Member { user, email, role: role_of(&role)? })).collect()
    }

    /// Shares the workspace with the account that has `email`, in `role`. Answers their id.
    pub async fn add_member(&self, workspace: WorkspaceId, email: &Email, role: Role, now: i64) -> Result<i64, MemberError> {
        let mut tx = self.write_tx().await?;
        let user: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(email.as_str()).fetch_optional(&mut *tx).await?.ok_or(MemberError::NoAccount)?;
        let exists: Option<String> = sqlx::query_scalar("SELECT role FROM members WHERE workspace_id = $1 AND user_id = $2").bind(workspace).bind(user).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            return Err(MemberError::AlreadyMember);
        }
        add(&mut tx, workspace, user, role, now).await?;
        tx.commit().await?;
        self.forget_person(user).await;
        Ok(user)
    }

    /// Changes a member's role (`None`: removes them). A workspace keeps at least one owner.
    pub async fn set_member_role(&self, workspace: WorkspaceId, user: i64, role: Option<Role>) -> Result<(), MemberError> {
        let mut tx = self.write_tx().await?;
        let was: String = sqlx::query_scalar("SELECT role FROM members WHERE workspace_id = $1 AND user_id = $2")
            .bind(workspace)
            .bind(user)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(MemberError::NotMember)?;
        if was == Role::Owner.as_str() && role != Some(Role::Owner) {
            let owners: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM members WHERE workspace_id = $1 AND role = 'owner'").bind(workspace).fetch_one(&mut *tx).await?;
            if owners <= 1 {
                return Err(MemberError::LastOwner);
            }
        }
        match role {
            Some(role) => sqlx::query("UPDATE members SET role = $1 WHERE workspace_id = $2 AND user_id = $3").bind(role.as_str()).bind(workspace).bind(user).execute(&mut *tx).await?,
            None => sqlx::query("DELETE FROM members WHERE workspace_id = $1 AND user_id = $2").bind(workspace).bind(user).execute(&mut *tx).await?,
        };
        tx.commit().await?;
        self.forget_person(user).await;
        Ok(())
    }

    /// How long (ms) a sign-in for these subjects must still wait, counting their failures:
    /// the first `free` are free, then each waits twice as long as the last, from one second up
    /// to `max_wait_ms`. Failures older than `max_wait_ms` no longer count (see
    /// [`Db::record_sign_in_failure`]).
    pub async fn sign_in_wait(&self, subjects: &[String], now: i64, free: u32, max_wait_ms: i64) -> Result<i64, StoreError> {
        let mut wait = 0;
        for subject in subjects {
            let row: Option<(i64, i64)> = sqlx::query_as("SELECT failures, last_at FROM sign_in_failures WHERE subject = $1")
                .bind(subject)
                .fetch_optional(self.reader())
                .await
                .map_err(db_err)?;
            if let Some((failures, last_at)) = row {
                wait = wait.max(throttle_wait(failures, free, max_wait_ms).saturating_sub(now.saturating_sub(last_at)));
            }
        }
        Ok(wait.max(0))
    }

    /// Counts a failed sign-in against each subject. A subject quiet for `forget_after_ms`
    /// starts counting again from one: an office behind one address isn't locked out for good
    /// by a typo a day.
    pub async fn record_sign_in_failure(&self, subjects: &[String], now: i64, forget_after_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await.map_err(db_err)?;
        for subject in subjects {
            sqlx::query(
                "INSERT INTO sign_in_failures (subject, failures, last_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (subject) DO UPDATE SET \
                 failures = CASE WHEN sign_in_failures.last_at < $3 THEN 1 ELSE sign_in_failures.failures + 1 END, last_at = excluded.last_at",
            )
            .bind(subject)
            .bind(now)
            .bind(now.saturating_sub(forget_after_ms))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    /// Forgets a subject's failures (a successful sign-in).
    pub async fn clear_sign_in_failures(&self, subject: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE subject = $1").bind(subject).execute(self.writer()).await.map_err(db_err)?;
        Ok(())
    }

    /// Whether any account exists.
    pub async fn has_accounts(&self) -> Result<bool, StoreError> {
        let any: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1) AS one").fetch_one(self.reader()).await.map_err(db_err)?;
        Ok(any > 0)
    }

    /// Makes the demo accounts once (when there are none): the first owns workspace 1, where
    /// the demo orders are, and shares it with the others in their roles. Whether it did.
    pub async fn seed_demo_accounts(&self, accounts: &[(Email, String, Role)], workspace_name: &str, now: i64) -> Result<bool, StoreError> {
        // The write lock first, as for the demo orders (`seed`): instances starting together seed once.
        let mut tx = self.write_tx().await.map_err(db_err)?;
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&mut *tx).await.map_err(db_err)?;
        if users > 0 {
            return Ok(false);
        }
        sqlx::query("INSERT INTO workspaces (id, name, created_at) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET name = excluded.name")
            .bind(workspace_name)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        for (email, hash, role) in accounts {
            if let Some(user) = insert_user(&mut tx, email, hash, now).await? {
                add(&mut tx, 1, user, *role, now).await?;
            }
        }
        tx.commit().await.map_err(db_err)?;
        self.cache.people.invalidate_all();
        Ok(true)
    }
}

/// How long after its last failure a subject with `failures` waits.
fn throttle_wait(failures: i64, free: u32, max_wait_ms: i64) -> i64 {
    let over = failures - i64::from(free);
    if over <= 0 {
        return 0;
    }
    1_000i64.saturating_mul(1i64 << (over - 1).min(30)).min(max_wait_ms)
}

async fn insert_user(conn: &mut AnyConnection, email: &Email, password_hash: &str, now: i64) -> Result<Option<i64>, StoreError> {
    let inserted = sqlx::query_scalar("INSERT INTO users (email, password_hash, created_at) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING RETURNING id")
        .bind(email.as_str())
        .bind(password_hash)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(inserted)
}

async fn add(conn: &mut AnyConnection, workspace: WorkspaceId, user: i64, role: Role, now: i64) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO members (workspace_id, user_id, role, added_at) VALUES ($1, $2, $3, $4)")
        .bind(workspace)
        .bind(user)
        .bind(role.as_str())
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_sign_ins_wait_longer_each_time_up_to_a_ceiling() {
        assert_eq!(throttle_wait(5, 5, 900_000), 0);
        assert_eq!(throttle_wait(6, 5, 900_000), 1_000);
        assert_eq!(throttle_wait(8, 5, 900_000), 4_000);
        assert_eq!(throttle_wait(500, 5, 900_000), 900_000);
    }

    #[tokio::test]
    async fn a_workspace_keeps_an_owner_and_a_person_sees_only_their_workspaces() {
        let (_dir, db) = Db::scratch().await;
        let ana = Email::parse("ana@example.com").unwrap();
        let ben = Email::parse("ben@example.com").unwrap();
        let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
        let a = db.create_account(&ana, hash, 1).await.unwrap().unwrap();
        assert!(db.create_account(&ana, hash, 2).await.unwrap().is_none(), "one account per email");
        let b = db.create_account(&ben, hash, 3).await.unwrap().unwrap();
        let pa = db.person(a, None).await.unwrap().unwrap();
        let ws = pa.current.unwrap();
        assert_eq!(pa.memberships, vec![Membership { workspace: ws, name: "ana's orders".into(), role: Role::Owner }]);
        assert!(db.person(b, Some(ws)).await.unwrap().unwrap().current != Some(ws), "a preferred workspace counts only for members");
        assert!(matches!(db.set_member_role(ws, a, Some(Role::Editor)).await, Err(MemberError::LastOwner)));
        assert!(matches!(db.add_member(ws, &Email::parse("nobody@example.com").unwrap(), Role::Viewer, 4).await, Err(MemberError::NoAccount)));
        assert_eq!(db.add_member(ws, &ben, Role::Viewer, 4).await.unwrap(), b);
        assert!(matches!(db.add_member(ws, &ben, Role::Editor, 5).await, Err(MemberError::AlreadyMember)));
        assert_eq!(db.person(b, Some(ws)).await.unwrap().unwrap().current, Some(ws));
        db.set_member_role(ws, b, None).await.unwrap();
        assert!(db.person(b, None).await.unwrap().unwrap().membership(ws).is_none());
    }
}
