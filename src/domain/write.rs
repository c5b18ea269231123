//! The kinds of writes a client can make, and the answer to a delete. Shared so the fault
//! panel and the sync engine name writes the same way the server does.

use serde::{Deserialize, Serialize};

use super::{Order, Timestamp};

/// Every write the server accepts. Also the `operation` recorded with an idempotency key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteKind {
    Star,
    Rename,
    Note,
    Quantity,
    Move,
    Create,
    Delete,
    UndoDelete,
    /// Cancel a placed order: pessimistic, never predicted by the client.
    Cancel,
    /// Place a draft (or a failed order again): accepted at once, the work runs as a job.
    Place,
}

impl WriteKind {
    pub const ALL: [WriteKind; 10] = [
        WriteKind::Star,
        WriteKind::Rename,
        WriteKind::Note,
        WriteKind::Quantity,
        WriteKind::Move,
        WriteKind::Create,
        WriteKind::Delete,
        WriteKind::UndoDelete,
        WriteKind::Cancel,
        WriteKind::Place,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WriteKind::Star => "star",
            WriteKind::Rename => "rename",
            WriteKind::Note => "note",
            WriteKind::Quantity => "quantity",
            WriteKind::Move => "move",
            WriteKind::Create => "create",
            WriteKind::Delete => "delete",
            WriteKind::UndoDelete => "undo_delete",
            WriteKind::Cancel => "cancel",
            WriteKind::Place => "place",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The answer to deleting a draft: the order as it was, and until when the delete can be undone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteReceipt {
    pub order: Order,
    pub undo_until: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in WriteKind::ALL {
            assert_eq!(WriteKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert_eq!(WriteKind::parse("explode"), None);
    }
}
