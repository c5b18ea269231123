-- Several server instances on one database (issue 16).

-- A running job is run by one instance at a time: `runner`, while `lease_until` (Unix ms) has
-- not passed; the runner renews it. Once it has passed, any instance may take the job over.
-- `claims` counts how often a job was taken: from the second on, the job was picked up again.
ALTER TABLE jobs ADD COLUMN runner TEXT;
ALTER TABLE jobs ADD COLUMN lease_until INTEGER;
ALTER TABLE jobs ADD COLUMN claims INTEGER NOT NULL DEFAULT 0;

-- Every change an instance tells its own pages of, for the other instances' pages: each
-- instance follows the rows the others add, in order. Rows are kept a few minutes.
CREATE TABLE bus (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    instance TEXT    NOT NULL,
    at       INTEGER NOT NULL,
    message  TEXT    NOT NULL     -- JSON (crate::push)
) STRICT;
CREATE INDEX bus_by_at ON bus (at);

-- The instances running on this database, each renewing `seen_at` (Unix ms) every second. An
-- instance that sees no other alive writes nothing to `bus`.
CREATE TABLE instances (
    name    TEXT    PRIMARY KEY NOT NULL,
    seen_at INTEGER NOT NULL
) STRICT;
