-- Every write through the HTTP API: who did what to which record, when.
CREATE TABLE audit_log (
    entry_id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_by_target ON audit_log (target, at);
