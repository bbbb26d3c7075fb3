-- Published template versions: what the materialiser scores records with.
CREATE TABLE templates (
    template_id TEXT NOT NULL,
    version TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    PRIMARY KEY (template_id, version)
);

-- Everything below is derived from the record documents (design.md
-- decision 2) by `materialise.rs`, and rebuilt by `fieldcheck-server rebuild`.
-- The changes-feed position the materialiser has reached.
CREATE TABLE m_cursor (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL);
INSERT INTO m_cursor (id, seq) VALUES (1, 0);

CREATE TABLE m_records (
    doc_id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    store_id TEXT NOT NULL,
    template_id TEXT NOT NULL,
    template_version TEXT NOT NULL,
    kind TEXT NOT NULL,
    mode TEXT NOT NULL,
    author TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    submitted_at BIGINT,
    reviewed_at BIGINT,
    updated_at BIGINT NOT NULL,
    scored BIGINT NOT NULL,
    score DOUBLE PRECISION,
    passed BIGINT,
    complete BIGINT,
    rule_set TEXT,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION
);
CREATE INDEX m_records_by_store ON m_records (store_id, template_id, status);
CREATE INDEX m_records_unscored ON m_records (scored, template_id, template_version);

CREATE TABLE m_answers (
    doc_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    section_id TEXT,
    value TEXT NOT NULL,
    outcome DOUBLE PRECISION,
    failed BIGINT NOT NULL,
    note TEXT,
    evidence BIGINT NOT NULL,
    by_user TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (doc_id, item_id)
);

CREATE TABLE m_sections (
    doc_id TEXT NOT NULL,
    section_id TEXT NOT NULL,
    weight DOUBLE PRECISION NOT NULL,
    earned DOUBLE PRECISION NOT NULL,
    possible DOUBLE PRECISION NOT NULL,
    score DOUBLE PRECISION,
    zeroed BIGINT NOT NULL,
    PRIMARY KEY (doc_id, section_id)
);

CREATE TABLE m_constructs (
    doc_id TEXT NOT NULL,
    construct_id TEXT NOT NULL,
    role TEXT NOT NULL,
    score DOUBLE PRECISION,
    PRIMARY KEY (doc_id, construct_id)
);

CREATE TABLE m_events (
    doc_id TEXT NOT NULL,
    n BIGINT NOT NULL,
    status TEXT NOT NULL,
    by_user TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (doc_id, n)
);

CREATE TABLE m_comments (
    doc_id TEXT NOT NULL,
    comment_id TEXT NOT NULL,
    item_id TEXT,
    body TEXT NOT NULL,
    by_user TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (doc_id, comment_id)
);

CREATE TABLE m_actions (
    doc_id TEXT NOT NULL,
    action_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    description TEXT NOT NULL,
    assignee TEXT NOT NULL,
    due TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    done_at BIGINT,
    verified_by TEXT,
    verified_at BIGINT,
    PRIMARY KEY (doc_id, action_id)
);
CREATE INDEX m_actions_by_assignee ON m_actions (assignee, status);

CREATE TABLE m_history (
    doc_id TEXT NOT NULL,
    n BIGINT NOT NULL,
    change_hash TEXT NOT NULL,
    author TEXT,
    at BIGINT NOT NULL,
    message TEXT,
    PRIMARY KEY (doc_id, n)
);
