-- Scorecard schemes an administrator published (services/scorecards.rs),
-- beside the shipped ones, kept per id and version as sent (TOML); a
-- version once published never changes, and an id's newest published
-- version is the one scored.
CREATE TABLE scorecard_schemes (
    scorecard_id TEXT NOT NULL,
    version TEXT NOT NULL,
    body TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    published_by TEXT NOT NULL,
    PRIMARY KEY (scorecard_id, version)
);
