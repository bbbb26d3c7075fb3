-- Documents are the source of truth: each is its chunks (a compacted
-- snapshot followed by incremental changes). `documents` indexes them for
-- the changes feed and access checks; it can be rebuilt from the chunks.
CREATE TABLE counter (id INTEGER PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO counter (id, value) VALUES (1, 0);

CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    store_id TEXT NOT NULL,
    author TEXT NOT NULL,
    mode TEXT NOT NULL,
    chunks BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX documents_by_seq ON documents (seq);

CREATE TABLE doc_chunks (
    doc_id TEXT NOT NULL,
    n BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (doc_id, n)
);

CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (user_id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
