-- Held deletes (undo window) and idempotency keys for every write.

-- A deleted draft stays in the table until `purge_after`; until then it can be undone.
ALTER TABLE orders ADD COLUMN deleted_at INTEGER;
ALTER TABLE orders ADD COLUMN purge_after INTEGER;
CREATE INDEX orders_by_purge ON orders (purge_after) WHERE purge_after IS NOT NULL;

-- The first successful answer per (user, key), replayed for repeats until it expires.
CREATE TABLE idempotency_keys (
    user_id      TEXT    NOT NULL,
    key          TEXT    NOT NULL,            -- UUID chosen by the client
    operation    TEXT    NOT NULL,            -- which write (quantity, rename, ...)
    payload_hash TEXT    NOT NULL,            -- SHA-256 of the canonical request payload
    status       INTEGER NOT NULL,            -- HTTP status of the stored answer
    response     TEXT    NOT NULL,            -- the full answer body (JSON)
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX idempotency_by_expiry ON idempotency_keys (expires_at);
