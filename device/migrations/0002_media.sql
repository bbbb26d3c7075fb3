-- Media kept on the device by content hash (BLAKE3); the bytes are files
-- under the store's media directory, this table says what is still to upload.
CREATE TABLE media (
    hash TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    uploaded INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX media_pending ON media (uploaded, created_at);
