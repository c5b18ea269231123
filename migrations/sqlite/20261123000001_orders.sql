-- Orders, as the list shows them. Money is integer cents; times are Unix milliseconds (UTC).
CREATE TABLE orders (
    id               TEXT    PRIMARY KEY NOT NULL,            -- UUIDv7 made by the client
    number           INTEGER NOT NULL UNIQUE,                 -- ORD-<number>, assigned by the server
    customer         TEXT    NOT NULL,
    item             TEXT    NOT NULL,
    note             TEXT    NOT NULL DEFAULT '',
    quantity         INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 999),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents > 0),
    total_cents      INTEGER NOT NULL CHECK (total_cents >= 0),
    status           TEXT    NOT NULL CHECK (status IN ('draft', 'placing', 'placed', 'failed', 'cancelled')),
    starred          INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1)),
    position         INTEGER NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;

CREATE INDEX orders_by_position ON orders (position, number);
