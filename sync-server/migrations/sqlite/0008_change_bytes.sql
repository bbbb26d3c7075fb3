-- Bytes of Automerge changes each document holds, which the record gate
-- keeps under its limit so that a whole document always fits one sync
-- frame. Existing documents start from the size of their stored chunks.
ALTER TABLE documents ADD COLUMN change_bytes BIGINT NOT NULL DEFAULT 0;
UPDATE documents SET change_bytes =
    (SELECT COALESCE(SUM(LENGTH(bytes)), 0) FROM doc_chunks WHERE doc_chunks.doc_id = documents.doc_id);
