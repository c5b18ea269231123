//! Keys of writes that are running right now, so a repeat that arrives before the first
//! has answered gets "in progress" (safe to retry) instead of racing it.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

#[derive(Debug, Default)]
pub struct InFlight(Mutex<HashSet<(String, Uuid)>>);

/// Holds a key as running; releases it when dropped.
#[derive(Debug)]
pub struct InFlightClaim {
    registry: Arc<InFlight>,
    entry: (String, Uuid),
}

impl InFlight {
    fn set(&self) -> std::sync::MutexGuard<'_, HashSet<(String, Uuid)>> {
        // Insert and remove cannot leave the set half-changed, so a poisoned lock is usable.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Claims `(user, key)`, or `None` if a request with that key is already running.
    pub fn claim(self: &Arc<Self>, user: &str, key: Uuid) -> Option<InFlightClaim> {
        let entry = (user.to_string(), key);
        self.set().insert(entry.clone()).then(|| InFlightClaim { registry: Arc::clone(self), entry })
    }
}

impl Drop for InFlightClaim {
    fn drop(&mut self) {
        self.registry.set().remove(&self.entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_can_be_claimed_once_until_released() {
        let r = Arc::new(InFlight::default());
        let k = Uuid::now_v7();
        let first = r.claim("u", k).expect("first claim");
        assert!(r.claim("u", k).is_none());
        assert!(r.claim("other-user", k).is_some());
        drop(first);
        assert!(r.claim("u", k).is_some());
    }
}
