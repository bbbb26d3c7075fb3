-- Monthly bulletins as generated (services/bulletin.rs), kept per unit,
-- month and language: the sections as JSON, rendered to HTML or XLSX on
-- request.
CREATE TABLE bulletins (
    unit_id TEXT NOT NULL,
    month TEXT NOT NULL,
    lang TEXT NOT NULL,
    body TEXT NOT NULL,
    generated_at BIGINT NOT NULL,
    generated_by TEXT NOT NULL,
    PRIMARY KEY (unit_id, month, lang)
);
