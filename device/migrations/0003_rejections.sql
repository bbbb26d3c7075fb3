-- Documents whose local changes the server refused, with its reason, until
-- the user discards them (or a later sync is accepted).
CREATE TABLE rejections (
    doc_id TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL
);
