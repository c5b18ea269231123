//! Sessions shared by every instance on the database: each instance reads them through its own
//! in-memory copy ([`SessionCache`]), so what one instance changes (a sign-in's new id, the
//! workspace chosen) or ends (a sign-out) is told to the others through the bus
//! (`crate::push::relay`), which drop their copy. A sign-out holds on every instance at once.

use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::push::Events;
use crate::store::SessionStore as Stored;

/// The session store the session layer uses: the database's sessions behind this instance's
/// cache, telling the other instances of every change.
#[derive(Clone, Debug)]
pub struct SharedSessions {
    stored: Stored,
    events: Events,
}

impl SharedSessions {
    pub fn new(stored: Stored, events: Events) -> Self {
        SharedSessions { stored, events }
    }
}

#[async_trait::async_trait]
impl SessionStore for SharedSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A new id: no instance has a copy of it.
        self.stored.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.stored.save(record).await?;
        self.events.session_changed(record.id.to_string());
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.stored.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.stored.delete(id).await?;
        self.events.session_changed(id.to_string());
        Ok(())
    }
}
