-- Media files (photos, audio, signatures) by content hash, and which
-- documents reference them (for access checks).
CREATE TABLE media (
    hash TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    mime TEXT NOT NULL,
    complete BIGINT NOT NULL, -- 0 or 1: portable across both engines
    created_at BIGINT NOT NULL
);

CREATE TABLE media_refs (
    hash TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    PRIMARY KEY (hash, doc_id)
);
