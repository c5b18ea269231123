-- Accounts and shared workspaces (issue 13). Times are Unix milliseconds (UTC).

-- A person who signs in. The password is stored only as an argon2id hash (a PHC string).
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,            -- trimmed and lower-cased (domain::Email)
    password_hash TEXT    NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    created_at    INTEGER NOT NULL
) STRICT;

-- What orders, jobs and notifications belong to, shared by its members.
CREATE TABLE workspaces (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Who may do what in a workspace. A workspace always keeps an owner (the store refuses to
-- demote or remove its last one).
CREATE TABLE members (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT    NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    added_at     INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX members_by_user ON members (user_id, workspace_id);

-- Orders made before accounts existed belong to the first workspace (the demo seed makes its
-- owner; otherwise an operator adds one).
INSERT INTO workspaces (id, name, created_at) SELECT 1, 'Orders before accounts', 0 WHERE EXISTS (SELECT 1 FROM orders);
ALTER TABLE orders ADD COLUMN workspace_id INTEGER NOT NULL DEFAULT 1;
-- The list's order within a workspace (replaces the list's order over every order).
DROP INDEX orders_by_position;
CREATE INDEX orders_by_workspace ON orders (workspace_id, position, number);

-- Who placed the job (its emails go to them). NULL for jobs placed before accounts.
ALTER TABLE jobs ADD COLUMN placed_by INTEGER REFERENCES users (id) ON DELETE SET NULL;

-- Server-side sessions, as `tower-sessions-sqlx-store` keeps them (its own `migrate` would make
-- this table from another connection; here it comes with the rest of the schema).
CREATE TABLE sessions (
    id          TEXT    PRIMARY KEY NOT NULL,
    data        BLOB    NOT NULL,
    expiry_date INTEGER NOT NULL
);

-- Failed sign-ins, per account ('email:…') and per client address ('client:…'): past a few,
-- each attempt waits longer. A success clears the account's row; retention prunes old rows.
CREATE TABLE sign_in_failures (
    subject  TEXT    PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL CHECK (failures >= 1),
    last_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sign_in_failures_by_time ON sign_in_failures (last_at);
