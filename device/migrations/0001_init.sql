-- The device's store. Documents are the truth (chunks: a snapshot and the
-- changes since); `records` is an index rebuilt from them.
CREATE TABLE doc_chunks (
    doc_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (doc_id, n)
);

CREATE TABLE records (
    doc_id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL,
    template_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX records_by_status ON records (status, updated_at);

-- Documents changed locally and not yet acknowledged by the server.
CREATE TABLE dirty (doc_id TEXT PRIMARY KEY);

CREATE TABLE sync_states (doc_id TEXT PRIMARY KEY, state BLOB NOT NULL);

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
