//! The two SQL dialects the store speaks: SQLite (the embedded default: one file) and
//! PostgreSQL (several instances on one database). Every query is written once, with `$N`
//! placeholders (SQLite reads `$N` as argument N too); what the two say differently is here,
//! and nowhere else.
//!
//! One rule holds the same on both: writers take turns. SQLite has one write lock per file
//! (`BEGIN IMMEDIATE` takes it at the start); on PostgreSQL every writing transaction first
//! takes one advisory lock ([`WRITE_LOCK`]), so a transaction that reads and then writes
//! (the next order number, a move's neighbours, the last owner of a workspace) sees every
//! earlier write and none lands beside it. Writes still commit in groups (`super::batch`), so
//! taking turns costs one lock per group, not per write (bench/README.md).

/// The key of the advisory lock every writing transaction on PostgreSQL holds until it ends.
const WRITE_LOCK: i64 = 0x6f72_6465_7264_6573; // "orderdes"
/// The key of the advisory lock an append to the bus holds (`super::bus`): appends then commit
/// in the order of their ids, so an instance that follows the ids never skips one that was
/// still uncommitted when it read past it.
const BUS_LOCK: i64 = 0x6f72_6465_7262_7573; // "orderbus"

/// Which database the store talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The dialect a database URL names, or `None` for neither.
    pub fn of_url(url: &str) -> Option<Dialect> {
        let url = url.trim_start().to_ascii_lowercase();
        if url.starts_with("sqlite:") {
            Some(Dialect::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Dialect::Postgres)
        } else {
            None
        }
    }

    /// Opens a transaction that holds the write lock from its first statement.
    pub(super) fn begin_write(self) -> String {
        match self {
            Dialect::Sqlite => "BEGIN IMMEDIATE".into(),
            Dialect::Postgres => format!("BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"),
        }
    }

    /// Opens a transaction that appends to the bus (see [`BUS_LOCK`]).
    pub(super) fn begin_bus(self) -> String {
        match self {
            // One writer at a time already: ids commit in their order.
            Dialect::Sqlite => "BEGIN IMMEDIATE".into(),
            Dialect::Postgres => format!("BEGIN; SELECT pg_advisory_xact_lock({BUS_LOCK})"),
        }
    }

    /// How to open a read-only transaction whose statements all see the same moment: `None`
    /// for a plain `BEGIN` (a read transaction on SQLite reads one snapshot of the WAL; and
    /// sqlx's SQLite driver can leave a connection inside a transaction opened with a
    /// statement of our own when the caller stops waiting at the wrong moment).
    pub(super) fn begin_snapshot(self) -> Option<&'static str> {
        match self {
            Dialect::Sqlite => None,
            Dialect::Postgres => Some("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
        }
    }

    /// The larger of two values (SQLite's two-argument `MAX`).
    pub(super) fn greatest(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Sqlite => format!("MAX({a}, {b})"),
            Dialect::Postgres => format!("GREATEST({a}, {b})"),
        }
    }

    /// `insert` (an `INSERT … SELECT …` without a `WHERE`) run only if `change` (one statement
    /// that changes one row or none) changed its row, returning a row if it did; both in one
    /// statement list. `insert`'s placeholders follow `change`'s.
    pub(super) fn insert_if_changed(self, change: &str, insert: &str) -> String {
        match self {
            Dialect::Sqlite => format!("{change}; {insert} WHERE changes() = 1 RETURNING 1"),
            Dialect::Postgres => format!("WITH changed AS ({change} RETURNING 1) {insert} WHERE EXISTS (SELECT 1 FROM changed) RETURNING 1"),
        }
    }

    /// Whether a parameterised statement may be followed by more statements in one round trip
    /// (PostgreSQL's extended protocol takes one statement per prepared query).
    pub(super) fn chains_statements(self) -> bool {
        self == Dialect::Sqlite
    }

    /// The filter of the orders whose number, customer or item holds `$param`, as the list's
    /// search asks ([`Dialect::search_phrase`] makes the argument from what was typed).
    /// `indexed`: the search is long enough for the trigram index (three characters or more).
    pub(super) fn search_filter(self, param: usize, indexed: bool) -> String {
        match (self, indexed) {
            // `orders_search`: FTS5, trigrams, contentless (migrations/sqlite).
            (Dialect::Sqlite, true) => format!("rowid IN (SELECT rowid FROM orders_search WHERE orders_search MATCH ${param})"),
            (Dialect::Sqlite, false) => format!("instr(lower(customer) || char(10) || lower(item) || char(10) || 'ord-' || number, ${param})"),
            // `orders_search`: a pg_trgm GIN index on exactly this expression (migrations/postgres).
            (Dialect::Postgres, true) => format!("{PG_SEARCH_TEXT} LIKE ${param}"),
            (Dialect::Postgres, false) => format!("strpos({PG_SEARCH_TEXT}, ${param}) > 0"),
        }
    }

    /// The argument of [`Dialect::search_filter`] for `needle` (trimmed, not empty).
    pub(super) fn search_phrase(self, needle: &str, indexed: bool) -> String {
        match (self, indexed) {
            (Dialect::Sqlite, true) => format!("\"{}\"", needle.replace('"', "\"\"")),
            (Dialect::Postgres, true) => {
                let escaped = needle.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                format!("%{escaped}%")
            }
            // SQLite folds ASCII case only (the caller matches other short searches itself).
            (Dialect::Sqlite, false) => needle.to_ascii_lowercase(),
            (Dialect::Postgres, false) => needle.to_lowercase(),
        }
    }
}

/// What the search reads of an order on PostgreSQL: number, customer and item, lower-cased,
/// one per line. The index `orders_search` is on this very expression.
const PG_SEARCH_TEXT: &str = "lower('ord-' || number::text || chr(10) || customer || chr(10) || item)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_names_its_dialect() {
        assert_eq!(Dialect::of_url("sqlite://data/orderdesk.db"), Some(Dialect::Sqlite));
        assert_eq!(Dialect::of_url("postgres://u@h/db"), Some(Dialect::Postgres));
        assert_eq!(Dialect::of_url("postgresql://u@h/db"), Some(Dialect::Postgres));
        assert_eq!(Dialect::of_url("mysql://u@h/db"), None);
    }

    #[test]
    fn a_search_phrase_matches_what_was_typed_and_nothing_else() {
        assert_eq!(Dialect::Sqlite.search_phrase("say \"hi\"", true), "\"say \"\"hi\"\"\"");
        // LIKE's own characters are matched as themselves.
        assert_eq!(Dialect::Postgres.search_phrase("50%_off\\", true), "%50\\%\\_off\\\\%");
        assert_eq!(Dialect::Postgres.search_phrase("ÉLan", false), "élan");
    }
}
