-- The store hierarchy (reference data): province > city > district > store.
-- Ids are paths, so a user's scope (a path prefix) covers the units below it.
CREATE TABLE units (
    unit_id TEXT PRIMARY KEY,
    parent_id TEXT,
    level TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    channel TEXT,
    address TEXT,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    time_zone TEXT NOT NULL,
    traffic DOUBLE PRECISION NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX units_by_parent ON units (parent_id);
