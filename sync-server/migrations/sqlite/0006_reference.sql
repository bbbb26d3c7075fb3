-- Reference data as documents (design.md decision 1). `kind` tells records
-- from reference documents for access checks; the tables below are indexes
-- of those documents, rebuilt from them by `fieldcheck-server rebuild`.
ALTER TABLE documents ADD COLUMN kind TEXT NOT NULL DEFAULT 'record';

CREATE TABLE assignments (
    assignment_id TEXT PRIMARY KEY,
    assignee TEXT NOT NULL,
    template_id TEXT NOT NULL,
    mode TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    visits BIGINT NOT NULL,
    daily_quota BIGINT,
    note TEXT NOT NULL,
    cancelled BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX assignments_by_assignee ON assignments (assignee);
CREATE INDEX assignments_by_unit ON assignments (unit_id);

-- People: a display name, and disabled accounts kept for the history.
ALTER TABLE users ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
