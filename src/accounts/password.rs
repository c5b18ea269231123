//! Password hashing with argon2id (the `argon2` crate, its default parameters: OWASP's
//! 19 MiB, 2 passes). Hashing is slow on purpose, so it runs off the async threads.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::LazyLock;

use crate::domain::Password;

/// A hash of a password nobody has: checked when an email has no account, so a wrong email
/// takes as long to refuse as a wrong password and timing doesn't tell which accounts exist.
static NOBODY: LazyLock<Option<String>> = LazyLock::new(|| hash_now(&Password::parse_given("no account has this password").ok()?).ok());

fn hash_now(password: &Password) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default().hash_password(password.expose().as_bytes(), &salt)?.to_string())
}

/// The argon2id PHC string for `password`, with a fresh random salt.
pub async fn hash(password: Password) -> Result<String, String> {
    tokio::task::spawn_blocking(move || hash_now(&password).map_err(|e| e.to_string())).await.map_err(|e| e.to_string())?
}

/// Whether `password` is the one `stored` was made from (`None`: no such account; the check
/// still takes as long).
pub async fn verify(password: Password, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let Some(stored) = stored.or_else(|| NOBODY.clone()) else { return false };
        let Ok(parsed) = PasswordHash::new(&stored) else {
            tracing::error!("a stored password hash doesn't parse");
            return false;
        };
        Argon2::default().verify_password(password.expose().as_bytes(), &parsed).is_ok() && known
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_is_argon2id_salted_and_checks_only_its_password() {
        let pw = || Password::parse_new("correct horse battery").unwrap();
        let a = hash(pw()).await.unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert!(!a.contains("correct horse"));
        assert_ne!(a, hash(pw()).await.unwrap(), "salted");
        assert!(verify(pw(), Some(a.clone())).await);
        assert!(!verify(Password::parse_given("wrong horse battery").unwrap(), Some(a)).await);
        assert!(!verify(pw(), None).await, "no account: refused after the same work");
    }
}
