-- With PostgreSQL, several replicas serve one deployment: media bytes live
-- in the database, where every replica finds them. An upload in progress is
-- kept as chunks at their offsets; a verified file as one row.
CREATE TABLE media_chunks (
    hash TEXT NOT NULL,
    at BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (hash, at)
);

CREATE TABLE media_blobs (
    hash TEXT PRIMARY KEY,
    bytes BYTEA NOT NULL
);
