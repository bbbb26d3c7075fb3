-- Call-centre interval statistics (docs/hotline.md): one row per hotline
-- and interval as the switch exported it, in the hotline's local time.
-- A count the export did not have is NULL, never 0. Imports replace the
-- rows they repeat.
CREATE TABLE call_intervals (
    hotline_id TEXT NOT NULL,
    local_start TEXT NOT NULL,
    local_day TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    threshold_s INTEGER NOT NULL,
    short_s INTEGER NOT NULL,
    calls_in BIGINT,
    system_connected BIGINT,
    offered BIGINT NOT NULL,
    answered BIGINT NOT NULL,
    answered_within BIGINT NOT NULL,
    abandoned BIGINT NOT NULL,
    abandoned_within BIGINT,
    abandoned_short BIGINT,
    talk_s DOUBLE PRECISION,
    wrap_s DOUBLE PRECISION,
    signed_in_s DOUBLE PRECISION,
    agents_scheduled BIGINT,
    agents_signed_in BIGINT,
    survey_responses BIGINT,
    survey_satisfied BIGINT,
    fcr_total BIGINT,
    fcr_resolved BIGINT,
    imported_at BIGINT NOT NULL,
    imported_by TEXT NOT NULL,
    PRIMARY KEY (hotline_id, local_start)
);
CREATE INDEX call_intervals_by_day ON call_intervals (local_day);

-- The operator's own KPI targets; a KPI without a row keeps the default
-- (core's KpiRules), `none` means no target.
CREATE TABLE hotline_targets (
    kpi TEXT PRIMARY KEY,
    direction TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
