-- Ratings read sums, not visits (methodology S7, S8): for every store,
-- local day, template version and mode, how many scored visits there were
-- and the sum and sum of squares of their scores and their passes. Kept in
-- step with m_records by the materialiser, in the same transaction
-- (store/derived.rs); each record carries the day it was started on in its
-- store's time zone.
ALTER TABLE m_records ADD COLUMN local_day TEXT;
CREATE INDEX m_records_by_store_day ON m_records (store_id, local_day);

CREATE TABLE m_store_days (
    store_id TEXT NOT NULL,
    day TEXT NOT NULL,
    template_id TEXT NOT NULL,
    template_version TEXT NOT NULL,
    mode TEXT NOT NULL,
    visits BIGINT NOT NULL,
    score_sum DOUBLE PRECISION NOT NULL,
    score_sq DOUBLE PRECISION NOT NULL,
    passed BIGINT NOT NULL,
    PRIMARY KEY (store_id, day, template_id, template_version, mode)
);
CREATE INDEX m_store_days_by_day ON m_store_days (day);

-- Derive every record again, to fill both.
UPDATE m_cursor SET seq = 0 WHERE id = 1;
