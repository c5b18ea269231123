//! The version rule, written once: a record replaces the one held for its key only if its
//! version is strictly newer, so a late answer, a slow push or an old snapshot never rolls a
//! record back. Every feed of versioned records (the engine's server rows, the job feed, a
//! page's single record) goes through [`Collection`] or [`is_newer`].

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::vec_map::VecMap;

/// A record the server versions: each change it confirms gets a higher `version`, and equal
/// versions of one key are the same record (by the write contract).
pub trait Versioned {
    /// The record's identity, stable across versions.
    type Key: Copy + Ord + std::fmt::Debug + Serialize + DeserializeOwned;
    /// Its identity.
    fn key(&self) -> Self::Key;
    /// Its version; higher is newer.
    fn version(&self) -> i64;
}

/// The one comparison: whether a record at version `candidate` replaces one at `held`.
pub fn is_newer(candidate: i64, held: i64) -> bool {
    candidate > held
}

/// Whether a fact learnt at version `candidate` still applies over one learnt at `held`:
/// a fact is never overridden by an older one, and one at the same version re-asserts it.
pub fn is_current(candidate: i64, held: i64) -> bool {
    !is_newer(held, candidate)
}

/// What [`Collection::merge`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Merged<T> {
    /// The key was new.
    Added,
    /// It replaced an older record, given back.
    Replaced(T),
    /// Ours was as new or newer; the offered record was dropped.
    Kept,
}

impl<T> Merged<T> {
    /// Whether the collection changed.
    pub fn changed(&self) -> bool {
        !matches!(self, Merged::Kept)
    }
}

/// The newest record of each key seen so far, in key order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(serialize = "T: Serialize", deserialize = "T: Deserialize<'de>"))]
pub struct Collection<T: Versioned>(VecMap<T::Key, T>);

impl<T: Versioned> Default for Collection<T> {
    fn default() -> Self {
        Collection(VecMap::default())
    }
}

impl<T: Versioned> Collection<T> {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes `item` if it is new or newer than the record held for its key.
    pub fn merge(&mut self, item: T) -> Merged<T> {
        match self.0.get_mut(&item.key()) {
            Some(held) if is_newer(item.version(), held.version()) => Merged::Replaced(std::mem::replace(held, item)),
            Some(_) => Merged::Kept,
            None => {
                self.0.insert(item.key(), item);
                Merged::Added
            }
        }
    }

    /// The record held for `key`.
    pub fn get(&self, key: &T::Key) -> Option<&T> {
        self.0.get(key)
    }

    /// Whether a record is held for `key`.
    pub fn contains(&self, key: &T::Key) -> bool {
        self.0.contains_key(key)
    }

    /// Forgets `key` (the record is gone for good), returning what was held.
    pub fn remove(&mut self, key: &T::Key) -> Option<T> {
        self.0.remove(key)
    }

    /// Every record, in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.0.values()
    }

    /// Every key, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &T::Key> {
        self.0.keys()
    }

    /// How many records are held.
    pub fn len(&self) -> usize {
        self.0.iter().count()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.0.iter().next().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq)]
    struct Doc(u8, i64, &'static str);

    impl Versioned for Doc {
        type Key = u8;
        fn key(&self) -> u8 {
            self.0
        }
        fn version(&self) -> i64 {
            self.1
        }
    }

    #[test]
    fn only_a_strictly_newer_version_replaces_what_is_held() {
        let mut docs = Collection::new();
        assert_eq!(docs.merge(Doc(1, 2, "b")), Merged::Added);
        assert_eq!(docs.merge(Doc(1, 1, "a")), Merged::Kept);
        assert_eq!(docs.merge(Doc(1, 2, "other")), Merged::Kept);
        assert_eq!(docs.merge(Doc(1, 3, "c")), Merged::Replaced(Doc(1, 2, "b")));
        assert_eq!(docs.get(&1), Some(&Doc(1, 3, "c")));
        assert_eq!(docs.len(), 1);
        assert_eq!(docs.remove(&1), Some(Doc(1, 3, "c")));
        assert!(docs.is_empty());
    }

    #[test]
    fn a_fact_holds_against_older_and_equal_versions_only() {
        assert!(is_current(3, 3));
        assert!(is_current(4, 3));
        assert!(!is_current(2, 3));
        assert!(is_newer(4, 3) && !is_newer(3, 3));
    }
}
