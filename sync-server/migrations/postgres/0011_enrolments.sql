-- One-time device enrolment codes: an administrator or manager makes one
-- for a field user, the app redeems it for a token. Only the code's hash
-- is kept.
CREATE TABLE enrolments (
    code_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (user_id),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
