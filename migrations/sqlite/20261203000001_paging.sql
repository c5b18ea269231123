-- A list that stays fast (issue 12).
-- The job feed reads the newest jobs first and stops at its bound.
CREATE INDEX jobs_by_submitted ON jobs (submitted_at DESC, id DESC);
-- The search index: every order's number (as shown, ORD-1042), customer and item, in trigrams,
-- so a search finds any part of them, case-insensitively, without reading every order. It
-- holds no copy of the text (contentless); triggers keep it in step with `orders`, and a change
-- of quantity, star or place never touches it.
CREATE VIRTUAL TABLE orders_search USING fts5(number, customer, item, content = '', contentless_delete = 1, tokenize = 'trigram');
INSERT INTO orders_search (rowid, number, customer, item) SELECT rowid, 'ORD-' || number, customer, item FROM orders;
CREATE TRIGGER orders_search_insert AFTER INSERT ON orders BEGIN
    INSERT INTO orders_search (rowid, number, customer, item) VALUES (new.rowid, 'ORD-' || new.number, new.customer, new.item);
END;
CREATE TRIGGER orders_search_rename AFTER UPDATE OF customer, item ON orders
WHEN old.customer IS NOT new.customer OR old.item IS NOT new.item BEGIN
    DELETE FROM orders_search WHERE rowid = old.rowid;
    INSERT INTO orders_search (rowid, number, customer, item) VALUES (new.rowid, 'ORD-' || new.number, new.customer, new.item);
END;
CREATE TRIGGER orders_search_delete AFTER DELETE ON orders BEGIN
    DELETE FROM orders_search WHERE rowid = old.rowid;
END;
